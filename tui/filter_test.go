package tui

import (
	"strings"
	"testing"
	"time"

	"opsdeck/store/storetest"
)

// cursorRow is the line of screen the list's cursor is on.
func cursorRow(screen string) string {
	for _, line := range strings.Split(screen, "\n") {
		if strings.Contains(line, cursorMark) {
			return line
		}
	}
	return ""
}

// / on the KPI page finds a KPI by a few of its letters in order, the
// best match under the cursor, and says how many of all pass.
func TestFuzzyFilterKPIs(t *testing.T) {
	s := start(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("2")
	s.waitFor("22 KPIs")
	s.keys("/", "text:chrpm")
	screen := s.waitFor("/ chrpm", "of 22")
	if row := cursorRow(screen); !strings.Contains(row, "Charters per month") {
		t.Fatalf("chrpm does not put Charters per month under the cursor:\n%s", screen)
	}
	if strings.Contains(screen, "Email open rate") {
		t.Errorf("chrpm kept a KPI without those letters:\n%s", screen)
	}
	// enter keeps the filter and gives the keys back to the page.
	s.keys("enter", "e")
	s.waitFor("JADA · Charters per month")
	s.keys("esc")
	s.waitFor("/ chrpm")
	s.keys("esc")
	s.waitFor("22 KPIs", "Email open rate")
}

// / filters the Shortfalls page; the page's keys act on the row found.
func TestFuzzyFilterShortfalls(t *testing.T) {
	s := start(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("3")
	s.waitFor("10 open, ranked")
	s.keys("/", "text:zrt")
	screen := s.waitFor("/ zrt", "of 11")
	if row := cursorRow(screen); !strings.Contains(row, "Zero revenue tracking") {
		t.Fatalf("zrt does not put Zero revenue tracking under the cursor:\n%s", screen)
	}
	if strings.Contains(screen, "Empty sales pipeline") {
		t.Errorf("zrt kept a shortfall without those letters:\n%s", screen)
	}
	s.keys("enter", "r")
	s.waitFor(`resolved "Zero revenue tracking"`)
	s.keys("esc")
	s.waitFor("ranked by return on effort", "Empty sales pipeline")
}

// / filters the Events list and an open event's checklist; esc clears
// the checklist's filter before it leaves the event.
func TestFuzzyFilterEvents(t *testing.T) {
	s := start(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("4")
	s.waitFor("2 upcoming events")
	s.keys("/", "text:whale")
	screen := s.waitGone("Sunset harbor cruise")
	if row := cursorRow(screen); !strings.Contains(row, "Coastal whale watch") || !strings.Contains(screen, "1 of 2") {
		t.Fatalf("whale does not find the whale watch, 1 of 2:\n%s", screen)
	}
	// esc clears the filter and leaves the cursor on the row found.
	s.keys("esc")
	screen = s.waitFor("Sunset harbor cruise", "Coastal whale watch", "2 upcoming events")
	if row := cursorRow(screen); !strings.Contains(row, "Coastal whale watch") {
		t.Errorf("clearing the filter moved the cursor off the whale watch:\n%s", screen)
	}

	s.keys("enter")
	s.waitFor("Crew call 07:45", "Pre-departure")
	s.keys("/", "text:waivr")
	screen = s.waitFor("/ waivr", "of 18")
	if row := cursorRow(screen); !strings.Contains(row, "Collect signed waivers") {
		t.Fatalf("waivr does not put Collect signed waivers under the cursor:\n%s", screen)
	}
	if !strings.Contains(screen, "Crew call 07:45") {
		t.Errorf("the filter line pushed the timing panel away:\n%s", screen)
	}
	s.keys("enter", "esc")
	s.waitFor("Pre-departure", "Clean the head and galley", "Crew call 07:45")
	s.keys("esc")
	s.waitFor("2 upcoming events")
}

// / filters the Schedules page.
func TestFuzzyFilterSchedules(t *testing.T) {
	s := start(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("7")
	s.waitFor("Reports go out on these schedules")
	s.keys("/", "text:acctg")
	screen := s.waitFor("/ acctg", "of 5")
	if row := cursorRow(screen); !strings.Contains(row, "Accounting") {
		t.Fatalf("acctg does not put the Accounting schedule under the cursor:\n%s", screen)
	}
	s.keys("esc")
	s.waitFor("Reports go out on these schedules", "CEO")
}
