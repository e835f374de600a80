package tui

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// eventPage lists events and opens one: its timing panel, crew, and
// checklist by phase, where items are added, edited, reordered and removed.
// (Magic links and live crew updates plug in beside the detail view.)
type eventPage struct {
	c        *Context
	list     *List
	all      []portfolio.EventSummary
	shown    []portfolio.EventSummary
	entities []portfolio.Entity
	showPast bool
	width    int
	height   int
	form     *pageForm

	detail     *portfolio.Event
	wantDetail int64 // the event the page is showing or opening; 0 for the list
	links      *linksPanel
	unwatch    func() // ends the live feed of the open event's changes
	people     []portfolio.Person
	detailList *List
	detailRows []detailRow
	// filter is the list's / line, detailFilter the open checklist's.
	filter, detailFilter filterLine

	keys struct{ past, add, edit, addItem, editItem, delItem, up, down key.Binding }
}

// detailRow is a line of the checklist: a phase heading or an item.
type detailRow struct {
	phase int // index into detail.Phases
	item  int // index into the phase's items; -1 for the heading
	// phaseID and itemID (0 for the heading) name the row across reloads.
	phaseID, itemID int64
}

// eventLoadedMsg answers loadDetail; id is the event it asked for, so a
// reply (a failure too) for an event the user has left is recognised.
type eventLoadedMsg struct {
	id    int64
	event portfolio.Event
	err   error
}

func newEventPage(c *Context) *eventPage {
	p := &eventPage{c: c, list: NewList(c.Styles), detailList: NewList(c.Styles),
		filter: newFilterLine("filter by entity, title or status"), detailFilter: newFilterLine("filter the checklist by phase or task")}
	p.detailList.SetEmpty("No checklist yet: P adds a phase.")
	p.keys.past = binding("p", "show past events")
	p.keys.add = binding("n", "new event")
	p.keys.edit = binding("E", "edit event")
	p.keys.addItem = binding("a", "add item")
	p.keys.editItem = binding("e", "edit item or phase")
	p.keys.delItem = binding("d", "delete item or phase")
	p.keys.up = key.NewBinding(key.WithKeys("K", "shift+up"), key.WithHelp("K", "move up"))
	p.keys.down = key.NewBinding(key.WithKeys("J", "shift+down"), key.WithHelp("J", "move down"))
	return p
}

func (p *eventPage) Title() string { return "Events" }
func (p *eventPage) Capturing() bool {
	return p.form != nil || p.filter.typing || p.detailFilter.typing
}

func (p *eventPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.list.SetSize(w, h-1)
	p.detailList.SetSize(w, max(3, h-timingHeight))
	p.renderList()
	p.renderDetail()
}

func (p *eventPage) SetData(d *Data) tea.Cmd {
	if !d.touched(store.AreaEvent, store.AreaPortfolio) {
		return nil // people's names are the only other thing it shows
	}
	p.people = d.Snap.People
	p.filter.setDark(p.c.Styles.Dark)
	p.detailFilter.setDark(p.c.Styles.Dark)
	p.all, p.entities = d.Events, d.Snap.Entities
	prep := p.renderList()
	if p.detail != nil && (d.touchedEvent(p.detail.ID) || d.touched(store.AreaPortfolio)) {
		return tea.Batch(prep, p.loadDetail(p.detail.ID))
	}
	return prep
}

