package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"opsdeck/portfolio"
)

// Checklist actions, as they appear in the checklist log and in changes.
const (
	ActClaim   = "claim"
	ActRelease = "release"
	ActDone    = "done"
	ActUndo    = "undo"
	ActNote    = "note"
	ActReset   = "reset"
	ActSignOff = "signoff"
	ActReopen  = "reopen"
)

// ChecklistChange says what one checklist write changed, so the crew
// server can tell everyone watching the event. A change with an empty
// Action changed nothing (the item was already in the asked-for state).
type ChecklistChange struct {
	EventID  int64     `json:"event_id"`
	PhaseID  int64     `json:"phase_id"`
	ItemID   int64     `json:"item_id,omitempty"`
	Action   string    `json:"action"`
	PersonID int64     `json:"person_id"`
	At       time.Time `json:"at"`
}

// ItemConflict is the error for a checklist change that lost a race or no
// longer makes sense (someone else holds the item, the phase is signed
// off). It carries the item as it now is, so a client can show who holds
// it. errors.As finds the *Error inside it, with code ECONFLICT.
type ItemConflict struct {
	Err  *portfolio.Error
	Item portfolio.ChecklistItem
}

func (c *ItemConflict) Error() string { return c.Err.Error() }
func (c *ItemConflict) Unwrap() error { return c.Err }

// LogEntry is one line of an event's immutable checklist log.
type LogEntry struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	PersonID int64     `json:"person_id,omitempty"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	PhaseID  int64     `json:"phase_id,omitempty"`
	ItemID   int64     `json:"item_id,omitempty"`
	Subject  string    `json:"subject"`
	Detail   string    `json:"detail,omitempty"`
}

// itemUpdate runs one conditional UPDATE of an item on eventID and, when
// it matched, writes the audit and log rows. The condition is what makes
// a change safe under concurrency: SQLite applies it atomically, so of two
// claims racing for one item exactly one matches.
func (tx *Tx) itemUpdate(ctx context.Context, eventID, itemID, byID int64, action, detail, set, cond string, args ...any) (ChecklistChange, error) {
	ch := ChecklistChange{EventID: eventID, ItemID: itemID, Action: action, PersonID: byID, At: tx.now}
	var title string
	q := `UPDATE checklist_items SET ` + set + ` WHERE (` + cond + `) AND id = ?
		AND phase_id IN (SELECT id FROM checklist_phases WHERE event_id = ? AND signed_off_at IS NULL)
		RETURNING phase_id, title`
	all := append(append([]any{}, args...), itemID, eventID)
	err := tx.tx.QueryRowContext(ctx, q, all...).Scan(&ch.PhaseID, &title)
	if errors.Is(err, sql.ErrNoRows) {
		return ch, tx.explainItem(ctx, eventID, itemID, byID, action)
	}
	if err != nil {
		return ch, fmt.Errorf("%s item %d: %w", action, itemID, err)
	}
	return ch, tx.logChange(ctx, ch, title, detail)
}

// logChange writes the audit row and the checklist log row for ch.
func (tx *Tx) logChange(ctx context.Context, ch ChecklistChange, subject, detail string) error {
	subjectType, subjectID := "checklist_item", ch.ItemID
	if ch.ItemID == 0 {
		subjectType, subjectID = "checklist_phase", ch.PhaseID
	}
	details := map[string]any{"event_id": ch.EventID, "person_id": ch.PersonID}
	if detail != "" {
		details["detail"] = detail
	}
	if err := tx.audit(ctx, ch.Action, subjectType, subjectID, details); err != nil {
		return err
	}
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO checklist_log (event_id, at, person_id, actor, action, phase_id, item_id, subject, detail)
		VALUES (?, ?, ?, coalesce((SELECT name FROM people WHERE id = ?), ?), ?, ?, ?, ?, ?)`,
		ch.EventID, formatTime(ch.At), nullID(ch.PersonID), ch.PersonID, tx.actor, ch.Action, nullID(ch.PhaseID), nullID(ch.ItemID), subject, detail)
	if err != nil {
		return fmt.Errorf("log %s: %w", ch.Action, err)
	}
	return nil
}

