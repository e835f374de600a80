package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"opsdeck/auth"
	"opsdeck/portfolio"
	"opsdeck/store"
)

// action is one checklist change asked for by a crew member, from a form
// post or the JSON API alike.
type action struct {
	kind     string // claim, release, done, undo, note, reset (items); signoff, reopen (phases)
	itemID   int64
	phaseID  int64
	personID int64 // claim for someone else (captains)
	note     string
}

var itemActions = map[string]bool{
	store.ActClaim: true, store.ActRelease: true, store.ActDone: true, store.ActUndo: true, store.ActNote: true, store.ActReset: true,
}

var phaseActions = map[string]bool{store.ActSignOff: true, store.ActReopen: true}

// pathAction reads the action and the item (or, for phase, the phase) it
// acts on from the request path, the same for form posts and the API.
func pathAction(r *http.Request, phase bool) (action, error) {
	a := action{kind: r.PathValue("action")}
	id, err := pathID(r, "id")
	if err != nil {
		return a, err
	}
	if (phase && !phaseActions[a.kind]) || (!phase && !itemActions[a.kind]) {
		return a, portfolio.Errorf(portfolio.ENOTFOUND, "unknown action %q", a.kind)
	}
	if phase {
		a.phaseID = id
	} else {
		a.itemID = id
	}
	return a, nil
}

// canOpen reports whether v may see eventID at all.
func (v viewer) canOpen(eventID int64) bool { return v.actor().CanOpen(eventID) }

// actor is v as the checklist policy sees them.
func (v viewer) actor() auth.Actor {
	return auth.Actor{PersonID: v.PersonID, Role: v.Role, Event: v.Event}
}

// auditActor names v in the audit log.
func (v viewer) auditActor() string { return fmt.Sprintf("web:%s #%d", v.Name, v.PersonID) }

// perform asks the checklist policy (auth) whether v may make the change,
// makes it in one transaction and tells everyone watching the event.
// Races (two claims at once) are settled by the store's conditional
// UPDATE, not here.
func (s *Server) perform(ctx context.Context, v viewer, a action) (store.ChecklistChange, error) {
	var (
		ch  store.ChecklistChange
		run func(tx *store.Tx) (store.ChecklistChange, error)
	)
	// Someone who may change nothing is told so before the item or phase
	// is even looked up: the answer is the same whatever it is, whoever
	// holds it, whichever event it is on.
	if !auth.MayChange(v.Role) {
		return ch, auth.ErrWatchOnly
	}
	if phaseActions[a.kind] {
		eventID, err := s.store.PhaseEvent(ctx, a.phaseID)
		if err != nil || !v.canOpen(eventID) {
			return ch, portfolio.Errorf(portfolio.ENOTFOUND, "no checklist phase %d on your event", a.phaseID)
		}
		if err := auth.PhaseChange(v.actor()); err != nil {
			return ch, err
		}
		run = func(tx *store.Tx) (store.ChecklistChange, error) {
			if a.kind == store.ActReopen {
				return tx.ReopenPhase(ctx, eventID, a.phaseID, v.PersonID)
			}
			return tx.SignOffPhase(ctx, eventID, a.phaseID, v.PersonID)
		}
	} else {
		ref, err := s.store.ItemRef(ctx, a.itemID)
		if err != nil || !v.canOpen(ref.EventID) {
			return ch, portfolio.Errorf(portfolio.ENOTFOUND, "no checklist item %d on your event", a.itemID)
		}
		if run, err = s.itemChange(ctx, v, a, ref); err != nil {
			return ch, err
		}
	}
	// Grouped: concurrent changes share one durable commit, each in its
	// own savepoint, so a burst of crew taps costs one fsync.
	err := s.store.UpdateGrouped(ctx, v.auditActor(), func(tx *store.Tx) error {
		var err error
		ch, err = run(tx)
		return err
	})
	if err != nil {
		return ch, err
	}
	if ch.Action != "" {
		s.publish(ch)
	}
	return ch, nil
}

