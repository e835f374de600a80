package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"opsdeck/portfolio"
)

// UpdateEvent rewrites an event's own fields (not its crew or checklist).
func (tx *Tx) UpdateEvent(ctx context.Context, e *portfolio.Event) error {
	if err := e.Validate(); err != nil {
		return err
	}
	before, err := scanEvent(tx.tx.QueryRowContext(ctx, eventSelect+" WHERE v.id = ?", e.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return portfolio.Errorf(portfolio.ENOTFOUND, "no event with id %d", e.ID)
	}
	if err != nil {
		return fmt.Errorf("read event %d before the change: %w", e.ID, err)
	}
	if err := tx.execOne(ctx, "event", e.ID,
		`UPDATE events SET entity_id = ?, kind = ?, title = ?, location = ?, departs_at = ?, time_zone = ?, duration_minutes = ?,
		crew_call_minutes = ?, boarding_minutes = ?, turnaround_minutes = ?, guests = ?, status = ?, notes = ? WHERE id = ?`,
		e.EntityID, e.Kind, e.Title, e.Location, formatTime(e.DepartsAt), e.TimeZone, e.Duration, e.CrewCall, e.Boarding,
		e.Turnaround, e.Guests, e.Status, e.Notes, e.ID); err != nil {
		return err
	}
	after := *e
	after.Key = before.Key
	if after.EntityID == before.EntityID {
		after.EntityCode = before.EntityCode
	}
	return tx.audit(ctx, "update", "event", e.ID, updateDetails(portfolio.MustKind("event"), &before, &after))
}

// AddItem appends an item to the end of a phase and returns its id.
func (tx *Tx) AddItem(ctx context.Context, phaseID int64, in portfolio.ItemInput) (int64, error) {
	if err := in.Validate(); err != nil {
		return 0, err
	}
	var next int
	if err := tx.tx.QueryRowContext(ctx, "SELECT coalesce(max(position), 0) + 1 FROM checklist_items WHERE phase_id = ?",
		phaseID).Scan(&next); err != nil {
		return 0, err
	}
	key, err := tx.newKey(ctx, "checklist_items", "phase_id", phaseID, in.Title)
	if err != nil {
		return 0, err
	}
	id, err := tx.insert(ctx, "checklist item", fmt.Sprintf("%q", in.Title),
		"INSERT INTO checklist_items (key, phase_id, title, required_role, position, mandatory, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
		key, phaseID, in.Title, in.RequiredRole, next, in.Mandatory, in.Note)
	if err != nil {
		return 0, err
	}
	return id, tx.audit(ctx, "create", "checklist_item", id, map[string]any{"phase_id": phaseID, "title": in.Title})
}

// UpdateItem rewrites an item's title, role, mandatory flag and note;
// who claimed or finished it stays.
func (tx *Tx) UpdateItem(ctx context.Context, itemID int64, in portfolio.ItemInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	var was portfolio.ItemInput
	err := tx.tx.QueryRowContext(ctx, "SELECT title, required_role, mandatory, note FROM checklist_items WHERE id = ?", itemID).
		Scan(&was.Title, &was.RequiredRole, &was.Mandatory, &was.Note)
	if errors.Is(err, sql.ErrNoRows) {
		return portfolio.Errorf(portfolio.ENOTFOUND, "no checklist item with id %d", itemID)
	}
	if err != nil {
		return fmt.Errorf("read checklist item %d before the change: %w", itemID, err)
	}
	if err := tx.execOne(ctx, "checklist item", itemID,
		"UPDATE checklist_items SET title = ?, required_role = ?, mandatory = ?, note = ? WHERE id = ?",
		in.Title, in.RequiredRole, in.Mandatory, in.Note, itemID); err != nil {
		return err
	}
	// Only the fields an item's form edits, named as the item kind names them.
	k := portfolio.MustKind("item")
	before, after := &portfolio.ChecklistItem{}, &portfolio.ChecklistItem{}
	before.Title, before.RequiredRole, before.Mandatory, before.Note = was.Title, was.RequiredRole, was.Mandatory, was.Note
	after.Title, after.RequiredRole, after.Mandatory, after.Note = in.Title, in.RequiredRole, in.Mandatory, in.Note
	return tx.audit(ctx, "update", "checklist_item", itemID, map[string]any{"title": in.Title, "changes": recordChanges(k, before, after)})
}

// DeleteItem removes an item.
func (tx *Tx) DeleteItem(ctx context.Context, itemID int64) error {
	var title string
	err := tx.tx.QueryRowContext(ctx, "SELECT title FROM checklist_items WHERE id = ?", itemID).Scan(&title)
	if errors.Is(err, sql.ErrNoRows) {
		return portfolio.Errorf(portfolio.ENOTFOUND, "no checklist item with id %d", itemID)
	}
	if err != nil {
		return err
	}
	if err := tx.capture(ctx, fmt.Sprintf("checklist item %q", title), "checklist_item", itemID, "checklist_items", "id = ?", itemID); err != nil {
		return err
	}
	if err := tx.execOne(ctx, "checklist item", itemID, "DELETE FROM checklist_items WHERE id = ?", itemID); err != nil {
		return err
	}
	return tx.audit(ctx, "delete", "checklist_item", itemID, map[string]any{"title": title})
}

// MoveItem swaps an item with its neighbour in the same phase: by -1 moves
// it up, +1 down. Moving past either end is a no-op.
func (tx *Tx) MoveItem(ctx context.Context, itemID int64, by int) error {
	if by != -1 && by != 1 {
		return portfolio.Errorf(portfolio.EINVALID, "an item moves one place at a time")
	}
	var phase int64
	var pos int
	err := tx.tx.QueryRowContext(ctx, "SELECT phase_id, position FROM checklist_items WHERE id = ?", itemID).Scan(&phase, &pos)
	if errors.Is(err, sql.ErrNoRows) {
		return portfolio.Errorf(portfolio.ENOTFOUND, "no checklist item with id %d", itemID)
	}
	if err != nil {
		return err
	}
	if err := tx.swapWithNeighbour(ctx, "checklist_items", "phase_id", phase, itemID, pos, by); err != nil {
		return err
	}
	return tx.audit(ctx, "move", "checklist_item", itemID, map[string]any{"by": by})
}

// phaseByID reads the event and name of a phase, for the audit entry and
// the not-found error.
func phaseByID(ctx context.Context, q querier, phaseID int64) (eventID int64, name string, position int, err error) {
	err = q.QueryRowContext(ctx, "SELECT event_id, name, position FROM checklist_phases WHERE id = ?", phaseID).
		Scan(&eventID, &name, &position)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", 0, portfolio.Errorf(portfolio.ENOTFOUND, "no checklist phase with id %d", phaseID)
	}
	return eventID, name, position, err
}

