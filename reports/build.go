package reports

import (
	"fmt"
	"math"
	"strings"
	"text/template"
	"time"

	"opsdeck/portfolio"
)

// Report is the data a role's template lays out. Every string in it is
// ready to drop into markdown: figures are formatted and text people typed
// in is escaped, so a template cannot forget to escape and an override
// cannot change a number.
type Report struct {
	Role      portfolio.ReportRole
	RoleTitle string
	Portfolio string
	Date      string
	// AsOf is when the data last changed; empty when nothing is recorded.
	AsOf string
	// HasPrevious is true once a report for this role has been sent
	// before; Changes then lists what moved since (possibly nothing).
	HasPrevious bool
	Changes     []string
	// KPIs are the KPIs this role owns (every KPI for the CEO).
	KPIs []KPIRow
	// Shortfalls are the open shortfalls this role owns, ranked by ROI.
	Shortfalls []ShortfallRow

	CEO        *CEOSection
	CTO        *CTOSection
	CMO        *CMOSection
	CFO        *CFOSection
	Accounting *AccountingSection

	figures Figures
}

// Figures returns the report's headline numbers, to be kept with a send.
func (r *Report) Figures() Figures { return r.figures }

// KPIRow is a KPI in a report table.
type KPIRow struct {
	Entity, Name, Current, Target, Status, Bar, Updated, Owner string
}

// ShortfallRow is a shortfall in a report table.
type ShortfallRow struct {
	Rank                                                   int
	Entity, Title, Detail, Owner, Severity, Impact, Effort string
	ROI, Status, Opened                                    string
}

// Build computes role's report from snap.
func (e *Engine) Build(snap *portfolio.Snapshot, role portfolio.ReportRole) (*Report, error) {
	if !role.Valid() {
		return nil, portfolio.Errorf(portfolio.EINVALID, "unknown role %q (want one of ceo, cto, cmo, cfo, accounting)", role)
	}
	r := &Report{
		Role:      role,
		RoleTitle: role.Title(),
		Portfolio: esc(snap.PortfolioName),
		Date:      snap.TakenAt.Format("Monday 2 January 2006"),
	}
	if !snap.AsOf.IsZero() {
		r.AsOf = snap.AsOf.In(snap.TakenAt.Location()).Format("2 Jan 2006 15:04 MST")
	}
	for _, k := range snap.KPIs {
		if role == portfolio.RoleCEO || k.OwnerRole == role {
			r.KPIs = append(r.KPIs, kpiRow(k, snap.TakenAt))
		}
	}
	for i, s := range portfolio.RankShortfalls(snap.Shortfalls) {
		if s.OwnerRole == role {
			r.Shortfalls = append(r.Shortfalls, shortfallRow(i+1, s, snap.TakenAt))
		}
	}
	switch role {
	case portfolio.RoleCEO:
		r.CEO, r.figures = buildCEO(snap)
	case portfolio.RoleCTO:
		r.CTO, r.figures = buildCTO(snap)
	case portfolio.RoleCMO:
		r.CMO, r.figures = buildCMO(snap)
	case portfolio.RoleCFO:
		r.CFO, r.figures = buildCFO(snap)
	case portfolio.RoleAccounting:
		r.Accounting, r.figures = buildAccounting(snap)
	}
	return r, nil
}

func kpiRow(k portfolio.KPI, now time.Time) KPIRow {
	u := k.UnitInfo()
	row := KPIRow{Entity: esc(k.EntityCode), Name: esc(k.Name), Target: esc(u.Format(k.Target)), Status: k.Status().Label(),
		Current: "—", Updated: "never", Owner: k.OwnerRole.Title()}
	if k.Direction == portfolio.LowerIsBetter {
		row.Target = "≤ " + row.Target
	}
	if k.Latest != nil {
		row.Current = esc(u.Format(k.Latest.Value))
		row.Updated = ago(k.Latest.TakenAt, now)
		row.Bar = barToken(portfolio.Attainment(k.Direction, k.Target, k.Latest.Value), k.Status())
	} else {
		row.Bar = barToken(0, portfolio.StatusMissing)
	}
	return row
}

