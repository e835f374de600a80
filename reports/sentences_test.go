package reports

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

var (
	htmlTag    = regexp.MustCompile(`<[^>]*>`)
	markup     = regexp.MustCompile(`(?m)^(> |#+ )|^[-=]{3,}$`)
	spaces     = regexp.MustCompile(`[\s│]+`)
	beforeStop = regexp.MustCompile(` ([.,;:])`)
)

// prose is a rendering as one line of plain words: markup, styles,
// quote bars, heading underlines and line breaks gone, so a sentence wrapped at any width
// reads as one.
func prose(f Format, out string) string {
	switch f {
	case Term:
		out = ansi.Strip(out)
	case HTML:
		out = html.UnescapeString(htmlTag.ReplaceAllString(out, " "))
	}
	out = markup.ReplaceAllString(strings.ReplaceAll(out, "**", ""), "")
	return beforeStop.ReplaceAllString(strings.TrimSpace(spaces.ReplaceAllString(out, " ")), "$1")
}

// checkSentences renders every role from s in every format and checks
// that each says what want says (with no markup) and nothing of bad.
func checkSentences(t *testing.T, s *store.Store, want map[portfolio.ReportRole][]string, bad []string) {
	t.Helper()
	snap := snapshot(t, s)
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range portfolio.ReportRoles {
		for _, f := range []Format{Markdown, Term, HTML, Text} {
			out, err := e.Render(snap, role, f, RenderOptions{Width: 200, Style: "dark"})
			if err != nil {
				t.Fatalf("%s %s: %v", role, f, err)
			}
			text := prose(f, out)
			for _, w := range want[role] {
				if !strings.Contains(text, w) {
					t.Errorf("%s %s does not say %q:\n%s", role, f, w, text)
				}
			}
			for _, b := range bad {
				if strings.Contains(text, b) {
					t.Errorf("%s %s says %q:\n%s", role, f, b, text)
				}
			}
		}
	}
}

// What a report must never say, whatever the numbers.
var clumsy = []string{"1 critical shortfalls", "1 are ", "1 have ", "1 open findings", "1 findings", "1 cost lines", "1 months",
	"1 channels", "1 subscribers", "1 people", "1 pieces", "0 are missing", "0 of 0", "$0 a month", "0 open findings",
	"data as of no changes", "0 revenue-recognition gaps", "0 cost lines", "0 pieces", "0 findings"}

// A report of an empty portfolio says, section by section, that nothing
// is there, in a sentence, never as an empty table or a row of zeros.
func TestReportsOfAnEmptyPortfolio(t *testing.T) {
	s := storetest.Open(t, nil)
	checkSentences(t, s, map[portfolio.ReportRole][]string{
		portfolio.RoleCEO: {"Thursday 26 November 2026 · nothing is recorded yet", "No shortfall is open. No KPI is tracked yet.",
			"Portfolio inventory No entity is set up yet.", "Missing KPIs No KPI is tracked yet.", "KPI scorecard No KPI is tracked yet."},
		portfolio.RoleCTO: {"No technical finding is open.", "Findings, stack by stack No finding is open.",
			"Remediation roadmap Nothing to fix: no finding is open.", "No development-cycle gap is recorded."},
		portfolio.RoleCMO: {"No marketing channel is set up yet.", "Visibility matrix No entity has a marketing channel yet.",
			"Audiences No channel has a known audience."},
		portfolio.RoleCFO: {"No cost is recorded yet, so the burn is not known.", "Burn by category No cost line is recorded yet.",
			"No capital tier is set.", "No unit economics are recorded, so no break-even can be worked out.",
			"Revenue against target No revenue month is recorded yet.", "No financial rule is set."},
		portfolio.RoleAccounting: {"No revenue-recognition gap is open; no cost line is recorded yet.", "No account is set up yet.",
			"Expense audit by category No cost line is recorded yet.", "No milestone is set."},
	}, clumsy)

	// And no empty tables: nothing to lay out, no table at all.
	snap := snapshot(t, s)
	for _, role := range portfolio.ReportRoles {
		if md := render(t, snap, role, Markdown); strings.Contains(md, "|---") {
			t.Errorf("%s: an empty table:\n%s", role, md)
		}
	}
}

