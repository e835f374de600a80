package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"opsdeck/reports"
	"opsdeck/store"
	"opsdeck/store/demo"
	"opsdeck/store/storetest"
)

func newConsole(t testing.TB, s *store.Store, opts Options) *Model {
	t.Helper()
	eng, err := reports.New(reports.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return storetest.Now }
	}
	if opts.Theme == "" {
		opts.Theme = "dark"
	}
	if opts.Actor == "" {
		opts.Actor = "tester"
	}
	if opts.EventZone == "" {
		opts.EventZone = demo.TimeZone
	}
	return New(context.Background(), s, eng, opts)
}

// probe asks the running program for its current screen.
type probe struct{ screen chan string }

// probed wraps the console so a test can read the screen between messages
// from the program's own goroutine, where it is safe to.
type probed struct{ *Model }

func (p probed) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if pr, ok := msg.(probe); ok {
		pr.screen <- ansi.Strip(p.Model.View().Content)
		return p, nil
	}
	_, cmd := p.Model.Update(msg)
	return p, cmd
}

// session is a console running in a real Bubble Tea program at 100x30 with
// a fixed colour profile, fed real key messages.
type session struct {
	t  *testing.T
	tm *teatest.TestModel
}

func start(t *testing.T, m *Model) *session {
	t.Helper()
	return startAt(t, m, 100, 30)
}

// startAt is start in a terminal of w×h.
func startAt(t *testing.T, m *Model, w, h int) *session {
	t.Helper()
	tm := teatest.NewTestModel(t, probed{m}, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	s := &session{t: t, tm: tm}
	t.Cleanup(func() { tm.Quit(); tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second)) })
	s.waitFor("Overview")
	return s
}

func (s *session) screen() string {
	ch := make(chan string, 1)
	s.tm.Send(probe{ch})
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		s.t.Fatal("the program stopped answering")
		return ""
	}
}

// waitFor waits until the screen contains every one of wants.
func (s *session) waitFor(wants ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var screen string
	for time.Now().Before(deadline) {
		screen = s.screen()
		ok := true
		for _, w := range wants {
			ok = ok && strings.Contains(screen, w)
		}
		if ok {
			return screen
		}
		time.Sleep(15 * time.Millisecond)
	}
	s.t.Fatalf("the screen never showed %q:\n%s", wants, screen)
	return ""
}

// waitGone waits until the screen no longer contains text.
func (s *session) waitGone(text string) string {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var screen string
	for time.Now().Before(deadline) {
		if screen = s.screen(); !strings.Contains(screen, text) {
			return screen
		}
		time.Sleep(15 * time.Millisecond)
	}
	s.t.Fatalf("the screen still shows %q:\n%s", text, screen)
	return ""
}

// keys sends key presses: names such as "enter", "tab", "esc", "down",
// "shift+tab", or single characters; "text:..." types a string.
func (s *session) keys(keys ...string) {
	for _, k := range keys {
		if t, ok := strings.CutPrefix(k, "text:"); ok {
			s.tm.Type(t)
			continue
		}
		s.tm.Send(keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	case "ctrl+z":
		return tea.KeyPressMsg{Code: 'z', Mod: tea.ModCtrl}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// focus waits until the form's field titled title has the focus (the
// page's form makes huh's focus moves at once, so keys sent without
// waiting reach the right field too: see TestFormKeysAfterEnterGoToTheNextField).
func (s *session) focus(title string) {
	s.t.Helper()
	s.waitFor("┃ " + title)
}

// field types into the focused field titled title after clearing it, and
// presses enter.
func (s *session) field(title, text string) {
	s.t.Helper()
	s.focus(title)
	s.keys("ctrl+u", "text:"+text, "enter")
}