// renderList lays the event list out and returns the command that builds
// its filter texts off the interface when the list is long.
func (p *eventPage) renderList() tea.Cmd {
	s := p.c.Styles
	now := p.c.Now()
	// A new slice each time: the command building the filter texts reads
	// the old one meanwhile.
	p.shown = make([]portfolio.EventSummary, 0, len(p.shown))
	for _, e := range p.all {
		if p.showPast || e.Over().After(now) {
			p.shown = append(p.shown, e)
		}
	}
	switch {
	case len(p.all) == 0:
		p.list.SetEmpty("No events yet: n adds the first.")
	case !p.showPast:
		p.list.SetEmpty("No upcoming events: n adds one, p shows the past ones.")
	}
	// At 80 columns the date drops its weekday and the bar narrows, so the
	// checklist count still shows.
	dateW, dateFmt, barW := 22, "Mon 2 Jan 2006 15:04", 16
	if p.width < 96 {
		dateW, dateFmt, barW = 18, "2 Jan 2006 15:04", 12
	}
	tw := max(12, p.width-(dateW+barW+35))
	p.list.SetHeader(s.Subtle.Render(" " + rcell("ID", 5) + "  " + cell("DEPARTS", dateW) + cell("ENTITY", 7) + cell("TITLE", tw) + " " +
		cell("STATUS", 10) + rcell("CREW", 5) + "  " + cell("CHECKLIST", barW)))
	// Rows are drawn as they scroll into view: there may be ten thousand.
	shown := p.shown
	build := func() []string {
		return searchTexts(len(shown), func(b []byte, i int) []byte {
			e := shown[i]
			return append(append(append(append(append(b, e.EntityCode...), ' '), e.Title...), ' '), e.Status...)
		})
	}
	var search []string // every row's, built on the first filter unless prepared
	p.list.SetRowFunc(len(shown), func(i int) string {
		e := shown[i]
		line := " " + rcell(strconv.FormatInt(e.ID, 10), 5) + "  " + cell(e.Local().Format(dateFmt), dateW) + s.Bold.Render(cell(e.EntityCode, 7)) +
			cell(e.Title, tw) + " " + cell(string(e.Status), 10) + rcell(strconv.Itoa(e.Crew), 5) + "  " + progressBar(e.Done, e.Total, barW)
		if !e.Over().After(now) {
			line = s.Subtle.Render(ansiStrip(line))
		}
		return line
	}, func(i int) string {
		if search == nil {
			search = build()
		}
		return search[i]
	})
	if len(shown) < prepareSearchOver {
		return nil
	}
	return p.list.PrepareSearch(build)
}

// prepareSearchOver is the length of list whose filter texts are built in
// a command when its rows change: shorter ones take well under a
// millisecond on the first letter.
const prepareSearchOver = 2000

func (p *eventPage) loadDetail(id int64) tea.Cmd {
	p.wantDetail = id
	st, ctx := p.c.Store, p.c.Ctx
	return func() tea.Msg {
		e, err := st.Event(ctx, id)
		return eventLoadedMsg{id: id, event: e, err: err}
	}
}

// timingHeight is the rows the timing panel and crew take above the
// checklist: five lines and a blank one. The keys are in the footer.
const timingHeight = 6

func (p *eventPage) renderDetail() {
	if p.detail == nil {
		return
	}
	s := p.c.Styles
	// Keep the cursor on the same phase or item: a reload after a move, or
	// a row added by someone else, must not shift it onto another row.
	keep := detailRow{phase: -1}
	if i := p.detailList.Index(); i >= 0 && i < len(p.detailRows) {
		keep = p.detailRows[i]
	}
	p.detailRows = p.detailRows[:0]
	var lines, search []string
	for pi, ph := range p.detail.Phases {
		done := 0
		for _, it := range ph.Items {
			if it.Done() {
				done++
			}
		}
		head := fmt.Sprintf(" %s  %s", s.Title.Render(ph.Name), s.Subtle.Render(fmt.Sprintf("%d/%d done", done, len(ph.Items))))
		if !ph.SignedOffAt.IsZero() {
			head += s.StatusOK.Render("  signed off by " + cmp.Or(ph.SignedOffName, "someone") + " " + p.local(ph.SignedOffAt))
		}
		lines = append(lines, head)
		search = append(search, strings.ToLower(ph.Name))
		p.detailRows = append(p.detailRows, detailRow{pi, -1, ph.ID, 0})
		for ii, it := range ph.Items {
			mark := "○"
			if it.Done() {
				mark = s.StatusOK.Render("✓")
			}
			req := ""
			if it.Mandatory {
				req = s.Error.Render("*")
			}
			who := ""
			switch {
			case it.Done():
				who = fmt.Sprintf("done by %s %s", it.DoneByName, p.local(it.DoneAt))
			case it.ClaimedBy != 0:
				who = fmt.Sprintf("claimed by %s %s", it.ClaimedByName, p.local(it.ClaimedAt))
			}
			// At 80 columns who-and-when narrows so the task reads.
			whoW := 40
			if p.width < 100 {
				whoW = 31
			}
			tw := max(16, p.width-17-whoW)
			lines = append(lines, fmt.Sprintf("   %s %s %s %s %s", mark, cell(it.Title, tw), cell(req, 1), s.Subtle.Render(cell(string(it.RequiredRole), 8)),
				s.Subtle.Render(cell(who, whoW))))
			search = append(search, strings.ToLower(it.Title))
			p.detailRows = append(p.detailRows, detailRow{pi, ii, ph.ID, it.ID})
		}
	}
	p.detailList.SetRows(lines, search)
	for i, r := range p.detailRows {
		if keep.phase >= 0 && r.phaseID == keep.phaseID && r.itemID == keep.itemID {
			p.detailList.Select(i)
			break
		}
	}
}

