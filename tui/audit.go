package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// auditPage is the audit log: every change, newest first, with who made
// it, when, to what, and each field before and after. It reads a page of
// the log only while it is on screen; m reads the next page. / filters
// what is read (by actor, action, kind, name or value); a record's
// detail view opens it on that record's history (h).
type auditPage struct {
	c      *Context
	list   *List
	rows   []auditRow
	data   *Data
	filter filterLine
	// title and subjects name the record whose history is shown; no
	// subjects: the whole log.
	title    string
	subjects []store.AuditSubject
	more     bool // the last read filled its page: there may be older entries
	gen      int
	active   bool
	loading  bool
	// moreAsked is m pressed while a read was under way (the page coming
	// on screen, a reload): the older entries are read once it is done
	// rather than the key being lost.
	moreAsked bool
	loadErr   error
	entry     *auditRow // the entry open whole, or nil
	view      detailView
	width     int
	height    int
	keys      struct{ more, history key.Binding }
}

// auditRow is an entry with what the page draws of it, made when it is
// read (in the load's Cmd), not as it is drawn.
type auditRow struct {
	e       store.AuditEntry
	fields  []store.AuditField
	what    string // action, kind and name
	changes string // the fields, on one line
	search  string
}

// auditPageSize is how many entries one read brings: the log grows with
// every change, so it is read a page at a time.
const auditPageSize = 500

// auditLoadedMsg answers a read of the log.
type auditLoadedMsg struct {
	gen    int
	rows   []auditRow
	more   bool
	append bool
	err    error
}

func newAuditPage(c *Context) *auditPage {
	p := &auditPage{c: c, list: NewList(c.Styles), filter: newFilterLine("filter by who, action, kind, name or value")}
	p.keys.more = binding("m", fmt.Sprintf("%d older", auditPageSize))
	p.keys.history = binding("h", "this record's history")
	p.list.SetEmpty("No change recorded yet.")
	return p
}

func (p *auditPage) Title() string   { return "Audit" }
func (p *auditPage) Capturing() bool { return p.filter.typing }

func (p *auditPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.list.SetSize(w, h-1)
	p.view.setHeight(h)
	p.renderRows()
	p.renderEntry()
}

func (p *auditPage) SetData(d *Data) tea.Cmd {
	p.filter.setDark(p.c.Styles.Dark)
	if d == p.data {
		// A theme change: the same rows, drawn again.
		p.renderRows()
		p.renderEntry()
		return nil
	}
	p.data = d
	if !p.active || !(d.Full || d.Changes.Any()) {
		// Every change is audited: any change at all adds to the log.
		return nil
	}
	// Something changed: read again as much as is shown.
	return p.load(false, max(auditPageSize, len(p.rows)))
}

// SetActive reads the log when the page comes on screen.
func (p *auditPage) SetActive(on bool) tea.Cmd {
	p.active = on
	if on {
		return p.load(false, max(auditPageSize, len(p.rows)))
	}
	return nil
}

// load reads the newest limit entries, or (more) the next page after the
// oldest read.
func (p *auditPage) load(more bool, limit int) tea.Cmd {
	p.gen++
	p.loading = true
	q := store.AuditQuery{Subjects: p.subjects, Limit: limit}
	if more && len(p.rows) > 0 {
		q.Before = p.rows[len(p.rows)-1].e.ID
	}
	gen, st, ctx, d := p.gen, p.c.Store, p.c.Ctx, p.data
	return func() tea.Msg {
		entries, err := st.AuditPage(ctx, q)
		if err != nil {
			return auditLoadedMsg{gen: gen, err: err}
		}
		names := subjectNames(d)
		rows := make([]auditRow, len(entries))
		for i, e := range entries {
			rows[i] = newAuditRow(e, names[store.AuditSubject{Type: e.SubjectType, ID: e.SubjectID}])
		}
		return auditLoadedMsg{gen: gen, rows: rows, more: len(entries) == limit, append: more}
	}
}

// subjectNames names the records an entry may not name itself (an older
// entry, one that kept only ids), from the loaded data.
func subjectNames(d *Data) map[store.AuditSubject]string {
	names := map[store.AuditSubject]string{}
	if d == nil || d.Snap == nil {
		return names
	}
	for _, s := range d.Snap.Shortfalls {
		names[store.AuditSubject{Type: "shortfall", ID: s.ID}] = s.Title
	}
	for _, a := range d.Snap.Actions {
		names[store.AuditSubject{Type: "action", ID: a.ID}] = a.Title
	}
	for _, k := range d.Snap.KPIs {
		names[store.AuditSubject{Type: "kpi", ID: k.ID}] = k.EntityCode + " " + k.Name
	}
	for _, e := range d.Snap.Entities {
		names[store.AuditSubject{Type: "entity", ID: e.ID}] = e.Code
	}
	for _, e := range d.Events {
		names[store.AuditSubject{Type: "event", ID: e.ID}] = e.Title
	}
	return names
}

