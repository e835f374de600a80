package tui

import (
	"cmp"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"opsdeck/auth"
	"opsdeck/portfolio"
	"opsdeck/store"
)

// Working the open event's checklist from the console: claim an item for
// a crew member, tick and untick it, release a claim, sign off or reopen
// a phase. The console is the office: it acts with the admin role of
// the checklist policy (auth), asked before every change exactly as the
// crew web asks it, and makes the change through the same store calls,
// so the checklist log, the audit row (naming the console's actor) and
// the crew's phones (the crew server notices the commit) see it as they
// see a change from a phone.
//
// A change is recorded as made by a person: the console's own when its
// actor names one (cli:owner is owner@…), else the one it is for — the
// item's claimant, or whoever the console is asked to name.

var (
	tickKey    = key.NewBinding(key.WithKeys("x", "space"), key.WithHelp("x", "tick"))
	claimKey   = binding("t", "claim")
	releaseKey = binding("r", "release")
	signOffKey = binding("s", "sign off")
)

// consolePerson is the person the console's actor names, 0 for none:
// the part after "cli:" or "ssh:" equal to one person's email, or to the
// part of exactly one person's email before the @.
func (p *eventPage) consolePerson() int64 {
	name := strings.ToLower(p.c.Actor)
	if i := strings.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	if name == "" {
		return 0
	}
	var found int64
	n := 0
	for _, person := range p.people {
		email := strings.ToLower(person.Email)
		local, _, _ := strings.Cut(email, "@")
		if email == name {
			return person.ID
		}
		if local == name {
			found, n = person.ID, n+1
		}
	}
	if n == 1 {
		return found
	}
	return 0
}

// consoleActor is the console as the checklist policy sees it.
func (p *eventPage) consoleActor() auth.Actor {
	return auth.Actor{PersonID: p.consolePerson(), Role: portfolio.AccessAdmin, Event: p.detail.ID}
}

// crewFor lists the open event's crew whose role the policy lets do work
// of role (an item's required role), or sign off a phase when role is
// empty.
func (p *eventPage) crewFor(role portfolio.AccessRole) []portfolio.CrewMember {
	var out []portfolio.CrewMember
	for _, c := range p.detail.Crew {
		if (role == "" && auth.Can(c.Role, auth.SignOff)) || (role != "" && auth.CanWork(c.Role, role)) {
			out = append(out, c)
		}
	}
	return out
}

// checklistKey handles the checklist keys on the open event; handled is
// false for any other key.
func (p *eventPage) checklistKey(k tea.KeyPressMsg, row detailRow, item *portfolio.ChecklistItem) (tea.Cmd, bool) {
	switch {
	case key.Matches(k, tickKey) && item != nil:
		if item.Done() {
			return p.itemChange(store.ActUndo, *item, 0, fmt.Sprintf("unticked %q", item.Title)), true
		}
		if me := p.consolePerson(); me != 0 {
			return p.itemChange(store.ActDone, *item, me, fmt.Sprintf("ticked %q", item.Title)), true
		}
		if item.ClaimedBy != 0 {
			return p.itemChange(store.ActDone, *item, item.ClaimedBy, fmt.Sprintf("ticked %q, done by %s", item.Title, item.ClaimedByName)), true
		}
		return p.askWhom("Who did "+quote(item.Title)+"?", p.crewFor(item.RequiredRole), func(c portfolio.CrewMember) tea.Cmd {
			return p.itemChange(store.ActDone, *item, c.PersonID, fmt.Sprintf("ticked %q, done by %s", item.Title, c.Name))
		}), true
	case key.Matches(k, claimKey) && item != nil:
		switch {
		case item.Done():
			return status(fmt.Sprintf("%q is already done (%s): x unticks it", item.Title, item.DoneByName), true), true
		case item.ClaimedBy != 0:
			return status(fmt.Sprintf("%q is claimed by %s: r releases it first", item.Title, item.ClaimedByName), true), true
		}
		return p.askWhom("Claim "+quote(item.Title)+" for", p.withMe(p.crewFor(item.RequiredRole)), func(c portfolio.CrewMember) tea.Cmd {
			return p.itemChange(store.ActClaim, *item, c.PersonID, fmt.Sprintf("claimed %q for %s", item.Title, c.Name))
		}), true
	case key.Matches(k, releaseKey) && item != nil:
		if item.ClaimedBy == 0 || item.Done() {
			return status(fmt.Sprintf("%q is not claimed by anyone, or is done", item.Title), true), true
		}
		return p.itemChange(store.ActRelease, *item, 0, fmt.Sprintf("released %s's claim on %q", item.ClaimedByName, item.Title)), true
	case key.Matches(k, tickKey, claimKey, releaseKey) && item == nil && row.phase >= 0:
		return func() tea.Msg {
			return StatusMsg{Text: "that is the phase's heading: move to an item (s signs off the phase)", Note: true}
		}, true
	case key.Matches(k, signOffKey) && row.phase >= 0:
		ph := p.detail.Phases[row.phase]
		if !ph.SignedOffAt.IsZero() {
			return p.phaseChange(store.ActReopen, ph, p.consolePerson(), "reopened "+ph.Name), true
		}
		if me := p.consolePerson(); me != 0 {
			return p.phaseChange(store.ActSignOff, ph, me, "signed off "+ph.Name), true
		}
		return p.askWhom("Sign off "+ph.Name+" as", p.crewFor(""), func(c portfolio.CrewMember) tea.Cmd {
			return p.phaseChange(store.ActSignOff, ph, c.PersonID, "signed off "+ph.Name+" as "+c.Name)
		}), true
	}
	return nil, false
}

