package tui

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"opsdeck/portfolio"
	"opsdeck/reports"
	"opsdeck/store"
)

// schedulePage edits the report schedules: when each role's report goes
// out, paused or not, the next runs, the last run and why it failed.
type schedulePage struct {
	c       *Context
	list    *List
	rows    []portfolio.Schedule
	last    map[portfolio.ReportRole]store.ScheduleRun
	width   int
	height  int
	form    *pageForm
	confirm *pageForm // asks before s sends, as the Reports page does
	snap    *portfolio.Snapshot
	supp    []store.Suppression
	preview *viewport.Model
	filter  filterLine
	keys    struct{ edit, toggle, sendNow, preview key.Binding }
}

type previewMsg struct {
	text string
	err  error
}

func newSchedulePage(c *Context) *schedulePage {
	p := &schedulePage{c: c, list: NewList(c.Styles), filter: newFilterLine("filter by report, state, cron or zone")}
	p.keys.edit = binding("e", "edit")
	p.keys.toggle = binding("p", "pause or resume")
	p.keys.sendNow = binding("s", "send now")
	p.keys.preview = binding("v", "preview the next run")
	return p
}

func (p *schedulePage) Title() string { return "Schedules" }
func (p *schedulePage) Capturing() bool {
	return p.form != nil || p.confirm != nil || p.preview != nil || p.filter.typing
}

func (p *schedulePage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.list.SetSize(w, h-1)
	if p.preview != nil {
		p.preview.SetWidth(w)
		p.preview.SetHeight(h - 1)
	}
	p.renderRows()
}

func (p *schedulePage) SetData(d *Data) tea.Cmd {
	if !d.touched(store.AreaSchedule, store.AreaSuppression, store.AreaPortfolio) {
		return nil // the recipients it counts are the portfolio's
	}
	p.rows, p.last = d.Schedules, d.LastRuns
	p.snap, p.supp = d.Snap, d.Suppressions
	p.filter.setDark(p.c.Styles.Dark)
	p.renderRows()
	return nil
}

// scheduleColumns are the widths of the Schedules table at this page
// width. The report, its state and its next and last runs always show;
// the cron line, then the weekday rule, then the time zone (all in the
// edit form too) join while they fit. Each column is as wide as what it
// holds (and its heading), a space apart, so the optional ones drop only
// when the rows truly do not fit.
type scheduleColumns struct{ when, days, zone, next, last int }

// scheduleCells are one row's texts, before they are laid out.
type scheduleCells struct{ when, zone, days, state, next, last string }

func layoutSchedules(width int, rows []scheduleCells) scheduleColumns {
	const report, state = 11, 7
	widest := func(heading string, of func(r scheduleCells) string) int {
		w := len(heading)
		for _, r := range rows {
			w = max(w, lipgloss.Width(of(r)))
		}
		return w + 1
	}
	c := scheduleColumns{next: widest("NEXT RUN", func(r scheduleCells) string { return r.next })}
	// A failed run's error can be long; it takes what room is left rather
	// than pushing the other columns out.
	last := widest("LAST RUN", func(r scheduleCells) string {
		if strings.HasPrefix(r.last, "FAILED") {
			return ""
		}
		return r.last
	})
	free := width - 1 - report - state - c.next - last
	for _, opt := range []struct {
		col *int
		w   int
	}{
		{&c.when, widest("WHEN", func(r scheduleCells) string { return r.when })},
		{&c.days, widest("DAYS", func(r scheduleCells) string { return r.days })},
		{&c.zone, widest("ZONE", func(r scheduleCells) string { return r.zone })},
	} {
		if free < opt.w {
			break
		}
		*opt.col, free = opt.w, free-opt.w
	}
	c.last = last + max(0, free)
	return c
}

