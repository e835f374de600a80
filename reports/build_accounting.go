package reports

import (
	"sort"
	"strings"

	"opsdeck/portfolio"
)

// AccountingSection is the revenue-recognition gaps, the chart of accounts,
// the expense audit and the milestone roadmap.
type AccountingSection struct {
	Gaps         []RecognitionRow
	Accounts     []AccountRow
	Audit        []AuditRow
	Unmapped     int
	Milestones   []MilestoneRow
	MilestonesOK int
}

// RecognitionRow is an open revenue-recognition gap.
type RecognitionRow struct {
	Entity, Title, Detail, Severity string
}

// AccountRow is a line of the chart of accounts with the monthly budget
// mapped to it.
type AccountRow struct {
	Code, Name, Type, Budget string
}

// AuditRow is one expense category under audit.
type AuditRow struct {
	Category, Range, Vendors, Notes string
	Lines, Unmapped                 int
}

// MilestoneRow is a step on the road to profitability.
type MilestoneRow struct {
	N                            int
	Title, Criteria, Due, Status string
}

func buildAccounting(snap *portfolio.Snapshot) (*AccountingSection, Figures) {
	a := &AccountingSection{}
	var gaps []portfolio.RecognitionGap
	for _, g := range snap.RecognitionGaps {
		if g.Status == "open" {
			gaps = append(gaps, g)
		}
	}
	sort.SliceStable(gaps, func(i, j int) bool { return gaps[i].Severity.Rank() < gaps[j].Severity.Rank() })
	for _, g := range gaps {
		entity := g.EntityCode
		if entity == "" {
			entity = "All"
		}
		a.Gaps = append(a.Gaps, RecognitionRow{Entity: esc(entity), Title: esc(g.Title), Detail: esc(g.Detail), Severity: string(g.Severity)})
	}

	low, high := map[string]portfolio.Money{}, map[string]portfolio.Money{}
	type category struct {
		lines, unmapped int
		low, high       portfolio.Money
		vendors, notes  []string
	}
	cats := map[string]*category{}
	var order []string
	for _, c := range snap.CostLines {
		if c.AccountCode != "" {
			low[c.AccountCode] += c.Low
			high[c.AccountCode] += c.High
		}
		cat := cats[c.Category]
		if cat == nil {
			cat = &category{}
			cats[c.Category] = cat
			order = append(order, c.Category)
		}
		cat.lines++
		cat.low += c.Low
		cat.high += c.High
		cat.vendors = append(cat.vendors, esc(c.Vendor))
		if c.AccountCode == "" {
			cat.unmapped++
			a.Unmapped++
		}
		if c.AuditNote != "" {
			cat.notes = append(cat.notes, esc(c.Vendor)+": "+esc(c.AuditNote))
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return cats[order[i]].high > cats[order[j]].high })
	for _, name := range order {
		c := cats[name]
		notes := strings.Join(c.notes, " ")
		if c.unmapped > 0 {
			notes = strings.TrimSpace(portfolio.Plural(int64(c.unmapped), "line has", "lines have") + " no account. " + notes)
		}
		if notes == "" {
			notes = "—"
		}
		a.Audit = append(a.Audit, AuditRow{Category: esc(name), Range: moneyRange(c.low, c.high), Vendors: strings.Join(c.vendors, ", "),
			Notes: notes, Lines: c.lines, Unmapped: c.unmapped})
	}

	// Parent budgets include their children's, so the chart reads as a
	// roll-up.
	parent := map[string]string{}
	for _, acc := range snap.Accounts {
		parent[acc.Code] = acc.ParentCode
	}
	rollLow, rollHigh := map[string]portfolio.Money{}, map[string]portfolio.Money{}
	for code := range low {
		for c := code; c != ""; c = parent[c] {
			rollLow[c] += low[code]
			rollHigh[c] += high[code]
		}
	}
	for _, acc := range snap.Accounts {
		name := esc(acc.Name)
		if acc.ParentCode != "" {
			name = "↳ " + name
		}
		row := AccountRow{Code: esc(acc.Code), Name: name, Type: acc.Type, Budget: "—"}
		if rollHigh[acc.Code] > 0 {
			row.Budget = moneyRange(rollLow[acc.Code], rollHigh[acc.Code]) + "/mo"
		}
		a.Accounts = append(a.Accounts, row)
	}

	for i, m := range snap.Milestones {
		row := MilestoneRow{N: i + 1, Title: esc(m.Title), Criteria: esc(m.Criteria), Due: m.DueOn.Time().Format("2 Jan 2006"),
			Status: dueIn(m.DueOn, snap.TakenAt)}
		if !m.DoneOn.IsZero() {
			row.Status = "done " + m.DoneOn.Time().Format("2 Jan 2006")
			a.MilestonesOK++
		}
		a.Milestones = append(a.Milestones, row)
	}
	figs := Figures{
		{Label: "Open revenue-recognition gaps", Value: float64(len(a.Gaps)), LowerIsBetter: true},
		{Label: "Cost lines without an account", Value: float64(a.Unmapped), LowerIsBetter: true},
		{Label: "Milestones reached", Value: float64(a.MilestonesOK)},
	}
	return a, figs
}
