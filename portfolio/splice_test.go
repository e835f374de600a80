package portfolio_test

import (
	"slices"
	"testing"
	"time"

	"opsdeck/portfolio"
)

// SpliceEvents keeps the store's order: a moved event goes to its new
// place, a new one to its own, a removed one goes.
func TestSpliceEventsKeepsDepartureOrder(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 12, 1, h, 0, 0, 0, time.UTC) }
	ev := func(id int64, h int) portfolio.EventSummary { return portfolio.EventSummary{ID: id, DepartsAt: at(h)} }
	list := []portfolio.EventSummary{ev(1, 8), ev(2, 9), ev(3, 10), ev(4, 10)}
	got := portfolio.SpliceEvents(list, []int64{1, 3, 5, 9}, []portfolio.EventSummary{ev(1, 11), ev(5, 9), ev(3, 10)})
	var ids []int64
	for _, e := range got {
		ids = append(ids, e.ID)
	}
	if want := []int64{2, 5, 3, 4, 1}; !slices.Equal(ids, want) {
		t.Errorf("spliced ids %v, want %v", ids, want)
	}
	if list[0].ID != 1 || !list[0].DepartsAt.Equal(at(8)) {
		t.Error("SpliceEvents changed the list it was given")
	}
}