func (p *schedulePage) renderRows() {
	s := p.c.Styles
	cells := make([]scheduleCells, len(p.rows))
	failed := make([]bool, len(p.rows))
	now := p.c.Now()
	for i, sc := range p.rows {
		r := scheduleCells{when: sc.Cron, zone: sc.TimeZone, days: "any day", state: "active", next: "—", last: "never"}
		if sc.WeekdaysOnly {
			r.days = "weekdays"
		}
		if !sc.Enabled {
			r.state = "paused"
		}
		if n, err := sc.Next(now); err == nil {
			r.next = localTime(n, sc.TimeZone) + " (in " + humanDuration(n.Sub(now)) + ")"
		}
		if run, ok := p.last[sc.Role]; ok {
			r.last = run.Status + " " + localTime(run.Slot, sc.TimeZone)
			if run.Status == "failed" {
				r.last, failed[i] = "FAILED: "+run.Error, true
			}
		}
		cells[i] = r
	}
	c := layoutSchedules(p.width, cells)
	p.list.SetHeader(s.Subtle.Render(" " + cell("REPORT", 11) + cell("WHEN", c.when) + cell("ZONE", c.zone) + cell("DAYS", c.days) + cell("STATE", 7) +
		cell("NEXT RUN", c.next) + cell("LAST RUN", c.last)))
	lines := make([]string, len(p.rows))
	search := make([]string, len(p.rows))
	for i, sc := range p.rows {
		r := cells[i]
		stStyle, lastStyle := s.StatusOK, s.App
		if !sc.Enabled {
			stStyle = s.Subtle
		}
		switch {
		case failed[i]:
			lastStyle = s.StatusErr
		case r.last == "never":
			lastStyle = s.Subtle
		}
		lines[i] = " " + s.Bold.Render(cell(sc.Role.Title(), 11)) + cell(r.when, c.when) + cell(r.zone, c.zone) + cell(r.days, c.days) +
			stStyle.Render(cell(r.state, 7)) + cell(r.next, c.next) + lastStyle.Render(cell(r.last, c.last))
		search[i] = strings.ToLower(string(sc.Role) + " " + sc.Role.Title() + " " + r.state + " " + r.when + " " + r.zone + " " + r.days)
	}
	p.list.SetRows(lines, search)
}

// localTime shows t in the schedule's own zone, named, so a time read
// with the zone column out of room still says which clock it is on.
func localTime(t time.Time, zone string) string {
	return portfolio.InZone(t, zone).Format("Mon 2 Jan 15:04 MST")
}

func (p *schedulePage) current() (portfolio.Schedule, bool) {
	return Selected(p.list, p.rows)
}

func (p *schedulePage) Update(msg tea.Msg) tea.Cmd {
	if m, ok := msg.(previewMsg); ok {
		if m.err != nil {
			p.preview = nil
			return status("preview: "+portfolio.ErrorMessage(m.err), true)
		}
		if p.preview != nil {
			p.preview.SetContent(m.text)
		}
		return nil
	}
	if p.preview != nil {
		if k, ok := msg.(tea.KeyPressMsg); ok && (k.String() == "esc" || k.String() == "q") {
			p.preview = nil
			return nil
		}
		vp, cmd := p.preview.Update(msg)
		p.preview = &vp
		return cmd
	}
	if p.confirm != nil {
		// The send answers with no savedMsg: the form closes when done.
		if _, ok := msg.(savedMsg); !ok {
			done, cmd := p.confirm.update(msg)
			if done {
				p.confirm = nil
			}
			switch msg.(type) {
			case tea.KeyPressMsg, clickMsg:
				return cmd // the dialog's, not the list's behind it
			}
			if cmd != nil {
				return cmd
			}
		}
	}
	if cmd, open := updateForm(&p.form, msg); open {
		return cmd
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
		return nil
	}
	sc, have := p.current()
	if !have {
		return nil
	}
	switch {
	case key.Matches(k, p.keys.edit, p.c.Keys.Enter):
		return p.editForm(sc)
	case key.Matches(k, p.keys.toggle):
		role, enable := sc.Role, !sc.Enabled
		word := "paused"
		if enable {
			word = "resumed"
		}
		return write(p.c, fmt.Sprintf("%s schedule %s", role.Title(), word), func(ctx context.Context, tx *store.Tx) error {
			return tx.SetScheduleEnabled(ctx, role, enable)
		})
	case key.Matches(k, p.keys.sendNow):
		f, cmd := confirmSend(p.c, p.snap, p.supp, sc.Role)
		p.confirm = f
		return cmd
	case key.Matches(k, p.keys.preview):
		vp := viewport.New(viewport.WithWidth(p.width), viewport.WithHeight(p.height-1))
		vp.SetContent("rendering…")
		p.preview = &vp
		return p.renderPreview(sc)
	}
	return nil
}

