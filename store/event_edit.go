package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// UpdateEvent rewrites an event's own fields (not its crew or checklist).
func (tx *Tx) UpdateEvent(ctx context.Context, e *Event) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if err := tx.execOne(ctx, "event", e.ID,
		`UPDATE events SET entity_id = ?, kind = ?, title = ?, location = ?, departs_at = ?, time_zone = ?, duration_minutes = ?,
		crew_call_minutes = ?, boarding_minutes = ?, turnaround_minutes = ?, guests = ?, status = ?, notes = ? WHERE id = ?`,
		e.EntityID, e.Kind, e.Title, e.Location, formatTime(e.DepartsAt), e.TimeZone, e.Duration, e.CrewCall, e.Boarding,
		e.Turnaround, e.Guests, e.Status, e.Notes, e.ID); err != nil {
		return err
	}
	return tx.audit(ctx, "update", "event", e.ID, map[string]any{"title": e.Title, "departs_at": e.DepartsAt, "status": e.Status})
}

// DefaultPhases are the checklist phases a new event starts with.
func DefaultPhases(kind string) []Phase {
	if kind == "charter" {
		return []Phase{{Name: "Pre-departure"}, {Name: "Boarding"}, {Name: "Underway"}, {Name: "Return and turnaround"}}
	}
	return []Phase{{Name: "Before"}, {Name: "During"}, {Name: "After"}}
}

// ItemInput is a checklist item's editable fields.
type ItemInput struct {
	Title        string
	RequiredRole AccessRole
	Mandatory    bool
	Note         string
}

func (in *ItemInput) validate() error {
	if err := checkText("item title", in.Title, true, 200); err != nil {
		return err
	}
	if in.RequiredRole == "" {
		in.RequiredRole = AccessCrew
	}
	if in.RequiredRole != AccessCaptain && in.RequiredRole != AccessCrew {
		return Errorf(EINVALID, "required role %q must be captain or crew", in.RequiredRole)
	}
	return checkText("note", in.Note, false, 1000)
}

// AddItem appends an item to the end of a phase and returns its id.
func (tx *Tx) AddItem(ctx context.Context, phaseID int64, in ItemInput) (int64, error) {
	if err := in.validate(); err != nil {
		return 0, err
	}
	var next int
	if err := tx.tx.QueryRowContext(ctx, "SELECT coalesce(max(position), 0) + 1 FROM checklist_items WHERE phase_id = ?",
		phaseID).Scan(&next); err != nil {
		return 0, err
	}
	id, err := tx.insert(ctx, "checklist item", fmt.Sprintf("%q", in.Title),
		"INSERT INTO checklist_items (phase_id, title, required_role, position, mandatory, note) VALUES (?, ?, ?, ?, ?, ?)",
		phaseID, in.Title, in.RequiredRole, next, in.Mandatory, in.Note)
	if err != nil {
		return 0, err
	}
	return id, tx.audit(ctx, "create", "checklist_item", id, map[string]any{"phase_id": phaseID, "title": in.Title})
}

// UpdateItem rewrites an item's title, role, mandatory flag and note;
// who claimed or finished it stays.
func (tx *Tx) UpdateItem(ctx context.Context, itemID int64, in ItemInput) error {
	if err := in.validate(); err != nil {
		return err
	}
	if err := tx.execOne(ctx, "checklist item", itemID,
		"UPDATE checklist_items SET title = ?, required_role = ?, mandatory = ?, note = ? WHERE id = ?",
		in.Title, in.RequiredRole, in.Mandatory, in.Note, itemID); err != nil {
		return err
	}
	return tx.audit(ctx, "update", "checklist_item", itemID, in)
}

// DeleteItem removes an item.
func (tx *Tx) DeleteItem(ctx context.Context, itemID int64) error {
	var title string
	err := tx.tx.QueryRowContext(ctx, "SELECT title FROM checklist_items WHERE id = ?", itemID).Scan(&title)
	if errors.Is(err, sql.ErrNoRows) {
		return Errorf(ENOTFOUND, "no checklist item with id %d", itemID)
	}
	if err != nil {
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
		return Errorf(EINVALID, "an item moves one place at a time")
	}
	var phase int64
	var pos int
	err := tx.tx.QueryRowContext(ctx, "SELECT phase_id, position FROM checklist_items WHERE id = ?", itemID).Scan(&phase, &pos)
	if errors.Is(err, sql.ErrNoRows) {
		return Errorf(ENOTFOUND, "no checklist item with id %d", itemID)
	}
	if err != nil {
		return err
	}
	order, cmp := "position DESC", "<"
	if by > 0 {
		order, cmp = "position ASC", ">"
	}
	var otherID int64
	var otherPos int
	err = tx.tx.QueryRowContext(ctx, "SELECT id, position FROM checklist_items WHERE phase_id = ? AND position "+cmp+
		" ? ORDER BY "+order+" LIMIT 1", phase, pos).Scan(&otherID, &otherPos)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, u := range []struct {
		id  int64
		pos int
	}{{itemID, otherPos}, {otherID, pos}} {
		if _, err := tx.tx.ExecContext(ctx, "UPDATE checklist_items SET position = ? WHERE id = ?", u.pos, u.id); err != nil {
			return err
		}
	}
	return tx.audit(ctx, "move", "checklist_item", itemID, map[string]any{"by": by})
}
