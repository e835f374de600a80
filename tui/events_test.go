package tui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// E on the events list opens the event's form, as it does on an open
// event; saving it writes the change.
func TestEditEventFromList(t *testing.T) {
	st := storetest.Demo(t, nil)
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("4")
	s.waitFor("2 upcoming events")
	s.keys("down", "E")
	s.waitFor("Edit event")
	s.field("Title", "Coastal whale watch, school group")
	for _, title := range []string{"Entity", "Kind", "Location", "Status", "Date", "Departure time", "Time zone",
		"Duration (minutes)", "Crew call", "Boarding", "Turnaround"} {
		s.focus(title)
		s.keys("enter")
	}
	s.field("Guests", "30")
	s.waitFor(`saved "Coastal whale watch, school group"`)
	ev, err := st.Event(context.Background(), 2)
	if err != nil || ev.Title != "Coastal whale watch, school group" || ev.Guests != 30 {
		t.Errorf("after the edit: %q, %d guests, %v", ev.Title, ev.Guests, err)
	}
}

// Phases are added, renamed, moved and deleted from the open event; the
// cursor follows a moved row, and deletes ask first.
func TestPhaseEditingInConsole(t *testing.T) {
	st := storetest.Demo(t, nil)
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("4", "enter")
	s.waitFor("Crew call 16:00", "Pre-departure  2/5 done")
	phases := func() []string {
		ev, err := st.Event(context.Background(), 1)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ev.Phases {
			out = append(out, fmt.Sprintf("%s:%d", p.Name, len(p.Items)))
		}
		return out
	}

	s.keys("P")
	s.waitFor("New phase")
	s.field("Phase name", "Boarding") // taken: the store refuses, the form stays
	s.waitFor(`not saved: phase "Boarding" already exists`)
	s.field("Phase name", "Provisioning")
	s.waitFor(`added the phase "Provisioning"`)

	// The cursor is on the first item; the heading above it is the phase.
	s.keys("up", "e")
	s.waitFor("Rename phase Pre-departure")
	s.field("Phase name", "Before departure")
	s.waitFor(`renamed the phase to "Before departure"`, "▸Before departure  2/5 done")
	s.keys("J") // move the phase down, past Boarding
	s.waitFor(`moved the phase "Before departure"`)
	s.keys("J") // the cursor followed it, so it moves again
	want := []string{"Boarding:3", "Underway:2", "Before departure:5", "Return and turnaround:4", "Provisioning:0"}
	eventually(t, func() bool { return fmt.Sprint(phases()) == fmt.Sprint(want) }, "phases after rename and two moves: %v, want %v",
		phases, want)
	s.waitFor("▸Before departure  2/5 done") // the cursor stayed on the heading

	s.keys("down", "d") // the first item of the moved phase
	s.waitFor(`Delete "Check weather, tides and notices to mariners" from Before`, "departure?")
	s.keys("enter") // Keep is the default
	s.waitFor("nothing deleted")
	s.keys("d")
	s.waitFor("Delete item")
	s.keys("left", "enter")
	s.waitFor(`removed "Check weather, tides and notices to mariners"`)
	s.keys("G", "up", "up", "up", "up", "up", "d") // the heading of Return and turnaround
	s.waitFor(`Delete the phase "Return and turnaround" and its 4 items?`)
	s.keys("left", "enter")
	s.waitFor(`removed the phase "Return and turnaround"`)
	want = []string{"Boarding:3", "Underway:2", "Before departure:4", "Provisioning:0"}
	if got := phases(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("phases after the deletes: %v, want %v", got, want)
	}
}

// eventually waits up to ten seconds for ok, then fails with the message
// (got is called for its current value).
func eventually[T any](t *testing.T, ok func() bool, format string, got func() T, want any) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(15 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf(format, got(), want)
}

// A load that fails after the user has moved on to another event does not
// close the event now open: replies are matched to the event they were
// asked for, failures included.
func TestStaleFailedEventLoadKeepsTheOpenEvent(t *testing.T) {
	m := newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour})
	var p *eventPage
	for _, pg := range m.pages {
		if ep, ok := pg.(*eventPage); ok {
			p = ep
		}
	}
	stale := p.loadDetail(999) // an event deleted meanwhile: this load fails
	current := p.loadDetail(2)
	p.Update(current())
	if p.detail == nil || p.detail.ID != 2 {
		t.Fatalf("event 2 did not open: %+v", p.detail)
	}
	p.Update(stale())
	if p.detail == nil || p.detail.ID != 2 {
		t.Errorf("a stale failed load of event 999 changed the open event to %+v", p.detail)
	}
}

