package auth

import (
	"opsdeck/portfolio"
	"opsdeck/store"
)

// The checklist policy: who may claim, release, tick, note and reset an
// item and sign off a phase, decided from the roles table alone. Callers
// (the crew web's pages and API) ask it before every change and make the
// change it allows; races between two people are settled by the store's
// conditional updates, not here.

// Actor is someone working an event's checklist: who they are, the role
// their link gives them and the event it is for.
type Actor struct {
	PersonID int64
	Role     portfolio.AccessRole
	Event    int64
}

// CanOpen reports whether a holder of role, admitted to event granted,
// may open event id at all: the one rule for which events a link opens.
func CanOpen(role portfolio.AccessRole, granted, id int64) bool {
	return granted == id || Can(role, AnyEvent)
}

// CanOpen reports whether a may open event id.
func (a Actor) CanOpen(id int64) bool { return CanOpen(a.Role, a.Event, id) }

// ItemGrant is what the policy allows for one change to an item.
type ItemGrant struct {
	// Holder is whose claim a claim or release is about: the actor, or
	// for a captain someone else on the crew.
	Holder int64
	// Anyone is set when the actor may tick, untick or reset another
	// person's item (captains and admins).
	Anyone bool
}

// CrewRole looks up a person's role on the actor's event; onCrew is false
// for someone who is not on its crew.
type CrewRole func(personID int64) (role portfolio.AccessRole, onCrew bool, err error)

// ItemChange decides whether a may make change action (store.ActClaim,
// ActRelease, ActDone, ActUndo, ActNote, ActReset) to item. forPerson,
// for a claim, names someone else to claim it for; crewRole is asked
// about them only then. The refusal says why in words for the person.
func ItemChange(a Actor, action string, item store.ItemRef, forPerson int64, crewRole CrewRole) (ItemGrant, error) {
	if !MayChange(a.Role) {
		return ItemGrant{}, ErrWatchOnly
	}
	me := a.PersonID
	work := CanWork(a.Role, item.RequiredRole)
	manage := Can(a.Role, ManageItems)
	g := ItemGrant{Holder: me, Anyone: manage}
	switch action {
	case store.ActClaim:
		if forPerson != 0 && forPerson != me {
			if !Can(a.Role, ClaimForOthers) {
				return g, forbidden("only the captain claims items for others")
			}
			role, onCrew, err := crewRole(forPerson)
			if err != nil {
				return g, err
			}
			if !onCrew || !CanWork(role, item.RequiredRole) {
				return g, portfolio.Errorf(portfolio.EINVALID, "person %d is not crew on this event who may do this item", forPerson)
			}
			g.Holder = forPerson
			return g, nil
		}
		if !work {
			return g, refuseItem(a, item)
		}
	case store.ActRelease:
		if item.ClaimedBy != me && item.ClaimedBy != 0 {
			if !manage {
				return g, forbidden("only the captain releases someone else's claim")
			}
			g.Holder = item.ClaimedBy
			return g, nil
		}
		if !Can(a.Role, ReleaseOwn) {
			return g, refuseItem(a, item)
		}
	case store.ActDone:
		if !work || !Can(a.Role, TickOwn) {
			return g, refuseItem(a, item)
		}
	case store.ActUndo:
		if !Can(a.Role, TickOwn) || (item.DoneBy != me && !manage) {
			return g, refuseItem(a, item)
		}
	case store.ActNote:
		if !Can(a.Role, NoteItems) {
			return g, refuseItem(a, item)
		}
	case store.ActReset:
		if !manage {
			return g, forbidden("only the captain resets an item")
		}
	default:
		return g, portfolio.Errorf(portfolio.ENOTFOUND, "unknown action %q", action)
	}
	return g, nil
}

// PhaseChange decides whether a may sign off or reopen a phase.
func PhaseChange(a Actor) error {
	if !MayChange(a.Role) {
		return ErrWatchOnly
	}
	if !Can(a.Role, SignOff) {
		return forbidden("only the captain signs off a phase")
	}
	return nil
}

// changes are the permissions that let a role change anything on a
// checklist.
var changes = []Permission{ClaimOwn, ReleaseOwn, TickOwn, NoteItems, CaptainItems, ClaimForOthers, ManageItems, SignOff, ManageLinks}

// MayChange reports whether role may change anything at all (a guest may
// not). A role that may not is refused every change with ErrWatchOnly,
// before anything about the item, phase or link is looked at, so the
// refusal says nothing about what it was for: a guest, who does not see
// items, cannot tell an item claimed from an open one, or one of their
// event from one of another, by the answer.
func MayChange(role portfolio.AccessRole) bool {
	for _, p := range changes {
		if Can(role, p) {
			return true
		}
	}
	return false
}

// ErrWatchOnly is the one refusal of every change asked for by a role
// that may change nothing (see MayChange).
var ErrWatchOnly = forbidden("guests can only watch the checklist")

// refuseItem says why a may not work item.
func refuseItem(a Actor, item store.ItemRef) error {
	if item.RequiredRole == portfolio.AccessCaptain && !CanWork(a.Role, item.RequiredRole) {
		return forbidden("this item is for the captain")
	}
	return forbidden("your role (" + string(a.Role) + ") may not do that")
}

func forbidden(reason string) error { return portfolio.Errorf(portfolio.EFORBIDDEN, "%s", reason) }
