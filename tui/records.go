package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// recordsPage lists, adds, changes and removes the records of every kind
// portfolio declares, grouped by the report each feeds: a strip of groups,
// a strip of the group's kinds, and the kind's records as a table. All of
// it is made from the declarations (portfolio.Kinds): nothing here is
// written for one kind.
type recordsPage struct {
	c     *Context
	kinds []*portfolio.Kind // every kind, group by group
	kind  int               // index into kinds
	list  *List
	table *recordTable // the kind's records; nil while they load
	// waiting is n, e or d pressed while the table loads (typed right
	// after ] or →), done once it is there rather than lost.
	waiting *tea.KeyPressMsg
	// gen is the load the page waits for: a reply for an earlier kind, or
	// an earlier load of this one, is dropped.
	gen int
	// data is the load the table follows; active says the page is on
	// screen. Off screen, new data only marks the table stale: the kind
	// may hold 100,000 checklist items, read when next seen.
	data   *Data
	active bool
	stale  bool
	// focus is a record the cursor goes to when the table next loads (the
	// one just saved).
	focus     string
	filter    textinput.Model
	filtering bool
	form      *pageForm
	notice    *notice
	strips    string // the group and kind strips, drawn when the kind or width changes
	width     int
	height    int
	keys      struct{ add, edit, del, prevKind, nextKind, prevGroup, nextGroup key.Binding }
}

type (
	// recordsLoadedMsg answers load; gen is the load it answers.
	recordsLoadedMsg struct {
		gen   int
		table *recordTable
		err   error
	}
	// showKindMsg puts the page on a kind, so "press 8, then n" adds one
	// of it (the KPIs page sends it when a KPI needs an entity first).
	showKindMsg struct{ kind string }
)

// recordsHead is the lines above the table: the two strips and the count.
const recordsHead = 3

func newRecordsPage(c *Context) *recordsPage {
	p := &recordsPage{c: c, kinds: kindsByGroup(), list: NewList(c.Styles), filter: textinput.New()}
	p.filter.Prompt = "/ "
	p.filter.Placeholder = "filter by key or any column"
	p.keys.add = binding("n", "new record")
	p.keys.edit = binding("e", "edit")
	p.keys.del = binding("d", "remove")
	p.keys.prevKind = key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "previous kind"))
	p.keys.nextKind = key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "next kind"))
	p.keys.prevGroup = binding("[", "previous group")
	p.keys.nextGroup = binding("]", "next group")
	return p
}

func (p *recordsPage) Title() string { return "Records" }

func (p *recordsPage) Capturing() bool { return p.form != nil || p.filtering || p.notice != nil }

func (p *recordsPage) current() *portfolio.Kind { return p.kinds[p.kind] }

func (p *recordsPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.list.SetSize(w, max(2, h-recordsHead))
	p.renderStrips()
	p.renderRows()
}

// SetData follows a reload (or a theme change, with the same data): the
// table reloads if the page is on screen and the data is new.
func (p *recordsPage) SetData(d *Data) tea.Cmd {
	p.filter.SetStyles(textinput.DefaultStyles(p.c.Styles.Dark))
	p.renderStrips()
	p.renderRows()
	if d == p.data {
		return nil
	}
	p.data = d
	if !p.shows(d) {
		return nil
	}
	if !p.active {
		p.stale = true
		return nil
	}
	return p.load()
}

// SetActive is told when the page comes on screen and leaves it.
func (p *recordsPage) SetActive(on bool) tea.Cmd {
	p.active = on
	if on && (p.table == nil || p.stale) {
		return p.load()
	}
	return nil
}

// load reads the kind's records in a Cmd, and lays out their text there
// too: the interface only pads cells as rows scroll into view.
func (p *recordsPage) load() tea.Cmd {
	p.gen++
	p.stale = false
	gen, k, st, ctx := p.gen, p.current(), p.c.Store, p.c.Ctx
	return func() tea.Msg {
		recs, err := st.Records(ctx, k)
		if err != nil {
			return recordsLoadedMsg{gen: gen, err: err}
		}
		return recordsLoadedMsg{gen: gen, table: newRecordTable(k, recs)}
	}
}

