package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"opsdeck/store/storetest"
)

// A cancelled form is said plainly, not ticked as a success; and what the
// status bar said about one page is gone on the next, while the start-up
// word (sending off, links off) stays.
func TestStatusWordingAndLifetime(t *testing.T) {
	m := newConsole(t, storetest.Demo(t, nil), Options{Status: "sending is off: no sender"})
	m.width, m.height = 120, 35
	if got := ansi.Strip(m.footer()); !strings.Contains(got, "sending is off: no sender") {
		t.Fatalf("start-up status: %q", got)
	}
	m.switchTo(1)
	if got := ansi.Strip(m.footer()); !strings.Contains(got, "sending is off") {
		t.Errorf("the start-up status went with a page change: %q", got)
	}
	m.Update(StatusMsg{Text: "New KPI: cancelled", Note: true})
	got := ansi.Strip(m.footer())
	if !strings.Contains(got, "New KPI: cancelled") || strings.Contains(got, "✓") {
		t.Errorf("a cancelled form: %q", got)
	}
	m.Update(StatusMsg{Text: "message 7 is uncertain", Err: true})
	m.switchTo(2)
	if got := ansi.Strip(m.footer()); strings.Contains(got, "message 7") {
		t.Errorf("a page's status carried over to the next page: %q", got)
	}
}
