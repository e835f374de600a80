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

func (p *overviewPage) Update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	p.vp, cmd = p.vp.Update(msg)
	return cmd
}

func (p *overviewPage) View() string { return window(p.lines, p.vp.YOffset(), p.vp.Height()) }

func (p *overviewPage) ShortHelp() []key.Binding {
	return []key.Binding{p.c.Keys.Up, p.c.Keys.Down}
}

func (p *overviewPage) FullHelp() [][]key.Binding {
	return [][]key.Binding{{p.c.Keys.Up, p.c.Keys.Down, p.c.Keys.PageUp, p.c.Keys.PageDown}}
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
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }

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
}
