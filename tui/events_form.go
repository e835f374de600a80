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

	// draft is the event as typed; its error names the form's field it is
	// about (date, clock, zone, duration, crew_call...).
	// clockNote says that the departure time typed is one the clocks skip
	// or show twice that day.
	var clockNote string
	draftOf := func() (portfolio.Event, error) {
		d := ev
		clockNote = ""
		d.EntityID, _ = strconv.ParseInt(entity, 10, 64)
		d.Kind, d.Status = kind, portfolio.EventStatus(state)
		d.TimeZone = strings.TrimSpace(zone)
		d.Title = strings.TrimSpace(d.Title)
		day, err := portfolio.ParseDate(date)
		if err != nil {
			return d, portfolio.FieldErrorf("date", portfolio.EINVALID, "%s", portfolio.ErrorMessage(err))
		}
		hour, minute, err := portfolio.ParseClock(clock)
		if err != nil {
			return d, portfolio.FieldErrorf("clock", portfolio.EINVALID, "%s", portfolio.ErrorMessage(err))
		}
		l, err := portfolio.Zone(d.TimeZone)
		if err != nil || d.TimeZone == "" {
			return d, portfolio.FieldErrorf("zone", portfolio.EINVALID, "time zone %q is not an IANA zone such as America/Los_Angeles", zone)
		}
		d.DepartsAt, clockNote = portfolio.LocalTime(day, hour, minute, l)
		for _, f := range []struct {
			name, label string
			in          string
			out         *int
		}{{"duration", "duration", duration, &d.Duration}, {"crew_call", "crew call", crewCall, &d.CrewCall}, {"boarding", "boarding", boarding, &d.Boarding},
			{"turnaround", "turnaround", turnaround, &d.Turnaround}, {"guests", "guests", guests, &d.Guests}} {
			n, err := strconv.Atoi(strings.TrimSpace(f.in))
			if err != nil {
				return d, portfolio.FieldErrorf(f.name, portfolio.EINVALID, "%s %q is not a whole number", f.label, f.in)
			}
			*f.out = n
		}
		return d, d.Validate()
	}
	var memo struct {
		in  [10]string
		ev  portfolio.Event
		err error
		ok  bool
	}
	draft := func() (portfolio.Event, error) {
		// Every checked field asks on every key: the answer is worked out
		// once for what is typed (an unknown zone is looked for on disk).
		in := [10]string{ev.Title + "\n" + ev.Location, entity, kind, state, zone, date, clock, duration, crewCall, boarding + "," + turnaround + "," + guests}
		if memo.ok && memo.in == in {
			return memo.ev, memo.err
		}
		d, err := draftOf()
		memo.in, memo.ev, memo.err, memo.ok = in, d, err, true
		return d, err
	}
	// fieldOf names the form's field an error is about, from the draft's
	// own or from the event's fields as the store and Validate name them.
	fieldOf := func(err error) string {
		name := portfolio.ErrorField(err)
		if name == "" {
			name = portfolio.MustKind("event").ErrorField(err)
		}
		switch name {
		case "departs_at":
			return "date"
		case "time_zone":
			return "zone"
		}
		return name
	}
	now := p.c.Now()
	checks := &formChecks{fieldOf: fieldOf, whole: func(func(string) bool) (error, []portfolio.Warning) {
		d, err := draft()
		if err != nil {
			return err, nil
		}
		warns := portfolio.Warnings(&d, now)
		for i := range warns {
			if warns[i].Field == "departs_at" {
				warns[i].Field = "date"
			}
		}
		if clockNote != "" {
			warns = append(warns, portfolio.Warning{Field: "clock", Message: clockNote})
		}
		return nil, warns
	}}
	// own is a field's check: the draft's error when it is about that
	// field (an error elsewhere does not hold this one's enter).
	own := func(name string) func(string) error {
		return func(string) error {
			if _, err := draft(); err != nil && fieldOf(err) == name {
				return err
			}
			return nil
		}
	}
	submit := func() tea.Cmd {
		d, err := draftOf()
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
	f, cmd := newCheckedForm(heading, submit, checks, func() []*huh.Group {
		c := checks.field
		return []*huh.Group{
			huh.NewGroup(
				c("title", huh.NewInput().Title("Title").Value(&ev.Title).CharLimit(200), required("a title")),
				c("entity", huh.NewSelect[string]().Title("Entity").Options(entityOpts...).Value(&entity), nil),
				c("kind", huh.NewSelect[string]().Title("Kind").Options(kinds...).Value(&kind), nil),
				c("location", huh.NewInput().Title("Location").Value(&ev.Location).CharLimit(200), nil),
				c("status", huh.NewSelect[string]().Title("Status").Options(states...).Value(&state), nil),
			),
			huh.NewGroup(
				c("date", huh.NewInput().Title("Date").Description("YYYY-MM-DD").Value(&date), own("date")),
				c("clock", huh.NewInput().Title("Departure time").Description("HH:MM, 24-hour").Value(&clock), own("clock")),
				c("zone", huh.NewInput().Title("Time zone").Value(&zone), own("zone")),
				c("duration", huh.NewInput().Title("Duration (minutes)").Value(&duration), own("duration")),
			),
			huh.NewGroup(
				c("crew_call", huh.NewInput().Title("Crew call (minutes before departure)").Value(&crewCall), own("crew_call")),
				c("boarding", huh.NewInput().Title("Boarding (minutes before departure)").Value(&boarding), own("boarding")),
				c("turnaround", huh.NewInput().Title("Turnaround (minutes after return)").Value(&turnaround), own("turnaround")),
				c("guests", huh.NewInput().Title("Guests").Value(&guests), own("guests")),
			),
		}
	})
	p.form = f
	return cmd
}
