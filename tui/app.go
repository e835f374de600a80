// Package tui is the opsdeck console: a Bubble Tea program with a page per
// concern (overview, KPIs, shortfalls, events, reports). Every store call
// and every rendering runs in a tea.Cmd that returns a typed message;
// Update and View only move state and join strings.
package tui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"opsdeck/mail"
	"opsdeck/portfolio"
	"opsdeck/reports"
	"opsdeck/store"
)

// Page is one screen of the console.
//
// Pages: 1 Overview, 2 KPIs, 3 Shortfalls, 4 Events, 5 Reports, 6 Outbox,
// 7 Schedules, 8 Records, 9 Audit.
type Page interface {
	Title() string
	// Update handles a message for the page and may return a command.
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(width, height int)
	// SetData gives the page fresh data (after a load or a theme change);
	// the page may answer with a command (a re-render, a detail reload).
	SetData(d *Data) tea.Cmd
	// Capturing reports whether the page wants every key (a form or a
	// filter is open), so page-switching keys must not be taken from it.
	Capturing() bool
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}

// activePage is a page told when it comes on screen and when it leaves,
// so it can keep costly reads for when it is seen.
type activePage interface {
	SetActive(on bool) tea.Cmd
}

// Minimum terminal size the console lays itself out for.
const (
	MinWidth  = 80
	MinHeight = 24
)

// Options configure the console.
type Options struct {
	// Theme is "dark" or "light"; empty asks the terminal.
	Theme string
	// Poll is how often to check for changes made by other processes.
	Poll      time.Duration
	Now       func() time.Time
	Actor     string
	ExportDir string
	// Mail, if set, lets the console send reports.
	Mail *mail.Service
	// Crew, if set, lets the Events page mint magic links and follow the
	// crew live.
	Crew Crew
	// Status is shown in the status bar at start (a setting that is off).
	Status string
	// EventZone is the time zone a new event starts in; UTC if empty.
	EventZone string
}

// Model is the console's root model.
type Model struct {
	c          *Context
	pages      []Page
	active     int
	width      int
	height     int
	data       *Data
	loadErr    error
	status     string
	statusErr  bool
	statusNote bool
	statusAt   time.Time // when the status was set; zero: it stays
	showHelp   bool
	palette    *palette
	help       help.Model
	themeFixed bool
	poll       time.Duration
	reloading  bool
	// readAt is when the data was last read whole (see readAllEvery).
	readAt time.Time
	// The header and the footer's keys are drawn again only when what
	// they show changes, not on every key press.
	headerKey, helpKey   string
	headerView, helpView string
	// errorRows is how many lines the footer takes: 2 while an error too
	// long for the footer's line is shown, so it is read whole (the page
	// is a line shorter meanwhile), else 1.
	errorRows int
	// Where the last frame drew things, for the mouse: each tab's columns
	// in the header (from [0] to before [1]), and the page's first line and
	// height; pageTop is -1 when no page was drawn (too small, a page on
	// the whole screen).
	tabX                [][2]int
	pageTop, pageHeight int
}

// Messages the root model handles.
type (
	// dataMsg carries a completed load.
	dataMsg struct {
		data *Data
		err  error
	}
	pollMsg    struct{}
	versionMsg struct {
		version, seq int64
		err          error
	}
	// StatusMsg puts a short message in the status bar.
	StatusMsg struct {
		Text string
		Err  bool
		// Note is neither a success nor an error (a form cancelled):
		// said plainly, with no ✓.
		Note bool
	}
	// goToMsg switches to the page titled page and hands it then: how
	// one page opens a record another page shows (the Overview's enter).
	goToMsg struct {
		page string
		then tea.Msg
	}
	// filterMsg asks a list page to show only the rows matching text, as
	// if typed after /.
	filterMsg struct{ text string }
	// openEventMsg asks the Events page to open an event's checklist.
	openEventMsg struct{ id int64 }
	// savedMsg reports a write made for a page; the page sees it too, so a
	// form can close or show the error.
	savedMsg struct {
		label string
		err   error
		// key is the record written, for the page to put its cursor on.
		key string
		// undo is what the write deleted, for u to restore.
		undo *store.Deleted
	}
)