// explainItem turns a conditional UPDATE that matched nothing into the
// error that says why, naming whoever holds the item.
func (tx *Tx) explainItem(ctx context.Context, eventID, itemID, byID int64, action string) error {
	it, err := scanItem(tx.tx.QueryRowContext(ctx, itemSelect+" WHERE i.id = ? AND ph.event_id = ?", itemID, eventID))
	if errors.Is(err, sql.ErrNoRows) {
		return portfolio.Errorf(portfolio.ENOTFOUND, "no checklist item %d on this event", itemID)
	}
	if err != nil {
		return fmt.Errorf("%s item %d: %w", action, itemID, err)
	}
	var phase, signer string
	var signed *string
	if err := tx.tx.QueryRowContext(ctx, `SELECT ph.name, ph.signed_off_at, coalesce(p.name, 'the captain') FROM checklist_phases ph
		LEFT JOIN people p ON p.id = ph.signed_off_by WHERE ph.id = ?`, it.PhaseID).Scan(&phase, &signed, &signer); err != nil {
		return fmt.Errorf("%s item %d: %w", action, itemID, err)
	}
	conflict := func(format string, args ...any) error {
		return &ItemConflict{Err: portfolio.Errorf(portfolio.ECONFLICT, format, args...), Item: it}
	}
	switch {
	case signed != nil:
		return conflict("%q is locked: %s signed off %s", it.Title, signer, phase)
	case it.Done() && (action == ActClaim || action == ActDone || action == ActRelease):
		return conflict("%q is already done (%s)", it.Title, orSomeone(it.DoneByName))
	case action == ActUndo && !it.Done():
		return conflict("%q is not done", it.Title)
	case action == ActUndo:
		return conflict("%q was ticked by %s; only they or the captain can untick it", it.Title, orSomeone(it.DoneByName))
	case it.ClaimedBy != 0 && it.ClaimedBy != byID:
		return conflict("%q is already claimed by %s", it.Title, orSomeone(it.ClaimedByName))
	case action == ActRelease:
		return conflict("%q is not claimed by you", it.Title)
	}
	return conflict("%q changed meanwhile; reload and try again", it.Title)
}

func orSomeone(name string) string {
	if name == "" {
		return "someone"
	}
	return name
}

// ClaimItem gives an open item on eventID to holderID (the caller's own
// id, or anyone's when a captain assigns it). Claiming an item one already
// holds changes nothing; an item held by someone else is an *ItemConflict
// naming them.
func (tx *Tx) ClaimItem(ctx context.Context, eventID, itemID, holderID, byID int64) (ChecklistChange, error) {
	detail := ""
	if holderID != byID {
		detail = "for " + tx.personName(ctx, holderID)
	}
	now := formatTime(tx.now)
	ch, err := tx.itemUpdate(ctx, eventID, itemID, byID, ActClaim, detail,
		"claimed_by = ?, claimed_at = ?", "claimed_by IS NULL AND done_at IS NULL", holderID, now)
	if portfolio.ErrorCode(err) == portfolio.ECONFLICT && tx.alreadyItem(ctx, itemID, "claimed_by = ? AND done_at IS NULL", holderID) {
		return ChecklistChange{EventID: eventID, ItemID: itemID, PersonID: byID, At: tx.now}, nil
	}
	return ch, err
}

// ReleaseItem gives up holderID's claim on an item that is not done.
func (tx *Tx) ReleaseItem(ctx context.Context, eventID, itemID, holderID, byID int64) (ChecklistChange, error) {
	return tx.itemUpdate(ctx, eventID, itemID, byID, ActRelease, "",
		"claimed_by = NULL, claimed_at = NULL", "claimed_by = ? AND done_at IS NULL", holderID)
}

// DoneItem ticks an item off as done by byID. An unclaimed item is
// claimed on the way; one held by someone else needs anyHolder (a
// captain). Ticking an item one already ticked changes nothing.
func (tx *Tx) DoneItem(ctx context.Context, eventID, itemID, byID int64, anyHolder bool) (ChecklistChange, error) {
	now := formatTime(tx.now)
	ch, err := tx.itemUpdate(ctx, eventID, itemID, byID, ActDone, "",
		"done_by = ?, done_at = ?, claimed_by = coalesce(claimed_by, ?), claimed_at = coalesce(claimed_at, ?)",
		"done_at IS NULL AND (claimed_by IS NULL OR claimed_by = ? OR ?)", byID, now, byID, now, byID, anyHolder)
	if portfolio.ErrorCode(err) == portfolio.ECONFLICT && tx.alreadyItem(ctx, itemID, "done_by = ?", byID) {
		return ChecklistChange{EventID: eventID, ItemID: itemID, PersonID: byID, At: tx.now}, nil
	}
	return ch, err
}

// UndoItem unticks an item byID ticked, or anyone's with anyone set (a
// captain). The claim stays.
func (tx *Tx) UndoItem(ctx context.Context, eventID, itemID, byID int64, anyone bool) (ChecklistChange, error) {
	return tx.itemUpdate(ctx, eventID, itemID, byID, ActUndo, "",
		"done_by = NULL, done_at = NULL", "done_at IS NOT NULL AND (done_by = ? OR ?)", byID, anyone)
}

