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

// shortfallPage lists shortfalls, open ones ranked by return on effort and
// resolved ones after; it adds, edits, resolves and reopens them.
type shortfallPage struct {
	c        *Context
	list     *List
	rows     []portfolio.Shortfall
	entities []portfolio.Entity
	actions  []portfolio.Action
	form     *pageForm
	detail   *shortfallDetail // the shortfall open whole, or nil
	filter   filterLine
	width    int
	height   int
	keys     struct{ add, edit, resolve, reopen, open key.Binding }
}

func newShortfallPage(c *Context) *shortfallPage {
	p := &shortfallPage{c: c, list: NewList(c.Styles), filter: newFilterLine("filter by title, entity, severity, owner or status")}
	p.keys.add = binding("n", "new shortfall")
	p.keys.edit = binding("e", "edit")
	p.keys.resolve = binding("r", "resolve")
	p.keys.reopen = binding("o", "reopen")
	p.keys.open = binding("enter", "details")
	p.list.SetEmpty("No shortfalls yet: n adds the first.")
	return p
}

func (p *shortfallPage) Title() string   { return "Shortfalls" }
func (p *shortfallPage) Capturing() bool { return p.form != nil || p.filter.typing }

func (p *shortfallPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.list.SetSize(w, h-1)
	p.renderRows()
	if p.detail != nil {
		p.detail.view.setHeight(h)
		p.renderDetail()
	}
}

func (p *shortfallPage) SetData(d *Data) tea.Cmd {
	if !d.touched(store.AreaPortfolio) {
		return nil
	}
	p.entities, p.actions = d.Snap.Entities, d.Snap.Actions
	p.filter.setDark(p.c.Styles.Dark)
	p.rows = portfolio.RankShortfalls(d.Snap.Shortfalls)
	for _, s := range d.Snap.Shortfalls {
		if !s.IsOpen() {
			p.rows = append(p.rows, s)
		}
	}
	p.renderRows()
	if p.detail != nil {
		if !p.fillDetail() {
			p.detail = nil
			return nil
		}
		return loadHistory(p.c, shortfallHistoryOf(p.detail.id), p.detail.subjects())
	}
	return nil
}

func (p *shortfallPage) renderRows() {
	s := p.c.Styles
	// Below 90 columns the effort column goes (the return per day already
	// weighs it, and the form shows it) and the others close up, so the
	// title keeps 15 columns at 80.
	const entityW = 7
	ownerW, effortW, gap := 11, 7, "  "
	if p.width < 90 {
		ownerW, effortW, gap = 10, 0, " "
	}
	tw := max(15, p.width-(3+2+9+1+entityW+ownerW+9+effortW+11+len(gap)+11+1))
	p.list.SetHeader(s.Subtle.Render(" " + rcell("#", 3) + "  " + cell("SEVERITY", 9) + cell("SHORTFALL", tw) + " " + cell("ENTITY", entityW) +
		cell("OWNER", ownerW) + rcell("IMPACT/MO", 9) + rcell("EFFORT", effortW) + rcell("RETURN/DAY", 11) + gap + cell("STATUS", 11)))
	lines := make([]string, len(p.rows))
	search := make([]string, len(p.rows))
	rank := 0
	for i, sf := range p.rows {
		num := "·"
		if sf.IsOpen() {
			rank++
			num = strconv.Itoa(rank)
		}
		entity := sf.EntityCode
		if entity == "" {
			entity = "all"
		}
		status := strings.ReplaceAll(string(sf.Status), "_", " ")
		line := " " + rcell(num, 3) + "  " + s.Severity(sf.Severity).Render(cell(string(sf.Severity), 9)) + cell(sf.Title, tw) + " " +
			cell(entity, entityW) + cell(sf.OwnerRole.Title(), ownerW) + rcell(sf.MonthlyImpact.String(), 9) + rcell(portfolio.FormatNumber(sf.EffortDays)+"d", effortW) +
			rcell(portfolio.Dollars(int64(sf.ROI()+0.5)).String(), 11) + gap + cell(status, 11)
		if !sf.IsOpen() {
			line = s.Subtle.Render(ansiStrip(line))
		}
		lines[i] = line
		search[i] = strings.ToLower(sf.Title + " " + entity + " " + string(sf.Severity) + " " + string(sf.OwnerRole) + " " + status)
	}
	p.list.SetRows(lines, search)
}