// New builds the console over s.
func New(ctx context.Context, s *store.Store, eng *reports.Engine, o Options) *Model {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Actor == "" {
		o.Actor = "console"
	}
	if o.EventZone == "" {
		o.EventZone = "UTC"
	}
	c := &Context{Ctx: ctx, Store: s, Reports: eng, Styles: NewStyles(o.Theme != "light"), Keys: DefaultKeyMap(),
		Now: o.Now, Actor: o.Actor, ExportDir: o.ExportDir, Mail: o.Mail, Crew: o.Crew, EventZone: o.EventZone}
	c.sender = newSender(c)
	m := &Model{c: c, help: help.New(), palette: newPalette(c.Styles), themeFixed: o.Theme != "", poll: o.Poll, status: o.Status, statusErr: o.Status != ""}
	m.pages = []Page{newOverview(c), newKPIPage(c), newShortfallPage(c), newEventPage(c), newReportPage(c), newOutboxPage(c), newSchedulePage(c),
		newRecordsPage(c), newAuditPage(c)}
	for i, p := range m.pages {
		if _, ok := p.(*recordsPage); ok {
			c.recordsKey = strconv.Itoa(i + 1)
		}
	}
	// The number keys are as many as the pages, and the help says so.
	digits := make([]string, len(m.pages))
	for i := range digits {
		digits[i] = strconv.Itoa(i + 1)
	}
	c.Keys.Pages = key.NewBinding(key.WithKeys(digits...), key.WithHelp("1-"+digits[len(digits)-1], "go to page"))
	return m
}

