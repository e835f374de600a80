// Package auth admits crew to the checklist web: roles and what each may
// do, magic links, short-lived signed access tokens, rotating refresh
// tokens, and the signing keys behind them.
//
// Three kinds of token exist and none can stand in for another
// (RFC 8725 §3.11-3.12): a link token ("odl_…") and a refresh token
// ("odr_…") are opaque random strings checked against hashes in the store,
// each in its own table; an access token is an HS256 JWT with its own
// "typ" header, issuer and audience, checked only by VerifyAccess.
package auth

import (
	"fmt"
	"strings"

	"opsdeck/portfolio"
)

// Permission is one thing a role may do on an event's checklist.
type Permission string

// The permissions, in the order the roles table lists them.
const (
	ViewProgress   Permission = "view_progress"
	ViewItems      Permission = "view_items"
	ClaimOwn       Permission = "claim"
	ReleaseOwn     Permission = "release_own"
	TickOwn        Permission = "tick_own"
	NoteItems      Permission = "note"
	CaptainItems   Permission = "captain_items"
	ClaimForOthers Permission = "claim_for_others"
	ManageItems    Permission = "manage_items"
	SignOff        Permission = "sign_off"
	ViewLog        Permission = "view_log"
	ManageLinks    Permission = "manage_links"
	AnyEvent       Permission = "any_event"
)

// rule is one row of the roles table.
type rule struct {
	Permission Permission
	Doc        string
	Roles      []portfolio.AccessRole
}

var (
	all       = []portfolio.AccessRole{portfolio.AccessAdmin, portfolio.AccessCaptain, portfolio.AccessCrew, portfolio.AccessGuest}
	workers   = []portfolio.AccessRole{portfolio.AccessAdmin, portfolio.AccessCaptain, portfolio.AccessCrew}
	captains  = []portfolio.AccessRole{portfolio.AccessAdmin, portfolio.AccessCaptain}
	adminOnly = []portfolio.AccessRole{portfolio.AccessAdmin}
)

// rules is the roles table: the one place that says who may do what. The
// README's table is generated from it (PermissionTable) and a test keeps
// the two equal.
var rules = []rule{
	{ViewProgress, "see the timing panel and each phase's progress", all},
	{ViewItems, "see the checklist items, who claimed or ticked each, and notes", workers},
	{ClaimOwn, "claim an open item for yourself", workers},
	{ReleaseOwn, "release your own claim", workers},
	{TickOwn, "tick and untick your own items", workers},
	{NoteItems, "write a note on any item", workers},
	{CaptainItems, "work items marked for the captain", captains},
	{ClaimForOthers, "claim an item for another crew member", captains},
	{ManageItems, "tick, untick or reset anyone's item", captains},
	{SignOff, "sign off or reopen a phase (mandatory items must be done)", captains},
	{ViewLog, "read the event's who-did-what-when log", captains},
	{ManageLinks, "list and revoke the event's links", adminOnly},
	{AnyEvent, "open any event, not only the one the link is for", adminOnly},
}

var allowed = func() map[portfolio.AccessRole]map[Permission]bool {
	m := map[portfolio.AccessRole]map[Permission]bool{}
	for _, r := range rules {
		for _, role := range r.Roles {
			if m[role] == nil {
				m[role] = map[Permission]bool{}
			}
			m[role][r.Permission] = true
		}
	}
	return m
}()

// Can reports whether role has permission p.
func Can(role portfolio.AccessRole, p Permission) bool { return allowed[role][p] }

// CanWork reports whether role may work (claim, tick) an item that needs
// required, the item's captain-or-crew marking.
func CanWork(role, required portfolio.AccessRole) bool {
	if required == portfolio.AccessCaptain {
		return Can(role, CaptainItems)
	}
	return Can(role, ClaimOwn)
}

// PermissionTable renders the roles table as Markdown, for the README.
func PermissionTable() string {
	var b strings.Builder
	b.WriteString("| may | admin | captain | crew | guest |\n|---|:-:|:-:|:-:|:-:|\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "| %s |", r.Doc)
		for _, role := range all {
			mark := " "
			if Can(role, r.Permission) {
				mark = "✓"
			}
			fmt.Fprintf(&b, " %s |", mark)
		}
		b.WriteString("\n")
	}
	return b.String()
}