// On an open event, C takes someone off the crew and c puts a person on it
// with their role there, or changes the role of one already on it.
func TestEventCrew(t *testing.T) {
	st := storetest.Demo(t, nil)
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("4", "enter")
	s.waitFor("Crew: Morgan Reyes (captain), Jess Tran (crew), Sam Okafor (crew)")
	s.keys("C")
	s.waitFor("Remove from the crew of Sunset harbor cruise")
	s.focus("Who")
	s.keys("down", "down", "enter") // Sam Okafor, as the crew line lists them
	s.focus("Take them off the crew?")
	s.keys("left", "enter")
	s.waitFor("✓ Sam Okafor is off the crew", "Crew: Morgan Reyes (captain), Jess Tran (crew)")

	s.keys("c")
	s.waitFor("Crew of Sunset harbor cruise")
	s.focus("Person")
	s.keys("down", "down", "down", "enter") // Jess Tran, on it already
	s.focus("Role on the event")
	s.keys("up", "enter") // captain
	s.waitFor("✓ Jess Tran is now captain on the crew", "Crew: Jess Tran (captain), Morgan Reyes (captain)")

	recs, err := st.Records(context.Background(), mustKind("crew"))
	if err != nil {
		t.Fatal(err)
	}
	var crew []string
	for _, r := range recs {
		if c := r.(*portfolio.CrewMember); c.EventID == 1 {
			crew = append(crew, c.PersonEmail+":"+string(c.Role))
		}
	}
	if want := "[morgan.reyes@example.com:captain jess.tran@example.com:captain]"; fmt.Sprint(crew) != want {
		t.Errorf("crew of event 1: %v, want %s", crew, want)
	}
}

// A new event starts in the zone of the last event added, not in a zone
// the console was built with: an owner's events are mostly in one place.
func TestNewEventStartsWhereTheLastOneIs(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, nil)
	err := st.Update(ctx, "test", func(tx *store.Tx) error {
		if err := putFields(ctx, tx, "entity", map[string]string{"code": "KIWI", "name": "Kiwi Cruises"}); err != nil {
			return err
		}
		return putFields(ctx, tx, "event", map[string]string{"entity": "KIWI", "title": "Harbour lights",
			"departs_at": "2026-12-20T19:00:00+13:00", "time_zone": "Pacific/Auckland"})
	})
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, newConsole(t, st, Options{Poll: time.Hour, EventZone: "UTC"}))
	s.keys("4")
	s.waitFor("Harbour lights")
	s.keys("n")
	s.waitFor("New event")
	s.field("Title", "Sky tower dinner")
	for _, title := range []string{"Entity", "Kind", "Location", "Status", "Date", "Departure time"} {
		s.focus(title)
		s.keys("enter")
	}
	s.focus("Time zone")
	s.waitFor("> Pacific/Auckland")
}

func putFields(ctx context.Context, tx *store.Tx, kind string, fields map[string]string) error {
	k := mustKind(kind)
	r := k.New()
	for name, v := range fields {
		f, _ := k.Field(name)
		if err := f.Parse(r, v); err != nil {
			return err
		}
	}
	_, err := tx.PutRecord(ctx, k, "", r)
	return err
}

// At either end of its list a row does not move, and the console says so
// rather than "moved"; nothing is written.
func TestMovePastTheEndSaysSo(t *testing.T) {
	st := storetest.Demo(t, nil)
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("4", "enter")
	s.waitFor("Crew call 16:00", "Pre-departure  2/5 done")
	before, _ := st.Audit(context.Background(), 1000)
	s.keys("K") // the cursor is on the first item of the first phase
	s.waitFor("is already the first item of Pre-departure")
	s.keys("up", "K") // the first phase's heading
	s.waitFor(`the phase "Pre-departure" is already the first`)
	if after, _ := st.Audit(context.Background(), 1000); len(after) != len(before) {
		t.Errorf("a move that moved nothing wrote %d audit rows", len(after)-len(before))
	}
}