// Init loads the data, asks the terminal for its background (unless a
// theme was chosen) and starts polling for outside changes.
func (m *Model) Init() tea.Cmd {
	m.help.Styles = help.DefaultStyles(m.c.Styles.Dark)
	cmds := []tea.Cmd{m.loadCmd(), m.pollCmd()}
	if !m.themeFixed {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

// readAllEvery is how often the console reads everything again though
// nothing was written: what it shows depends on the clock too.
const readAllEvery = time.Minute

// readAllCmd reads all the data again.
func (m *Model) readAllCmd() tea.Cmd {
	c := m.c
	return func() tea.Msg {
		d, err := load(c)
		return dataMsg{d, err}
	}
}

// loadCmd reads the data: all of it the first time, then what was
// written since the data the console holds.
func (m *Model) loadCmd() tea.Cmd {
	if m.data == nil || m.loadErr != nil {
		// The first read, or the last one failed: what is held may be
		// behind.
		return m.readAllCmd()
	}
	c, old := m.c, m.data
	return func() tea.Msg {
		d, err := reload(c, old)
		return dataMsg{d, err}
	}
}

func (m *Model) pollCmd() tea.Cmd {
	return tea.Tick(m.poll, func(time.Time) tea.Msg { return pollMsg{} })
}

// Update routes messages: global keys first, then the active page.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		m.errorRows = m.footerRows()
		var cmds []tea.Cmd
		for _, p := range m.pages {
			p.SetSize(m.contentSize())
			cmds = append(cmds, p.Update(msg))
		}
		return m, tea.Batch(cmds...)
	case tea.BackgroundColorMsg:
		if !m.themeFixed {
			*m.c.Styles = *NewStyles(msg.IsDark())
			m.help.Styles = help.DefaultStyles(msg.IsDark())
			if m.data != nil {
				// Every page draws again in the new colours, as after a
				// full load.
				d := *m.data
				d.Full = true
				m.data = &d
			}
			return m, m.refresh()
		}
		return m, nil
	case dataMsg:
		m.reloading = false
		if msg.err != nil {
			m.loadErr = msg.err
			m.setStatus("could not read the database: "+msg.err.Error(), true)
			return m, m.fitFooter()
		}
		if m.data != nil && !msg.data.Full && msg.data.Seq < m.data.Seq {
			// A reload begun before the one the console holds: the
			// newer one read all this one did, later.
			return m, nil
		}
		m.data, m.loadErr = msg.data, nil
		if msg.data.Full {
			m.readAt = m.c.Now()
		}
		if !msg.data.Full && !msg.data.Changes.Any() {
			return m, nil // nothing the console shows was written
		}
		return m, m.refresh()
	case pollMsg:
		s := m.c.Store
		ctx := m.c.Ctx
		return m, tea.Batch(m.pollCmd(), m.replicaCmd(), func() tea.Msg {
			v, err := s.DataVersion(ctx)
			var seq int64
			if err == nil {
				seq, err = s.ChangeSeq(ctx)
			}
			return versionMsg{v, seq, err}
		})
	case replicaMsg:
		m.setReplica(msg)
		return m, nil
	case versionMsg:
		// Another process committed (the data version moved), or this one
		// did outside the console (the change log moved: serve's outbox
		// worker and scheduler, under a console over SSH, share its
		// connection, whose own commits leave the data version be):
		// reload, once.
		changed := m.data != nil && (msg.version != m.data.Version || msg.seq != m.data.Seq)
		// What the clock moves (countdowns, which events are still to
		// come, the week of alerts) is read again at least once a
		// period, however quiet the database.
		stale := m.data != nil && m.c.Now().Sub(m.readAt) >= readAllEvery
		if msg.err == nil && (changed || stale) && !m.reloading {
			m.reloading = true
			if stale {
				return m, m.readAllCmd()
			}
			return m, m.loadCmd()
		}
		return m, nil
	case searchReadyMsg:
		msg.list.searchReady(msg)
		return m, nil
	case goToMsg:
		for i, p := range m.pages {
			if p.Title() == msg.page {
				cmd := m.switchTo(i)
				return m, tea.Batch(cmd, p.Update(msg.then))
			}
		}
		return m, nil
	case StatusMsg:
		m.setStatus(msg.Text, msg.Err)
		m.statusNote = msg.Note && !msg.Err
		return m, m.fitFooter()
	case outsideChangeMsg:
		if !m.reloading {
			m.reloading = true
			return m, m.loadCmd()
		}
		return m, nil
	case savedMsg:
		cmd := m.pages[m.active].Update(msg)
		if msg.err != nil {
			// A form the write came from is back, saying why in its own
			// box until the user changes something; the status line would
			// say it on, stale.
			if !m.pages[m.active].Capturing() {
				m.setStatus("not saved: "+portfolio.ErrorMessage(msg.err), true)
			}
			return m, tea.Batch(cmd, m.fitFooter())
		}
		if msg.undo != nil {
			msg.label += " (u undoes)"
		}
		m.setStatus(msg.label, false)
		m.c.pushUndo(msg.undo)
		m.reloading = true
		return m, tea.Batch(cmd, m.loadCmd())
	case undoneMsg:
		return m, m.undone(msg)
	}
	if cmd, ok := m.c.sender.update(msg); ok {
		return m, cmd
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if cmd, handled := m.globalKey(msg); handled {
			return m, cmd
		}
		return m, m.pages[m.active].Update(msg)
	case tea.MouseClickMsg:
		return m, m.click(msg)
	case tea.MouseReleaseMsg, tea.MouseMotionMsg:
		// A click acts on the press; a drag selects nothing here.
		return m, nil
	case tea.MouseMsg:
		if m.palette.open {
			m.palette.list.Update(msg, m.c.Keys) // the wheel scrolls it
			return m, nil
		}
		return m, m.pages[m.active].Update(msg)
	}
	// Replies to a page's own commands (a rendering, an event's detail) go
	// to every page: the one that asked may no longer be on screen.
	var cmds []tea.Cmd
	for _, p := range m.pages {
		cmds = append(cmds, p.Update(msg))
	}
	return m, tea.Batch(cmds...)
}