// setKind moves to kind i and loads it.
func (p *recordsPage) setKind(i int) tea.Cmd {
	i = (i + len(p.kinds)) % len(p.kinds)
	if i == p.kind && p.table != nil {
		return nil
	}
	p.kind, p.table, p.focus, p.waiting = i, nil, "", nil
	p.filtering = false
	p.filter.SetValue("")
	p.filter.Blur()
	p.list.SetFilter("")
	p.renderStrips()
	p.renderRows()
	if !p.active {
		return nil
	}
	return p.load()
}

// moveGroup moves to the first kind of the group by groups away.
func (p *recordsPage) moveGroup(by int) tea.Cmd {
	g := groupIndex(p.current().Group)
	target := portfolio.Groups[(g+by+len(portfolio.Groups))%len(portfolio.Groups)]
	for i, k := range p.kinds {
		if k.Group == target {
			return p.setKind(i)
		}
	}
	return nil
}

// renderStrips draws the groups, with the current one marked, and the
// current group's kinds.
func (p *recordsPage) renderStrips() {
	if p.width == 0 {
		return
	}
	s := p.c.Styles
	cur := p.current()
	groups := func(short bool) string {
		var b strings.Builder
		for _, g := range portfolio.Groups {
			if g == cur.Group {
				b.WriteString(s.ActiveTab.Render("[" + groupLabel(g, short) + "]"))
			} else {
				b.WriteString(s.Tab.Render(groupLabel(g, short)))
			}
		}
		return b.String()
	}
	top := groups(false)
	if lipgloss.Width(top) > p.width {
		top = groups(true)
	}
	var kinds []string
	for i, k := range p.kinds {
		if k.Group != cur.Group {
			continue
		}
		if i == p.kind {
			kinds = append(kinds, s.Title.Render("["+k.Title+"]"))
		} else {
			kinds = append(kinds, s.Subtle.Render(" "+k.Title+" "))
		}
	}
	p.strips = top + "\n " + strings.Join(kinds, " ")
}

func (p *recordsPage) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case recordsLoadedMsg:
		if msg.gen != p.gen {
			return nil // an earlier kind, or an earlier load of this one
		}
		if msg.err != nil {
			return status("could not read the "+p.current().Plural+": "+portfolio.ErrorMessage(msg.err), true)
		}
		p.loaded(msg.table)
		if k := p.waiting; k != nil {
			p.waiting = nil
			return p.Update(*k)
		}
		return nil
	case recordFormMsg:
		return p.openForm(msg)
	case dependentsMsg:
		return p.askRemove(msg)
	case showKindMsg:
		for i, k := range p.kinds {
			if k.Name == msg.kind {
				return p.setKind(i)
			}
		}
		return nil
	case savedMsg:
		if p.form != nil && p.form.submitted && msg.err == nil && msg.key != "" {
			p.focus = msg.key
		}
	}
	if p.notice != nil {
		if _, ok := msg.(tea.KeyPressMsg); ok {
			p.notice = nil
		}
		return nil
	}
	if cmd, open := updateForm(&p.form, msg); open {
		return cmd
	}
	if p.filtering {
		return p.updateFilter(msg)
	}
	if c, ok := msg.(clickMsg); ok {
		if cmd, handled := p.clickStrip(c); handled {
			return cmd
		}
	}
	msg = clickList(p.list, msg, p.View)
	k, ok := p.list.Key(msg, p.c.Keys)
	if !ok {
		return nil
	}
	rec, have := p.selected()
	switch {
	case key.Matches(k, p.keys.prevKind):
		return p.setKind(p.kind - 1)
	case key.Matches(k, p.keys.nextKind):
		return p.setKind(p.kind + 1)
	case key.Matches(k, p.keys.prevGroup):
		return p.moveGroup(-1)
	case key.Matches(k, p.keys.nextGroup):
		return p.moveGroup(1)
	case key.Matches(k, p.c.Keys.Filter):
		p.filtering = true
		return p.filter.Focus()
	case key.Matches(k, p.c.Keys.Back):
		if p.list.Filter() != "" {
			p.filter.SetValue("")
			p.list.SetFilter("")
		}
	case p.table == nil:
		// Still loading: n, e and d wait for the table.
		if key.Matches(k, p.keys.add, p.keys.edit, p.c.Keys.Enter, p.keys.del) {
			p.waiting = &k
		}
		return nil
	case key.Matches(k, p.keys.add):
		return p.loadForm(p.current(), "")
	case key.Matches(k, p.keys.edit, p.c.Keys.Enter) && have:
		return p.loadForm(p.current(), p.current().Key(rec))
	case key.Matches(k, p.keys.del) && have:
		return p.loadDependents(p.current(), p.current().Key(rec))
	}
	return nil
}

