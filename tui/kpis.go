package tui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// kpiPage is the table of every KPI with its trend; it edits readings and
// targets, adds and deletes KPIs.
type kpiPage struct {
	c        *Context
	list     *List
	kpis     []portfolio.KPI
	entities []portfolio.Entity
	filter   filterLine
	form     *pageForm
	detail   *kpiDetail // the KPI open whole, or nil
	trends   map[int64][]float64
	width    int
	height   int
	keys     struct{ edit, add, del, open key.Binding }
}

func newKPIPage(c *Context) *kpiPage {
	p := &kpiPage{c: c, list: NewList(c.Styles), filter: newFilterLine("filter by entity, name or status")}
	p.keys.edit = binding("e", "edit value or target")
	p.keys.add = binding("n", "new KPI")
	p.keys.del = binding("d", "delete")
	p.keys.open = binding("enter", "details")
	p.list.SetEmpty("No KPIs yet: n adds the first.")
	return p
}

// needEntity says that what is being added belongs to an entity, and where
// to add one: the Records page, which it puts on Entity.
func needEntity(c *Context, what string) tea.Cmd {
	return tea.Batch(status(what+" belongs to an entity: add one first (press "+c.recordsKey+" for Records, then n)", true),
		func() tea.Msg { return showKindMsg{kind: "entity"} })
}

func (p *kpiPage) Title() string   { return "KPIs" }
func (p *kpiPage) Capturing() bool { return p.form != nil || p.filter.typing }

func (p *kpiPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.list.SetSize(w, h-1)
	p.renderRows()
	if p.detail != nil {
		p.detail.view.setHeight(h)
		p.renderDetail()
	}
}

func (p *kpiPage) SetData(d *Data) tea.Cmd {
	if !d.touched(store.AreaKPI, store.AreaPortfolio) {
		return nil
	}
	p.kpis, p.entities = d.Snap.KPIs, d.Snap.Entities
	// SetData also follows a theme change; the filter's colours go with it.
	p.filter.setDark(p.c.Styles.Dark)
	p.trends = d.Trends
	p.renderRows()
	if p.detail != nil {
		return p.refreshDetail()
	}
	return nil
}

// column widths
const (
	kpiEntityW = 6
	kpiCurW    = 11
	kpiTargetW = 12
	kpiStatusW = 11
	kpiTrendW  = trendLength
)

func (p *kpiPage) nameWidth() int {
	return max(12, p.width-(kpiEntityW+kpiCurW+kpiTargetW+kpiStatusW+kpiTrendW+8))
}

// renderRows draws every row once; cursor moves reuse them.
func (p *kpiPage) renderRows() {
	s := p.c.Styles
	nw := p.nameWidth()
	p.list.SetHeader(s.Subtle.Render(" " + cell("ENTITY", kpiEntityW) + " " + cell("KPI", nw) + " " + rcell("CURRENT", kpiCurW) + " " +
		rcell("TARGET", kpiTargetW) + "  " + cell("STATUS", kpiStatusW) + " " + cell("TREND", kpiTrendW)))
	kpis, trends := p.kpis, p.trends
	// Drawn as they scroll into view: a reload costs nothing until seen.
	p.list.SetRowFunc(len(kpis), func(i int) string {
		k := kpis[i]
		u := k.UnitInfo()
		cur := "—"
		if k.Latest != nil {
			cur = u.Format(k.Latest.Value)
		}
		target := u.Format(k.Target)
		if k.Direction == portfolio.LowerIsBetter {
			target = "≤ " + target
		}
		st := k.Status()
		return " " + s.Bold.Render(cell(k.EntityCode, kpiEntityW)) + " " + cell(k.Name, nw) + " " + rcell(cur, kpiCurW) + " " +
			rcell(target, kpiTargetW) + "  " + s.Status(st).Render(cell(st.Label(), kpiStatusW)) + " " +
			s.Subtle.Render(sparkline(trends[k.ID], kpiTrendW))
	}, func(i int) string {
		k := kpis[i]
		return strings.ToLower(k.EntityCode + " " + k.Key + " " + k.Name + " " + k.Status().Label() + " " + string(k.OwnerRole))
	})
}