// globalKey handles the keys that work on every page, unless the page is
// capturing keys for a form or a filter.
func (m *Model) globalKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.c.Keys
	if msg.String() == "ctrl+c" {
		return tea.Quit, true
	}
	if m.palette.open {
		return m.paletteKey(msg), true
	}
	if m.pages[m.active].Capturing() {
		return nil, false
	}
	if m.showHelp {
		m.showHelp = false
		return nil, msg.String() == "?" || msg.String() == "esc" || msg.String() == "q"
	}
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit, true
	case key.Matches(msg, k.Help):
		m.showHelp = true
		return nil, true
	case key.Matches(msg, undoKey):
		return m.undo(), true
	case key.Matches(msg, k.Palette):
		return m.openPalette(), true
	case key.Matches(msg, k.Next):
		return m.switchTo((m.active + 1) % len(m.pages)), true
	case key.Matches(msg, k.Prev):
		return m.switchTo((m.active + len(m.pages) - 1) % len(m.pages)), true
	case key.Matches(msg, k.Pages):
		if n := int(msg.String()[0] - '1'); n >= 0 && n < len(m.pages) {
			return m.switchTo(n), true
		}
	}
	return nil, false
}

func (m *Model) switchTo(i int) tea.Cmd {
	if i == m.active {
		return nil
	}
	var cmds []tea.Cmd
	if p, ok := m.pages[m.active].(activePage); ok {
		cmds = append(cmds, p.SetActive(false))
	}
	m.active = i
	if !m.statusAt.IsZero() {
		// What was said was about the page left; what stays (the start-up
		// word on sending or links) has no time.
		m.status = ""
	}
	cmds = append(cmds, m.fitFooter())
	if p, ok := m.pages[i].(activePage); ok {
		cmds = append(cmds, p.SetActive(true))
	}
	return tea.Batch(cmds...)
}

// refresh hands the current data to every page.
func (m *Model) refresh() tea.Cmd {
	if m.data == nil {
		return nil
	}
	var cmds []tea.Cmd
	for _, p := range m.pages {
		cmds = append(cmds, p.SetData(m.data))
	}
	return tea.Batch(cmds...)
}

// statusFor is how long a confirmation stays in the status bar; errors
// stay until something replaces them. The poll tick redraws the footer.
const statusFor = 5 * time.Second

// setStatus shows text in the status bar, on one line and with any
// control characters from the data it quotes made harmless (see safe).
func (m *Model) setStatus(text string, isErr bool) {
	m.status, m.statusErr, m.statusNote, m.statusAt = safe(text), isErr, false, m.c.Now()
}

// showStatus reports whether the status message is still current.
func (m *Model) showStatus() bool {
	return m.status != "" && (m.statusErr || m.statusAt.IsZero() || m.c.Now().Sub(m.statusAt) < statusFor)
}

// contentSize is the page area: the screen less the header and footer.
func (m *Model) contentSize() (int, int) {
	return m.width, max(1, m.height-2-max(1, m.errorRows))
}

// footerKeysRoom is what the footer keeps for ? and q beside a status.
const footerKeysRoom = 22

// footerRows is how many lines the footer needs for what it says now.
func (m *Model) footerRows() int {
	if m.showStatus() && m.statusErr && lipgloss.Width(m.status)+3+footerKeysRoom > m.width {
		return 2
	}
	return 1
}

// fitFooter gives the pages their new height when the footer grows to
// two lines for a long error or goes back to one.
func (m *Model) fitFooter() tea.Cmd {
	rows := m.footerRows()
	if rows == m.errorRows || m.width == 0 {
		return nil
	}
	m.errorRows = rows
	m.helpKey = ""
	var cmds []tea.Cmd
	for _, p := range m.pages {
		p.SetSize(m.contentSize())
		cmds = append(cmds, p.Update(tea.WindowSizeMsg{Width: m.width, Height: m.height}))
	}
	return tea.Batch(cmds...)
}

// View draws header, page and footer.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "opsdeck"
	return v
}

// wholeScreen is a page that at times needs the whole terminal, without
// the header and the footer: a QR code taller than the page.
type wholeScreen interface {
	// WholeScreen is what to draw on a terminal height lines tall, and
	// whether the page wants the whole of it now.
	WholeScreen(height int) (string, bool)
}

