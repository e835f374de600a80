package demo_test

import (
	"context"
	"strings"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/demo"
	"opsdeck/store/storetest"
)

// The demo portfolio must reproduce the owner's situation; every figure
// here is computed from the loaded rows, not read from a constant.
func TestDemoPortfolioFigures(t *testing.T) {
	s := storetest.Demo(t, nil)
	snap, err := s.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	kinds := map[portfolio.EntityKind]int{}
	for _, e := range snap.Entities {
		kinds[e.Kind]++
	}
	if kinds[portfolio.KindOperating] != 4 || kinds[portfolio.KindAncillary] != 3 {
		t.Errorf("entities: %d operating, %d ancillary; want 4 and 3", kinds[portfolio.KindOperating], kinds[portfolio.KindAncillary])
	}

	critical := 0
	titles := []string{}
	for _, sf := range portfolio.RankShortfalls(snap.Shortfalls) {
		if sf.Severity == portfolio.SeverityCritical {
			critical++
			titles = append(titles, sf.Title)
		}
	}
	if critical != 8 {
		t.Errorf("%d open critical shortfalls, want 8", critical)
	}
	joined := strings.ToLower(strings.Join(titles, "; "))
	for _, want := range []string{"sales pipeline", "revenue tracking", "crew equity", "ota listings", "billing models"} {
		if !strings.Contains(joined, want) {
			t.Errorf("critical shortfalls lack %q: %s", want, joined)
		}
	}

	if n := len(portfolio.MissingKPIs(snap.KPIs)); n != 9 {
		t.Errorf("%d missing KPIs, want 9", n)
	}

	burn := snap.Burn()
	if burn.Low < portfolio.Dollars(7000) || burn.Low > portfolio.Dollars(7500) || burn.High < portfolio.Dollars(8500) || burn.High > portfolio.Dollars(9000) {
		t.Errorf("burn %s–%s, want about $7–9K", burn.Low, burn.High)
	}

	var jada *portfolio.BreakEven
	for _, be := range snap.BreakEvens() {
		if be.EntityCode == "JADA" {
			jada = &be
		}
	}
	if jada == nil || jada.UnitsHigh != 6 || jada.Unit != "charter" {
		t.Errorf("JADA break-even = %+v, want 6 charters a month", jada)
	}

	var list *portfolio.Channel
	var otas []string
	for i, c := range snap.Channels {
		if c.Kind == portfolio.ChannelEmail && c.AudienceSize != nil {
			list = &snap.Channels[i]
		}
		if c.Kind == portfolio.ChannelOTA {
			otas = append(otas, c.Name)
		}
	}
	if list == nil || *list.AudienceSize != 3676 || list.ValueLow != portfolio.Dollars(10000) || list.ValueHigh != portfolio.Dollars(50000) {
		t.Errorf("email list = %+v, want 3,676 subscribers worth $10K–$50K", list)
	}
	if got := strings.Join(otas, ","); got != "Sailo,GetMyBoat,GetYourGuide,Viator" {
		t.Errorf("OTA sequence = %s, want Sailo, GetMyBoat, then GetYourGuide and Viator", got)
	}

	if got := portfolio.OpenSavings(snap.Findings); got != portfolio.Dollars(25) {
		t.Errorf("AWS savings = %s, want $25", got)
	}
	var findingTitles []string
	for _, f := range snap.Findings {
		findingTitles = append(findingTitles, strings.ToLower(f.Title))
	}
	for _, want := range []string{"stripe", "plaintext environment", "google apps script", "waf"} {
		if !strings.Contains(strings.Join(findingTitles, ";"), want) {
			t.Errorf("no finding about %q", want)
		}
	}
	if len(snap.DevGaps) < 3 {
		t.Errorf("%d dev gaps, want CI/CD, staging and rollback", len(snap.DevGaps))
	}

	months := portfolio.RevenueByMonth(snap.RevenueMonths)
	if len(months) == 0 || months[len(months)-1].Month != "2026-12" {
		t.Errorf("revenue targets end %v, want 2026-12 (Q4 2026)", months)
	}
	if len(snap.FinancialRules) != 3 {
		t.Errorf("%d financial rules, want 3", len(snap.FinancialRules))
	}
	if len(snap.CapitalTiers) != 4 || snap.CapitalTiers[3].Policy != portfolio.PolicyDoNotDeploy {
		t.Errorf("capital tiers = %+v, want four ending in do-not-deploy", snap.CapitalTiers)
	}
	if len(snap.Accounts) < 10 {
		t.Errorf("chart of accounts has %d lines", len(snap.Accounts))
	}
	if len(snap.Milestones) != 4 || snap.Milestones[3].DueOn.String() > "2027-03-31" {
		t.Errorf("milestones = %+v, want four through Q1 2027", snap.Milestones)
	}

	upcoming := snap.UpcomingEvents()
	if len(upcoming) != 2 {
		t.Fatalf("%d upcoming events, want 2", len(upcoming))
	}
	for _, e := range upcoming {
		if !e.DepartsAt.After(storetest.Now) || e.Crew == 0 {
			t.Errorf("event %q departs %v with %d crew", e.Title, e.DepartsAt, e.Crew)
		}
		if e.Total == 0 || e.Done != 2 && e.Done != 0 {
			t.Errorf("event %q has checklist progress %d/%d", e.Title, e.Done, e.Total)
		}
	}

	for _, p := range snap.People {
		if !strings.HasSuffix(p.Email, "@example.com") {
			t.Errorf("demo email %s is not an example.com address", p.Email)
		}
	}
	for _, role := range portfolio.ReportRoles {
		found := false
		for _, r := range snap.Recipients {
			found = found || r.Role == role
		}
		if !found {
			t.Errorf("nobody receives the %s report", role.Title())
		}
	}
	for _, a := range snap.Actions {
		if days := portfolio.DateOf(storetest.Now).DaysUntil(a.DueOn); days < 0 || days > 31 {
			t.Errorf("action %q is due in %d days, outside the 30-day plan", a.Title, days)
		}
	}
}

