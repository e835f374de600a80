package tui

import (
	"image/color"
	"strings"
	"testing"
	"time"

	"opsdeck/store/storetest"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// A theme change reaches everything drawn with a background-dependent
// colour: the cursor row of every list, the help line and the KPI filter.
func TestThemeReachesListsAndHelp(t *testing.T) {
	m := newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour})
	m.themeFixed = false
	m.Init()
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	d, err := load(m.c)
	if err != nil {
		t.Fatal(err)
	}
	m.Update(dataMsg{data: d})
	dark, light := NewStyles(true), NewStyles(false)
	for _, bg := range []struct {
		color color.Color
		want  *Styles
	}{{color.White, light}, {color.Black, dark}} {
		m.Update(tea.BackgroundColorMsg{Color: bg.color})
		lists := map[string]*List{}
		for _, p := range m.pages {
			switch p := p.(type) {
			case *kpiPage:
				lists["kpis"] = p.list
				if got, want := p.filter.input.Styles().Blurred.Text.GetForeground(),
					textinput.DefaultStyles(bg.want.Dark).Blurred.Text.GetForeground(); got != want {
					t.Errorf("background %v: filter text colour %v, want %v", bg.color, got, want)
				}
			case *shortfallPage:
				lists["shortfalls"] = p.list
			case *eventPage:
				lists["events"], lists["event detail"] = p.list, p.detailList
			}
		}
		for name, l := range lists {
			if got, want := l.styles.Selected.GetBackground(), bg.want.Selected.GetBackground(); got != want {
				t.Errorf("background %v: %s cursor row background %v, want %v", bg.color, name, got, want)
			}
		}
		if m.help.Styles.ShortDesc.GetForeground() != help.DefaultStyles(bg.want.Dark).ShortDesc.GetForeground() {
			t.Errorf("background %v: help styles not for dark=%v", bg.color, bg.want.Dark)
		}
	}
}

// The cursor row is marked in text as well as colour, so it shows under
// NO_COLOR and on monochrome terminals.
func TestCursorShowsWithoutColour(t *testing.T) {
	m := newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	d, err := load(m.c)
	if err != nil {
		t.Fatal(err)
	}
	m.Update(dataMsg{data: d})
	m.Update(keyMsg("2"))
	m.Update(keyMsg("down"))
	screen := ansi.Strip(m.View().Content)
	var marked []string
	for _, line := range strings.Split(screen, "\n") {
		if strings.HasPrefix(line, cursorMark) {
			marked = append(marked, line)
		}
	}
	if len(marked) != 1 || !strings.Contains(marked[0], "Qualified leads in pipeline") {
		t.Errorf("cursor rows = %q, want the second KPI only", marked)
	}
}

// A confirmation leaves the status bar after a few seconds; an error stays
// until something replaces it.
func TestStatusExpires(t *testing.T) {
	now := storetest.Now
	m := newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour, Now: func() time.Time { return now }})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	footer := func() string { return ansi.Strip(m.footer()) }
	m.Update(StatusMsg{Text: "saved the thing"})
	if !strings.Contains(footer(), "✓ saved the thing") {
		t.Fatalf("no confirmation: %q", footer())
	}
	now = now.Add(statusFor)
	if strings.Contains(footer(), "saved the thing") {
		t.Errorf("the confirmation outlived %v: %q", statusFor, footer())
	}
	m.Update(StatusMsg{Text: "not saved: broken", Err: true})
	now = now.Add(time.Hour)
	if !strings.Contains(footer(), "not saved: broken") {
		t.Errorf("the error went away: %q", footer())
	}
}

// While a form has the keys, the footer says how to leave it rather than
// offering page keys that do not work.
func TestFooterWhileCapturing(t *testing.T) {
	s := start(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("2")
	if screen := s.waitFor("e edit value or target"); !strings.Contains(screen, "q quit") {
		t.Errorf("the KPI page's footer lacks q quit:\n%s", screen)
	}
	s.keys("e")
	screen := s.waitFor("┃ New reading", "esc back • ctrl+c quit")
	if strings.Contains(screen, "q quit") || strings.Contains(screen, "n new KPI") || strings.Contains(screen, "tab next page") {
		t.Errorf("the footer offers keys the form has taken:\n%s", screen)
	}
}