// withMe puts the console's own person first among crew, offered as
// "you" even when not on the crew (the policy lets the office claim).
func (p *eventPage) withMe(crew []portfolio.CrewMember) []portfolio.CrewMember {
	me := p.consolePerson()
	if me == 0 {
		return crew
	}
	out := []portfolio.CrewMember{}
	for _, c := range crew {
		if c.PersonID == me {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		for _, person := range p.people {
			if person.ID == me {
				out = append(out, portfolio.CrewMember{PersonID: me, Name: person.Name, PersonEmail: person.Email, Role: portfolio.AccessAdmin})
			}
		}
	}
	for _, c := range crew {
		if c.PersonID != me {
			out = append(out, c)
		}
	}
	return out
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// askWhom runs then for one of crew: at once if there is only one, after
// asking if there are more.
func (p *eventPage) askWhom(title string, crew []portfolio.CrewMember, then func(portfolio.CrewMember) tea.Cmd) tea.Cmd {
	switch len(crew) {
	case 0:
		return status("nobody on the crew may do that: c puts someone on it", true)
	case 1:
		return then(crew[0])
	}
	me := p.consolePerson()
	opts := make([]huh.Option[string], len(crew))
	for i, c := range crew {
		label := fmt.Sprintf("%s (%s)", c.Name, c.Role)
		if c.PersonID == me {
			label += " · you"
		}
		opts[i] = huh.NewOption(label, c.PersonEmail)
	}
	email := crew[0].PersonEmail
	submit := func() tea.Cmd {
		for _, c := range crew {
			if c.PersonEmail == email {
				return then(c)
			}
		}
		return nil
	}
	f, cmd := newPageForm(title, submit, func() []*huh.Group {
		return []*huh.Group{huh.NewGroup(selectOf("Who", opts, &email))}
	})
	p.form = f
	return cmd
}

// itemChange asks the checklist policy whether the console may make
// change action to it (for, with a claim, the person it is for) and makes
// it, recorded as by whom (0: the console's own person, if any).
func (p *eventPage) itemChange(action string, it portfolio.ChecklistItem, whom int64, label string) tea.Cmd {
	c, actor := p.c, p.consoleActor()
	return func() tea.Msg {
		ctx := c.Ctx
		ref, err := c.Store.ItemRef(ctx, it.ID)
		if err != nil {
			return savedMsg{err: err}
		}
		crewRole := func(personID int64) (portfolio.AccessRole, bool, error) {
			return c.Store.CrewRole(ctx, ref.EventID, personID)
		}
		forPerson := int64(0)
		if action == store.ActClaim {
			forPerson = whom
		}
		g, err := auth.ItemChange(actor, action, ref, forPerson, crewRole)
		if err != nil {
			return savedMsg{err: err}
		}
		// Only a tick must name a person (done_by); the rest log the
		// console's person, or its actor when it names nobody.
		by := actor.PersonID
		if action == store.ActDone {
			by = cmp.Or(whom, by)
		}
		err = c.Store.Update(ctx, c.Actor, func(tx *store.Tx) error {
			var err error
			switch action {
			case store.ActClaim:
				_, err = tx.ClaimItem(ctx, ref.EventID, ref.ID, g.Holder, by)
			case store.ActRelease:
				_, err = tx.ReleaseItem(ctx, ref.EventID, ref.ID, g.Holder, by)
			case store.ActDone:
				_, err = tx.DoneItem(ctx, ref.EventID, ref.ID, by, g.Anyone)
			case store.ActUndo:
				_, err = tx.UndoItem(ctx, ref.EventID, ref.ID, by, g.Anyone)
			default:
				err = portfolio.Errorf(portfolio.EINVALID, "unknown checklist change %q", action)
			}
			return err
		})
		return savedMsg{label: label, err: err}
	}
}

// phaseChange signs off or reopens ph through the policy, as by.
func (p *eventPage) phaseChange(action string, ph portfolio.Phase, by int64, label string) tea.Cmd {
	c, actor, eventID := p.c, p.consoleActor(), p.detail.ID
	return func() tea.Msg {
		if err := auth.PhaseChange(actor); err != nil {
			return savedMsg{err: err}
		}
		ctx := c.Ctx
		err := c.Store.Update(ctx, c.Actor, func(tx *store.Tx) error {
			var err error
			if action == store.ActReopen {
				_, err = tx.ReopenPhase(ctx, eventID, ph.ID, by)
			} else {
				_, err = tx.SignOffPhase(ctx, eventID, ph.ID, by)
			}
			return err
		})
		return savedMsg{label: label, err: err}
	}
}
