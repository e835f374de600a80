package tui

import (
	"fmt"
	"strconv"
	"strings"

	"opsdeck/portfolio"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// overviewPage is the portfolio at a glance: entities with KPI health and
// shortfalls by severity, next events, burn and break-even.
type overviewPage struct {
	c    *Context
	vp   viewport.Model // scroll state; View draws lines itself
	data *Data
	// lines is the rendered page, split once per data or size change.
	lines []string
	// targets are the rows the cursor stops on (the entities and the
	// next events), in page order; cursor indexes them.
	targets []overviewTarget
	cursor  int
	// drawn is the last frame and what it was drawn from (the render, the
	// scroll, the cursor, the width): a key that changes none of them,
	// and every frame between keys, reuses it.
	drawn    string
	drawnKey [5]int
	renders  int
}

// overviewTarget is a row of the Overview that enter opens: an entity
// (its KPIs) or an event (its checklist).
type overviewTarget struct {
	line    int
	entity  string
	eventID int64
}

func newOverview(c *Context) *overviewPage {
	return &overviewPage{c: c, vp: viewport.New()}
}

func (p *overviewPage) Title() string   { return "Overview" }
func (p *overviewPage) Capturing() bool { return false }

func (p *overviewPage) SetSize(w, h int) {
	p.vp.SetWidth(w)
	p.vp.SetHeight(h)
	p.render()
}

func (p *overviewPage) SetData(d *Data) tea.Cmd {
	p.data = d
	p.render()
	return nil
}

// The Overview's keys: j/k move between the entities and the events,
// enter opens the one under the cursor on the page that has its detail.
var (
	overviewUp    = binding("k", "up", "up")
	overviewDown  = binding("j", "down", "down")
	overviewOpen  = binding("enter", "open")
	overviewGaps  = binding("s", "entity's shortfalls")
	overviewMoves = key.NewBinding(key.WithKeys("up", "k", "down", "j"), key.WithHelp("↑/↓", "select"))
)

func (p *overviewPage) Update(msg tea.Msg) tea.Cmd {
	if c, ok := msg.(clickMsg); ok {
		return p.click(c.Y)
	}
	if k, ok := msg.(tea.KeyPressMsg); ok && len(p.targets) > 0 {
		switch {
		case key.Matches(k, overviewUp):
			p.move(-1)
			return nil
		case key.Matches(k, overviewDown):
			p.move(1)
			return nil
		case key.Matches(k, overviewOpen):
			return p.open()
		case key.Matches(k, overviewGaps):
			if t := p.targets[min(p.cursor, len(p.targets)-1)]; t.entity != "" {
				return goTo("Shortfalls", filterMsg{text: t.entity})
			}
			return nil
		}
	}
	var cmd tea.Cmd
	p.vp, cmd = p.vp.Update(msg)
	return cmd
}

// move puts the cursor on the next or previous row that opens, scrolling
// to it; past the first or the last one it scrolls the page, so what is
// above or below (the money) can still be read with j and k.
func (p *overviewPage) move(by int) {
	next := p.cursor + by
	if next < 0 || next >= len(p.targets) {
		p.vp.SetYOffset(p.vp.YOffset() + by)
		return
	}
	p.cursor = next
	p.scrollToCursor()
}

func (p *overviewPage) scrollToCursor() {
	if len(p.targets) == 0 {
		return
	}
	line, off, h := p.targets[p.cursor].line, p.vp.YOffset(), p.vp.Height()
	switch {
	case line < off:
		p.vp.SetYOffset(line)
	case line >= off+h:
		p.vp.SetYOffset(line - h + 1)
	}
}

// open goes to the row's detail: an entity's KPIs, an event's checklist.
func (p *overviewPage) open() tea.Cmd {
	t := p.targets[min(p.cursor, len(p.targets)-1)]
	if t.eventID != 0 {
		return goTo("Events", openEventMsg{id: t.eventID})
	}
	return goTo("KPIs", filterMsg{text: t.entity})
}

func (p *overviewPage) View() string {
	off, h := p.vp.YOffset(), p.vp.Height()
	k := [5]int{p.renders, off, h, p.cursor, p.vp.Width()}
	if k == p.drawnKey && p.drawn != "" {
		return p.drawn
	}
	p.drawn, p.drawnKey = p.draw(off, h), k
	return p.drawn
}

// draw is the page's window from line off, h lines, with the cursor row.
func (p *overviewPage) draw(off, h int) string {
	view := window(p.lines, off, h)
	if len(p.targets) == 0 {
		return view
	}
	line := p.targets[min(p.cursor, len(p.targets)-1)].line - max(0, min(off, len(p.lines)-h))
	rows := strings.Split(view, "\n")
	if line < 0 || line >= len(rows) {
		return view
	}
	// Drawn as the lists draw their cursor row: plain, marked, selected.
	plain := ansiStrip(rows[line])
	if rest, ok := strings.CutPrefix(plain, " "); ok {
		plain = cursorMark + rest
	}
	rows[line] = p.c.Styles.Selected.Width(p.vp.Width()).Render(plain)
	return strings.Join(rows, "\n")
}

func (p *overviewPage) ShortHelp() []key.Binding {
	if len(p.targets) == 0 {
		return []key.Binding{p.c.Keys.Up, p.c.Keys.Down}
	}
	return []key.Binding{overviewMoves, overviewOpen, overviewGaps}
}

func (p *overviewPage) FullHelp() [][]key.Binding {
	return [][]key.Binding{{overviewUp, overviewDown, p.c.Keys.PageUp, p.c.Keys.PageDown},
		{binding("enter", "open: an entity's KPIs, an event's checklist"), overviewGaps}}
}

// render lays the page out once per data or size change; scrolling only
// moves the viewport.
func (p *overviewPage) render() {
	if p.data == nil {
		return
	}
	s := p.c.Styles
	snap := p.data.Snap
	var b strings.Builder
	lines := 0
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...); lines++ }
	var targets []overviewTarget

	line(" %s", s.Title.Render("Entities"))
	// Two column groups: KPI health, then open shortfalls by severity. At
	// 80 columns the count columns and the name narrow so a row still fits.
	const code = 7
	n := min(8, max(5, (p.vp.Width()-1-code-16-3)/8))
	name := min(24, p.vp.Width()-1-code-3-8*n)
	missing := "missing"
	if n < 8 {
		missing = "miss"
	}
	r := snap.Rollup()
	if len(r.Entities) == 0 && r.Wide.Open == 0 {
		line("   %s", s.Subtle.Render("No entities yet: press "+p.c.recordsKey+" for Records, then n adds the first."))
	} else {
		line(" %s", s.Subtle.Render(cell("", code+name)+cell("KPIs", 4*n)+"   "+"OPEN SHORTFALLS"))
		line(" %s", s.Subtle.Render(cell("ENTITY", code)+cell("", name)+rcell("on", n)+rcell("risk", n)+rcell("off", n)+
			rcell(missing, n)+"   "+rcell("crit", n)+rcell("high", n)+rcell("med", n)+rcell("low", n)))
	}
	num := func(st lipgloss.Style, v int) string {
		if v == 0 {
			return s.Subtle.Render(rcell("·", n))
		}
		return st.Render(rcell(strconv.Itoa(v), n))
	}
	sevCols := func(c portfolio.ShortfallCounts) string {
		var out string
		for _, v := range portfolio.Severities {
			out += num(s.Severity(v), c.BySeverity[v])
		}
		return out
	}
	for _, e := range r.Entities {
		h := e.KPIs
		targets = append(targets, overviewTarget{line: lines, entity: e.Entity.Code})
		line(" %s%s%s%s%s%s   %s", s.Bold.Render(cell(e.Entity.Code, code)), cell(e.Entity.Name, name),
			num(s.Status(portfolio.StatusOnTarget), h.OnTarget), num(s.Status(portfolio.StatusAtRisk), h.AtRisk),
			num(s.Status(portfolio.StatusOffTarget), h.OffTarget), num(s.Status(portfolio.StatusMissing), h.Missing), sevCols(e.Shortfalls))
	}
	if r.Wide.Open > 0 {
		line(" %s%s%s   %s", s.Bold.Render(cell("*", code)), cell("Portfolio-wide", name), strings.Repeat(" ", 4*n), sevCols(r.Wide))
	}
	h := r.KPIs
	line("")
	if h.Total() == 0 {
		line(" KPIs: none tracked yet")
	} else {
		line(" KPIs: %s on target · %s at risk · %s off target · %s missing", s.Status(portfolio.StatusOnTarget).Render(strconv.Itoa(h.OnTarget)),
			s.Status(portfolio.StatusAtRisk).Render(strconv.Itoa(h.AtRisk)), s.Status(portfolio.StatusOffTarget).Render(strconv.Itoa(h.OffTarget)),
			s.Status(portfolio.StatusMissing).Render(strconv.Itoa(h.Missing)))
	}
	if r.Shortfalls.Open == 0 {
		line(" Shortfalls: none open")
	} else {
		line(" Shortfalls: %d open, %s a month at stake", r.Shortfalls.Open, r.Shortfalls.Impact)
	}

	line("")
	line(" %s", s.Title.Render("Next events"))
	if len(r.NextEvents) == 0 {
		line("   %s", s.Subtle.Render("No upcoming events."))
	}
	for _, e := range r.NextEvents {
		targets = append(targets, overviewTarget{line: lines, eventID: e.ID})
		// On a narrow screen the bar gives way to the title.
		bar := 22
		if p.vp.Width() < 100 {
			bar = 12
		}
		line("   %s  %s %s  %s", cell(e.Local().Format("Mon 2 Jan 15:04 MST"), 21), s.Bold.Render(cell(e.EntityCode, 5)),
			cell(e.Title, max(10, p.vp.Width()-35-bar)), progressBar(e.Done, e.Total, bar))
	}

	line("")
	line(" %s", s.Title.Render("Money"))
	switch {
	case len(snap.CostLines) == 0:
		line("   %s", s.Subtle.Render("No costs recorded yet."))
	case r.Burn.Low == r.Burn.High:
		line("   Burn %s a month", r.Burn.High)
	default:
		line("   Burn %s–%s a month", r.Burn.Low, r.Burn.High)
	}
	for _, be := range r.BreakEvens {
		margin := ""
		if be.Reachable {
			margin = fmt.Sprintf(", margin %s a %s", be.Margin, be.Unit)
		}
		line("   Break-even %s: %s%s", s.Bold.Render(be.EntityCode), be.Sentence(), margin)
	}
	p.lines = strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	p.vp.SetContentLines(p.lines)
	p.renders++
	// The cursor stays on the same row when the data reloads.
	var at overviewTarget
	if p.cursor < len(p.targets) {
		at = p.targets[p.cursor]
	}
	p.targets, p.cursor = targets, 0
	for i, t := range targets {
		if t.entity == at.entity && t.eventID == at.eventID {
			p.cursor = i
		}
	}
}