func newAuditRow(e store.AuditEntry, name string) auditRow {
	r := auditRow{e: e, fields: e.Fields(), what: auditWhat(e, name)}
	parts := make([]string, len(r.fields))
	for i, f := range r.fields {
		parts[i] = fieldChange(f)
	}
	r.changes = safe(strings.Join(parts, "; "))
	r.search = strings.ToLower(e.Actor + " " + r.what + " " + r.changes)
	return r
}

// column widths
const (
	auditWhenW = 16
	auditWhoW  = 12
)

func (p *auditPage) whatWidth() int {
	rest := max(30, p.width-auditWhenW-auditWhoW-4)
	return max(20, min(40, rest*2/5))
}

func (p *auditPage) renderRows() {
	s := p.c.Styles
	ww := p.whatWidth()
	cw := max(10, p.width-auditWhenW-auditWhoW-ww-4)
	p.list.SetHeader(s.Subtle.Render(" " + cell("WHEN", auditWhenW) + " " + cell("WHO", auditWhoW) + " " + cell("WHAT", ww) + " " +
		cell("BEFORE → AFTER", cw)))
	rows, loc := p.rows, p.c.Now().Location()
	p.list.SetRowFunc(len(rows), func(i int) string {
		r := rows[i]
		return " " + s.Subtle.Render(cell(r.e.At.In(loc).Format("2 Jan 15:04 MST"), auditWhenW)) + " " + cell(safe(r.e.Actor), auditWhoW) + " " +
			s.Bold.Render(cell(r.what, ww)) + " " + cell(r.changes, cw)
	}, func(i int) string { return rows[i].search })
}

func (p *auditPage) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case auditForMsg:
		p.title, p.subjects, p.entry, p.rows = msg.title, msg.subjects, nil, nil
		p.filter.clear(p.list)
		p.renderRows()
		if p.active {
			return p.load(false, auditPageSize)
		}
		return nil
	case auditLoadedMsg:
		if msg.gen != p.gen {
			return nil
		}
		p.loading = false
		if msg.err != nil {
			p.loadErr = msg.err
			return status("could not read the audit log: "+portfolio.ErrorMessage(msg.err), true)
		}
		p.loadErr = nil
		keep := int64(0)
		if r, ok := Selected(p.list, p.rows); ok && !msg.append {
			keep = r.e.ID
		}
		if msg.append {
			p.rows = append(p.rows, msg.rows...)
		} else {
			p.rows = msg.rows
		}
		p.more = msg.more
		p.renderRows()
		for i, r := range p.rows {
			if r.e.ID == keep {
				p.list.Select(i)
			}
		}
		if p.entry != nil {
			for i := range p.rows {
				if p.rows[i].e.ID == p.entry.e.ID {
					p.entry = &p.rows[i]
				}
			}
			p.renderEntry()
		}
		if p.moreAsked {
			p.moreAsked = false
			if !p.more {
				return func() tea.Msg { return StatusMsg{Text: "that is the whole log: nothing older to read", Note: true} }
			}
			return p.load(true, auditPageSize)
		}
		return nil
	}
	if p.filter.typing {
		return p.filter.update(p.list, msg)
	}
	if p.entry != nil {
		return p.updateEntry(msg)
	}
	msg = clickList(p.list, msg, p.View)
	k, ok := p.list.Key(msg, p.c.Keys)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, p.c.Keys.Filter):
		return p.filter.start(p.list)
	case key.Matches(k, p.c.Keys.Back):
		switch {
		case p.filter.clear(p.list):
		case p.subjects != nil:
			p.title, p.subjects, p.rows = "", nil, nil
			p.renderRows()
			return p.load(false, auditPageSize)
		}
	case key.Matches(k, p.c.Keys.Enter):
		if i := p.list.Index(); i >= 0 {
			p.entry = &p.rows[i]
			p.view.offset = 0
			p.renderEntry()
		}
	case key.Matches(k, p.keys.more):
		if p.loading {
			p.moreAsked = true
			return nil
		}
		if !p.more {
			return func() tea.Msg { return StatusMsg{Text: "that is the whole log: nothing older to read", Note: true} }
		}
		return p.load(true, auditPageSize)
	case key.Matches(k, p.keys.history):
		if r, ok := Selected(p.list, p.rows); ok {
			return p.historyOf(r)
		}
	}
	return nil
}

