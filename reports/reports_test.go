package reports

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"opsdeck/internal/golden"
	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

func snapshot(t testing.TB, s *store.Store) *portfolio.Snapshot {
	t.Helper()
	snap, err := s.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func render(t testing.TB, snap *portfolio.Snapshot, role portfolio.ReportRole, f Format) string {
	t.Helper()
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Render(snap, role, f, RenderOptions{Width: 100, Style: "dark"})
	if err != nil {
		t.Fatalf("render %s %s: %v", role, f, err)
	}
	return out
}

// put writes a record of the kind named through the store's one path.
func put(ctx context.Context, tx *store.Tx, kind, key string, rec portfolio.Record) error {
	_, err := tx.PutRecord(ctx, portfolio.MustKind(kind), key, rec)
	return err
}

func change(t testing.TB, s *store.Store, fn func(ctx context.Context, tx *store.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := s.Update(ctx, "test", func(tx *store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

func TestGoldens(t *testing.T) {
	snap := snapshot(t, storetest.Demo(t, nil))
	for _, role := range portfolio.ReportRoles {
		for _, f := range Formats {
			t.Run(string(role)+"."+string(f), func(t *testing.T) {
				got := render(t, snap, role, f)
				golden.Check(t, filepath.Join("testdata", "golden", string(role)+"."+f.Ext()), got)
			})
		}
	}
}

func mustContain(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func mustNotContain(t *testing.T, what, text string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(text, w) {
			t.Errorf("%s still contains %q", what, w)
		}
	}
}

// section returns the markdown from the heading to the next heading.
func section(md, heading string) string {
	i := strings.Index(md, "## "+heading)
	if i < 0 {
		return ""
	}
	rest := md[i+3:]
	if j := strings.Index(rest, "\n## "); j >= 0 {
		return rest[:j]
	}
	return rest
}

func TestCEOFollowsData(t *testing.T) {
	s := storetest.Demo(t, nil)
	before := render(t, snapshot(t, s), portfolio.RoleCEO, Markdown)
	critical := section(before, "Critical shortfalls")
	missing := section(before, "Missing KPIs")
	mustContain(t, "critical shortfalls", critical, "Crew equity exposure", "Zero OTA listings")
	mustContain(t, "missing KPIs", missing, "Charter revenue this month")
	mustContain(t, "summary", before, "**8 critical shortfalls** put $23,300 a month at stake", "**9 have never had a reading**")

	var equityID int64
	for _, sf := range snapshot(t, s).Shortfalls {
		if sf.Title == "Crew equity exposure" {
			equityID = sf.ID
		}
	}
	change(t, s, func(ctx context.Context, tx *store.Tx) error { return tx.ResolveShortfall(ctx, equityID) })
	v := 4800.0
	change(t, s, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.SetKPI(ctx, "JADA", "revenue", portfolio.KPIUpdate{Value: &v})
		return err
	})

	after := render(t, snapshot(t, s), portfolio.RoleCEO, Markdown)
	mustNotContain(t, "critical shortfalls after resolving", section(after, "Critical shortfalls"), "Crew equity exposure")
	mustNotContain(t, "missing KPIs after a reading", section(after, "Missing KPIs"), "Charter revenue this month")
	mustContain(t, "summary after changes", after, "**7 critical shortfalls** put $20,800 a month at stake", "**8 have never had a reading**")
	// The resolved shortfall's action is still open, but no longer ranks.
	mustContain(t, "action plan", section(after, "30-day action plan"), "Crew equity exposure (resolved)")
}

func TestCFOFollowsData(t *testing.T) {
	s := storetest.Demo(t, nil)
	before := render(t, snapshot(t, s), portfolio.RoleCFO, Markdown)
	mustContain(t, "CFO", before, "burns **$7,036–$8,696 a month**", "JADA breaks even at **6 charters a month**",
		"| JADA | charter | $2,400 | $900 | $1,500 | $7,036–$8,696 (whole portfolio) | **6** (5 at low burn) |")

	// A cheaper charter moves break-even: 8,696 / (2,000 − 900) = 7.9 → 8.
	snap := snapshot(t, s)
	jada := snap.UnitEconomics[0]
	jada.Price = portfolio.Dollars(2000)
	change(t, s, func(ctx context.Context, tx *store.Tx) error { return put(ctx, tx, "unit-economics", "JADA", &jada) })
	mustContain(t, "CFO after a price cut", render(t, snapshot(t, s), portfolio.RoleCFO, Markdown),
		"JADA breaks even at **8 charters a month**")

	// A new cost line moves burn, its category and break-even: 9,896 / 1,100 = 8.99 → 9.
	change(t, s, func(ctx context.Context, tx *store.Tx) error {
		return put(ctx, tx, "cost-line", "", &portfolio.CostLine{Category: "Vessel", Vendor: "Sailmaker", Low: portfolio.Dollars(1200), High: portfolio.Dollars(1200)})
	})
	after := render(t, snapshot(t, s), portfolio.RoleCFO, Markdown)
	mustContain(t, "CFO after a new cost", after, "burns **$8,236–$9,896 a month**", "JADA breaks even at **9 charters a month**",
		"| Vessel | $3,250 | $3,750 |")
}

func TestCTOFollowsData(t *testing.T) {
	s := storetest.Demo(t, nil)
	mustContain(t, "CTO", render(t, snapshot(t, s), portfolio.RoleCTO, Markdown), "saves **$25 a month**", "**10 open findings**")
	change(t, s, func(ctx context.Context, tx *store.Tx) error {
		return put(ctx, tx, "finding", "", &portfolio.Finding{Stack: "Shared AWS account", Category: "cost", Severity: portfolio.SeverityLow,
			Title: "Idle NAT gateway", Remediation: "Delete it.", MonthlySaving: portfolio.Dollars(32), EffortDays: 0.25, Status: "open"})
	})
	after := render(t, snapshot(t, s), portfolio.RoleCTO, Markdown)
	mustContain(t, "CTO after a new finding", after, "saves **$57 a month**", "**11 open findings**", "Idle NAT gateway")
}

func TestCMOFollowsData(t *testing.T) {
	s := storetest.Demo(t, nil)
	before := render(t, snapshot(t, s), portfolio.RoleCMO, Markdown)
	mustContain(t, "CMO", before, "3,676 subscribers, modelled at **$10,000–$50,000**",
		"1. **Sailo**", "2. **GetMyBoat**", "3. **GetYourGuide and Viator**", "| JADA | — | 0 of 4 live, 1 planned |",
		"Claim and verify the Google Business Profile")
	size := int64(1200)
	change(t, s, func(ctx context.Context, tx *store.Tx) error {
		return put(ctx, tx, "channel", "", &portfolio.Channel{EntityCode: "DC", Name: "Fan list", Kind: portfolio.ChannelEmail, Status: portfolio.ChannelLive,
			AudienceSize: &size, ValueLow: portfolio.Dollars(2500), ValueHigh: portfolio.Dollars(5000)})
	})
	after := render(t, snapshot(t, s), portfolio.RoleCMO, Markdown)
	mustContain(t, "CMO after a new list", after, "**7 of 15 channels are live**", "reaching 14,576 people",
		"| DC | live |", "**DC Fan list** (live): 1,200 subscribers, modelled at **$2,500–$5,000**")
}

func TestAccountingFollowsData(t *testing.T) {
	s := storetest.Demo(t, nil)
	before := render(t, snapshot(t, s), portfolio.RoleAccounting, Markdown)
	mustContain(t, "accounting", before, "**5 revenue-recognition gaps** are open; 1 cost line has no account",
		"| 6400 | ↳ Marketing | expense | $60–$90/mo |")
	change(t, s, func(ctx context.Context, tx *store.Tx) error {
		return put(ctx, tx, "cost-line", "", &portfolio.CostLine{Category: "Marketing", Vendor: "Print shop", Low: portfolio.Dollars(40),
			High: portfolio.Dollars(80), AccountCode: "6400"})
	})
	after := render(t, snapshot(t, s), portfolio.RoleAccounting, Markdown)
	mustContain(t, "accounting after a mapped cost", after, "| 6400 | ↳ Marketing | expense | $100–$170/mo |",
		"| Marketing | $100–$470 | 3 |")
}

func TestChangesSinceLastReport(t *testing.T) {
	s := storetest.Demo(t, nil)
	e, _ := New(Options{})
	r, err := e.Build(snapshot(t, s), portfolio.RoleCEO)
	if err != nil {
		t.Fatal(err)
	}
	prev := r.Figures()
	out, _ := e.Render(snapshot(t, s), portfolio.RoleCEO, Markdown, RenderOptions{Previous: &prev})
	mustContain(t, "unchanged", out, "## Since the last report", "No headline figure has changed.")

	v := 3.0
	change(t, s, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.SetKPI(ctx, "QOS", "open_rate", portfolio.KPIUpdate{Value: &v})
		return err
	})
	out, _ = e.Render(snapshot(t, s), portfolio.RoleCEO, Markdown, RenderOptions{Previous: &prev})
	mustContain(t, "changed", out, "- Missing KPIs: 9 → 8 (better)")
	out, _ = e.Render(snapshot(t, s), portfolio.RoleCEO, Markdown, RenderOptions{})
	mustNotContain(t, "first report", out, "Since the last report")
}

func TestTextHasNoMarkdown(t *testing.T) {
	snap := snapshot(t, storetest.Demo(t, nil))
	for _, role := range portfolio.ReportRoles {
		out := render(t, snap, role, Text)
		mustNotContain(t, string(role)+" text", out, "**", "|---", "## ", `\(`, "⟦")
		for i, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "|") {
				t.Errorf("%s text line %d is a markdown table row: %q", role, i+1, line)
			}
		}
	}
	mustContain(t, "CFO text", render(t, snap, portfolio.RoleCFO, Text), "██████░░░░ 58%", "Burn by category\n----------------",
		"6 (5 at low burn)", "4. Do not deploy: spend nothing.", "2. Low-cost wins: spend up to $500/mo.")
}

func TestUnknownRoleAndFormat(t *testing.T) {
	snap := snapshot(t, storetest.Demo(t, nil))
	e, _ := New(Options{})
	if _, err := e.Render(snap, "cxo", Markdown, RenderOptions{}); portfolio.ErrorCode(err) != portfolio.EINVALID {
		t.Errorf("unknown role: %v", err)
	}
	if _, err := e.Render(snap, portfolio.RoleCEO, "pdf", RenderOptions{}); portfolio.ErrorCode(err) != portfolio.EINVALID {
		t.Errorf("unknown format: %v", err)
	}
	if _, err := e.Render(snap, portfolio.RoleCEO, Term, RenderOptions{Style: "neon"}); portfolio.ErrorCode(err) != portfolio.EINVALID {
		t.Errorf("unknown style: %v", err)
	}
	if _, err := ParseFormat("HTML"); err != nil {
		t.Errorf("ParseFormat is case-sensitive: %v", err)
	}
}

// RenderAll, which renders in parallel, gives exactly what Render gives.
func TestRenderAllMatchesRender(t *testing.T) {
	snap := snapshot(t, storetest.Demo(t, nil))
	e, _ := New(Options{})
	all, err := e.RenderAll(snap, portfolio.ReportRoles, Formats, RenderOptions{Width: 100, Style: "dark"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(portfolio.ReportRoles)*len(Formats) {
		t.Fatalf("%d renderings, want %d", len(all), len(portfolio.ReportRoles)*len(Formats))
	}
	for _, r := range all {
		if want := render(t, snap, r.Role, r.Format); r.Text != want {
			t.Errorf("RenderAll %s %s differs from Render", r.Role, r.Format)
		}
	}
}