func (p *eventPage) local(t time.Time) string {
	if t.IsZero() || p.detail == nil {
		return ""
	}
	if loc, err := portfolio.Zone(p.detail.TimeZone); err == nil {
		t = t.In(loc)
	}
	return t.Format("Mon 15:04")
}

func (p *eventPage) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case eventLoadedMsg:
		if msg.id != p.wantDetail {
			return nil // the user left (or chose another event) meanwhile
		}
		if msg.err != nil {
			p.detail = nil
			return status("could not open the event: "+portfolio.ErrorMessage(msg.err), true)
		}
		first := p.detail == nil || p.detail.ID != msg.event.ID
		p.detail = &msg.event
		p.renderDetail()
		if first {
			p.detailFilter.clear(p.detailList)
			p.detailList.Select(1)
			return p.watchCrew(msg.event.ID)
		}
		return nil
	case crewChangedMsg:
		if p.detail == nil || p.detail.ID != msg.eventID {
			return nil
		}
		return tea.Batch(p.loadDetail(msg.eventID), listenCrew(msg.ch, msg.eventID))
	case linksLoadedMsg:
		if p.links != nil && p.detail != nil && p.detail.ID == msg.eventID {
			p.links.loading = false
			if msg.err != nil {
				return status("links: "+portfolio.ErrorMessage(msg.err), true)
			}
			p.links.links = msg.links
			p.renderLinks()
		}
		return nil
	case linkMintedMsg:
		p.form = nil
		if msg.err != nil {
			return status("no link made: "+portfolio.ErrorMessage(msg.err), true)
		}
		if p.links != nil {
			p.links.minted, p.links.qrAlone = msg.url, false
			return tea.Batch(status("link made: it is shown once", false), p.loadLinks())
		}
		return nil
	case savedMsg:
		cmd, _ := updateForm(&p.form, msg)
		if p.form == nil && p.links != nil && msg.err == nil {
			return tea.Batch(cmd, p.loadLinks())
		}
		return cmd
	case openEventMsg:
		// Another page (the Overview) opens an event: its checklist, as
		// enter on its row would. A form open here is not thrown away.
		if p.form != nil {
			return nil
		}
		if p.detail != nil && p.detail.ID != msg.id {
			p.detail, p.links = nil, nil
			p.stopWatch()
		}
		for i, e := range p.shown {
			if e.ID == msg.id {
				p.list.Select(i)
			}
		}
		return p.loadDetail(msg.id)
	case editEventMsg:
		// E works from the list as well as from an open event.
		if p.form == nil {
			return p.eventForm(&msg.event)
		}
		return nil
	}
	if cmd, open := updateForm(&p.form, msg); open {
		return cmd
	}
	if p.detail != nil {
		return p.updateDetail(msg)
	}
	if p.filter.typing {
		return p.filter.update(p.list, msg)
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
		p.filter.clear(p.list)
	case key.Matches(k, p.c.Keys.Enter):
		if ev, ok := Selected(p.list, p.shown); ok {
			return p.loadDetail(ev.ID)
		}
	case key.Matches(k, p.keys.past):
		p.showPast = !p.showPast
		return p.renderList()
	case key.Matches(k, p.keys.add):
		return p.eventForm(nil)
	case key.Matches(k, p.keys.edit):
		if ev, ok := Selected(p.list, p.shown); ok {
			id := ev.ID
			st, ctx := p.c.Store, p.c.Ctx
			return func() tea.Msg {
				e, err := st.Event(ctx, id)
				if err != nil {
					return StatusMsg{Text: portfolio.ErrorMessage(err), Err: true}
				}
				return editEventMsg{e}
			}
		}
	}
	return nil
}

type editEventMsg struct{ event portfolio.Event }