func (m *Model) render() string {
	s := m.c.Styles
	m.pageTop = -1
	if m.width == 0 {
		return "opsdeck: starting…"
	}
	if m.width < MinWidth || m.height < MinHeight {
		return s.StatusErr.Render("Terminal too small") + fmt.Sprintf("\n\nopsdeck needs at least %d×%d; this one is %d×%d.\nEnlarge the window, or press q to quit.",
			MinWidth, MinHeight, m.width, m.height)
	}
	if ws, ok := m.pages[m.active].(wholeScreen); ok && !m.showHelp && !m.palette.open && m.data != nil {
		if view, ok := ws.WholeScreen(m.height); ok {
			return fitBlock(view, m.width, m.height)
		}
	}
	header := m.header()
	_, h := m.contentSize()
	var body string
	switch {
	case m.showHelp:
		body = m.fullHelp()
	case m.palette.open:
		body = m.palette.view(s, m.width, h)
	case m.data == nil && m.loadErr == nil:
		body = s.Subtle.Render("  loading…")
	case m.data == nil:
		body = s.Error.Render("  " + m.loadErr.Error())
	default:
		body = m.pages[m.active].View()
	}
	m.pageTop, m.pageHeight = 1, h
	if line := m.c.sender.view(); line != "" {
		body = line + "\n" + body
		m.pageTop, m.pageHeight = 2, h-1
	}
	body = fitBlock(body, m.width, h)
	return header + "\n" + body + "\n" + m.footer()
}

// header is the brand, the page tabs and the portfolio's name. The tabs
// are named in full when they fit beside the whole name; otherwise the
// current page keeps its whole name and the others go by a short name
// (tabShort), and only on a terminal too narrow even for those by number
// alone (? lists them). The portfolio's name takes what room is left, cut
// short or left out: the tabs are what the user finds pages by.
func (m *Model) header() string {
	s := m.c.Styles
	name := ""
	if m.data != nil {
		name = m.data.Snap.PortfolioName
	}
	cacheKey := fmt.Sprint(m.active, m.width, s.Dark, name)
	if cacheKey == m.headerKey {
		return m.headerView
	}
	m.headerKey = cacheKey
	const full, short, numbers = 0, 1, 2
	// Each tab's columns are kept as it is drawn, for clicks.
	tabX := make([][2]int, len(m.pages))
	tabs := func(naming int) string {
		var out []string
		x := lipgloss.Width(s.Brand.Render("opsdeck")) + 1
		for i, p := range m.pages {
			label := strconv.Itoa(i + 1)
			switch {
			case i == m.active || naming == full:
				label += " " + p.Title()
			case naming == short:
				label += " " + shortTitle(p.Title())
			}
			if i == m.active {
				out = append(out, s.ActiveTab.Render(label))
			} else {
				out = append(out, s.Tab.Render(label))
			}
			w := lipgloss.Width(out[i])
			tabX[i] = [2]int{x, x + w}
			x += w
		}
		return s.Brand.Render("opsdeck") + " " + strings.Join(out, "")
	}
	header := tabs(full)
	if lipgloss.Width(header)+2+lipgloss.Width(name) > m.width {
		if header = tabs(short); lipgloss.Width(header) > m.width {
			header = tabs(numbers)
		}
	}
	// A name cut to fewer than 8 columns says nothing; it is left out.
	if w := m.width - lipgloss.Width(header) - 2; name != "" && w >= min(8, lipgloss.Width(name)) {
		header += " " + s.Subtle.Render(rcell(name, w))
	}
	m.headerView, m.tabX = header, tabX
	return header
}

// tabShort is each page's short name for a narrow tab bar; a page not
// listed goes by its title's first four letters.
var tabShort = map[string]string{
	"Overview": "Over", "Shortfalls": "Short", "Events": "Evts", "Reports": "Rept",
	"Outbox": "Out", "Schedules": "Sched", "Records": "Recs",
}

func shortTitle(title string) string {
	if a, ok := tabShort[title]; ok {
		return a
	}
	if r := []rune(title); len(r) > 5 {
		return string(r[:4])
	}
	return title
}