// NoteItem sets an item's note; the log keeps every earlier version.
func (tx *Tx) NoteItem(ctx context.Context, eventID, itemID, byID int64, note string) (ChecklistChange, error) {
	note = strings.TrimSpace(note)
	if err := portfolio.ValidateItemNote(note); err != nil {
		return ChecklistChange{}, err
	}
	return tx.itemUpdate(ctx, eventID, itemID, byID, ActNote, note, "note = ?", "1", note)
}

// ResetItem (a captain's) clears an item's claim and tick. If its phase
// was signed off, the phase is reopened: it is no longer complete.
func (tx *Tx) ResetItem(ctx context.Context, eventID, itemID, byID int64) (ChecklistChange, error) {
	var phaseID int64
	var signed *string
	err := tx.tx.QueryRowContext(ctx, `SELECT ph.id, ph.signed_off_at FROM checklist_items i JOIN checklist_phases ph ON ph.id = i.phase_id
		WHERE i.id = ? AND ph.event_id = ?`, itemID, eventID).Scan(&phaseID, &signed)
	if errors.Is(err, sql.ErrNoRows) {
		return ChecklistChange{}, portfolio.Errorf(portfolio.ENOTFOUND, "no checklist item %d on this event", itemID)
	}
	if err != nil {
		return ChecklistChange{}, fmt.Errorf("reset item %d: %w", itemID, err)
	}
	if signed != nil {
		if _, err := tx.ReopenPhase(ctx, eventID, phaseID, byID); err != nil {
			return ChecklistChange{}, err
		}
	}
	return tx.itemUpdate(ctx, eventID, itemID, byID, ActReset, "",
		"claimed_by = NULL, claimed_at = NULL, done_by = NULL, done_at = NULL", "1")
}

// SignOffPhase (a captain's) marks a phase complete. It refuses while any
// mandatory item in it is not done, naming them.
func (tx *Tx) SignOffPhase(ctx context.Context, eventID, phaseID, byID int64) (ChecklistChange, error) {
	ch := ChecklistChange{EventID: eventID, PhaseID: phaseID, Action: ActSignOff, PersonID: byID, At: tx.now}
	var name string
	err := tx.tx.QueryRowContext(ctx, `UPDATE checklist_phases SET signed_off_by = ?, signed_off_at = ?
		WHERE id = ? AND event_id = ? AND signed_off_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM checklist_items WHERE phase_id = checklist_phases.id AND mandatory = 1 AND done_at IS NULL)
		RETURNING name`, byID, formatTime(tx.now), phaseID, eventID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return ch, tx.explainPhase(ctx, eventID, phaseID)
	}
	if err != nil {
		return ch, fmt.Errorf("sign off phase %d: %w", phaseID, err)
	}
	return ch, tx.logChange(ctx, ch, name, "")
}

// ReopenPhase (a captain's) withdraws a phase's sign-off.
func (tx *Tx) ReopenPhase(ctx context.Context, eventID, phaseID, byID int64) (ChecklistChange, error) {
	ch := ChecklistChange{EventID: eventID, PhaseID: phaseID, Action: ActReopen, PersonID: byID, At: tx.now}
	var name string
	err := tx.tx.QueryRowContext(ctx, `UPDATE checklist_phases SET signed_off_by = NULL, signed_off_at = NULL
		WHERE id = ? AND event_id = ? AND signed_off_at IS NOT NULL RETURNING name`, phaseID, eventID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		if err := tx.explainPhase(ctx, eventID, phaseID); portfolio.ErrorCode(err) == portfolio.ENOTFOUND {
			return ch, err
		}
		return ch, portfolio.Errorf(portfolio.ECONFLICT, "that phase is not signed off")
	}
	if err != nil {
		return ch, fmt.Errorf("reopen phase %d: %w", phaseID, err)
	}
	return ch, tx.logChange(ctx, ch, name, "")
}

func (tx *Tx) explainPhase(ctx context.Context, eventID, phaseID int64) error {
	var name, signer string
	var signed *string
	err := tx.tx.QueryRowContext(ctx, `SELECT ph.name, ph.signed_off_at, coalesce(p.name, 'the captain') FROM checklist_phases ph
		LEFT JOIN people p ON p.id = ph.signed_off_by WHERE ph.id = ? AND ph.event_id = ?`, phaseID, eventID).Scan(&name, &signed, &signer)
	if errors.Is(err, sql.ErrNoRows) {
		return portfolio.Errorf(portfolio.ENOTFOUND, "no checklist phase %d on this event", phaseID)
	}
	if err != nil {
		return fmt.Errorf("phase %d: %w", phaseID, err)
	}
	if signed != nil {
		return portfolio.Errorf(portfolio.ECONFLICT, "%s was already signed off by %s", name, signer)
	}
	open, err := queryAll(ctx, tx.tx, func(row interface{ Scan(...any) error }) (string, error) {
		var t string
		return t, row.Scan(&t)
	}, "SELECT title FROM checklist_items WHERE phase_id = ? AND mandatory = 1 AND done_at IS NULL ORDER BY position, id", phaseID)
	if err != nil {
		return fmt.Errorf("phase %d: %w", phaseID, err)
	}
	if len(open) > 0 {
		return portfolio.Errorf(portfolio.ECONFLICT, "%s cannot be signed off: %d mandatory item(s) not done: %s", name, len(open), strings.Join(open, "; "))
	}
	return portfolio.Errorf(portfolio.ECONFLICT, "%s changed meanwhile; reload and try again", name)
}