// Events are dated relative to the clock, so the demo never goes stale.
func TestDemoEventsFollowTheClock(t *testing.T) {
	s := storetest.Demo(t, storetest.NewClock(storetest.Now.AddDate(1, 3, 0)))
	snap, _ := s.Snapshot(context.Background())
	if n := len(snap.UpcomingEvents()); n != 2 {
		t.Errorf("%d upcoming events when loaded later, want 2", n)
	}
}

// The demo writes one audit entry, not one per row.
func TestDemoAuditsOnce(t *testing.T) {
	s := storetest.Demo(t, nil)
	entries, err := s.Audit(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Action != "load_demo" || entries[0].Actor != "test" {
		t.Errorf("audit after demo load = %+v", entries)
	}
}

func TestResetEmptiesPortfolio(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	if err := s.Update(ctx, "test", func(tx *store.Tx) error { return tx.Reset(ctx) }); err != nil {
		t.Fatal(err)
	}
	if empty, err := s.IsEmpty(ctx); err != nil || !empty {
		t.Errorf("after Reset: empty=%v err=%v", empty, err)
	}
	// Nothing of any kind is left: the demo's schedules and name went too.
	name, recs, err := s.Portfolio(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for kind, rs := range recs {
		if len(rs) > 0 {
			t.Errorf("after Reset: %d %s records left", len(rs), kind)
		}
	}
	if name != "" {
		t.Errorf("after Reset the portfolio is still called %q", name)
	}
	if err := s.Update(ctx, "test", func(tx *store.Tx) error { return demo.Load(ctx, tx) }); err != nil {
		t.Fatalf("demo does not load again after a reset: %v", err)
	}
}

// A database holding any record of any kind, or only a name, is not
// empty: init without --force must not write over an owner's first
// account or schedule.
func TestNotEmptyWithAnyRecord(t *testing.T) {
	ctx := context.Background()
	_, recs, err := storetest.Demo(t, nil).Portfolio(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range portfolio.Kinds {
		if len(recs[k.Name]) == 0 {
			continue
		}
		s := storetest.Open(t, nil)
		// The record with what it refers to, and nothing else of its
		// kind's neighbours: the kinds it refers to go in first.
		err := s.Update(ctx, "test", func(tx *store.Tx) error { return putWithRefs(ctx, tx, recs, map[string]bool{}, k, recs[k.Name][0]) })
		if err != nil {
			t.Fatalf("%s: %v", k.Name, err)
		}
		if empty, err := s.IsEmpty(ctx); err != nil || empty {
			t.Errorf("a database with a %s: empty=%v err=%v", k.Name, empty, err)
		}
	}
	s := storetest.Open(t, nil)
	if err := s.Update(ctx, "test", func(tx *store.Tx) error { return tx.SetMeta(ctx, "portfolio_name", "Harbor Holdings") }); err != nil {
		t.Fatal(err)
	}
	if empty, err := s.IsEmpty(ctx); err != nil || empty {
		t.Errorf("a database with only a name: empty=%v err=%v", empty, err)
	}
}

// putWithRefs writes r, of kind k, and first the records it refers to.
func putWithRefs(ctx context.Context, tx *store.Tx, recs map[string][]portfolio.Record, done map[string]bool, k *portfolio.Kind, r portfolio.Record) error {
	if done[k.Name+"/"+k.Key(r)] {
		return nil
	}
	done[k.Name+"/"+k.Key(r)] = true
	for i := range k.Fields {
		f := &k.Fields[i]
		if f.Type != portfolio.RefField || f.Text(r) == "" {
			continue
		}
		ref := portfolio.MustKind(f.Ref)
		for _, target := range recs[ref.Name] {
			if strings.EqualFold(ref.Key(target), f.Text(r)) {
				if err := putWithRefs(ctx, tx, recs, done, ref, target); err != nil {
					return err
				}
			}
		}
	}
	_, err := tx.PutRecord(ctx, k, "", k.Copy(r))
	return err
}
