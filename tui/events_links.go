package tui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// Crew is the crew web server as the console sees it: magic links for an
// event's crew, and live news of their checklist changes. The console does
// not import the web package; the command that starts both adapts one to
// the other.
type Crew interface {
	// MintLink makes a link and returns its URL, the only copy of the token.
	MintLink(ctx context.Context, actor string, eventID, personID int64, role portfolio.AccessRole, singleUse bool) (string, error)
	Links(ctx context.Context, eventID int64) ([]store.CrewLink, error)
	RevokeLink(ctx context.Context, actor string, id int64) error
	// Changes tells of each change to an event's checklist until stop.
	Changes(eventID int64) (changes <-chan struct{}, stop func())
}

// linksPanel lists an event's magic links, mints new ones (showing the URL
// and a QR code once) and revokes them.
type linksPanel struct {
	links   []store.CrewLink
	list    *List
	minted  string // URL of a link just minted, shown with its QR code
	qrAlone bool   // the QR code is shown alone (c), when it needs the room
	loading bool
}

type (
	linksLoadedMsg struct {
		eventID int64
		links   []store.CrewLink
		err     error
	}
	linkMintedMsg struct {
		url string
		err error
	}
	// crewChangedMsg: someone changed the open event's checklist.
	crewChangedMsg struct {
		eventID int64
		ch      <-chan struct{}
	}
)

var (
	linksKey  = binding("L", "magic links")
	mintKey   = binding("m", "mint a link")
	revokeKey = binding("x", "revoke link")
	qrKey     = binding("c", "QR code alone")
)

func (p *eventPage) openLinks() tea.Cmd {
	if p.c.Crew == nil {
		return status("magic links need the crew server (opsdeck serve, or a free --addr)", true)
	}
	p.links = &linksPanel{list: NewList(p.c.Styles), loading: true}
	p.links.list.SetSize(p.width, max(3, p.height-timingHeight-1)) // less the heading
	return p.loadLinks()
}

func (p *eventPage) loadLinks() tea.Cmd {
	crew, ctx, id := p.c.Crew, p.c.Ctx, p.detail.ID
	return func() tea.Msg {
		links, err := crew.Links(ctx, id)
		return linksLoadedMsg{eventID: id, links: links, err: err}
	}
}

func (p *eventPage) renderLinks() {
	s := p.c.Styles
	lp := p.links
	now := p.c.Now()
	lp.list.SetHeader(s.Subtle.Render(" " + rcell("ID", 4) + "  " + cell("PERSON", 20) + cell("ROLE", 9) + cell("STATE", 9) + cell("EXPIRES", 18) + "OPENED"))
	lines := make([]string, len(lp.links))
	search := make([]string, len(lp.links))
	for i, l := range lp.links {
		state := l.State(now)
		opened := "—"
		if !l.UsedAt.IsZero() {
			opened = p.local(l.UsedAt)
		}
		if l.SingleUse {
			state += "·1×"
		}
		lines[i] = " " + rcell(strconv.FormatInt(l.ID, 10), 4) + "  " + cell(l.PersonName, 20) + cell(string(l.Role), 9) + cell(state, 9) +
			cell(p.local(l.ExpiresAt), 18) + opened
		search[i] = strings.ToLower(l.PersonName + " " + state)
	}
	lp.list.SetRows(lines, search)
}

// updateLinks handles keys while the links panel is open.
func (p *eventPage) updateLinks(msg tea.Msg) tea.Cmd {
	lp := p.links
	msg = clickList(lp.list, msg, p.View)
	if lp.list.Update(msg, p.c.Keys) {
		return nil
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, p.c.Keys.Back):
		if lp.qrAlone {
			lp.qrAlone = false
			return nil
		}
		if lp.minted != "" {
			lp.minted = ""
			return nil
		}
		p.links = nil
	case key.Matches(k, qrKey) && lp.minted != "":
		lp.qrAlone = !lp.qrAlone
	case key.Matches(k, mintKey):
		return p.mintForm()
	case key.Matches(k, revokeKey):
		i := lp.list.Index()
		if i < 0 || i >= len(lp.links) {
			return nil
		}
		l := lp.links[i]
		if l.State(p.c.Now()) != store.LinkActive {
			return status(fmt.Sprintf("link %d is %s already", l.ID, l.State(p.c.Now())), true)
		}
		return p.revokeForm(l)
	}
	return nil
}

// mintForm asks for whom, with which role, and whether the link works once.
func (p *eventPage) mintForm() tea.Cmd {
	ev := p.detail
	var people []huh.Option[string]
	onCrew := map[int64]bool{}
	for _, c := range ev.Crew {
		onCrew[c.PersonID] = true
		people = append(people, huh.NewOption(fmt.Sprintf("%s (%s)", c.Name, c.Role), strconv.FormatInt(c.PersonID, 10)))
	}
	for _, person := range p.people {
		if !onCrew[person.ID] {
			people = append(people, huh.NewOption(person.Name+" (not on the crew)", strconv.FormatInt(person.ID, 10)))
		}
	}
	if len(people) == 0 {
		return status("nobody to send a link to: add people first", true)
	}
	who, role, once := "", "", false
	who = strings.TrimSpace(strings.Split(people[0].Value, " ")[0])
	roles := []huh.Option[string]{huh.NewOption("their role on this event", ""), huh.NewOption("crew", "crew"),
		huh.NewOption("captain", "captain"), huh.NewOption("guest (read-only)", "guest"), huh.NewOption("admin", "admin")}
	crew, ctx, actor, eventID := p.c.Crew, p.c.Ctx, p.c.Actor, ev.ID
	submit := func() tea.Cmd {
		personID, _ := strconv.ParseInt(who, 10, 64)
		r, single := portfolio.AccessRole(role), once
		return func() tea.Msg {
			url, err := crew.MintLink(ctx, actor, eventID, personID, r, single)
			return linkMintedMsg{url: url, err: err}
		}
	}
	f, cmd := newPageForm("Magic link for "+ev.Title, submit, func() []*huh.Group {
		return []*huh.Group{huh.NewGroup(
			huh.NewSelect[string]().Title("For").Options(people...).Value(&who),
			huh.NewSelect[string]().Title("Role").Options(roles...).Value(&role),
			huh.NewConfirm().Title("Single use (for a link sent where others might see it)").Value(&once),
		)}
	})
	p.form = f
	return cmd
}

