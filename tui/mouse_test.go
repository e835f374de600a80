package tui

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"opsdeck/mail"
	"opsdeck/portfolio"
	"opsdeck/store/storetest"
)

// clickAt presses and releases the left button at column x of line y, as
// a terminal reports a click.
func (s *session) clickAt(x, y int) {
	s.tm.Send(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
	s.tm.Send(tea.MouseReleaseMsg{X: x, Y: y, Button: tea.MouseLeft})
}

// find is where text first shows on screen at or below line from: its
// line and the column of its middle.
func find(t *testing.T, screen, text string, from int) (x, y int) {
	t.Helper()
	for y, line := range strings.Split(screen, "\n") {
		if y < from {
			continue
		}
		if i := strings.Index(line, text); i >= 0 {
			return ansi.StringWidth(line[:i]) + ansi.StringWidth(text)/2, y
		}
	}
	t.Fatalf("%q is not on the screen:\n%s", text, screen)
	return 0, 0
}

// clickOn clicks the middle of text where it first shows at or below line
// from.
func (s *session) clickOn(text string, from int) {
	s.t.Helper()
	x, y := find(s.t, s.screen(), text, from)
	s.clickAt(x, y)
}

// cursorLine is the screen line the list cursor's mark starts, or -1.
func cursorLine(screen string) int {
	for y, line := range strings.Split(screen, "\n") {
		if strings.HasPrefix(line, cursorMark) {
			return y
		}
	}
	return -1
}

// waitCursorAt waits until the cursor mark is on screen line y.
func (s *session) waitCursorAt(y int) string {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var screen string
	for time.Now().Before(deadline) {
		if screen = s.screen(); cursorLine(screen) == y {
			return screen
		}
		time.Sleep(15 * time.Millisecond)
	}
	s.t.Fatalf("the cursor is on line %d, not %d:\n%s", cursorLine(screen), y, screen)
	return ""
}

var sizes = []struct{ w, h int }{{80, 24}, {100, 30}}

// A click on a tab goes to its page, at every width the header draws; a
// form open on the page keeps the page, as it keeps the number keys.
func TestMouseClickOnTabSwitchesPage(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			s := startAt(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}), sz.w, sz.h)
			screen := s.waitFor("Next events")
			header := strings.SplitN(screen, "\n", 2)[0]
			tab := regexp.MustCompile(`\b3 \S+|\b3\b`).FindString(header)
			if tab == "" {
				t.Fatalf("no tab 3 in the header %q", header)
			}
			s.clickOn(tab, 0)
			s.waitFor("10 open, ranked")
			s.clickOn("2", 0)
			s.waitFor("22 KPIs")
			// The brand and the portfolio's name are no tab.
			s.clickAt(2, 0)
			s.keys("e")
			s.waitFor("JADA · Charters per month (now 2)")
			s.clickOn("1", 0)
			time.Sleep(50 * time.Millisecond)
			if screen := s.screen(); !strings.Contains(screen, "New reading") {
				t.Errorf("a click on a tab left an open form:\n%s", screen)
			}
		})
	}
}

// A click on a KPI row moves the cursor there; a second click on it opens
// its detail, as enter does.
func TestMouseClickOnRowSelectsThenOpens(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			st := storetest.Demo(t, nil)
			s := startAt(t, newConsole(t, st, Options{Poll: time.Hour}), sz.w, sz.h)
			s.waitFor("Next events")
			s.keys("2")
			screen := s.waitFor("22 KPIs", "Charters per month")
			top := cursorLine(screen) // the first row
			snap, err := st.Snapshot(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			third := snap.KPIs[2]
			s.clickAt(20, top+2)
			s.waitCursorAt(top + 2)
			s.clickAt(20, top+2)
			s.waitFor(third.EntityCode+" · "+third.Name, "Readings (")
			// A click below the last row or on the column heads does nothing.
			s.keys("esc")
			s.waitCursorAt(top + 2)
			s.clickAt(20, top-1)
			s.clickAt(20, sz.h-1)
			time.Sleep(50 * time.Millisecond)
			s.waitCursorAt(top + 2)
		})
	}
}