func (p *shortfallPage) current() (portfolio.Shortfall, bool) {
	return Selected(p.list, p.rows)
}

func (p *shortfallPage) Update(msg tea.Msg) tea.Cmd {
	if cmd, open := updateForm(&p.form, msg); open {
		return cmd
	}
	if f, ok := msg.(filterMsg); ok && p.form == nil {
		p.detail = nil
		p.filter.set(p.list, f.text)
		return nil
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
	sf, have := p.current()
	switch {
	case key.Matches(k, p.c.Keys.Filter):
		return p.filter.start(p.list)
	case key.Matches(k, p.c.Keys.Back):
		p.filter.clear(p.list)
	case key.Matches(k, p.keys.add):
		return p.editForm(portfolio.Shortfall{Status: portfolio.ShortfallOpen, Severity: portfolio.SeverityHigh, OwnerRole: portfolio.RoleCEO, EffortDays: 1})
	case key.Matches(k, p.keys.open) && have:
		return p.openDetail(sf)
	case key.Matches(k, p.keys.edit) && have:
		return p.editForm(sf)
	case key.Matches(k, p.keys.resolve) && have:
		if !sf.IsOpen() {
			return status(fmt.Sprintf("%q is already resolved", sf.Title), true)
		}
		id := sf.ID
		return write(p.c, fmt.Sprintf("resolved %q", sf.Title), func(ctx context.Context, tx *store.Tx) error {
			return tx.ResolveShortfall(ctx, id)
		})
	case key.Matches(k, p.keys.reopen) && have:
		if sf.IsOpen() {
			return status(fmt.Sprintf("%q is open already", sf.Title), true)
		}
		id := sf.ID
		return write(p.c, fmt.Sprintf("reopened %q", sf.Title), func(ctx context.Context, tx *store.Tx) error {
			return tx.ReopenShortfall(ctx, id)
		})
	}
	return nil
}

func status(text string, isErr bool) tea.Cmd {
	return func() tea.Msg { return StatusMsg{Text: text, Err: isErr} }
}

// editForm adds (ID 0) or edits a shortfall.
func (p *shortfallPage) editForm(sf portfolio.Shortfall) tea.Cmd {
	title, detail := sf.Title, sf.Detail
	entity := sf.EntityCode
	role, severity := string(sf.OwnerRole), string(sf.Severity)
	// Plain writes the cents too (99.99), so an edit saves what it shows.
	impact := sf.MonthlyImpact.Plain()
	effort := portfolio.FormatNumber(sf.EffortDays)
	entityOpts := []huh.Option[string]{huh.NewOption("the whole portfolio", "")}
	for _, e := range p.entities {
		entityOpts = append(entityOpts, huh.NewOption(e.Code+"  "+e.Name, e.Code))
	}
	var roleOpts []huh.Option[string]
	for _, r := range portfolio.ReportRoles {
		roleOpts = append(roleOpts, huh.NewOption(r.Title(), string(r)))
	}
	var sevOpts []huh.Option[string]
	for _, v := range portfolio.Severities {
		sevOpts = append(sevOpts, huh.NewOption(string(v), string(v)))
	}
	draft := func() portfolio.Shortfall {
		out := sf
		out.Title, out.Detail = strings.TrimSpace(title), strings.TrimSpace(detail)
		out.OwnerRole, out.Severity = portfolio.ReportRole(role), portfolio.Severity(severity)
		out.MonthlyImpact, _ = portfolio.ParseMoney(impact)
		out.EffortDays, _ = strconv.ParseFloat(strings.TrimSpace(effort), 64)
		out.EntityID, out.EntityCode = 0, entity
		for _, e := range p.entities {
			if e.Code == entity {
				out.EntityID = e.ID
			}
		}
		if out.OpenedOn.IsZero() {
			out.OpenedOn = portfolio.DateOf(p.c.Now())
		}
		return out
	}
	submit := func() tea.Cmd {
		d := draft()
		if d.ID == 0 {
			return write(p.c, fmt.Sprintf("added %q", d.Title), func(ctx context.Context, tx *store.Tx) error {
				return tx.CreateShortfall(ctx, &d)
			})
		}
		return write(p.c, fmt.Sprintf("saved %q", d.Title), func(ctx context.Context, tx *store.Tx) error {
			return tx.UpdateShortfall(ctx, &d)
		})
	}
	heading := "New shortfall"
	if sf.ID != 0 {
		heading = "Edit shortfall"
	}
	// fieldOf names the form's field an error is about, as the
	// shortfall's kind names them or the store's words do.
	fieldOf := func(err error) string {
		switch name := portfolio.MustKind("shortfall").ErrorField(err); name {
		case "monthly_impact":
			return "impact"
		case "effort_days":
			return "effort"
		default:
			return name
		}
	}
	checks := &formChecks{fieldOf: fieldOf, whole: func(func(string) bool) (error, []portfolio.Warning) {
		d := draft()
		if d.Title == "" {
			d.Title = "x" // said by the title's own check, once it is reached
		}
		return d.Validate(), nil
	}}
	f, cmd := newCheckedForm(heading, submit, checks, func() []*huh.Group {
		c := checks.field
		return []*huh.Group{
			huh.NewGroup(
				c("title", huh.NewInput().Title("Title").Value(&title).CharLimit(200), func(s string) error {
					if strings.TrimSpace(s) == "" {
						return portfolio.Errorf(portfolio.EINVALID, "a title is required")
					}
					return nil
				}),
				c("detail", huh.NewInput().Title("Detail").Value(&detail).CharLimit(4000), nil),
				c("entity", huh.NewSelect[string]().Title("Entity").Options(entityOpts...).Value(&entity), nil),
			),
			huh.NewGroup(
				c("owner", huh.NewSelect[string]().Title("Owner").Options(roleOpts...).Value(&role), nil),
				c("severity", huh.NewSelect[string]().Title("Severity").Options(sevOpts...).Value(&severity), nil),
				c("impact", huh.NewInput().Title("Monthly impact ($)").Value(&impact), func(s string) error {
					m, err := portfolio.ParseMoney(s)
					if err == nil && m < 0 {
						err = portfolio.Errorf(portfolio.EINVALID, "impact must not be negative")
					}
					return err
				}),
				c("effort", huh.NewInput().Title("Effort (days)").Value(&effort), func(s string) error {
					d := draft()
					d.EffortDays, _ = strconv.ParseFloat(strings.TrimSpace(s), 64)
					if _, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
						return portfolio.Errorf(portfolio.EINVALID, "effort %q is not a number of days", s)
					}
					d.Title = "x"
					return d.Validate()
				}),
			),
		}
	})
	p.form = f
	return cmd
}

func (p *shortfallPage) View() string {
	if p.form != nil {
		return p.form.view(p.c.Styles, p.width, p.height)
	}
	if p.detail != nil {
		return p.detail.view.view(p.c.Styles)
	}
	open := 0
	for _, sf := range p.rows {
		if sf.IsOpen() {
			open++
		}
	}
	top := p.c.Styles.Subtle.Render(fmt.Sprintf(" %d open, ranked by return on effort; %d resolved", open, len(p.rows)-open))
	if p.filter.shown(p.list) {
		top = p.filter.view(p.list)
	}
	return top + "\n" + p.list.View()
}

func (p *shortfallPage) ShortHelp() []key.Binding {
	if p.detail != nil {
		return p.detailHelp()
	}
	return []key.Binding{p.keys.open, p.keys.add, p.keys.edit, p.keys.resolve, p.keys.reopen, p.c.Keys.Filter}
}

func (p *shortfallPage) FullHelp() [][]key.Binding {
	k := p.c.Keys
	if p.detail != nil {
		return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}, p.detailHelp()}
	}
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {p.keys.open, p.keys.add, p.keys.edit, p.keys.resolve, p.keys.reopen, k.Filter, k.Back}}
}