func (p *recordsPage) updateFilter(msg tea.Msg) tea.Cmd {
	return typeFilter(&p.filter, &p.filtering, p.list, msg)
}

// loaded shows a freshly read table, keeping the cursor on the record it
// was on (or on the one just saved).
func (p *recordsPage) loaded(t *recordTable) {
	keep := p.focus
	if keep == "" {
		if i := p.list.Index(); p.table != nil && i >= 0 && i < len(p.table.keys) {
			keep = p.table.keys[i]
		}
	}
	p.table, p.focus = t, ""
	p.renderRows()
	for i, k := range t.keys {
		if strings.EqualFold(k, keep) {
			p.list.Select(i)
			break
		}
	}
}

// selected is the record under the cursor.
func (p *recordsPage) selected() (portfolio.Record, bool) {
	if p.table == nil {
		return nil, false
	}
	return Selected(p.list, p.table.recs)
}

// renderRows lays the table out for the width; rows are padded as they
// scroll into view.
func (p *recordsPage) renderRows() {
	k := p.current()
	p.list.SetEmpty(fmt.Sprintf("No %s yet: n adds the first.", k.Nouns()))
	t := p.table
	if t == nil || p.width == 0 {
		p.list.SetHeader("")
		p.list.SetRowFunc(0, nil, nil)
		return
	}
	s := p.c.Styles
	widths := t.layout(p.width - 1)
	head := " " + cell("KEY", widths[0])
	for i, w := range widths[1:] {
		head += "  " + t.align(i, strings.ToUpper(strings.ReplaceAll(t.fields[i].Name, "_", " ")), w)
	}
	p.list.SetHeader(s.Subtle.Render(head))
	p.list.SetRowFunc(len(t.recs), func(i int) string {
		var b strings.Builder
		b.WriteString(" ")
		b.WriteString(s.Bold.Render(cell(t.keys[i], widths[0])))
		for c, w := range widths[1:] {
			b.WriteString("  ")
			b.WriteString(t.align(c, t.cells[i][c], w))
		}
		return b.String()
	}, func(i int) string { return t.search[i] })
}

func (p *recordsPage) View() string {
	s := p.c.Styles
	if p.form != nil {
		return p.form.view(s, p.width, p.height)
	}
	if p.notice != nil {
		return p.noticeView()
	}
	k := p.current()
	info := " " + k.Doc
	switch {
	case p.filtering || p.list.Filter() != "":
		info = p.list.FilterLine(&p.filter)
	case p.table != nil:
		info = " " + k.Count(len(p.table.recs))
		if hidden := len(p.table.fields) + 1 - len(p.table.layout(p.width-1)); hidden > 0 {
			info += fmt.Sprintf(" · %s off screen, e shows all", countOf(hidden, "column"))
		}
		info += " · " + k.Doc
	}
	body := p.list.View()
	if p.table == nil {
		body = s.Subtle.Render("  loading…")
	}
	return p.strips + "\n" + s.Subtle.Render(info) + "\n" + body
}

func (p *recordsPage) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.add, p.keys.edit, p.keys.del, arrowsKind, bracketsGroup, p.c.Keys.Filter}
}

// The short help says the four moves in two entries.
var (
	arrowsKind    = binding("←/→", "kind")
	bracketsGroup = binding("[/]", "group")
)

func (p *recordsPage) FullHelp() [][]key.Binding {
	k := p.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{p.keys.prevKind, p.keys.nextKind, p.keys.prevGroup, p.keys.nextGroup},
		{p.keys.add, p.keys.edit, p.keys.del, k.Filter, k.Back}}
}

// shows reports whether a load read again what the page lists: its
// kind's area, or the portfolio its references name (a person, say).
func (p *recordsPage) shows(d *Data) bool {
	area, err := store.KindArea(p.current().Name)
	return err != nil || d.touched(area, store.AreaPortfolio)
}