// historyOf shows the history of the record r is about.
func (p *auditPage) historyOf(r auditRow) tea.Cmd {
	if r.e.SubjectID == 0 {
		return status("this entry is not about one record", true)
	}
	subject := store.AuditSubject{Type: r.e.SubjectType, ID: r.e.SubjectID}
	return showHistory(strings.TrimPrefix(r.what, r.e.Action+" "), []store.AuditSubject{subject})
}

func (p *auditPage) updateEntry(msg tea.Msg) tea.Cmd {
	if p.view.update(msg, p.c.Keys) {
		return nil
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, p.c.Keys.Back):
		id := p.entry.e.ID
		p.entry = nil
		for i, r := range p.rows {
			if r.e.ID == id {
				p.list.Select(i)
			}
		}
	case key.Matches(k, p.keys.history):
		return p.historyOf(*p.entry)
	}
	return nil
}

// renderEntry draws the open entry whole: every value, and each change as
// before → after.
func (p *auditPage) renderEntry() {
	if p.entry == nil {
		return
	}
	s, r := p.c.Styles, p.entry
	loc := p.c.Now().Location()
	b := &detailLines{s: s, width: p.width}
	b.text(1, r.what, s.Title)
	b.blank()
	b.field("When", r.e.At.In(loc).Format("Mon 2 Jan 2006 15:04:05 MST"))
	b.field("Who", r.e.Actor)
	b.field("Action", r.e.Action)
	subject := strings.ReplaceAll(r.e.SubjectType, "_", " ")
	if r.e.SubjectID != 0 {
		subject += fmt.Sprintf(" #%d", r.e.SubjectID)
	}
	b.field("Record", subject)
	b.field("Entry", fmt.Sprintf("#%d", r.e.ID))
	var changed, values []store.AuditField
	for _, f := range r.fields {
		if f.Changed {
			changed = append(changed, f)
		} else {
			values = append(values, f)
		}
	}
	if len(changed) > 0 {
		b.heading(fmt.Sprintf("Changed (%d)", len(changed)))
		for _, f := range changed {
			b.text(3, f.Name, s.Bold)
			before, after := f.Before, f.After
			if before == "" {
				before = "(empty)"
			}
			if after == "" {
				after = "(empty)"
			}
			b.field("  before", before, s.Subtle)
			b.field("  after", after)
		}
	} else if r.e.Action == "update" {
		b.heading("Changed")
		b.text(3, "this entry was written before changes were kept field by field; it has the values after", s.Subtle)
	}
	if len(values) > 0 {
		b.heading("Details")
		// Labels as wide as the longest name, within reason: the values
		// are what is read.
		b.labelW = detailLabelW
		for _, f := range values {
			b.labelW = max(b.labelW, min(28, p.width/3, lipgloss.Width(f.Name)))
		}
		for _, f := range values {
			b.field(f.Name, f.After)
		}
	}
	p.view.setLines(b.lines)
}

func (p *auditPage) View() string {
	if p.entry != nil {
		return p.view.view(p.c.Styles)
	}
	s := p.c.Styles
	var top string
	switch {
	case p.filter.shown(p.list):
		// The filter looks through what was read; say how much that is.
		read := fmt.Sprintf("  %d of %d read", p.list.Len(), len(p.rows))
		if p.more && !p.filter.typing {
			read += " · m reads older"
		}
		top = " " + p.filter.input.View() + s.Subtle.Render(read)
	case p.loadErr != nil:
		top = s.Error.Render(" could not read the audit log: " + portfolio.ErrorMessage(p.loadErr))
	case p.loading && len(p.rows) == 0:
		top = s.Subtle.Render(" reading the audit log…")
	default:
		n := countOf(len(p.rows), "change")
		if p.more {
			n = "the newest " + n + " · m reads older"
		}
		if p.subjects != nil {
			top = s.Subtle.Render(" History of ") + s.Bold.Render(safe(p.title)) + s.Subtle.Render(": "+n+" · esc shows every change")
		} else {
			top = s.Subtle.Render(" " + n + ", newest first, times in " + zoneName(p.c.Now()))
		}
	}
	return top + "\n" + p.list.View()
}

// zoneName is the console's zone as the times show it.
func zoneName(t time.Time) string {
	name, _ := t.Zone()
	return name
}

func (p *auditPage) ShortHelp() []key.Binding {
	if p.entry != nil {
		return []key.Binding{p.c.Keys.Back, p.keys.history, binding("j/k", "scroll")}
	}
	return []key.Binding{binding("enter", "whole entry"), p.c.Keys.Filter, p.keys.history, p.keys.more}
}

func (p *auditPage) FullHelp() [][]key.Binding {
	k := p.c.Keys
	if p.entry != nil {
		return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}, {k.Back, p.keys.history}}
	}
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{binding("enter", "whole entry"), k.Filter, p.keys.history, p.keys.more, k.Back}}
}
