package tui

import (
	"fmt"
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
func (p *overviewPage) Init() tea.Cmd   { return nil }
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
	line(" %s", s.Subtle.Render(cell("", code+name)+cell("KPIs", 4*n)+"   "+"OPEN SHORTFALLS"))
	line(" %s", s.Subtle.Render(cell("ENTITY", code)+cell("", name)+rcell("on", n)+rcell("risk", n)+rcell("off", n)+
		rcell(missing, n)+"   "+rcell("crit", n)+rcell("high", n)+rcell("med", n)+rcell("low", n)))
	open := portfolio.RankShortfalls(snap.Shortfalls)
	bySev := func(entity int64) map[portfolio.Severity]int {
		out := map[portfolio.Severity]int{}
		for _, sf := range open {
			if sf.EntityID == entity {
				out[sf.Severity]++
			}
		}
		return out
	}
	num := func(st lipgloss.Style, v int) string {
		if v == 0 {
			return s.Subtle.Render(rcell("·", n))
		}
		return st.Render(rcell(itoa(v), n))
	}
	sevCols := func(sev map[portfolio.Severity]int) string {
		var out string
		for _, v := range portfolio.Severities {
			out += num(s.Severity(v), sev[v])
		}
		return out
	}
	for _, e := range snap.Entities {
		h := portfolio.Health(snap.EntityKPIs(e.ID))
		line(" %s%s%s%s%s%s   %s", s.Bold.Render(cell(e.Code, code)), cell(e.Name, name),
			num(s.Status(portfolio.StatusOnTarget), h.OnTarget), num(s.Status(portfolio.StatusAtRisk), h.AtRisk),
			num(s.Status(portfolio.StatusOffTarget), h.OffTarget), num(s.Status(portfolio.StatusMissing), h.Missing), sevCols(bySev(e.ID)))
	}
	if sev := bySev(0); len(sev) > 0 {
		line(" %s%s%s   %s", s.Bold.Render(cell("*", code)), cell("Portfolio-wide", name), strings.Repeat(" ", 4*n), sevCols(sev))
	}
	h := portfolio.Health(snap.KPIs)
	var impact portfolio.Money
	for _, sf := range open {
		impact += sf.MonthlyImpact
	}
	line("")
	line(" KPIs: %s on target · %s at risk · %s off target · %s missing", s.Status(portfolio.StatusOnTarget).Render(itoa(h.OnTarget)),
		s.Status(portfolio.StatusAtRisk).Render(itoa(h.AtRisk)), s.Status(portfolio.StatusOffTarget).Render(itoa(h.OffTarget)),
		s.Status(portfolio.StatusMissing).Render(itoa(h.Missing)))
	line(" Shortfalls: %d open, %s a month at stake", len(open), impact)

	line("")
	line(" %s", s.Title.Render("Next events"))
	if len(snap.Events) == 0 {
		line("   %s", s.Subtle.Render("none scheduled"))
	}
	for i, e := range snap.Events {
		if i == 5 {
			break
		}
		// On a narrow screen the bar gives way to the title.
		bar := 22
		if p.vp.Width() < 100 {
			bar = 12
		}
		line("   %s  %s %s  %s", cell(e.Local().Format("Mon 2 Jan 15:04 MST"), 21), s.Bold.Render(cell(e.EntityCode, 5)),
			cell(e.Title, max(10, p.vp.Width()-35-bar)), progressBar(e.Done, e.Total, bar))
	}

	burn := snap.Burn()
	line("")
	line(" %s", s.Title.Render("Money"))
	line("   Burn %s–%s a month", burn.Low, burn.High)
	for _, be := range snap.BreakEvens() {
		if be.Reachable {
			units := fmt.Sprintf("%d %ss", be.UnitsHigh, be.Unit)
			if be.UnitsHigh == 1 {
				units = "1 " + be.Unit
			}
			line("   Break-even %s: %s a month (%d at low burn), margin %s a %s", s.Bold.Render(be.EntityCode),
				s.Bold.Render(units), be.UnitsLow, be.Margin, be.Unit)
		} else {
			line("   Break-even %s: never, each %s loses %s", s.Bold.Render(be.EntityCode), be.Unit, -be.Margin)
		}
	}
	p.lines = strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	p.vp.SetContentLines(p.lines)
}
