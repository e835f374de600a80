package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// Editing a shortfall shows its monthly impact to the cent and saves it
// unchanged: 99.99 stays 9999 cents, not 99 dollars.
func TestShortfallEditKeepsTheCents(t *testing.T) {
	st := storetest.Open(t, nil)
	ctx := context.Background()
	sf := portfolio.Shortfall{Title: "Cents lost somewhere", OwnerRole: portfolio.RoleCFO, Severity: portfolio.SeverityLow,
		MonthlyImpact: 9999, EffortDays: 1}
	if err := st.Update(ctx, "tester", func(tx *store.Tx) error { return tx.CreateShortfall(ctx, &sf) }); err != nil {
		t.Fatal(err)
	}
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.keys("3")
	s.waitFor("1 open, ranked", "$99.99")
	s.keys("e")
	for _, f := range []string{"Title", "Detail", "Entity", "Owner", "Severity"} {
		s.focus(f)
		s.keys("enter")
	}
	s.focus("Monthly impact ($)")
	if screen := s.screen(); !strings.Contains(screen, "> 99.99") {
		t.Errorf("the impact field does not show 99.99:\n%s", screen)
	}
	s.keys("enter")
	s.focus("Effort (days)")
	s.keys("enter")
	s.waitFor(`saved "Cents lost somewhere"`)
	all, err := st.Shortfalls(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range all {
		if got.ID == sf.ID && got.MonthlyImpact != 9999 {
			t.Errorf("saved impact = %d cents, want 9999", got.MonthlyImpact)
		}
	}
}

// Every money field of every records form is written as text that reads
// back as the same cents.
func TestRecordMoneyFieldsRoundTrip(t *testing.T) {
	amounts := []portfolio.Money{0, 1, 10, 99, 9999, 10001, 123456789, -5, portfolio.MaxMoney, -portfolio.MaxMoney}
	n := 0
	for _, k := range portfolio.Kinds {
		for i := range k.Fields {
			f := &k.Fields[i]
			if f.Type != portfolio.MoneyField {
				continue
			}
			n++
			for _, m := range amounts {
				rec := k.New()
				if err := f.Parse(rec, portfolio.Money(m).Plain()); err != nil {
					t.Fatalf("%s.%s: %v", k.Name, f.Name, err)
				}
				text := f.Text(rec)
				back := k.New()
				if err := f.Parse(back, text); err != nil {
					t.Errorf("%s.%s: %d cents written %q does not read back: %v", k.Name, f.Name, m, text, err)
					continue
				}
				if got := f.Text(back); got != text {
					t.Errorf("%s.%s: %d cents written %q reads back as %q", k.Name, f.Name, m, text, got)
				}
				if v, ok := f.Value(back).(portfolio.Money); ok && v != m {
					t.Errorf("%s.%s: %d cents came back as %d", k.Name, f.Name, m, v)
				}
				if v, ok := f.Value(back).(*portfolio.Money); ok && (v == nil || *v != m) {
					t.Errorf("%s.%s: %d cents came back as %v", k.Name, f.Name, m, v)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no money fields found")
	}
}
