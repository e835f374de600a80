package auth

import (
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// The checklist policy, role by role, against the roles table: a crew
// item and a captain's item, each free, held by the actor or held by
// someone else.
func TestItemChangePolicy(t *testing.T) {
	const me, other = 1, 2
	crewItem := store.ItemRef{ID: 10, EventID: 5, RequiredRole: portfolio.AccessCrew}
	captainItem := store.ItemRef{ID: 11, EventID: 5, RequiredRole: portfolio.AccessCaptain}
	held := func(r store.ItemRef, by int64) store.ItemRef { r.ClaimedBy, r.DoneBy = by, by; return r }
	noLookup := func(int64) (portfolio.AccessRole, bool, error) {
		t.Fatal("crew looked up for a change about oneself")
		return "", false, nil
	}
	for _, tc := range []struct {
		role    portfolio.AccessRole
		action  string
		item    store.ItemRef
		allowed bool
	}{
		{portfolio.AccessGuest, store.ActClaim, crewItem, false},
		{portfolio.AccessGuest, store.ActNote, crewItem, false},
		{portfolio.AccessCrew, store.ActClaim, crewItem, true},
		{portfolio.AccessCrew, store.ActClaim, captainItem, false},
		{portfolio.AccessCrew, store.ActDone, crewItem, true},
		{portfolio.AccessCrew, store.ActDone, captainItem, false},
		{portfolio.AccessCrew, store.ActUndo, held(crewItem, me), true},
		{portfolio.AccessCrew, store.ActUndo, held(crewItem, other), false},
		{portfolio.AccessCrew, store.ActRelease, held(crewItem, me), true},
		{portfolio.AccessCrew, store.ActRelease, held(crewItem, other), false},
		{portfolio.AccessCrew, store.ActNote, held(crewItem, other), true},
		{portfolio.AccessCrew, store.ActReset, held(crewItem, me), false},
		{portfolio.AccessCaptain, store.ActClaim, captainItem, true},
		{portfolio.AccessCaptain, store.ActRelease, held(crewItem, other), true},
		{portfolio.AccessCaptain, store.ActUndo, held(crewItem, other), true},
		{portfolio.AccessCaptain, store.ActReset, held(crewItem, other), true},
		{portfolio.AccessAdmin, store.ActReset, held(captainItem, other), true},
	} {
		g, err := ItemChange(Actor{PersonID: me, Role: tc.role, Event: 5}, tc.action, tc.item, 0, noLookup)
		if allowed := err == nil; allowed != tc.allowed {
			t.Errorf("%s %s (item for %s, held by %d): allowed=%v (%v), want %v", tc.role, tc.action, tc.item.RequiredRole,
				tc.item.ClaimedBy, allowed, err, tc.allowed)
			continue
		}
		if err != nil && portfolio.ErrorCode(err) != portfolio.EFORBIDDEN {
			t.Errorf("%s %s: refusal %v is not a forbidden error", tc.role, tc.action, err)
		}
		if err == nil && tc.action == store.ActRelease && g.Holder != tc.item.ClaimedBy {
			t.Errorf("%s releases %d's claim as %d", tc.role, tc.item.ClaimedBy, g.Holder)
		}
	}
}

// Claiming for someone else is a captain's, and only for crew who may do
// the item.
func TestClaimForOthers(t *testing.T) {
	crewItem := store.ItemRef{ID: 10, EventID: 5, RequiredRole: portfolio.AccessCrew}
	roles := map[int64]portfolio.AccessRole{2: portfolio.AccessCrew, 3: portfolio.AccessGuest}
	lookup := func(id int64) (portfolio.AccessRole, bool, error) { r, ok := roles[id]; return r, ok, nil }
	captain := Actor{PersonID: 1, Role: portfolio.AccessCaptain, Event: 5}
	if g, err := ItemChange(captain, store.ActClaim, crewItem, 2, lookup); err != nil || g.Holder != 2 {
		t.Errorf("captain claims for crew: %+v, %v", g, err)
	}
	for _, who := range []int64{3, 4} { // a guest; someone not on the crew
		if _, err := ItemChange(captain, store.ActClaim, crewItem, who, lookup); portfolio.ErrorCode(err) != portfolio.EINVALID {
			t.Errorf("captain claims for %d: %v, want invalid", who, err)
		}
	}
	crew := Actor{PersonID: 2, Role: portfolio.AccessCrew, Event: 5}
	if _, err := ItemChange(crew, store.ActClaim, crewItem, 1, lookup); portfolio.ErrorCode(err) != portfolio.EFORBIDDEN {
		t.Errorf("crew claims for the captain: %v, want forbidden", err)
	}
}

// A link opens its own event; only an admin's opens any.
func TestCanOpen(t *testing.T) {
	for _, role := range []portfolio.AccessRole{portfolio.AccessCaptain, portfolio.AccessCrew, portfolio.AccessGuest} {
		if !CanOpen(role, 5, 5) || CanOpen(role, 5, 6) {
			t.Errorf("%s: opens its own event only? %v %v", role, CanOpen(role, 5, 5), CanOpen(role, 5, 6))
		}
	}
	if !CanOpen(portfolio.AccessAdmin, 5, 6) {
		t.Error("an admin's link does not open another event")
	}
}