func (m *Model) footer() string {
	s := m.c.Styles
	status, said := "", ""
	if m.showStatus() {
		switch {
		case m.statusErr:
			said = s.StatusErr.Render(m.status)
		case m.statusNote:
			said = s.Subtle.Render(m.status)
		default:
			said = s.StatusOK.Render("✓ " + m.status)
		}
	}
	// An error too long for the footer's line gets a line of its own
	// above it, wrapped between words, and the line below goes on with it.
	above := ""
	if m.errorRows == 2 && m.showStatus() && m.statusErr {
		lines := strings.Split(wrap(m.status, m.width-2), "\n")
		above = " " + s.StatusErr.Render(lines[0])
		said = ""
		if len(lines) > 1 {
			said = s.StatusErr.Render(clip(strings.Join(lines[1:], " "), m.width-3-footerKeysRoom))
		}
	}
	// The warning gives way to what was just said, and to ? and q.
	if w := warningLine(m.data, m.c.Now(), m.width-lipgloss.Width(said)-26); w != "" {
		status = s.StatusErr.Render(w) + "  "
	}
	status += said
	line := " " + status
	if status != "" {
		line += "  "
	}
	page, next, global := m.pages[m.active].ShortHelp(), m.c.Keys.Next, []key.Binding{m.c.Keys.Help, m.c.Keys.Quit}
	if m.c.canUndo() {
		global = append([]key.Binding{undoKey}, global...)
	}
	if m.pages[m.active].Capturing() || m.palette.open {
		// A form, filter or the palette has the keys (and shows its own): the page's
		// keys, tab and q do not work now.
		page, global = nil, []key.Binding{binding("esc", "back"), binding("ctrl+c", "quit")}
		next.SetEnabled(false)
	}
	width := m.width - lipgloss.Width(line)
	var sig strings.Builder
	fmt.Fprint(&sig, width, m.c.Styles.Dark)
	for _, b := range append(append(page, next), global...) {
		fmt.Fprint(&sig, "\x00", b.Help().Key, "\x00", b.Help().Desc, b.Enabled())
	}
	if sig.String() != m.helpKey {
		m.helpKey = sig.String()
		m.helpView = m.help.ShortHelpView(fitHelp(width, lipgloss.Width(m.help.ShortSeparator), page, next, global))
	}
	foot := lipgloss.NewStyle().MaxWidth(m.width).Render(line + m.helpView)
	if m.errorRows == 2 {
		// Two lines as long as the page is a line shorter, even once the
		// error has gone (until the next status or page switch fits it).
		foot = above + "\n" + foot
	}
	return foot
}

// troubleLine is the status bar's warning: what in the outbox and the
// schedules needs the operator, counted, in one short line, e.g.
// "⚠ outbox: 2 bounced · 1 possible duplicate". Past width columns it
// uses short words, and past that only the totals ("⚠ outbox: 5 to check").
func troubleLine(d *Data, width int) string {
	line := func(short bool) string {
		a := d.Alerts
		var parts []string
		add := func(n int, one, many, abbr string) {
			switch {
			case n == 0:
			case short:
				parts = append(parts, strconv.Itoa(n)+" "+abbr)
			default:
				parts = append(parts, portfolio.Plural(int64(n), one, many))
			}
		}
		add(a.Failed, "failed", "failed", "failed")
		add(a.Uncertain, "uncertain", "uncertain", "uncert.")
		add(a.Bounced, "bounced", "bounced", "bounced")
		add(a.Complained, "complaint", "complaints", "compl.")
		add(a.Duplicates, "possible duplicate", "possible duplicates", "dup?")
		var out []string
		if len(parts) > 0 {
			out = append(out, "outbox: "+strings.Join(parts, " · "))
		}
		if d.FailedRuns > 0 {
			if short {
				out = append(out, fmt.Sprintf("schedules: %d failed", d.FailedRuns))
			} else {
				out = append(out, "schedules: "+portfolio.Plural(int64(d.FailedRuns), "failed run", "failed runs"))
			}
		}
		return "⚠ " + strings.Join(out, "; ")
	}
	if long := line(false); lipgloss.Width(long) <= width {
		return long
	}
	if short := line(true); lipgloss.Width(short) <= width {
		return short
	}
	var out []string
	if n := d.Alerts.total(); n > 0 {
		out = append(out, fmt.Sprintf("outbox: %d to check", n))
	}
	if d.FailedRuns > 0 {
		out = append(out, fmt.Sprintf("schedules: %d failed", d.FailedRuns))
	}
	return "⚠ " + strings.Join(out, "; ")
}