// AddPhase appends an empty phase to an event's checklist and returns its id.
func (tx *Tx) AddPhase(ctx context.Context, eventID int64, name string) (int64, error) {
	if err := portfolio.ValidatePhaseName(name); err != nil {
		return 0, err
	}
	var next int
	if err := tx.tx.QueryRowContext(ctx, "SELECT coalesce(max(position), 0) + 1 FROM checklist_phases WHERE event_id = ?",
		eventID).Scan(&next); err != nil {
		return 0, err
	}
	id, err := tx.insert(ctx, "phase", fmt.Sprintf("%q", name),
		"INSERT INTO checklist_phases (event_id, name, position) VALUES (?, ?, ?)", eventID, name, next)
	if err != nil {
		return 0, err
	}
	return id, tx.audit(ctx, "create", "checklist_phase", id, map[string]any{"event_id": eventID, "name": name})
}

// RenamePhase gives a phase a new name; its items and sign-off stay.
func (tx *Tx) RenamePhase(ctx context.Context, phaseID int64, name string) error {
	if err := portfolio.ValidatePhaseName(name); err != nil {
		return err
	}
	_, old, _, err := phaseByID(ctx, tx.tx, phaseID)
	if err != nil {
		return err
	}
	if err := tx.execOne(ctx, "phase", phaseID, "UPDATE checklist_phases SET name = ? WHERE id = ?", name, phaseID); err != nil {
		if portfolio.ErrorCode(err) == portfolio.ECONFLICT {
			return portfolio.Errorf(portfolio.ECONFLICT, "the event already has a phase called %q", name)
		}
		return err
	}
	return tx.audit(ctx, "update", "checklist_phase", phaseID, map[string]any{"name": name,
		"changes": map[string]Change{"name": {Before: old, After: name}}})
}

// DeletePhase removes a phase with all its items; the audit entry records
// how many items went with it.
func (tx *Tx) DeletePhase(ctx context.Context, phaseID int64) error {
	eventID, name, _, err := phaseByID(ctx, tx.tx, phaseID)
	if err != nil {
		return err
	}
	var items int
	if err := tx.tx.QueryRowContext(ctx, "SELECT count(*) FROM checklist_items WHERE phase_id = ?", phaseID).Scan(&items); err != nil {
		return err
	}
	if err := tx.capture(ctx, fmt.Sprintf("checklist phase %q", name), "checklist_phase", phaseID, "checklist_phases", "id = ?", phaseID); err != nil {
		return err
	}
	if err := tx.execOne(ctx, "phase", phaseID, "DELETE FROM checklist_phases WHERE id = ?", phaseID); err != nil {
		return err
	}
	return tx.audit(ctx, "delete", "checklist_phase", phaseID, map[string]any{"event_id": eventID, "name": name, "items": items})
}

// MovePhase swaps a phase with its neighbour on the event's checklist: by
// -1 moves it up, +1 down. Moving past either end is a no-op.
func (tx *Tx) MovePhase(ctx context.Context, phaseID int64, by int) error {
	if by != -1 && by != 1 {
		return portfolio.Errorf(portfolio.EINVALID, "a phase moves one place at a time")
	}
	eventID, _, pos, err := phaseByID(ctx, tx.tx, phaseID)
	if err != nil {
		return err
	}
	if err := tx.swapWithNeighbour(ctx, "checklist_phases", "event_id", eventID, phaseID, pos, by); err != nil {
		return err
	}
	return tx.audit(ctx, "move", "checklist_phase", phaseID, map[string]any{"by": by})
}

// swapWithNeighbour swaps the position of row id (at pos) with the next row
// up (by -1) or down (+1) among the rows of table sharing its parent
// (parentColumn = parent). At either end it does nothing. table and
// parentColumn are constants of this file, never user input.
func (tx *Tx) swapWithNeighbour(ctx context.Context, table, parentColumn string, parent, id int64, pos, by int) error {
	order, cmp := "position DESC", "<"
	if by > 0 {
		order, cmp = "position ASC", ">"
	}
	var otherID int64
	var otherPos int
	err := tx.tx.QueryRowContext(ctx, "SELECT id, position FROM "+table+" WHERE "+parentColumn+" = ? AND position "+cmp+
		" ? ORDER BY "+order+" LIMIT 1", parent, pos).Scan(&otherID, &otherPos)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, u := range []struct {
		id  int64
		pos int
	}{{id, otherPos}, {otherID, pos}} {
		if _, err := tx.tx.ExecContext(ctx, "UPDATE "+table+" SET position = ? WHERE id = ?", u.pos, u.id); err != nil {
			return err
		}
	}
	return nil
}
