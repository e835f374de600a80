package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"
)

// A finished form submits once. huh keeps reporting StateCompleted to
// every message that reaches the form after it (a cursor blink, another
// page's reply) until the write's result closes it; each used to submit
// the write again, so one edit could write twice.
func TestFinishedFormIgnoresMessages(t *testing.T) {
	for _, state := range []huh.FormState{huh.StateCompleted, huh.StateAborted} {
		submits := 0
		var name string
		pf, _ := newPageForm("test", func() tea.Cmd { submits++; return nil }, func() []*huh.Group {
			return []*huh.Group{huh.NewGroup(huh.NewInput().Title("Name").Value(&name))}
		})
		pf.form.State = state // as the last enter (or esc) leaves it
		for range 3 {
			done, _ := pf.update(struct{}{})
			if !done {
				t.Fatalf("%v: a finished form reports not done", state)
			}
		}
		want := map[huh.FormState]int{huh.StateCompleted: 1, huh.StateAborted: 0}[state]
		if submits != want {
			t.Errorf("%v: submitted %d times, want %d", state, submits, want)
		}
		// A failed write reopens the form; it may then be submitted again.
		pf.reopen()
		pf.form.State = huh.StateCompleted
		pf.update(struct{}{})
		if submits != want+1 {
			t.Errorf("%v: after reopening, submitted %d times in all, want %d", state, submits, want+1)
		}
	}
}

// A form that saw the terminal's width before it was first drawn (a
// window-size message) lays its text out again at its box's width, so a
// long description is wrapped, not cut.
func TestFormWrapsAtItsBoxWidth(t *testing.T) {
	description := "It is taken off action rotate-the-stripe-keys-and-move-every-secret-out (person), and nothing else goes with it."
	yes := false
	pf, _ := newPageForm("Remove person", func() tea.Cmd { return nil }, func() []*huh.Group {
		return []*huh.Group{huh.NewGroup(huh.NewConfirm().Title("Remove?").Description(description).Value(&yes))}
	})
	pf.update(tea.WindowSizeMsg{Width: 160, Height: 40})
	screen := strings.ReplaceAll(ansiFlat(ansi.Strip(pf.view(NewStyles(true), 100, 30))), "- ", "-")
	if !strings.Contains(screen, description) {
		t.Errorf("the description is cut:\n%s", pf.view(NewStyles(true), 100, 30))
	}
}

// settle finds huh's focus moves by their function names: a huh release
// that renames them would quietly bring back keys landing in the old
// field, so the names are checked here.
func TestFocusMovesAreKnown(t *testing.T) {
	for _, c := range []tea.Cmd{huh.NextField, huh.PrevField} {
		if !focusMoves[cmdName(c)] {
			t.Errorf("%s is not among the focus moves", cmdName(c))
		}
	}
	var a, b string
	f := huh.NewForm(huh.NewGroup(huh.NewInput().Value(&a)), huh.NewGroup(huh.NewInput().Value(&b)))
	f.Init()
	found := false
	var walk func(tea.Cmd)
	walk = func(c tea.Cmd) {
		if c == nil {
			return
		}
		if focusMoves[cmdName(c)] {
			found = true
			return
		}
		if strings.Contains(cmdName(c), "compactCmds[") {
			if batch, ok := c().(tea.BatchMsg); ok {
				for _, x := range batch {
					walk(x)
				}
			}
		}
	}
	walk(f.NextField()) // from the group's last field: the next group
	if !found {
		t.Error("moving on from a group's last field gives no known focus move")
	}
}