func (p *eventPage) updateDetail(msg tea.Msg) tea.Cmd {
	if p.links != nil {
		return p.updateLinks(msg)
	}
	if p.detailFilter.typing {
		return p.detailFilter.update(p.detailList, msg)
	}
	msg = clickList(p.detailList, msg, p.View)
	if p.detailList.Update(msg, p.c.Keys) {
		return nil
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	row := detailRow{phase: -1, item: -1}
	if i := p.detailList.Index(); i >= 0 && i < len(p.detailRows) {
		row = p.detailRows[i]
	}
	var item *portfolio.ChecklistItem
	if row.phase >= 0 && row.item >= 0 {
		item = &p.detail.Phases[row.phase].Items[row.item]
	}
	switch {
	case key.Matches(k, p.c.Keys.Filter):
		return p.detailFilter.start(p.detailList)
	case key.Matches(k, p.c.Keys.Back):
		if p.detailFilter.clear(p.detailList) {
			return nil // esc clears the filter first, then leaves
		}
		p.detail, p.wantDetail = nil, 0
		p.stopWatch()
		return nil
	case key.Matches(k, linksKey):
		return p.openLinks()
	case key.Matches(k, p.keys.edit):
		return p.eventForm(p.detail)
	case key.Matches(k, p.keys.addItem) && row.phase >= 0:
		return p.itemForm(p.detail.Phases[row.phase], nil)
	case key.Matches(k, p.keys.editItem, p.c.Keys.Enter) && row.phase >= 0:
		return p.editRow(row, item)
	case key.Matches(k, p.keys.delItem) && row.phase >= 0:
		return p.deleteRow(row, item)
	case key.Matches(k, p.keys.up, p.keys.down) && row.phase >= 0:
		by := 1
		if key.Matches(k, p.keys.up) {
			by = -1
		}
		return p.moveRow(row, item, by)
	case key.Matches(k, newPhaseKey):
		return p.phaseForm(nil)
	case key.Matches(k, crewAddKey):
		return p.crewForm(false)
	case key.Matches(k, crewRemoveKey):
		return p.crewForm(true)
	}
	if cmd, ok := p.checklistKey(k, row, item); ok {
		return cmd
	}
	return nil
}

func (p *eventPage) itemForm(ph portfolio.Phase, it *portfolio.ChecklistItem) tea.Cmd {
	in := portfolio.ItemInput{RequiredRole: portfolio.AccessCrew}
	heading := "New item in " + ph.Name
	if it != nil {
		in = portfolio.ItemInput{Title: it.Title, RequiredRole: it.RequiredRole, Mandatory: it.Mandatory, Note: it.Note}
		heading = "Edit item in " + ph.Name
	}
	role := string(in.RequiredRole)
	submit := func() tea.Cmd {
		in.RequiredRole = portfolio.AccessRole(role)
		in.Title = strings.TrimSpace(in.Title)
		if it == nil {
			phase := ph.ID
			return write(p.c, fmt.Sprintf("added %q", in.Title), func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.AddItem(ctx, phase, in)
				return err
			})
		}
		id := it.ID
		return write(p.c, fmt.Sprintf("saved %q", in.Title), func(ctx context.Context, tx *store.Tx) error { return tx.UpdateItem(ctx, id, in) })
	}
	f, cmd := newPageForm(heading, submit, func() []*huh.Group {
		return []*huh.Group{huh.NewGroup(
			huh.NewInput().Title("Task").Value(&in.Title).CharLimit(200).Validate(required("a task")),
			huh.NewSelect[string]().Title("Who does it").Options(huh.NewOption("crew", "crew"), huh.NewOption("captain", "captain")).Value(&role),
			huh.NewConfirm().Title("Mandatory (blocks the phase sign-off until done)").Value(&in.Mandatory),
			huh.NewInput().Title("Note").Value(&in.Note).CharLimit(1000),
		)}
	})
	p.form = f
	return cmd
}

func required(what string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return portfolio.Errorf(portfolio.EINVALID, "%s is required", what)
		}
		return nil
	}
}

func (p *eventPage) View() string {
	if p.form != nil {
		return p.form.view(p.c.Styles, p.width, p.height)
	}
	if p.detail != nil && p.links != nil {
		if p.links.minted != "" {
			// The QR code needs the whole page to be scanned at 80×24.
			return p.linksView()
		}
		return p.timingPanel() + "\n" + p.linksView()
	}
	if p.detail != nil {
		panel := p.timingPanel()
		if p.detailFilter.shown(p.detailList) {
			// The filter takes the blank line under the panel.
			panel = strings.TrimSuffix(panel, "\n") + "\n" + p.detailFilter.view(p.detailList)
		}
		return panel + "\n" + p.detailList.View()
	}
	head := countOf(len(p.shown), "upcoming event") + " (p: show past)"
	if p.showPast {
		head = countOf(len(p.shown), "event") + ", past ones too (p: hide past)"
	}
	top := p.c.Styles.Subtle.Render(" " + head)
	if p.filter.shown(p.list) {
		top = p.filter.view(p.list)
	}
	return top + "\n" + p.list.View()
}