// One of each: the words agree with the number one.
func TestReportsOfAPortfolioOfOne(t *testing.T) {
	s := storetest.Open(t, nil)
	one := int64(1)
	change(t, s, func(ctx context.Context, tx *store.Tx) error {
		for _, r := range []struct {
			kind string
			rec  portfolio.Record
		}{
			{"entity", &portfolio.Entity{Code: "BAKE", Name: "Harbor Bakery", Kind: portfolio.KindOperating}},
			{"kpi", &portfolio.KPI{EntityCode: "BAKE", Key: "loaves", Name: "Loaves a day", Unit: "count", Direction: portfolio.HigherIsBetter,
				Target: 200, OwnerRole: portfolio.RoleCEO}},
			{"shortfall", &portfolio.Shortfall{EntityCode: "BAKE", Title: "No online orders", OwnerRole: portfolio.RoleCEO,
				Severity: portfolio.SeverityCritical, MonthlyImpact: portfolio.Dollars(1200), EffortDays: 3, Status: portfolio.ShortfallOpen}},
			{"cost-line", &portfolio.CostLine{EntityCode: "BAKE", Category: "rent", Vendor: "Harbor Properties", Low: portfolio.Dollars(1800),
				High: portfolio.Dollars(1900)}},
			{"unit-economics", &portfolio.UnitEconomics{EntityCode: "BAKE", Unit: "catering job", Price: portfolio.Dollars(2000),
				VariableCost: portfolio.Dollars(100), Basis: portfolio.BasisPortfolio}},
			{"revenue-month", &portfolio.RevenueMonth{EntityCode: "BAKE", Month: "2026-11", Target: portfolio.Dollars(5000)}},
			{"finding", &portfolio.Finding{Stack: "Website", Category: "cost", Severity: portfolio.SeverityHigh, Title: "Oversized hosting plan",
				Remediation: "Move to the small plan.", MonthlySaving: portfolio.Dollars(30), EffortDays: 0.5, Status: "open"}},
			{"dev-gap", &portfolio.DevGap{Title: "No staging site", Status: "missing"}},
			{"channel", &portfolio.Channel{EntityCode: "BAKE", Name: "Newsletter", Kind: portfolio.ChannelEmail, Status: portfolio.ChannelLive,
				AudienceSize: &one}},
			{"recognition-gap", &portfolio.RecognitionGap{EntityCode: "BAKE", Title: "Deposits booked as sales", Severity: portfolio.SeverityHigh,
				Status: "open"}},
		} {
			if err := put(ctx, tx, r.kind, "", r.rec); err != nil {
				return err
			}
		}
		return nil
	})
	checkSentences(t, s, map[portfolio.ReportRole][]string{
		portfolio.RoleCEO: {"1 critical shortfall puts $1,200 a month at stake.",
			"The only KPI has no reading yet, so nobody can say how the portfolio is doing.",
			"This KPI has never had a reading, so nobody can say whether it is on target."},
		portfolio.RoleCTO: {"1 open finding · 1 high. Fixing it saves $30 a month; 1 piece of the development cycle is missing."},
		portfolio.RoleCMO: {"The only channel is live, reaching 1 person.", "Newsletter (live): 1 subscriber,"},
		portfolio.RoleCFO: {"The portfolio burns $1,800–$1,900 a month. BAKE breaks even at 1 catering job a month.",
			"No month has any revenue recorded yet, against $5,000 of targets."},
		portfolio.RoleAccounting: {"1 revenue-recognition gap is open; 1 cost line has no account.", "1 line has no account."},
	}, clumsy)
}

// A count in words is grouped as every other figure is.
func TestCountsInWordsAreGrouped(t *testing.T) {
	s := storetest.Open(t, nil)
	audience := int64(2400)
	change(t, s, func(ctx context.Context, tx *store.Tx) error {
		if err := put(ctx, tx, "entity", "", &portfolio.Entity{Code: "BAKE", Name: "Harbor Bakery", Kind: portfolio.KindOperating}); err != nil {
			return err
		}
		return put(ctx, tx, "channel", "", &portfolio.Channel{EntityCode: "BAKE", Name: "Instagram", Kind: portfolio.ChannelSocial,
			Status: portfolio.ChannelLive, AudienceSize: &audience})
	})
	checkSentences(t, s, map[portfolio.ReportRole][]string{
		portfolio.RoleCMO: {"The only channel is live, reaching 2,400 people."},
	}, clumsy)
}
