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

// A KPI deleted in the console comes back with its readings on u, and
// deletes on other pages are undone in turn, newest first, each audited
// under the console's actor.
func TestUndoRestoresDeletesInTurn(t *testing.T) {
	st := storetest.Demo(t, nil)
	ctx := context.Background()
	kpis, err := st.KPIs(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var kpi portfolio.KPI
	var readings []portfolio.Reading
	for _, k := range kpis {
		if r, _ := st.Readings(ctx, k.ID, 1000); len(r) > len(readings) {
			kpi, readings = k, r
		}
	}
	if len(readings) < 2 {
		t.Fatal("no demo KPI has readings")
	}
	s := start(t, newConsole(t, st, Options{Poll: time.Hour, Actor: "console:kim"}))
	s.waitFor("Break-even JADA")
	if strings.Contains(s.screen(), "u undo") {
		t.Error("the footer offers undo before anything was deleted")
	}
	s.keys("u")
	s.waitFor("nothing to undo")

	s.keys("2", "/", "text:"+strings.ToLower(kpi.EntityCode+" "+kpi.Name))
	s.waitFor(kpi.Name)
	s.keys("enter", "d")
	s.waitFor("Delete " + kpi.EntityCode + " " + kpi.Name + " and all its readings?")
	s.keys("left", "enter")
	s.waitFor("deleted (u undoes)", "u undo")
	if _, err := st.KPI(ctx, kpi.EntityCode, kpi.Key); portfolio.ErrorCode(err) != portfolio.ENOTFOUND {
		t.Fatalf("KPI not deleted: %v", err)
	}

	// An item on the Events page, deleted after the KPI.
	s.keys("esc", "4", "enter")
	s.waitFor("Check weather, tides")
	ev, _ := st.Event(ctx, 1)
	item := ev.Phases[0].Items[0]
	s.keys("d")
	s.waitFor("Delete item")
	s.keys("left", "enter")
	s.waitFor(`removed "` + item.Title + `" (u undoes)`)
	if ev, _ := st.Event(ctx, 1); ev.Phases[0].Items[0].ID == item.ID {
		t.Fatalf("item not deleted: %+v", ev.Phases[0].Items[0])
	}

	s.keys("u")
	s.waitFor(`restored checklist item "`+item.Title+`" (u undoes 1 more)`, item.Title)
	if ev, _ := st.Event(ctx, 1); ev.Phases[0].Items[0] != item {
		t.Errorf("item after undo %+v, want %+v", ev.Phases[0].Items[0], item)
	}
	s.keys("ctrl+z")
	s.waitFor("restored KPI " + kpi.EntityCode + "/" + kpi.Key + " and " + countOf(len(readings), "KPI reading"))
	back, err := st.KPI(ctx, kpi.EntityCode, kpi.Key)
	if err != nil || back.ID != kpi.ID {
		t.Fatalf("KPI after undo: %+v, %v", back, err)
	}
	if got, _ := st.Readings(ctx, kpi.ID, 1000); len(got) != len(readings) || got[0] != readings[0] {
		t.Errorf("readings after undo: %d, want %d", len(got), len(readings))
	}
	a, _ := st.Audit(ctx, 1)
	if a[0].Action != "restore" || a[0].Actor != "console:kim" || a[0].SubjectID != kpi.ID {
		t.Errorf("audit of the undo: %+v", a[0])
	}
	s.waitGone("u undo")
	s.keys("u")
	s.waitFor("nothing to undo")
}

// A person removed on the Records page comes back on u with their crew
// places and report subscriptions, and the action that lost them has
// them again.
func TestUndoRecordsRemoval(t *testing.T) {
	st := storetest.Demo(t, nil)
	ctx := context.Background()
	person, _ := st.Record(ctx, mustKind("person"), "chris.novak@example.com")
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("8")
	s.waitFor("7 entities")
	s.keys("right")
	s.waitFor("[Person]")
	s.keys("/", "text:chris", "enter")
	s.waitFor("▸chris.novak@example.com")
	s.keys("d")
	s.waitFor("Remove person chris.novak@example.com?")
	s.keys("left", "enter")
	s.waitFor("✓ removed person chris.novak@example.com", "(u undoes)")
	s.keys("u")
	s.waitFor("✓ restored person chris.novak@example.com")
	back, err := st.Record(ctx, mustKind("person"), "chris.novak@example.com")
	if err != nil || back.(*portfolio.Person).ID != person.(*portfolio.Person).ID {
		t.Fatalf("person after undo: %+v, %v", back, err)
	}
	a, err := st.Record(ctx, mustKind("action"), "rotate-the-stripe-keys-and-move-every-secret-out")
	if err != nil || a.(*portfolio.Action).PersonEmail != "chris.novak@example.com" {
		t.Errorf("the action after the undo: %+v, %v", a, err)
	}
}

// An undo that would clash (a KPI added since under the deleted one's
// key) is refused in words, changes nothing, and is not offered again.
func TestUndoRefusedWhenItClashes(t *testing.T) {
	st := storetest.Demo(t, nil)
	ctx := context.Background()
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("2", "/", "text:qdn revenue")
	s.waitFor("Haul revenue this month")
	s.keys("enter", "d")
	s.waitFor("Delete QDN Haul revenue this month and all its readings?")
	s.keys("left", "enter")
	s.waitFor("deleted (u undoes)")
	old, _ := st.KPIs(ctx, "QDN")
	qdn, _ := st.Record(ctx, mustKind("entity"), "QDN")
	if err := st.Update(ctx, "other", func(tx *store.Tx) error {
		return tx.CreateKPI(ctx, &portfolio.KPI{EntityID: qdn.(*portfolio.Entity).ID, Key: "revenue", Name: "Revenue again", Unit: "count",
			Direction: portfolio.HigherIsBetter, Target: 1, Tolerance: 0.1, OwnerRole: portfolio.RoleCEO})
	}); err != nil {
		t.Fatal(err)
	}
	s.keys("u")
	s.waitFor("not undone: cannot restore KPI QDN/revenue: a KPI added since has the same key")
	if now, _ := st.KPIs(ctx, "QDN"); len(now) != len(old)+1 {
		t.Errorf("the refused undo changed the KPIs: %d, then %d", len(old), len(now))
	}
	s.waitGone("u undo")
	s.keys("u")
	s.waitFor("nothing to undo")
}
