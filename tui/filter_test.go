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
