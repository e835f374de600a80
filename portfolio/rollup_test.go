package portfolio_test

import (
	"context"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store/storetest"
)

// The roll-up of the demo portfolio: the owner's figures, and lines that
// add up to the totals.
func TestRollupOfTheDemo(t *testing.T) {
	snap, err := storetest.Demo(t, nil).Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r := snap.Rollup()
	if r.Shortfalls.Open != 10 || r.Shortfalls.Critical() != 8 || r.Shortfalls.Impact != portfolio.Dollars(25100) {
		t.Errorf("open shortfalls: %d (%d critical), %s a month; want 10 (8), $25,100", r.Shortfalls.Open,
			r.Shortfalls.Critical(), r.Shortfalls.Impact)
	}
	if len(r.Entities) != len(snap.Entities) || r.Entities[0].Entity.Code != "JADA" ||
		r.Entities[0].Shortfalls.Open != 3 || r.Entities[0].Shortfalls.Critical() != 3 {
		t.Errorf("entities: %+v", r.Entities)
	}
	open, critical, impact := r.Wide.Open, r.Wide.Critical(), r.Wide.Impact
	kpis := 0
	for _, e := range r.Entities {
		open += e.Shortfalls.Open
		critical += e.Shortfalls.Critical()
		impact += e.Shortfalls.Impact
		kpis += e.KPIs.Total()
	}
	if open != r.Shortfalls.Open || critical != r.Shortfalls.Critical() || impact != r.Shortfalls.Impact || kpis != r.KPIs.Total() {
		t.Errorf("the lines add up to %d open (%d critical, %s) and %d KPIs; the totals say %d (%d, %s) and %d",
			open, critical, impact, kpis, r.Shortfalls.Open, r.Shortfalls.Critical(), r.Shortfalls.Impact, r.KPIs.Total())
	}
	if r.Wide.Open != 3 || r.KPIs.Missing != 9 || len(r.NextEvents) != 2 || r.Burn.High != portfolio.Dollars(8696) {
		t.Errorf("portfolio-wide %d, missing KPIs %d, next events %d, burn %s", r.Wide.Open, r.KPIs.Missing,
			len(r.NextEvents), r.Burn.High)
	}
	for i := 1; i < len(r.Open); i++ {
		if r.Open[i-1].ROI() < r.Open[i].ROI() {
			t.Errorf("open shortfalls not ranked by return on effort at %d", i)
		}
	}
}

func TestBreakEvenSentence(t *testing.T) {
	for _, tc := range []struct {
		b    portfolio.BreakEven
		want string
	}{
		{portfolio.BreakEven{Unit: "charter", UnitsHigh: 6, UnitsLow: 5, Reachable: true}, "6 charters a month (5 at low burn)"},
		{portfolio.BreakEven{Unit: "gig", UnitsHigh: 1, UnitsLow: 1, Reachable: true}, "1 gig a month (1 at low burn)"},
		{portfolio.BreakEven{Unit: "haul", Margin: -portfolio.Dollars(50)}, "never (each haul loses $50)"},
	} {
		if got := tc.b.Sentence(); got != tc.want {
			t.Errorf("Sentence() = %q, want %q", got, tc.want)
		}
	}
	if got := portfolio.Plural(2, "line has", "lines have"); got != "2 lines have" {
		t.Errorf("Plural = %q", got)
	}
}