// Every list page takes a click on a row: the cursor lands on the line
// clicked. (Where each list starts is found, not counted: this catches a
// page whose list moved.)
func TestMouseClickMovesTheCursorOnEveryList(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			s := startAt(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}), sz.w, sz.h)
			s.waitFor("Next events")
			for _, page := range []struct{ keys, want string }{
				{"2", "22 KPIs"}, {"3", "10 open, ranked"}, {"4", "2 upcoming events"}, {"7", "Reports go out on these schedules"},
				{"8", "7 entities"},
			} {
				s.keys(page.keys)
				screen := s.waitFor(page.want)
				at := cursorLine(screen)
				if at < 0 {
					t.Fatalf("page %s: no cursor:\n%s", page.keys, screen)
				}
				s.clickAt(30, at+1)
				s.waitCursorAt(at + 1)
				s.clickAt(30, at)
				s.waitCursorAt(at)
			}
			// The audit log has one entry yet, under the cursor: a click opens it.
			s.keys("9")
			s.clickAt(30, cursorLine(s.waitFor("newest first")))
			s.waitFor("Entry", "Who")
			s.keys("esc")
			// The checklist of an open event.
			s.keys("4", "enter")
			screen := s.waitFor("Pre-departure")
			at := cursorLine(screen)
			s.clickAt(30, at+2)
			s.waitCursorAt(at + 2)
			// The Overview's entities and events.
			s.keys("esc", "1")
			screen = s.waitFor("Next events")
			_, y := find(t, screen, "QOS    Queen of San Diego", 1)
			s.clickAt(10, y)
			s.waitCursorAt(y)
			s.clickAt(10, y)
			s.waitFor("/ QOS", "Email subscribers")
		})
	}
}

// A click on a role on the Reports page shows that role's report.
func TestMouseClickOnReportRole(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			s := startAt(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}), sz.w, sz.h)
			s.waitFor("Next events")
			s.keys("5")
			s.waitFor("CEO report")
			s.clickOn("CFO", 1)
			s.waitFor(cursorMark+"CFO", "CFO report")
			// A click in the report itself picks nothing.
			s.clickOn("CFO report", 1)
			time.Sleep(50 * time.Millisecond)
			s.waitFor(cursorMark + "CFO")
		})
	}
}

// The delete confirm's buttons take clicks: Keep keeps, Delete deletes, and
// a click elsewhere in the dialog (its question) does neither.
func TestMouseClickOnConfirmButtons(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			st := storetest.Demo(t, nil)
			s := startAt(t, newConsole(t, st, Options{Poll: time.Hour}), sz.w, sz.h)
			s.waitFor("Next events")
			s.keys("2")
			s.waitFor("Charters per month")
			question := "Delete JADA Charters per month and all its readings?"
			button := func() (yes, no, y int) {
				screen := s.screen()
				for y, line := range strings.Split(screen, "\n") {
					if strings.Contains(line, "Delete") && strings.Contains(line, "Keep") {
						yes, _ = find(t, line, "Delete", 0)
						no, _ = find(t, line, "Keep", 0)
						return yes, no, y
					}
				}
				t.Fatalf("no buttons:\n%s", screen)
				return
			}
			s.keys("d")
			s.waitFor(question)
			_, no, y := button()
			s.clickOn("all its readings?", 1) // the question
			s.clickAt(no+8, y)                // beside the buttons
			time.Sleep(50 * time.Millisecond)
			s.waitFor(question)
			s.clickAt(no, y)
			s.waitFor("kept Charters per month")
			if _, err := st.KPI(context.Background(), "JADA", "charters"); err != nil {
				t.Fatalf("Keep deleted the KPI: %v", err)
			}
			s.keys("d")
			s.waitFor(question)
			yes, _, y := button()
			s.clickAt(yes-3, y) // on the button's padding, left of the word
			s.waitFor("KPI JADA Charters per month deleted")
			if _, err := st.KPI(context.Background(), "JADA", "charters"); portfolio.ErrorCode(err) != portfolio.ENOTFOUND {
				t.Errorf("Delete kept the KPI: %v", err)
			}
		})
	}
}

