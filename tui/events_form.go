package tui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// newEventZone is where a new event starts: where the last event added
// is (an owner's events are mostly in one place), else the console's own
// zone.
func (p *eventPage) newEventZone() string {
	var last portfolio.EventSummary
	for _, e := range p.all {
		if e.ID > last.ID && e.TimeZone != "" {
			last = e
		}
	}
	if last.ID != 0 {
		return last.TimeZone
	}
	return p.c.EventZone
}

// eventForm adds (e nil) or edits an event's own fields.
func (p *eventPage) eventForm(e *portfolio.Event) tea.Cmd {
	ev := portfolio.Event{Kind: "charter", Status: portfolio.EventPlanned, TimeZone: p.newEventZone(), Duration: 180, CrewCall: 60,
		Boarding: 30, Turnaround: 60}
	heading := "New event"
	if e != nil {
		ev = *e
		heading = "Edit event"
	} else if len(p.entities) > 0 {
		ev.EntityID = p.entities[0].ID
	} else {
		return needEntity(p.c, "an event")
	}
	loc, err := time.LoadLocation(ev.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	departs := ev.DepartsAt.In(loc)
	if e == nil {
		departs = time.Date(p.c.Now().In(loc).Year(), p.c.Now().In(loc).Month(), p.c.Now().In(loc).Day()+7, 17, 0, 0, 0, loc)
	}
	entity := strconv.FormatInt(ev.EntityID, 10)
	kind, state := ev.Kind, string(ev.Status)
	date, clock, zone := departs.Format(time.DateOnly), departs.Format("15:04"), ev.TimeZone
	num := func(n int) string { return strconv.Itoa(n) }
	duration, crewCall, boarding, turnaround, guests := num(ev.Duration), num(ev.CrewCall), num(ev.Boarding), num(ev.Turnaround), num(ev.Guests)

	draft := func() (portfolio.Event, error) {
		d := ev
		d.EntityID, _ = strconv.ParseInt(entity, 10, 64)
		d.Kind, d.Status = kind, portfolio.EventStatus(state)
		d.TimeZone = strings.TrimSpace(zone)
		d.Title = strings.TrimSpace(d.Title)
		l, err := time.LoadLocation(d.TimeZone)
		if err != nil || d.TimeZone == "" {
			return d, portfolio.Errorf(portfolio.EINVALID, "time zone %q is not an IANA zone such as America/Los_Angeles", zone)
		}
		t, err := time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(date)+" "+strings.TrimSpace(clock), l)
		if err != nil {
			return d, portfolio.Errorf(portfolio.EINVALID, "date and time must look like 2026-12-24 and 17:30")
		}
		d.DepartsAt = t
		for _, f := range []struct {
			name string
			in   string
			out  *int
		}{{"duration", duration, &d.Duration}, {"crew call", crewCall, &d.CrewCall}, {"boarding", boarding, &d.Boarding},
			{"turnaround", turnaround, &d.Turnaround}, {"guests", guests, &d.Guests}} {
			n, err := strconv.Atoi(strings.TrimSpace(f.in))
			if err != nil {
				return d, portfolio.Errorf(portfolio.EINVALID, "%s %q is not a whole number", f.name, f.in)
			}
			*f.out = n
		}
		return d, d.Validate()
	}
	validField := func(string) error {
		_, err := draft()
		return err
	}
	submit := func() tea.Cmd {
		d, err := draft()
		if err != nil {
			return func() tea.Msg { return savedMsg{err: err} }
		}
		if d.ID == 0 {
			d.Phases = portfolio.DefaultPhases(d.Kind)
			return write(p.c, fmt.Sprintf("added %q", d.Title), func(ctx context.Context, tx *store.Tx) error { return tx.CreateEvent(ctx, &d) })
		}
		return write(p.c, fmt.Sprintf("saved %q", d.Title), func(ctx context.Context, tx *store.Tx) error { return tx.UpdateEvent(ctx, &d) })
	}
	var entityOpts []huh.Option[string]
	for _, en := range p.entities {
		entityOpts = append(entityOpts, huh.NewOption(en.Code+"  "+en.Name, strconv.FormatInt(en.ID, 10)))
	}
	kinds := huh.NewOptions("charter", "event", "gig", "job")
	states := huh.NewOptions(string(portfolio.EventPlanned), string(portfolio.EventConfirmed), string(portfolio.EventDone), string(portfolio.EventCancelled))
	f, cmd := newPageForm(heading, submit, func() []*huh.Group {
		return []*huh.Group{
			huh.NewGroup(
				huh.NewInput().Title("Title").Value(&ev.Title).CharLimit(200).Validate(required("a title")),
				huh.NewSelect[string]().Title("Entity").Options(entityOpts...).Value(&entity),
				huh.NewSelect[string]().Title("Kind").Options(kinds...).Value(&kind),
				huh.NewInput().Title("Location").Value(&ev.Location).CharLimit(200),
				huh.NewSelect[string]().Title("Status").Options(states...).Value(&state),
			),
			huh.NewGroup(
				huh.NewInput().Title("Date").Description("YYYY-MM-DD").Value(&date).Validate(validField),
				huh.NewInput().Title("Departure time").Description("HH:MM, 24-hour").Value(&clock).Validate(validField),
				huh.NewInput().Title("Time zone").Value(&zone).Validate(validField),
				huh.NewInput().Title("Duration (minutes)").Value(&duration).Validate(validField),
			),
			huh.NewGroup(
				huh.NewInput().Title("Crew call (minutes before departure)").Value(&crewCall).Validate(validField),
				huh.NewInput().Title("Boarding (minutes before departure)").Value(&boarding).Validate(validField),
				huh.NewInput().Title("Turnaround (minutes after return)").Value(&turnaround).Validate(validField),
				huh.NewInput().Title("Guests").Value(&guests).Validate(validField),
			),
		}
	})
	p.form = f
	return cmd
}