func (p *eventPage) revokeForm(l store.CrewLink) tea.Cmd {
	yes := false
	crew, ctx, actor := p.c.Crew, p.c.Ctx, p.c.Actor
	submit := func() tea.Cmd {
		if !yes {
			return func() tea.Msg { return savedMsg{label: "link kept"} }
		}
		id := l.ID
		return func() tea.Msg {
			return savedMsg{label: fmt.Sprintf("link %d revoked", id), err: crew.RevokeLink(ctx, actor, id)}
		}
	}
	f, cmd := newPageForm("Revoke a magic link", submit, func() []*huh.Group {
		return []*huh.Group{huh.NewGroup(huh.NewConfirm().
			Title(fmt.Sprintf("Revoke %s's %s link? Whoever opened it loses access at once.", l.PersonName, l.Role)).
			Affirmative("Revoke").Negative("Keep").Value(&yes))}
	})
	p.form = f
	return cmd
}

// linksView shows the minted link (once) or the list.
func (p *eventPage) linksView() string {
	s := p.c.Styles
	lp := p.links
	if lp.minted != "" {
		return p.mintedView()
	}
	head := s.Title.Render(" Magic links") + "  " + s.Subtle.Render("m mint · x revoke · esc back")
	if lp.loading {
		return head + "\n\n " + s.Subtle.Render("loading…")
	}
	if len(lp.links) == 0 {
		return head + "\n\n " + s.Subtle.Render("No links yet: m mints one for a crew member.")
	}
	return head + "\n" + lp.list.View()
}

// mintedView shows a link just minted: its URL, wrapped rather than cut at
// the page's edge, and its QR code, whole. When both do not fit, c shows
// the code alone; a code taller than the page says how tall the terminal
// must be rather than show a cut code no phone reads.
func (p *eventPage) mintedView() string {
	s := p.c.Styles
	lp := p.links
	qr, err := qrBlock(lp.minted, s.Dark)
	if err != nil {
		qr = s.Error.Render(" no QR code: " + err.Error())
	}
	qrH := lipgloss.Height(qr)
	var url []string
	for _, l := range hardWrap(lp.minted, p.width-2) {
		url = append(url, " "+l)
	}
	head := s.Title.Render(" New magic link") + "  " + s.Subtle.Render("shown once: copy it or scan it now · esc back to the list")
	switch {
	case lp.qrAlone && qrH > p.height:
		// Taller than the whole terminal too, or WholeScreen would draw it.
		msg := wrap(fmt.Sprintf("The QR code needs a terminal %d lines tall: make this one taller to scan it, or copy the URL. esc goes back.",
			qrH), p.width-2)
		return head + "\n" + strings.Join(url, "\n") + "\n\n " + s.Warn.Render(strings.ReplaceAll(msg, "\n", "\n "))
	case lp.qrAlone:
		return qr
	case 1+len(url)+qrH <= p.height:
		return head + "\n" + strings.Join(url, "\n") + "\n" + qr
	}
	return head + "\n" + strings.Join(url, "\n") + "\n\n " + s.Subtle.Render("The QR code needs more room: c shows it alone (esc comes back).")
}

// WholeScreen draws the QR code shown alone (c) on the whole terminal
// when the page is too short for it and the terminal is not.
func (p *eventPage) WholeScreen(height int) (string, bool) {
	if p.form != nil || p.detail == nil || p.links == nil || p.links.minted == "" || !p.links.qrAlone {
		return "", false
	}
	qr, err := qrBlock(p.links.minted, p.c.Styles.Dark)
	if h := lipgloss.Height(qr); err != nil || h <= p.height || h > height {
		return "", false
	}
	return qr, true
}

// watchCrew follows live changes to the open event's checklist.
func (p *eventPage) watchCrew(eventID int64) tea.Cmd {
	p.stopWatch()
	if p.c.Crew == nil {
		return nil
	}
	ch, stop := p.c.Crew.Changes(eventID)
	p.unwatch = stop
	return listenCrew(ch, eventID)
}

func listenCrew(ch <-chan struct{}, eventID int64) tea.Cmd {
	return func() tea.Msg {
		if _, ok := <-ch; !ok {
			return nil
		}
		return crewChangedMsg{eventID: eventID, ch: ch}
	}
}

func (p *eventPage) stopWatch() {
	if p.unwatch != nil {
		p.unwatch()
		p.unwatch = nil
	}
}
