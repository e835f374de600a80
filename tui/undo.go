package tui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// Undo: every delete the console makes goes through a write whose
// transaction keeps what it took (store.Deleted); the console stacks
// them, newest last, and u (or ctrl+z) restores the newest in one
// transaction of its own, audited under the console's actor. The stack
// is the session's: it starts empty and a restart forgets it.

// undoKey restores the last delete. ctrl+z too, for the hands that
// expect it.
var undoKey = key.NewBinding(key.WithKeys("u", "ctrl+z"), key.WithHelp("u", "undo"))

// undoDepth is how many deletes the console can undo in turn; older ones
// are forgotten rather than kept for ever in a long session.
const undoDepth = 100

// undoneMsg answers a restore.
type undoneMsg struct {
	d   *store.Deleted
	err error
}

// pushUndo puts what a delete took on the undo stack.
func (c *Context) pushUndo(d *store.Deleted) {
	if d == nil {
		return
	}
	c.undo = append(c.undo, d)
	if len(c.undo) > undoDepth {
		c.undo = append([]*store.Deleted(nil), c.undo[len(c.undo)-undoDepth:]...)
	}
}

// canUndo reports whether u has something to restore.
func (c *Context) canUndo() bool { return len(c.undo) > 0 }

// undo takes the newest delete off the stack and restores it.
func (m *Model) undo() tea.Cmd {
	c := m.c
	if !c.canUndo() {
		return func() tea.Msg { return StatusMsg{Text: "nothing to undo", Note: true} }
	}
	d := c.undo[len(c.undo)-1]
	c.undo = c.undo[:len(c.undo)-1]
	return func() tea.Msg {
		return undoneMsg{d: d, err: c.Store.Restore(c.Ctx, c.Actor, d)}
	}
}

// undone reports a restore. One refused for a clash stays undone for
// good (it would clash again) and the next u goes on to the delete
// before it; one that failed otherwise (a busy disk) goes back on the
// stack for another try.
func (m *Model) undone(msg undoneMsg) tea.Cmd {
	if msg.err != nil {
		switch portfolio.ErrorCode(msg.err) {
		case portfolio.ECONFLICT, portfolio.ENOTFOUND, portfolio.EINVALID:
			m.setStatus("not undone: "+portfolio.ErrorMessage(msg.err), true)
		default:
			m.c.pushUndo(msg.d)
			m.setStatus("not undone: "+portfolio.ErrorMessage(msg.err)+" (u tries again)", true)
		}
		return nil
	}
	text := "restored " + msg.d.Summary()
	if n := len(m.c.undo); n > 0 {
		text += fmt.Sprintf(" (u undoes %d more)", n)
	}
	m.setStatus(text, false)
	m.reloading = true
	return m.loadCmd()
}