// timingPanel is the event's schedule in its own zone, with a countdown.
func (p *eventPage) timingPanel() string {
	s := p.c.Styles
	e := p.detail
	t := e.Timing()
	now := p.c.Now()
	countdown := "departed"
	if d := t.Departure.Sub(now); d > 0 {
		countdown = "departs in " + humanDuration(d)
	} else if t.TurnaroundDone.After(now) {
		countdown = "under way"
	} else {
		countdown = "finished"
	}
	var crew []string
	for _, c := range e.Crew {
		crew = append(crew, c.Name+" ("+string(c.Role)+")")
	}
	at := func(tm time.Time) string { return tm.Format("15:04") }
	done, total := e.Progress()
	// The title gives way to the countdown, which always shows whole; the
	// entity, kind and status move down a line when the title would be
	// cut to fewer than 20 columns beside them, and the location gives way
	// to the date. Nothing is cut inside a word.
	meta := e.EntityCode + " · " + e.Kind + " · " + string(e.Status)
	when := fmt.Sprintf("%s · %s · %s · %s", t.Departure.Format("Monday 2 January 2006"), e.TimeZone, countOf(e.Guests, "guest"), e.Location)
	titleLine := ""
	if room := p.width - lipgloss.Width(meta) - lipgloss.Width(countdown) - 6; room >= 20 || lipgloss.Width(e.Title) <= room {
		titleLine = fmt.Sprintf(" %s  %s  %s", s.Title.Render(clip(e.Title, room)), s.Subtle.Render(meta), s.Bold.Render(countdown))
	} else {
		titleLine = fmt.Sprintf(" %s  %s", s.Title.Render(clip(e.Title, p.width-lipgloss.Width(countdown)-4)), s.Bold.Render(countdown))
		when = meta + " · " + when
	}
	lines := []string{
		titleLine,
		" " + clip(when, p.width-1),
		timesLine(p.width, s.Bold.Render(at(t.CrewCall)), s.Bold.Render(at(t.Boarding)), s.Bold.Render(at(t.Departure)),
			s.Bold.Render(at(t.Return)), s.Bold.Render(at(t.TurnaroundDone))),
		ansi.Truncate(" Crew: "+cmp.Or(strings.Join(crew, ", "), "—"), p.width, "…"),
		" Checklist: " + progressBar(done, total, 30),
	}
	for len(lines) < timingHeight {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// timesLine lists the event's times, in shorter words when the long ones
// would not fit the width: every time shows at 80 columns.
func timesLine(width int, crewCall, boarding, departure, back, turnaround string) string {
	line := fmt.Sprintf(" Crew call %s   Boarding %s   Departure %s   Return %s   Turnaround done %s", crewCall, boarding, departure, back, turnaround)
	if lipgloss.Width(line) <= width {
		return line
	}
	return fmt.Sprintf(" Crew %s  Boarding %s  Departs %s  Returns %s  Turnaround %s", crewCall, boarding, departure, back, turnaround)
}

func humanDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	case d >= time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dm", int(d.Minutes()))
}

func (p *eventPage) ShortHelp() []key.Binding {
	if p.detail != nil && p.links != nil {
		if p.links.minted != "" {
			return []key.Binding{p.c.Keys.Back, qrKey, mintKey}
		}
		return []key.Binding{p.c.Keys.Back, mintKey, revokeKey}
	}
	if p.detail != nil {
		// Most used first: the footer keeps as many as fit, ? lists all.
		return []key.Binding{p.c.Keys.Back, tickKey, linksKey, claimKey, signOffKey, p.keys.addItem, binding("e", "edit"), binding("c/C", "crew"),
			binding("d", "delete"), binding("P", "add phase"), binding("K/J", "move"), releaseKey}
	}
	return []key.Binding{p.c.Keys.Enter, p.keys.add, p.keys.edit, p.keys.past, p.c.Keys.Filter}
}

// FullHelp lists the keys of what is open (the list, an event, its
// links), so the help fits at 80 columns.
func (p *eventPage) FullHelp() [][]key.Binding {
	k := p.c.Keys
	move := []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown}
	switch {
	case p.detail != nil && p.links != nil:
		return [][]key.Binding{move, {mintKey, revokeKey, k.Back}}
	case p.detail != nil:
		return [][]key.Binding{move, {tickKey, claimKey, releaseKey, signOffKey},
			{p.keys.addItem, newPhaseKey, p.keys.editItem, p.keys.delItem, p.keys.up, p.keys.down},
			{p.keys.edit, crewAddKey, crewRemoveKey, linksKey, k.Filter, k.Back}}
	}
	return [][]key.Binding{append(move, k.Enter), {p.keys.add, p.keys.edit, p.keys.past, k.Filter, k.Back}}
}
