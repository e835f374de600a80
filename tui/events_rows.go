package tui

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// The checklist's rows are phase headings and items; e, d and K/J act on
// whichever the cursor is on, and P adds a phase.

// newPhaseKey adds a phase to the open event's checklist.
var newPhaseKey = binding("P", "new phase")

// editRow edits the item under the cursor, or renames its phase.
func (p *eventPage) editRow(row detailRow, item *portfolio.ChecklistItem) tea.Cmd {
	ph := p.detail.Phases[row.phase]
	if item != nil {
		return p.itemForm(ph, item)
	}
	return p.phaseForm(&ph)
}

// deleteRow asks before removing an item, or a phase with its items: both
// may carry a crew's record of who did what.
func (p *eventPage) deleteRow(row detailRow, item *portfolio.ChecklistItem) tea.Cmd {
	ph := p.detail.Phases[row.phase]
	if item != nil {
		id, title := item.ID, item.Title
		return p.confirm("Delete item", fmt.Sprintf("Delete %q from %s?", title, ph.Name), func() tea.Cmd {
			return write(p.c, fmt.Sprintf("removed %q", title), func(ctx context.Context, tx *store.Tx) error { return tx.DeleteItem(ctx, id) })
		})
	}
	question := fmt.Sprintf("Delete the phase %q?", ph.Name)
	if n := len(ph.Items); n > 0 {
		question = fmt.Sprintf("Delete the phase %q and its %s?", ph.Name, countOf(n, "item"))
	}
	id, name := ph.ID, ph.Name
	return p.confirm("Delete phase", question, func() tea.Cmd {
		return write(p.c, fmt.Sprintf("removed the phase %q", name), func(ctx context.Context, tx *store.Tx) error { return tx.DeletePhase(ctx, id) })
	})
}

// moveRow moves an item within its phase, or a phase within the checklist.
// The cursor follows the row (renderDetail keeps it on the same phase or
// item when the event reloads).
func (p *eventPage) moveRow(row detailRow, item *portfolio.ChecklistItem, by int) tea.Cmd {
	end := "last"
	if by < 0 {
		end = "first"
	}
	ph := p.detail.Phases[row.phase]
	if item != nil {
		// At either end the store would do nothing; saying "moved" then
		// would be untrue.
		if at := row.item + by; at < 0 || at >= len(ph.Items) {
			return func() tea.Msg {
				return StatusMsg{Text: fmt.Sprintf("%q is already the %s item of %s", item.Title, end, ph.Name), Note: true}
			}
		}
		id, title := item.ID, item.Title
		return write(p.c, fmt.Sprintf("moved %q", title), func(ctx context.Context, tx *store.Tx) error { return tx.MoveItem(ctx, id, by) })
	}
	if at := row.phase + by; at < 0 || at >= len(p.detail.Phases) {
		return func() tea.Msg {
			return StatusMsg{Text: fmt.Sprintf("the phase %q is already the %s", ph.Name, end), Note: true}
		}
	}
	id := ph.ID
	return write(p.c, fmt.Sprintf("moved the phase %q", ph.Name), func(ctx context.Context, tx *store.Tx) error { return tx.MovePhase(ctx, id, by) })
}

// phaseForm adds a phase to the open event (ph nil) or renames one.
func (p *eventPage) phaseForm(ph *portfolio.Phase) tea.Cmd {
	name, heading := "", "New phase"
	if ph != nil {
		name, heading = ph.Name, "Rename phase "+ph.Name
	}
	eventID := p.detail.ID
	submit := func() tea.Cmd {
		n := strings.TrimSpace(name)
		if ph == nil {
			return write(p.c, fmt.Sprintf("added the phase %q", n), func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.AddPhase(ctx, eventID, n)
				return err
			})
		}
		id := ph.ID
		return write(p.c, fmt.Sprintf("renamed the phase to %q", n), func(ctx context.Context, tx *store.Tx) error {
			return tx.RenamePhase(ctx, id, n)
		})
	}
	f, cmd := newPageForm(heading, submit, func() []*huh.Group {
		return []*huh.Group{huh.NewGroup(
			huh.NewInput().Title("Phase name").Value(&name).CharLimit(80).Validate(required("a name")),
		)}
	})
	p.form = f
	return cmd
}

// confirm shows a yes/no form; yes runs the write do returns.
func (p *eventPage) confirm(heading, question string, do func() tea.Cmd) tea.Cmd {
	yes := false
	submit := func() tea.Cmd {
		if !yes {
			return func() tea.Msg { return savedMsg{label: "nothing deleted"} }
		}
		return do()
	}
	f, cmd := newPageForm(heading, submit, func() []*huh.Group {
		return []*huh.Group{huh.NewGroup(huh.NewConfirm().Title(question).Affirmative("Delete").Negative("Keep").Value(&yes))}
	})
	p.form = f
	return cmd
}