// renderPreview shows what the next run would send: when, to whom, and the
// report as its plain-text part.
func (p *schedulePage) renderPreview(sc portfolio.Schedule) tea.Cmd {
	c, width := p.c, p.width
	return func() tea.Msg {
		snap, err := c.Store.Snapshot(c.Ctx)
		if err != nil {
			return previewMsg{err: err}
		}
		run, err := c.Reports.PreviewNextRun(snap, sc, c.Now(), reports.Text, reports.RenderOptions{Width: min(100, width-2)})
		if err != nil {
			return previewMsg{err: err}
		}
		var to []string
		for _, p := range run.To {
			to = append(to, p.Email)
		}
		head := fmt.Sprintf(" Next run: %s\n To:       %s\n Subject:  %s\n (esc closes)\n\n", localTime(run.At, sc.TimeZone),
			cmp.Or(strings.Join(to, ", "), "—"), run.Subject)
		if run.Paused {
			head = " The schedule is paused: nothing goes out until it is resumed.\n" + head
		}
		return previewMsg{text: head + run.Body}
	}
}

func (p *schedulePage) editForm(sc portfolio.Schedule) tea.Cmd {
	expr, zone, weekdays, enabled := sc.Cron, sc.TimeZone, sc.WeekdaysOnly, sc.Enabled
	draft := func() portfolio.Schedule {
		return portfolio.Schedule{Role: sc.Role, Cron: strings.TrimSpace(expr), TimeZone: strings.TrimSpace(zone), WeekdaysOnly: weekdays, Enabled: enabled}
	}
	// fieldOf names the form's field an error is about: Validate names
	// the schedule's (cron, time_zone).
	fieldOf := func(err error) string {
		if name := portfolio.ErrorField(err); name == "time_zone" {
			return "zone"
		} else if name != "" {
			return name
		}
		return portfolio.MustKind("schedule").ErrorField(err)
	}
	now := p.c.Now()
	// Validate refuses a cron that never runs (0 7 30 2 *: February never
	// has a 30th), as typed; one that runs every few minutes is warned of.
	checks := &formChecks{fieldOf: fieldOf, whole: func(func(string) bool) (error, []portfolio.Warning) {
		d := draft()
		if err := d.Validate(); err != nil {
			return err, nil
		}
		return nil, portfolio.Warnings(&d, now)
	}}
	own := func(name string) func(string) error {
		return func(string) error {
			d := draft()
			if err := d.Validate(); err != nil && fieldOf(err) == name {
				return err
			}
			return nil
		}
	}
	submit := func() tea.Cmd {
		next := draft()
		return write(p.c, sc.Role.Title()+" schedule saved", func(ctx context.Context, tx *store.Tx) error { return tx.SetSchedule(ctx, &next) })
	}
	f, cmd := newCheckedForm("Schedule of the "+sc.Role.Title()+" report", submit, checks, func() []*huh.Group {
		c := checks.field
		return []*huh.Group{huh.NewGroup(
			c("cron", huh.NewInput().Title("When (cron)").Description("minute hour day-of-month month day-of-week, e.g. 0 7 * * 1 for Mondays at 07:00").
				Value(&expr), own("cron")),
			c("zone", huh.NewInput().Title("Time zone").Value(&zone), own("zone")),
			c("weekdays_only", huh.NewConfirm().Title("Weekdays only").Value(&weekdays), nil),
			c("enabled", huh.NewConfirm().Title("Active").Affirmative("Active").Negative("Paused").Value(&enabled), nil),
		)}
	})
	p.form = f
	return cmd
}

func (p *schedulePage) View() string {
	if p.form != nil {
		return p.form.view(p.c.Styles, p.width, p.height)
	}
	if p.confirm != nil {
		return p.confirm.view(p.c.Styles, p.width, p.height)
	}
	if p.preview != nil {
		return p.preview.View()
	}
	if len(p.rows) == 0 {
		return p.c.Styles.Subtle.Render(" No schedules yet: press " + p.c.recordsKey + " for Records, go to Report schedule, then n.")
	}
	top := p.c.Styles.Subtle.Render(" Reports go out on these schedules from the opsdeck holding the worker lease.")
	if p.filter.shown(p.list) {
		top = p.filter.view(p.list)
	}
	return top + "\n" + p.list.View()
}

func (p *schedulePage) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.edit, p.keys.toggle, p.keys.sendNow, p.keys.preview, p.c.Keys.Filter}
}

func (p *schedulePage) FullHelp() [][]key.Binding {
	k := p.c.Keys
	return [][]key.Binding{{k.Up, k.Down}, {p.keys.edit, p.keys.toggle, p.keys.sendNow, p.keys.preview, k.Filter, k.Back}}
}
