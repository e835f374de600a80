package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"opsdeck/store/storetest"
)

var ctrlK = tea.KeyPressMsg{Code: 'k', Mod: tea.ModCtrl}

// : opens the palette from any page; a few letters find an action on
// another page, and enter runs it there: "new shortfall" from the KPI page
// opens the shortfall form on page 3.
func TestPaletteRunsAnActionOnAnotherPage(t *testing.T) {
	s := start(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("2")
	s.waitFor("22 KPIs")
	s.keys(":")
	screen := s.waitFor("Commands", "ACTION", "go to Shortfalls")
	// The page on screen comes first.
	if row := cursorRow(screen); !strings.Contains(row, "2 KPIs") {
		t.Errorf("the palette does not start with the KPI page's actions:\n%s", screen)
	}
	s.keys("text:nw shrtfl")
	screen = s.waitFor(": nw shrtfl")
	if row := cursorRow(screen); !strings.Contains(row, "new shortfall") || !strings.Contains(row, "3 Shortfalls") {
		t.Fatalf("nw shrtfl does not put new shortfall (page 3) under the cursor:\n%s", screen)
	}
	s.keys("enter")
	screen = s.waitFor("New shortfall", "Title")
	if !strings.Contains(screen, "3 Shortfalls") {
		t.Errorf("the action ran, but not on the Shortfalls page:\n%s", screen)
	}
	s.keys("esc")
	s.waitFor("10 open, ranked")
}

// ctrl+k opens it too; esc closes it and leaves the page as it was; up and
// down choose; the console's own keys are there (go to a page).
func TestPaletteCtrlKAndEsc(t *testing.T) {
	s := start(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("4")
	s.waitFor("2 upcoming events")
	s.tm.Send(ctrlK)
	s.waitFor("Commands", "new event")
	s.keys("text:q")
	s.waitFor(": q")
	s.keys("esc")
	screen := s.waitGone("Commands")
	if !strings.Contains(screen, "2 upcoming events") {
		t.Errorf("esc did not go back to the Events page:\n%s", screen)
	}
	// Keys typed after esc reach the page again, not the palette.
	s.keys("p")
	s.waitFor("past ones too")

	s.tm.Send(ctrlK)
	s.waitFor("Commands")
	s.keys("text:go outbox", "enter")
	s.waitFor("The outbox is empty")
}

// The palette does not open while a filter or a form has the keys: there
// : and ctrl+k are typed like any other key.
func TestPaletteNotWhileTyping(t *testing.T) {
	s := start(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("2", "/", ":")
	screen := s.waitFor("/ :")
	if strings.Contains(screen, "Commands") {
		t.Errorf("the palette opened over the filter:\n%s", screen)
	}
	s.keys("esc", "n")
	s.focus("Entity")
	s.keys(":")
	if screen := s.screen(); strings.Contains(screen, "Commands") {
		t.Errorf("the palette opened over a form:\n%s", screen)
	}
}

// An action that cannot be done now is shown as such, and enter on it
// says so and does nothing.
func TestPaletteRefusesADisabledAction(t *testing.T) {
	m := newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour})
	m.c.Keys.Next.SetEnabled(false)
	s := start(t, m)
	s.waitFor("Break-even JADA")
	s.keys(":", "text:next page")
	screen := s.waitFor("next page (not now)")
	if row := cursorRow(screen); !strings.Contains(row, "next page (not now)") {
		t.Fatalf("the disabled action is not under the cursor:\n%s", screen)
	}
	s.keys("enter")
	screen = s.waitFor("cannot be done now")
	if !strings.Contains(screen, "Commands") || !strings.Contains(screen, "1 Overview") {
		t.Errorf("refusing closed the palette or moved on:\n%s", screen)
	}
}

// ? lists the palette's keys with the console's own.
func TestHelpListsThePalette(t *testing.T) {
	s := start(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("?")
	s.waitFor("Keys on the Overview page", ": ctrl+k", "every action")
}

// Every action the palette offers is pressed as the key its page matches,
// and help entries standing for several keys are not offered.
func TestPaletteOffersRealKeys(t *testing.T) {
	m := newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	items := m.paletteItems()
	if len(items) < 40 {
		t.Fatalf("only %d actions", len(items))
	}
	byPage := map[int]int{}
	for _, it := range items {
		switch it.key {
		case "c/C", "K/J", "←/→", "[/]", "S then d", "S then a":
			t.Errorf("%q (%s) stands for several keys", it.key, it.desc)
		}
		if it.press.String() == "" {
			t.Errorf("%q (%s) presses nothing", it.key, it.desc)
		}
		byPage[it.page]++
	}
	for i, p := range m.pages {
		// The Overview's keys only scroll.
		if byPage[i] == 0 && p.Title() != "Overview" {
			t.Errorf("no actions of the %s page", p.Title())
		}
	}
	for name, want := range map[string]bool{"e": true, "E": true, "shift+tab": true, "ctrl+u": true, "enter": true, "?": true, "/": true,
		"c/C": false, "←/→": false, "S then d": false, "": false} {
		k, ok := pressKey(name)
		if ok != want || (ok && k.String() != name) {
			t.Errorf("pressKey(%q) = %q, %v; want ok %v", name, k.String(), ok, want)
		}
	}
}

// The mouse wheel scrolls the palette, not the page under it.
func TestPaletteWheel(t *testing.T) {
	s := start(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("3", ":")
	s.waitFor("Commands")
	s.tm.Send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	screen := s.waitFor("Commands")
	if row := cursorRow(screen); !strings.Contains(row, "resolve") {
		t.Errorf("the wheel did not move the palette's cursor three rows down to resolve:\n%s", screen)
	}
	s.keys("esc")
	screen = s.waitFor("10 open, ranked")
	if row := cursorRow(screen); !strings.Contains(row, "Payment keys") {
		t.Errorf("the wheel moved the page under the palette:\n%s", screen)
	}
}

// At 80×24 the palette fits, with its line to type into, the rows, and
// how to leave it.
func TestPaletteFitsEightyByTwentyFour(t *testing.T) {
	s := startAt(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}), 80, 24)
	s.waitFor("Money")
	s.keys("4", ":")
	screen := s.waitFor("Commands", "new event", "esc closes")
	checkScreen(t, "palette", screen, 80, 24)
	s.keys("text:zzzz")
	s.waitFor("nothing matches", "0 of")
}