// The send confirm on the Reports page takes clicks too: Cancel sends
// nothing, Send sends.
func TestMouseClickOnSendConfirm(t *testing.T) {
	st := storetest.Demo(t, nil)
	tr := &flaky{}
	s := start(t, newConsole(t, st, Options{Poll: time.Hour, Mail: mailFor(t, st, tr)}))
	s.waitFor("Next events")
	s.keys("5")
	s.waitFor("CEO report: Queen of San Diego")
	s.keys("s")
	screen := s.waitFor("Send to owner@example.com", "test transport?")
	_, y := find(t, screen, "Cancel", 1)
	s.clickOn("Cancel", y)
	s.waitFor("nothing sent")
	s.keys("s")
	s.waitFor("Send to owner@example.com")
	s.clickOn("Send ", y) // the button, not the question's "Send to"
	s.waitFor("batch 1: 2 sent, 0 failed")
	if tr.sent != 2 {
		t.Errorf("%d sent", tr.sent)
	}
}

// held is a transport whose sends wait until the test lets them go, so the
// sending line stays on screen.
type held struct{ release chan struct{} }

func (h held) Name() string { return "held transport" }

func (h held) Send(ctx context.Context, _ *mail.Message) (string, error) {
	select {
	case <-h.release:
		return "provider-id", nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// While a batch is being sent its progress line pushes the page down a
// line; clicks follow it.
func TestMouseClickBelowTheSendingLine(t *testing.T) {
	st := storetest.Demo(t, nil)
	tr := held{release: make(chan struct{})}
	s := start(t, newConsole(t, st, Options{Poll: time.Hour, Mail: mailFor(t, st, tr)}))
	defer close(tr.release)
	s.waitFor("Next events")
	s.keys("5")
	s.waitFor("CEO report: Queen of San Diego")
	s.keys("s")
	s.waitFor("Send to owner@example.com")
	s.keys("left", "enter")
	s.waitFor("Sending batch 1")
	s.keys("2")
	screen := s.waitFor("Sending batch 1", "22 KPIs")
	at := cursorLine(screen)
	s.clickAt(20, at+2)
	s.waitCursorAt(at + 2)
}

// On the Records page a click on a kind in the strip shows that kind, and
// one on a group goes to its first kind, as ←/→ and [/] do.
func TestMouseClickOnRecordsStrips(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			s := startAt(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}), sz.w, sz.h)
			s.waitFor("Next events")
			s.keys("8")
			s.waitFor("[Portfolio & people]", "7 entities")
			s.clickOn("Report schedule", 2)
			s.waitFor("[Report schedule]")
			s.clickOn("Finance", 1)
			s.waitFor("[Finance]")
		})
	}
}

// While the palette is open a click acts neither on the page under it nor
// on the tabs: the palette stays, the page keeps its cursor.
func TestMouseClickWhilePaletteIsOpenDoesNothing(t *testing.T) {
	s := start(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("2")
	s.waitFor("22 KPIs")
	s.keys(":")
	s.waitFor("Commands")
	s.clickAt(20, 6)
	s.clickAt(12, 0)
	time.Sleep(50 * time.Millisecond)
	s.keys("esc")
	screen := s.waitGone("Commands")
	if row := cursorRow(screen); !strings.Contains(row, "Charters per month") || !strings.Contains(screen, "22 KPIs") {
		t.Errorf("a click under the palette reached the page:\n%s", screen)
	}
}