// alreadyItem reports whether an item already satisfies cond, for the
// changes that are no-ops when repeated (a replayed offline claim).
func (tx *Tx) alreadyItem(ctx context.Context, itemID int64, cond string, args ...any) bool {
	var n int
	err := tx.tx.QueryRowContext(ctx, "SELECT count(*) FROM checklist_items WHERE id = ? AND "+cond, append([]any{itemID}, args...)...).Scan(&n)
	return err == nil && n == 1
}

func (tx *Tx) personName(ctx context.Context, id int64) string {
	var name string
	if err := tx.tx.QueryRowContext(ctx, "SELECT name FROM people WHERE id = ?", id).Scan(&name); err != nil {
		return fmt.Sprintf("person %d", id)
	}
	return name
}

// ChecklistLog returns an event's checklist log, newest first, at most
// limit entries.
func (s *Store) ChecklistLog(ctx context.Context, eventID int64, limit int) ([]LogEntry, error) {
	entries, err := queryAll(ctx, s.read, func(row interface{ Scan(...any) error }) (LogEntry, error) {
		var e LogEntry
		var at string
		if err := row.Scan(&e.ID, &at, &e.PersonID, &e.Actor, &e.Action, &e.PhaseID, &e.ItemID, &e.Subject, &e.Detail); err != nil {
			return e, err
		}
		var err error
		e.At, err = parseTime(at)
		return e, err
	}, `SELECT id, at, coalesce(person_id, 0), actor, action, coalesce(phase_id, 0), coalesce(item_id, 0), subject, detail
		FROM checklist_log WHERE event_id = ? ORDER BY id DESC LIMIT ?`, eventID, limit)
	if err != nil {
		return nil, fmt.Errorf("checklist log of event %d: %w", eventID, err)
	}
	return entries, nil
}

// ItemRef locates a checklist item: its event and phase, what role it
// needs, and who holds and ticked it. The crew server checks permissions
// against it before making a change, which the conditional UPDATE then
// guards against races.
type ItemRef struct {
	ID           int64
	PhaseID      int64
	EventID      int64
	RequiredRole portfolio.AccessRole
	ClaimedBy    int64
	DoneBy       int64
}

// ItemRef looks up an item by id.
func (s *Store) ItemRef(ctx context.Context, itemID int64) (ItemRef, error) {
	r := ItemRef{ID: itemID}
	err := s.read.QueryRowContext(ctx, `SELECT i.phase_id, ph.event_id, i.required_role, coalesce(i.claimed_by, 0), coalesce(i.done_by, 0)
		FROM checklist_items i JOIN checklist_phases ph ON ph.id = i.phase_id WHERE i.id = ?`, itemID).
		Scan(&r.PhaseID, &r.EventID, &r.RequiredRole, &r.ClaimedBy, &r.DoneBy)
	if errors.Is(err, sql.ErrNoRows) {
		return r, portfolio.Errorf(portfolio.ENOTFOUND, "no checklist item %d", itemID)
	}
	if err != nil {
		return r, fmt.Errorf("look up item %d: %w", itemID, err)
	}
	return r, nil
}

// PhaseEvent returns the event a checklist phase belongs to.
func (s *Store) PhaseEvent(ctx context.Context, phaseID int64) (int64, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, "SELECT event_id FROM checklist_phases WHERE id = ?", phaseID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, portfolio.Errorf(portfolio.ENOTFOUND, "no checklist phase %d", phaseID)
	}
	if err != nil {
		return 0, fmt.Errorf("look up phase %d: %w", phaseID, err)
	}
	return id, nil
}

// ChecklistItem loads one item with the names of who claimed and ticked it.
func (s *Store) ChecklistItem(ctx context.Context, itemID int64) (portfolio.ChecklistItem, error) {
	it, err := scanItem(s.read.QueryRowContext(ctx, itemSelect+" WHERE i.id = ?", itemID))
	if errors.Is(err, sql.ErrNoRows) {
		return it, portfolio.Errorf(portfolio.ENOTFOUND, "no checklist item %d", itemID)
	}
	if err != nil {
		return it, fmt.Errorf("load item %d: %w", itemID, err)
	}
	return it, nil
}