func (p *kpiPage) current() (portfolio.KPI, bool) {
	return Selected(p.list, p.kpis)
}

func (p *kpiPage) Update(msg tea.Msg) tea.Cmd {
	if f, ok := msg.(filterMsg); ok && p.form == nil {
		p.filter.set(p.list, f.text)
		return nil
	}
	if cmd, open := updateForm(&p.form, msg); open {
		return cmd
	}
	if p.filter.typing {
		return p.filter.update(p.list, msg)
	}
	if p.detail != nil {
		return p.updateDetail(msg)
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
	case key.Matches(k, p.keys.open):
		if kpi, ok := p.current(); ok {
			return p.openDetail(kpi)
		}
	case key.Matches(k, p.keys.edit):
		if kpi, ok := p.current(); ok {
			return p.editForm(kpi)
		}
	case key.Matches(k, p.keys.add):
		return p.addForm()
	case key.Matches(k, p.keys.del):
		if kpi, ok := p.current(); ok {
			return p.deleteForm(kpi)
		}
	}
	return nil
}

func (p *kpiPage) editForm(k portfolio.KPI) tea.Cmd {
	u := k.UnitInfo()
	value, target, note := "", portfolio.FormatNumber(k.Target), ""
	current := "no reading yet"
	if k.Latest != nil {
		current = "now " + u.Format(k.Latest.Value)
	}
	optional := func(field string) func(string) error {
		return func(s string) error {
			if strings.TrimSpace(s) == "" {
				return nil
			}
			_, err := u.ParseValue(field, s)
			return err
		}
	}
	submit := func() tea.Cmd {
		var upd portfolio.KPIUpdate
		if strings.TrimSpace(value) != "" {
			v, _ := u.ParseValue("value", value)
			upd.Value = &v
		}
		if t, _ := u.ParseValue("target", target); t != k.Target {
			upd.Target = &t
		}
		upd.Note = note
		if upd.Value == nil && upd.Target == nil {
			return func() tea.Msg { return savedMsg{label: "nothing changed"} }
		}
		entity, kpiKey := k.EntityCode, k.Key
		return write(p.c, fmt.Sprintf("%s %s saved", entity, k.Name), func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.SetKPI(ctx, entity, kpiKey, upd)
			return err
		})
	}
	checks := &formChecks{fieldOf: func(err error) string { return portfolio.MustKind("kpi").ErrorField(err) }}
	f, cmd := newCheckedForm(fmt.Sprintf("%s · %s (%s)", k.EntityCode, k.Name, current), submit, checks, func() []*huh.Group {
		c := checks.field
		return []*huh.Group{huh.NewGroup(
			c("value", huh.NewInput().Title("New reading").Description("leave empty to keep the current value").Value(&value),
				optional("value")),
			c("target", huh.NewInput().Title("Target").Value(&target), func(s string) error {
				_, err := u.ParseValue("target", s)
				return err
			}),
			c("note", huh.NewInput().Title("Note").Description("optional, kept with the reading").Value(&note).CharLimit(500), nil),
		)}
	})
	p.form = f
	return cmd
}

