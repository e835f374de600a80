package tui

import (
	"context"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store/storetest"
)

// Keys typed straight after enter go to the next field, however fast they
// come: huh moves the focus with a command, which the program used to run
// only after the keys already queued had reached the old field (AAA, enter,
// BBB typed quickly made the title AAAB and the detail BB). The keys here
// are sent as one burst, with no wait for the focus to move.
func TestFormKeysAfterEnterGoToTheNextField(t *testing.T) {
	st := storetest.Open(t, nil)
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.keys("3")
	s.waitFor("No shortfalls yet")
	s.keys("n")
	s.focus("Title")
	s.keys("text:AAA", "enter", "text:BBB", "enter", "enter", // title, detail, entity
		"enter", "enter", "ctrl+u", "text:12.5", "enter", "ctrl+u", "text:2", "enter") // owner, severity, impact, effort
	s.waitFor(`added "AAA"`)
	all, err := st.Shortfalls(context.Background())
	if err != nil || len(all) != 1 {
		t.Fatalf("shortfalls: %+v, %v", all, err)
	}
	got := all[0]
	if got.Title != "AAA" || got.Detail != "BBB" || got.MonthlyImpact != 1250 || got.EffortDays != 2 || got.OwnerRole != portfolio.RoleCEO {
		t.Errorf("saved %+v", got)
	}
}
