package reports

import (
	"sort"

	"opsdeck/portfolio"
)

// CTOSection is the stack-by-stack audit, the savings it finds, the
// remediation roadmap and the development-cycle gaps.
type CTOSection struct {
	Stacks        []StackRow
	BySeverity    []CountRow
	OpenFindings  int
	Savings       string
	SavingSources int
	Roadmap       []FindingRow
	Gaps          []GapRow
	GapsMissing   int
}

// StackRow groups a stack's open findings, worst first.
type StackRow struct {
	Name     string
	Findings []FindingRow
}

// FindingRow is a finding in a report table.
type FindingRow struct {
	Rank                                                  int
	Stack, Severity, Category, Title, Detail, Remediation string
	Saving, Effort                                        string
}

// CountRow is a label with a count.
type CountRow struct {
	Label string
	Count int
}

// GapRow is a development-cycle gap.
type GapRow struct {
	Title, Detail, Status string
}

func buildCTO(snap *portfolio.Snapshot) (*CTOSection, Figures) {
	c := &CTOSection{}
	var open []portfolio.Finding
	for _, f := range snap.Findings {
		if f.Status != "fixed" {
			open = append(open, f)
		}
	}
	// Roadmap order: worst first; within a severity, the most saving per
	// day of effort, then the quickest.
	sort.SliceStable(open, func(i, j int) bool {
		a, b := open[i], open[j]
		if a.Severity.Rank() != b.Severity.Rank() {
			return a.Severity.Rank() < b.Severity.Rank()
		}
		if sa, sb := dollars(a.MonthlySaving)/a.EffortDays, dollars(b.MonthlySaving)/b.EffortDays; sa != sb {
			return sa > sb
		}
		if a.EffortDays != b.EffortDays {
			return a.EffortDays < b.EffortDays
		}
		return a.ID < b.ID
	})
	c.OpenFindings = len(open)
	stackIdx := map[string]int{}
	counts := map[portfolio.Severity]int{}
	for i, f := range open {
		row := FindingRow{Rank: i + 1, Stack: esc(f.Stack), Severity: string(f.Severity), Category: esc(f.Category),
			Title: esc(f.Title), Detail: esc(f.Detail), Remediation: esc(f.Remediation), Saving: "—", Effort: days(f.EffortDays)}
		if f.MonthlySaving > 0 {
			row.Saving = f.MonthlySaving.String() + "/mo"
			c.SavingSources++
		}
		c.Roadmap = append(c.Roadmap, row)
		counts[f.Severity]++
		si, ok := stackIdx[f.Stack]
		if !ok {
			si = len(c.Stacks)
			stackIdx[f.Stack] = si
			c.Stacks = append(c.Stacks, StackRow{Name: esc(f.Stack)})
		}
		c.Stacks[si].Findings = append(c.Stacks[si].Findings, row)
	}
	sort.SliceStable(c.Stacks, func(i, j int) bool { return c.Stacks[i].Name < c.Stacks[j].Name })
	for _, sev := range portfolio.Severities {
		c.BySeverity = append(c.BySeverity, CountRow{Label: string(sev), Count: counts[sev]})
	}
	savings := portfolio.OpenSavings(snap.Findings)
	c.Savings = savings.String()
	for _, g := range snap.DevGaps {
		c.Gaps = append(c.Gaps, GapRow{Title: esc(g.Title), Detail: esc(g.Detail), Status: g.Status})
		if g.Status != "done" {
			c.GapsMissing++
		}
	}
	figs := Figures{
		{Label: "Open findings", Value: float64(c.OpenFindings), LowerIsBetter: true},
		{Label: "Critical and high findings", Value: float64(counts[portfolio.SeverityCritical] + counts[portfolio.SeverityHigh]), LowerIsBetter: true},
		{Label: "Monthly savings not yet taken", Value: dollars(savings), Money: true, LowerIsBetter: true},
		{Label: "Development-cycle gaps", Value: float64(c.GapsMissing), LowerIsBetter: true},
	}
	return c, figs
}