func (p *kpiPage) addForm() tea.Cmd {
	var entity, kpiKey, name, target string
	unit, dir, owner := "count", string(portfolio.HigherIsBetter), string(portfolio.RoleCEO)
	var entityOpts []huh.Option[string]
	for _, e := range p.entities {
		entityOpts = append(entityOpts, huh.NewOption(e.Code+"  "+e.Name, e.Code))
	}
	if len(entityOpts) == 0 {
		return needEntity(p.c, "a KPI")
	}
	entity = p.entities[0].Code
	var unitOpts []huh.Option[string]
	for _, u := range []string{"count", "usd", "percent", "rating", "days", "hours"} {
		unitOpts = append(unitOpts, huh.NewOption(u, u))
	}
	var roleOpts []huh.Option[string]
	for _, r := range portfolio.ReportRoles {
		roleOpts = append(roleOpts, huh.NewOption(r.Title(), string(r)))
	}
	draft := func() portfolio.KPI {
		t, _ := strconv.ParseFloat(strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(target), "$"), ",", ""), 64)
		return portfolio.KPI{Key: strings.TrimSpace(kpiKey), Name: strings.TrimSpace(name), Unit: unit, Direction: portfolio.Direction(dir),
			Target: t, Tolerance: 0.1, OwnerRole: portfolio.ReportRole(owner)}
	}
	submit := func() tea.Cmd {
		k := draft()
		var entityID int64
		for _, e := range p.entities {
			if e.Code == entity {
				entityID = e.ID
			}
		}
		k.EntityID = entityID
		return write(p.c, fmt.Sprintf("KPI %s %s added", entity, k.Name), func(ctx context.Context, tx *store.Tx) error {
			return tx.CreateKPI(ctx, &k)
		})
	}
	// A key another KPI of the entity has comes back from the store to
	// the Key field.
	checks := &formChecks{fieldOf: func(err error) string { return portfolio.MustKind("kpi").ErrorField(err) }}
	f, cmd := newCheckedForm("New KPI", submit, checks, func() []*huh.Group {
		c := checks.field
		return []*huh.Group{huh.NewGroup(
			c("entity", huh.NewSelect[string]().Title("Entity").Options(entityOpts...).Value(&entity), nil),
			c("key", huh.NewInput().Title("Key").Description("short name for scripts, e.g. charters").Value(&kpiKey), func(s string) error {
				k := draft()
				k.Key = strings.TrimSpace(s)
				k.Name, k.Target = "x", 0
				return k.Validate()
			}),
			c("name", huh.NewInput().Title("Name").Value(&name), func(s string) error {
				if strings.TrimSpace(s) == "" {
					return portfolio.Errorf(portfolio.EINVALID, "a name is required")
				}
				return nil
			}),
		),
			huh.NewGroup(
				c("unit", huh.NewSelect[string]().Title("Unit").Options(unitOpts...).Value(&unit), nil),
				c("direction", huh.NewSelect[string]().Title("Better when").Options(huh.NewOption("higher", "higher"), huh.NewOption("lower", "lower")).Value(&dir), nil),
				c("target", huh.NewInput().Title("Target").Value(&target), func(s string) error {
					_, err := portfolio.Units[unit].ParseValue("target", s)
					return err
				}),
				c("owner", huh.NewSelect[string]().Title("Owner").Options(roleOpts...).Value(&owner), nil),
			)}
	})
	p.form = f
	return cmd
}

func (p *kpiPage) deleteForm(k portfolio.KPI) tea.Cmd {
	confirm := false
	submit := func() tea.Cmd {
		if !confirm {
			return func() tea.Msg { return savedMsg{label: "kept " + k.Name} }
		}
		id := k.ID
		return write(p.c, fmt.Sprintf("KPI %s %s deleted", k.EntityCode, k.Name), func(ctx context.Context, tx *store.Tx) error {
			return tx.DeleteKPI(ctx, id)
		})
	}
	f, cmd := newPageForm("Delete KPI", submit, func() []*huh.Group {
		return []*huh.Group{huh.NewGroup(
			huh.NewConfirm().Title(fmt.Sprintf("Delete %s %s and all its readings?", k.EntityCode, k.Name)).
				Affirmative("Delete").Negative("Keep").Value(&confirm),
		)}
	})
	p.form = f
	return cmd
}

func (p *kpiPage) View() string {
	if p.form != nil {
		return p.form.view(p.c.Styles, p.width, p.height)
	}
	if p.detail != nil {
		return p.detail.view.view(p.c.Styles)
	}
	top := p.c.Styles.Subtle.Render(" " + countOf(p.list.Len(), "KPI"))
	if p.filter.shown(p.list) {
		top = p.filter.view(p.list)
	}
	return top + "\n" + p.list.View()
}

func (p *kpiPage) ShortHelp() []key.Binding {
	if p.detail != nil {
		return p.detailHelp()
	}
	return []key.Binding{p.keys.open, p.keys.edit, p.keys.add, p.keys.del, p.c.Keys.Filter}
}

func (p *kpiPage) FullHelp() [][]key.Binding {
	k := p.c.Keys
	if p.detail != nil {
		return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}, p.detailHelp()}
	}
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}, {p.keys.open, p.keys.edit, p.keys.add, p.keys.del, k.Filter, k.Back}}
}