func shortfallRow(rank int, s portfolio.Shortfall, now time.Time) ShortfallRow {
	entity := s.EntityCode
	if entity == "" {
		entity = "All"
	}
	return ShortfallRow{
		Rank: rank, Entity: esc(entity), Title: esc(s.Title), Detail: esc(s.Detail), Owner: s.OwnerRole.Title(),
		Severity: string(s.Severity), Impact: s.MonthlyImpact.String() + "/mo", Effort: days(s.EffortDays),
		ROI: perDay(s.ROI()), Status: strings.ReplaceAll(string(s.Status), "_", " "),
		Opened: ago(s.OpenedOn.Time(), now),
	}
}

// funcs are the few helpers templates get; the data is already formatted.
// plural and pick make a sentence agree with its number:
// {{plural 1 "gap is" "gaps are"}} is "1 gap is", {{pick 3 "is" "are"}}
// is "are".
var funcs = template.FuncMap{
	"add": func(a, b int) int { return a + b },
	// plural counts in words, the count grouped as every figure is: "2,400
	// people".
	"plural": func(n any, one, many string) (string, error) {
		v, err := count(n)
		if v == 1 {
			return "1 " + one, err
		}
		return groupInt(v) + " " + many, err
	},
	"pick": func(n any, one, many string) (string, error) {
		v, err := count(n)
		if v == 1 {
			return one, err
		}
		return many, err
	},
}

// count reads a template's number, whichever integer type it is.
func count(n any) (int64, error) {
	switch v := n.(type) {
	case int:
		return int64(v), nil
	case int64:
		return v, nil
	case int32:
		return int64(v), nil
	}
	return 0, fmt.Errorf("want a whole number, not %T", n)
}

// markdownSpecial are the characters that could turn typed-in text into
// markup: emphasis, links, HTML, table cells, headings.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `{`, `\{`, `}`, `\}`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`,
	`(`, `\(`, `)`, `\)`, `#`, `\#`, `+`, `\+`, `!`, `\!`, `|`, `\|`, `~`, `\~`, `&`, `\&`,
	// The bar marker is ours alone.
	"⟦", "[", "⟧", "]",
	// A newline would end a table row or start a new block.
	"\r\n", " ", "\n", " ", "\r", " ",
)

// esc escapes text people typed in so markdown shows it literally.
func esc(s string) string { return markdownEscaper.Replace(s) }

// ago says how long before now t was, in whole days.
func ago(t, now time.Time) string {
	d := int(now.Sub(t).Hours() / 24)
	switch {
	case d < 0:
		return "in the future"
	case d == 0:
		return "today"
	case d == 1:
		return "yesterday"
	}
	return fmt.Sprintf("%d days ago", d)
}

// dueIn says how far a due date is from today.
func dueIn(due portfolio.Date, now time.Time) string {
	n := portfolio.DateOf(now).DaysUntil(due)
	switch {
	case n < -1:
		return fmt.Sprintf("overdue by %d days", -n)
	case n == -1:
		return "overdue by 1 day"
	case n == 0:
		return "due today"
	case n == 1:
		return "due tomorrow"
	}
	return fmt.Sprintf("due in %d days", n)
}

func days(d float64) string {
	if d == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%g days", d)
}

func percent(part, whole portfolio.Money) string {
	if whole == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.0f%%", float64(part)/float64(whole)*100)
}

func dollars(m portfolio.Money) float64 { return float64(m) / 100 }

func moneyRange(low, high portfolio.Money) string {
	if low == high {
		return low.String()
	}
	return low.String() + "–" + high.String()
}

// perDay formats a return on effort in whole dollars a day.
func perDay(dollarsPerDay float64) string {
	return portfolio.Dollars(int64(math.Round(dollarsPerDay))).String() + "/day"
}
