package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// shortfallDetail is one shortfall shown whole (enter on the list): its
// description unabridged, its actions, and its history with theirs.
type shortfallDetail struct {
	id       int64
	sf       portfolio.Shortfall
	actions  []portfolio.Action
	history  []store.AuditEntry
	histErr  error
	loaded   bool
	view     detailView
	historyK key.Binding
}

// historyOf names a shortfall's history for historyMsg.
func shortfallHistoryOf(id int64) string { return fmt.Sprintf("shortfall %d", id) }

// subjects are the records a shortfall's history is of: itself and its
// actions.
func (d *shortfallDetail) subjects() []store.AuditSubject {
	out := []store.AuditSubject{{Type: "shortfall", ID: d.id}}
	for _, a := range d.actions {
		out = append(out, store.AuditSubject{Type: "action", ID: a.ID})
	}
	return out
}

// openDetail shows sf whole and reads its history.
func (p *shortfallPage) openDetail(sf portfolio.Shortfall) tea.Cmd {
	p.detail = &shortfallDetail{id: sf.ID, historyK: binding("h", "history")}
	p.detail.view.setHeight(p.height)
	p.fillDetail()
	return loadHistory(p.c, shortfallHistoryOf(sf.ID), p.detail.subjects())
}

// fillDetail takes the open shortfall and its actions from the page's
// latest data and draws it again; it reports false when the shortfall is
// gone.
func (p *shortfallPage) fillDetail() bool {
	d := p.detail
	found := false
	for _, sf := range p.rows {
		if sf.ID == d.id {
			d.sf, found = sf, true
		}
	}
	if !found {
		return false
	}
	d.actions = d.actions[:0]
	for _, a := range p.actions {
		if a.ShortfallID == d.id {
			d.actions = append(d.actions, a)
		}
	}
	p.renderDetail()
	return true
}

func (p *shortfallPage) renderDetail() {
	d := p.detail
	if d == nil {
		return
	}
	s, sf := p.c.Styles, d.sf
	b := &detailLines{s: s, width: p.width}
	b.text(1, sf.Title, s.Title)
	b.blank()
	status := strings.ReplaceAll(string(sf.Status), "_", " ")
	b.field("Status", status)
	b.field("Severity", string(sf.Severity), s.Severity(sf.Severity))
	entity := "the whole portfolio"
	if sf.EntityCode != "" {
		entity = sf.EntityCode
		for _, e := range p.entities {
			if e.ID == sf.EntityID {
				entity += " · " + e.Name
			}
		}
	}
	b.field("Entity", entity)
	b.field("Owner", sf.OwnerRole.Title())
	b.field("Impact/month", sf.MonthlyImpact.String())
	b.field("Effort", portfolio.FormatNumber(sf.EffortDays)+" days")
	if sf.IsOpen() {
		b.field("Return/day", portfolio.Dollars(int64(sf.ROI()+0.5)).String())
	}
	b.field("Opened", sf.OpenedOn.String())
	if !sf.ResolvedOn.IsZero() {
		b.field("Resolved", sf.ResolvedOn.String())
	}
	b.heading("Description")
	if strings.TrimSpace(sf.Detail) == "" {
		b.text(3, "none written (e edits it)", s.Subtle)
	} else {
		b.text(3, sf.Detail)
	}
	b.heading(fmt.Sprintf("Actions (%d)", len(d.actions)))
	if len(d.actions) == 0 {
		b.text(3, "none yet (press "+p.c.recordsKey+" for Records, then Action, n)", s.Subtle)
	}
	for _, a := range d.actions {
		box := "☐ "
		if a.Status == portfolio.ActionDone {
			box = "☑ "
		}
		b.text(3, box+a.Title, s.Bold)
		who := a.OwnerRole.Title()
		if a.PersonName != "" {
			who += " · " + a.PersonName
		}
		facts := []string{string(a.Status), "owner " + who}
		if !a.DueOn.IsZero() {
			facts = append(facts, "due "+a.DueOn.String())
		}
		if !a.DoneOn.IsZero() {
			facts = append(facts, "done "+a.DoneOn.String())
		}
		b.text(5, strings.Join(facts, " · "), s.Subtle)
	}
	b.history("History", d.history, d.histErr, d.loaded, p.c.Now().Location(), "h")
	d.view.setLines(b.lines)
}

// updateDetail handles a message while a shortfall is open.
func (p *shortfallPage) updateDetail(msg tea.Msg) tea.Cmd {
	d := p.detail
	if h, ok := msg.(historyMsg); ok {
		if h.of == shortfallHistoryOf(d.id) {
			d.history, d.histErr, d.loaded = h.entries, h.err, true
			p.renderDetail()
		}
		return nil
	}
	if d.view.update(msg, p.c.Keys) {
		return nil
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, p.c.Keys.Back):
		p.detail = nil
		for i, sf := range p.rows {
			if sf.ID == d.id {
				p.list.Select(i)
			}
		}
	case key.Matches(k, d.historyK):
		return showHistory(fmt.Sprintf("shortfall %q", d.sf.Title), d.subjects())
	case key.Matches(k, p.keys.edit):
		return p.editForm(d.sf)
	}
	return nil
}

func (p *shortfallPage) detailHelp() []key.Binding {
	return []key.Binding{p.c.Keys.Back, p.keys.edit, p.detail.historyK, binding("j/k", "scroll")}
}
