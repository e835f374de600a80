package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// kpiDetail is one KPI shown whole (enter on the list): its definition,
// a chart of its readings larger than the list's sparkline, every reading
// with its date and note, and its history.
type kpiDetail struct {
	id       int64
	kpi      portfolio.KPI
	readings []portfolio.Reading // oldest first
	history  []store.AuditEntry
	err      error
	loaded   bool
	view     detailView
	historyK key.Binding
}

// kpiReadingsShown is how many of a KPI's readings its detail reads: years
// of monthly readings.
const kpiReadingsShown = 500

// kpiDetailMsg answers loadKPIDetail.
type kpiDetailMsg struct {
	id       int64
	readings []portfolio.Reading
	history  []store.AuditEntry
	err      error
}

// subjects are the records a KPI's history is of: itself (a reading set
// from its form is written as a change of it) and its readings, as the
// Records page writes them.
func kpiSubjects(id int64, readings []portfolio.Reading) []store.AuditSubject {
	out := []store.AuditSubject{{Type: "kpi", ID: id}}
	// The newest readings: a history is read newest first.
	for i := len(readings) - 1; i >= 0 && len(out) <= historyShown; i-- {
		out = append(out, store.AuditSubject{Type: "reading", ID: readings[i].ID})
	}
	return out
}

func (p *kpiPage) loadKPIDetail(id int64) tea.Cmd {
	st, ctx := p.c.Store, p.c.Ctx
	return func() tea.Msg {
		rs, err := st.Readings(ctx, id, kpiReadingsShown)
		if err != nil {
			return kpiDetailMsg{id: id, err: err}
		}
		h, err := st.AuditPage(ctx, store.AuditQuery{Subjects: kpiSubjects(id, rs), Limit: historyShown})
		return kpiDetailMsg{id: id, readings: rs, history: h, err: err}
	}
}

func (p *kpiPage) openDetail(k portfolio.KPI) tea.Cmd {
	p.detail = &kpiDetail{id: k.ID, kpi: k, historyK: binding("h", "history")}
	p.detail.view.setHeight(p.height)
	p.renderDetail()
	return p.loadKPIDetail(k.ID)
}

// refreshDetail takes the open KPI from fresh data and reads its readings
// again; it closes the detail when the KPI is gone.
func (p *kpiPage) refreshDetail() tea.Cmd {
	for _, k := range p.kpis {
		if k.ID == p.detail.id {
			p.detail.kpi = k
			p.renderDetail()
			return p.loadKPIDetail(k.ID)
		}
	}
	p.detail = nil
	return nil
}

func (p *kpiPage) renderDetail() {
	d := p.detail
	if d == nil {
		return
	}
	s, k := p.c.Styles, d.kpi
	u := k.UnitInfo()
	loc := p.c.Now().Location()
	b := &detailLines{s: s, width: p.width}
	b.text(1, k.EntityCode+" · "+k.Name, s.Title)
	b.blank()
	st := k.Status()
	b.field("Status", st.Label(), s.Status(st))
	cur := "no reading yet"
	if k.Latest != nil {
		cur = u.Format(k.Latest.Value) + "  (" + readingWhen(k.Latest.TakenAt, loc) + ")"
	}
	b.field("Current", cur)
	target := u.Format(k.Target)
	if k.Direction == portfolio.LowerIsBetter {
		target = "≤ " + target + " (lower is better)"
	} else {
		target = "≥ " + target + " (higher is better)"
	}
	b.field("Target", target)
	b.field("Tolerance", portfolio.FormatNumber(k.Tolerance*100)+"% short of the target is at risk")
	b.field("Unit", k.Unit)
	b.field("Owner", k.OwnerRole.Title())
	b.field("Key", k.Key)

	b.heading("Trend")
	switch {
	case !d.loaded:
		b.text(3, "reading…", s.Subtle)
	case d.err != nil:
		b.text(3, "could not be read: "+portfolio.ErrorMessage(d.err), s.Error)
	case len(d.readings) == 0:
		b.text(3, "no readings yet (e adds one)", s.Subtle)
	default:
		values := make([]float64, len(d.readings))
		for i, r := range d.readings {
			values[i] = r.Value
		}
		w := max(12, min(len(values), p.width-20))
		lo, hi := minMax(values[max(0, len(values)-w):])
		bars := lipgloss.NewStyle().Foreground(s.Accent)
		for i, line := range chart(values, w, 4) {
			label := ""
			switch i {
			case 0:
				label = u.Format(hi)
			case 3:
				label = u.Format(lo)
			}
			b.lines = append(b.lines, "   "+bars.Render(line)+" "+s.Subtle.Render(label))
		}
		first := d.readings[max(0, len(d.readings)-w)].TakenAt.In(loc).Format("2 Jan 2006")
		b.text(3, fmt.Sprintf("%s, from %s", countOf(min(w, len(values)), "reading"), first), s.Subtle)
	}

	if d.loaded && d.err == nil && len(d.readings) > 0 {
		b.heading(fmt.Sprintf("Readings (%d, newest first)", len(d.readings)))
		for i := len(d.readings) - 1; i >= 0; i-- {
			r := d.readings[i]
			head := "   " + s.Subtle.Render(readingWhen(r.TakenAt, loc)) + "  " + s.Bold.Render(u.Format(r.Value))
			b.lines = append(b.lines, head)
			if r.Note != "" {
				b.text(5, r.Note)
			}
		}
	}
	b.history("History", d.history, d.err, d.loaded, loc, "h")
	d.view.setLines(b.lines)
}

func (p *kpiPage) updateDetail(msg tea.Msg) tea.Cmd {
	d := p.detail
	if m, ok := msg.(kpiDetailMsg); ok {
		if m.id == d.id {
			d.readings, d.history, d.err, d.loaded = m.readings, m.history, m.err, true
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
		for i, kpi := range p.kpis {
			if kpi.ID == d.id {
				p.list.Select(i)
			}
		}
	case key.Matches(k, d.historyK):
		return showHistory(fmt.Sprintf("KPI %s %s", d.kpi.EntityCode, d.kpi.Name), kpiSubjects(d.id, d.readings))
	case key.Matches(k, p.keys.edit):
		return p.editForm(d.kpi)
	}
	return nil
}

func (p *kpiPage) detailHelp() []key.Binding {
	return []key.Binding{p.c.Keys.Back, p.keys.edit, p.detail.historyK, binding("j/k", "scroll")}
}

func minMax(values []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range values {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return lo, hi
}

// chart draws the last width values as columns rows tall, in eighths of a
// row: the list's sparkline, larger. The lowest value still shows a
// sliver; a flat series is a level band.
func chart(values []float64, width, rows int) []string {
	if len(values) > width {
		values = values[len(values)-width:]
	}
	lo, hi := minMax(values)
	levels := rows * 8
	out := make([]strings.Builder, rows)
	for _, v := range values {
		level := levels / 2
		if hi > lo {
			level = 1 + int(math.Round((v-lo)/(hi-lo)*float64(levels-1)))
		}
		for r := range rows {
			// r counts from the top row.
			fill := level - (rows-1-r)*8
			switch {
			case fill <= 0:
				out[r].WriteByte(' ')
			case fill >= 8:
				out[r].WriteRune(sparkBlocks[7])
			default:
				out[r].WriteRune(sparkBlocks[fill-1])
			}
		}
	}
	lines := make([]string, rows)
	for r := range out {
		lines[r] = cell(out[r].String(), width)
	}
	return lines
}

// readingWhen is how the detail dates a reading.
func readingWhen(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 2 Jan 2006 15:04 MST")
}