// fitHelp chooses the hints for a footer of width columns: the page's
// own, most important first, then next (tab), then global (? and q),
// which always show. When they do not all fit, next goes first, then the
// page's hints from the last; ? lists every key.
func fitHelp(width, sep int, page []key.Binding, next key.Binding, global []key.Binding) []key.Binding {
	var shown []key.Binding
	for _, b := range page {
		if b.Enabled() {
			shown = append(shown, b)
		}
	}
	size := func(bs []key.Binding) int {
		w := 0
		for i, b := range bs {
			if i > 0 {
				w += sep
			}
			w += lipgloss.Width(b.Help().Key) + 1 + lipgloss.Width(b.Help().Desc)
		}
		return w
	}
	with := func(bs ...[]key.Binding) []key.Binding {
		var out []key.Binding
		for _, b := range bs {
			out = append(out, b...)
		}
		return out
	}
	if next.Enabled() {
		if all := with(shown, []key.Binding{next}, global); size(all) <= width {
			return all
		}
	}
	for n := len(shown); n > 0; n-- {
		if fit := with(shown[:n], global); size(fit) <= width {
			return fit
		}
	}
	return global
}

func (m *Model) fullHelp() string {
	k := m.c.Keys
	global := [][]key.Binding{{k.Next, k.Prev, k.Pages, k.Palette, undoKey, k.Help, k.Quit}}
	page := m.pages[m.active].FullHelp()
	// Columns side by side as far as they fit; the rest go below rather
	// than off the edge.
	wide := m.help
	wide.SetWidth(0)
	var rows []string
	var row [][]key.Binding
	for _, col := range append(global, page...) {
		if len(row) > 0 && lipgloss.Width(wide.FullHelpView(append(row, col))) > m.width {
			rows, row = append(rows, wide.FullHelpView(row)), nil
		}
		row = append(row, col)
	}
	keys := strings.Join(append(rows, wide.FullHelpView(row)), "\n\n")
	// The pages by number, as the header shows them when narrow; a page's
	// number and name stay on one line.
	list, line := "", "Pages:"
	for i, p := range m.pages {
		page := strconv.Itoa(i+1) + " " + p.Title()
		if lipgloss.Width(line)+3+lipgloss.Width(page) > m.width-4 {
			list, line = list+line+"\n  ", "      " // under the first page
		} else if i > 0 {
			line += " ·"
		}
		line += " " + page
	}
	list += line
	return m.c.Styles.Title.Render("  Keys on the "+m.pages[m.active].Title()+" page") + "\n  " + m.c.Styles.Subtle.Render(list) + "\n\n" + keys +
		"\n\n" + m.c.Styles.Subtle.Render("  press ? or esc to close")
}

// goTo is the command that switches to the page titled page and hands
// it then.
func goTo(page string, then tea.Msg) tea.Cmd {
	return func() tea.Msg { return goToMsg{page: page, then: then} }
}

// write runs fn in a write transaction inside a Cmd and reports the result
// as a savedMsg labelled for the status bar.
func write(c *Context, label string, fn func(ctx context.Context, tx *store.Tx) error) tea.Cmd {
	return func() tea.Msg {
		var undo *store.Deleted
		err := c.Store.Update(c.Ctx, c.Actor, func(tx *store.Tx) error {
			if err := fn(c.Ctx, tx); err != nil {
				return err
			}
			undo = tx.Deleted()
			return nil
		})
		return savedMsg{label: label, err: err, undo: undo}
	}
}