// itemChange asks the checklist policy whether v may make change a to
// the item ref, and returns the store call that makes the change allowed.
func (s *Server) itemChange(ctx context.Context, v viewer, a action, ref store.ItemRef) (func(*store.Tx) (store.ChecklistChange, error), error) {
	crewRole := func(personID int64) (portfolio.AccessRole, bool, error) {
		return s.store.CrewRole(ctx, ref.EventID, personID)
	}
	g, err := auth.ItemChange(v.actor(), a.kind, ref, a.personID, crewRole)
	if err != nil {
		return nil, err
	}
	ev, me, id := ref.EventID, v.PersonID, ref.ID
	switch a.kind {
	case store.ActClaim:
		return func(tx *store.Tx) (store.ChecklistChange, error) { return tx.ClaimItem(ctx, ev, id, g.Holder, me) }, nil
	case store.ActRelease:
		return func(tx *store.Tx) (store.ChecklistChange, error) { return tx.ReleaseItem(ctx, ev, id, g.Holder, me) }, nil
	case store.ActDone:
		return func(tx *store.Tx) (store.ChecklistChange, error) { return tx.DoneItem(ctx, ev, id, me, g.Anyone) }, nil
	case store.ActUndo:
		return func(tx *store.Tx) (store.ChecklistChange, error) { return tx.UndoItem(ctx, ev, id, me, g.Anyone) }, nil
	case store.ActNote:
		return func(tx *store.Tx) (store.ChecklistChange, error) { return tx.NoteItem(ctx, ev, id, me, a.note) }, nil
	case store.ActReset:
		return func(tx *store.Tx) (store.ChecklistChange, error) { return tx.ResetItem(ctx, ev, id, me) }, nil
	}
	return nil, portfolio.Errorf(portfolio.ENOTFOUND, "unknown action %q", a.kind)
}

// status maps an error to its HTTP status: the one place that does.
func status(err error) int {
	if he, ok := asHTTPError(err); ok {
		return he.status
	}
	if errors.Is(err, auth.ErrInvalid) {
		return http.StatusUnauthorized
	}
	switch portfolio.ErrorCode(err) {
	case portfolio.EINVALID:
		return http.StatusBadRequest
	case portfolio.ENOTFOUND:
		return http.StatusNotFound
	case portfolio.ECONFLICT:
		return http.StatusConflict
	case portfolio.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case portfolio.EFORBIDDEN:
		return http.StatusForbidden
	case portfolio.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// retryAfter is how long a client should wait before trying again after
// a 503: the store could not write (a full disk), and may once someone
// has made room.
const retryAfter = "30"

// setRetryAfter adds Retry-After to an answer with a status that asks
// for one.
func setRetryAfter(w http.ResponseWriter, code int) {
	if code == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", retryAfter)
	}
}

// unavailableMessage is what a person reads about a 503; the cause (a
// full disk, with the database's path) is for the log and /healthz.
const unavailableMessage = "the server cannot save anything right now; try again in a minute"

// publicMessage is what a person may read about err: ours for our
// errors, nothing internal for the rest.
func publicMessage(err error) string {
	if he, ok := asHTTPError(err); ok {
		return he.msg
	}
	switch status(err) {
	case http.StatusInternalServerError:
		return "something went wrong on the server; try again"
	case http.StatusServiceUnavailable:
		return unavailableMessage
	}
	if errors.Is(err, auth.ErrInvalid) {
		return errUnauthorized.msg
	}
	return portfolio.ErrorMessage(err)
}

func errorCode(err error) string {
	if he, ok := asHTTPError(err); ok {
		return he.code
	}
	if errors.Is(err, auth.ErrInvalid) {
		return "unauthorized"
	}
	return portfolio.ErrorCode(err)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// pathID reads a positive integer path value, written as the server
// writes ids: decimal digits without a sign, a leading zero or anything
// else, so "+5", "05", "0x5", " 5" and "5.0" name nothing rather than
// item 5.
func pathID(r *http.Request, name string) (int64, error) {
	id, ok := ParseID(r.PathValue(name))
	if !ok {
		return 0, portfolio.Errorf(portfolio.ENOTFOUND, "no such %s", name)
	}
	return id, nil
}

// ParseID reads an id in its one canonical form: 1 to 19 decimal digits,
// the first not 0, no larger than the largest int64.
func ParseID(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 19 || s[0] < '1' || s[0] > '9' {
		return 0, false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil
}
