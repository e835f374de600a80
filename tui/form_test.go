package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
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
