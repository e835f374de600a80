package tui

import (
	"context"
	"testing"
	"time"
)

// E on the events list opens the event's form, as it does on an open
// event; saving it writes the change.
func TestEditEventFromList(t *testing.T) {
	st := demoStore(t)
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
