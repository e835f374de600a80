package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	_ "time/tzdata" // event time zones must resolve on servers without a zoneinfo database
)

// EventStatus tracks an event from first plan to wrap-up.
type EventStatus string

// Event statuses.
const (
	EventPlanned   EventStatus = "planned"
	EventConfirmed EventStatus = "confirmed"
	EventDone      EventStatus = "done"
	EventCancelled EventStatus = "cancelled"
)

// Event is a charter, show, gig or job with a crew and a checklist.
type Event struct {
	ID         int64        `json:"id"`
	EntityID   int64        `json:"entity_id"`
	EntityCode string       `json:"entity"`
	Kind       string       `json:"kind"` // charter, event, gig, job
	Title      string       `json:"title"`
	Location   string       `json:"location"`
	DepartsAt  time.Time    `json:"departs_at"`
	TimeZone   string       `json:"time_zone"`
	Duration   int          `json:"duration_minutes"`
	CrewCall   int          `json:"crew_call_minutes"`  // before departure
	Boarding   int          `json:"boarding_minutes"`   // before departure
	Turnaround int          `json:"turnaround_minutes"` // after return
	Guests     int          `json:"guests"`
	Status     EventStatus  `json:"status"`
	Notes      string       `json:"notes"`
	Crew       []CrewMember `json:"crew"`
	Phases     []Phase      `json:"phases"`
}

// CrewMember is a person on an event with their role for it.
type CrewMember struct {
	PersonID int64      `json:"person_id"`
	Name     string     `json:"name"`
	Role     AccessRole `json:"role"` // captain, crew or guest
}

// Phase is a named group of checklist items (pre-departure, underway...)
// that a captain signs off as a whole.
type Phase struct {
	ID            int64           `json:"id"`
	EventID       int64           `json:"event_id"`
	Name          string          `json:"name"`
	Position      int             `json:"position"`
	SignedOffBy   int64           `json:"signed_off_by,omitempty"`
	SignedOffName string          `json:"signed_off_name,omitempty"`
	SignedOffAt   time.Time       `json:"signed_off_at,omitzero"`
	Items         []ChecklistItem `json:"items"`
}

// ChecklistItem is one task on an event's checklist.
type ChecklistItem struct {
	ID            int64      `json:"id"`
	PhaseID       int64      `json:"phase_id"`
	Title         string     `json:"title"`
	RequiredRole  AccessRole `json:"required_role"` // captain or crew
	Position      int        `json:"position"`
	Mandatory     bool       `json:"mandatory"`
	Note          string     `json:"note"`
	ClaimedBy     int64      `json:"claimed_by,omitempty"`
	ClaimedByName string     `json:"claimed_by_name,omitempty"`
	ClaimedAt     time.Time  `json:"claimed_at,omitzero"`
	DoneBy        int64      `json:"done_by,omitempty"`
	DoneByName    string     `json:"done_by_name,omitempty"`
	DoneAt        time.Time  `json:"done_at,omitzero"`
}

// Done reports whether the item has been ticked off.
func (i ChecklistItem) Done() bool { return i.DoneBy != 0 || !i.DoneAt.IsZero() }

// Validate checks e (not its checklist) before it is written.
func (e *Event) Validate() error {
	switch e.Kind {
	case "charter", "event", "gig", "job":
	default:
		return Errorf(EINVALID, "event kind %q must be charter, event, gig or job", e.Kind)
	}
	if err := checkText("event title", e.Title, true, 200); err != nil {
		return err
	}
	if e.DepartsAt.IsZero() {
		return Errorf(EINVALID, "event %q needs a departure time", e.Title)
	}
	if _, err := time.LoadLocation(e.TimeZone); err != nil || e.TimeZone == "" {
		return Errorf(EINVALID, "time zone %q is not an IANA zone such as America/Los_Angeles", e.TimeZone)
	}
	if e.Duration <= 0 || e.Duration > 14*24*60 {
		return Errorf(EINVALID, "duration must be between 1 minute and 14 days")
	}
	for name, v := range map[string]int{"crew call": e.CrewCall, "boarding": e.Boarding, "turnaround": e.Turnaround} {
		if v < 0 || v > 24*60 {
			return Errorf(EINVALID, "%s offset must be between 0 and 24 hours", name)
		}
	}
	if e.Guests < 0 {
		return Errorf(EINVALID, "guests must not be negative")
	}
	switch e.Status {
	case EventPlanned, EventConfirmed, EventDone, EventCancelled:
	default:
		return Errorf(EINVALID, "event status %q must be planned, confirmed, done or cancelled", e.Status)
	}
	return nil
}

// Timing is an event's schedule in its own time zone.
type Timing struct {
	CrewCall       time.Time `json:"crew_call"`
	Boarding       time.Time `json:"boarding"`
	Departure      time.Time `json:"departure"`
	Return         time.Time `json:"return"`
	TurnaroundDone time.Time `json:"turnaround_done"`
}

// Timing derives the event's schedule from its departure and offsets.
func (e Event) Timing() Timing {
	loc, err := Zone(e.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	dep := e.DepartsAt.In(loc)
	ret := dep.Add(time.Duration(e.Duration) * time.Minute)
	return Timing{
		CrewCall:       dep.Add(-time.Duration(e.CrewCall) * time.Minute),
		Boarding:       dep.Add(-time.Duration(e.Boarding) * time.Minute),
		Departure:      dep,
		Return:         ret,
		TurnaroundDone: ret.Add(time.Duration(e.Turnaround) * time.Minute),
	}
}

// Progress counts the checklist's done and total items.
func (e Event) Progress() (done, total int) {
	for _, p := range e.Phases {
		for _, it := range p.Items {
			total++
			if it.Done() {
				done++
			}
		}
	}
	return done, total
}

const eventSelect = `SELECT v.id, v.entity_id, e.code, v.kind, v.title, v.location, v.departs_at, v.time_zone, v.duration_minutes,
	v.crew_call_minutes, v.boarding_minutes, v.turnaround_minutes, v.guests, v.status, v.notes
	FROM events v JOIN entities e ON e.id = v.entity_id`

func scanEvent(row interface{ Scan(...any) error }) (Event, error) {
	var e Event
	var departs string
	if err := row.Scan(&e.ID, &e.EntityID, &e.EntityCode, &e.Kind, &e.Title, &e.Location, &departs, &e.TimeZone,
		&e.Duration, &e.CrewCall, &e.Boarding, &e.Turnaround, &e.Guests, &e.Status, &e.Notes); err != nil {
		return e, err
	}
	var err error
	e.DepartsAt, err = parseTime(departs)
	return e, err
}

// listEvents loads events departing at or after since (all if zero), with
// crew and checklist, in departure order.
func listEvents(ctx context.Context, q querier, since time.Time) ([]Event, error) {
	where, args := "", []any{}
	if !since.IsZero() {
		where, args = " WHERE v.departs_at >= ?", []any{formatTime(since)}
	}
	events, err := queryAll(ctx, q, scanEvent, eventSelect+where+" ORDER BY v.departs_at, v.id", args...)
	if err != nil {
		return nil, err
	}
	for i := range events {
		if err := loadEventDetail(ctx, q, &events[i]); err != nil {
			return nil, err
		}
	}
	return events, nil
}

// Events lists events departing at or after since (every event if since is
// zero), with crew and checklists.
func (s *Store) Events(ctx context.Context, since time.Time) ([]Event, error) {
	return listEvents(ctx, s.read, since)
}

// Event loads one event with its crew and checklist.
func (s *Store) Event(ctx context.Context, id int64) (Event, error) {
	e, err := scanEvent(s.read.QueryRowContext(ctx, eventSelect+" WHERE v.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, Errorf(ENOTFOUND, "no event with id %d", id)
	}
	if err != nil {
		return e, fmt.Errorf("load event %d: %w", id, err)
	}
	return e, loadEventDetail(ctx, s.read, &e)
}

func loadEventDetail(ctx context.Context, q querier, e *Event) error {
	var err error
	e.Crew, err = queryAll(ctx, q, func(row interface{ Scan(...any) error }) (CrewMember, error) {
		var c CrewMember
		err := row.Scan(&c.PersonID, &c.Name, &c.Role)
		return c, err
	}, `SELECT p.id, p.name, c.role FROM event_crew c JOIN people p ON p.id = c.person_id WHERE c.event_id = ?
		ORDER BY CASE c.role WHEN 'captain' THEN 0 WHEN 'crew' THEN 1 ELSE 2 END, p.name`, e.ID)
	if err != nil {
		return fmt.Errorf("load crew of event %d: %w", e.ID, err)
	}
	e.Phases, err = queryAll(ctx, q, func(row interface{ Scan(...any) error }) (Phase, error) {
		var p Phase
		var at *string
		if err := row.Scan(&p.ID, &p.EventID, &p.Name, &p.Position, &p.SignedOffBy, &p.SignedOffName, &at); err != nil {
			return p, err
		}
		var err error
		p.SignedOffAt, err = scanTime(at)
		return p, err
	}, `SELECT ph.id, ph.event_id, ph.name, ph.position, coalesce(ph.signed_off_by, 0), coalesce(p.name, ''), ph.signed_off_at
		FROM checklist_phases ph LEFT JOIN people p ON p.id = ph.signed_off_by WHERE ph.event_id = ? ORDER BY ph.position, ph.id`, e.ID)
	if err != nil {
		return fmt.Errorf("load phases of event %d: %w", e.ID, err)
	}
	items, err := queryAll(ctx, q, scanItem, itemSelect+` WHERE ph.event_id = ? ORDER BY i.phase_id, i.position, i.id`, e.ID)
	if err != nil {
		return fmt.Errorf("load checklist of event %d: %w", e.ID, err)
	}
	byPhase := make(map[int64]*Phase, len(e.Phases))
	for i := range e.Phases {
		byPhase[e.Phases[i].ID] = &e.Phases[i]
	}
	for _, it := range items {
		if p := byPhase[it.PhaseID]; p != nil {
			p.Items = append(p.Items, it)
		}
	}
	return nil
}

const itemSelect = `SELECT i.id, i.phase_id, i.title, i.required_role, i.position, i.mandatory, i.note,
	coalesce(i.claimed_by, 0), coalesce(pc.name, ''), i.claimed_at, coalesce(i.done_by, 0), coalesce(pd.name, ''), i.done_at
	FROM checklist_items i JOIN checklist_phases ph ON ph.id = i.phase_id
	LEFT JOIN people pc ON pc.id = i.claimed_by LEFT JOIN people pd ON pd.id = i.done_by`

func scanItem(row interface{ Scan(...any) error }) (ChecklistItem, error) {
	var it ChecklistItem
	var claimedAt, doneAt *string
	if err := row.Scan(&it.ID, &it.PhaseID, &it.Title, &it.RequiredRole, &it.Position, &it.Mandatory, &it.Note,
		&it.ClaimedBy, &it.ClaimedByName, &claimedAt, &it.DoneBy, &it.DoneByName, &doneAt); err != nil {
		return it, err
	}
	var err error
	if it.ClaimedAt, err = scanTime(claimedAt); err != nil {
		return it, err
	}
	it.DoneAt, err = scanTime(doneAt)
	return it, err
}

// CreateEvent inserts e with its crew, phases and items in the caller's
// transaction. Items may already be claimed or done (the demo's history).
func (tx *Tx) CreateEvent(ctx context.Context, e *Event) error {
	if e.Status == "" {
		e.Status = EventPlanned
	}
	if err := e.Validate(); err != nil {
		return err
	}
	id, err := tx.insert(ctx, "event", fmt.Sprintf("%q", e.Title),
		`INSERT INTO events (entity_id, kind, title, location, departs_at, time_zone, duration_minutes, crew_call_minutes,
		boarding_minutes, turnaround_minutes, guests, status, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.EntityID, e.Kind, e.Title, e.Location, formatTime(e.DepartsAt), e.TimeZone, e.Duration, e.CrewCall,
		e.Boarding, e.Turnaround, e.Guests, e.Status, e.Notes)
	if err != nil {
		return err
	}
	e.ID = id
	for _, c := range e.Crew {
		if c.Role != AccessCaptain && c.Role != AccessCrew && c.Role != AccessGuest {
			return Errorf(EINVALID, "crew role %q must be captain, crew or guest", c.Role)
		}
		if _, err := tx.insert(ctx, "crew member", fmt.Sprint(c.PersonID),
			"INSERT INTO event_crew (event_id, person_id, role) VALUES (?, ?, ?)", id, c.PersonID, c.Role); err != nil {
			return err
		}
	}
	for pi := range e.Phases {
		if err := tx.createPhase(ctx, id, pi+1, &e.Phases[pi]); err != nil {
			return err
		}
	}
	return tx.audit(ctx, "create", "event", id, map[string]any{"title": e.Title, "departs_at": e.DepartsAt})
}

func (tx *Tx) createPhase(ctx context.Context, eventID int64, position int, p *Phase) error {
	if err := checkText("phase name", p.Name, true, 80); err != nil {
		return err
	}
	p.EventID, p.Position = eventID, position
	var err error
	if p.ID, err = tx.insert(ctx, "phase", p.Name,
		"INSERT INTO checklist_phases (event_id, name, position, signed_off_by, signed_off_at) VALUES (?, ?, ?, ?, ?)",
		eventID, p.Name, position, nullID(p.SignedOffBy), timeColumn(p.SignedOffAt)); err != nil {
		return err
	}
	for ii := range p.Items {
		it := &p.Items[ii]
		if err := checkText("item title", it.Title, true, 200); err != nil {
			return err
		}
		if it.RequiredRole == "" {
			it.RequiredRole = AccessCrew
		}
		if it.RequiredRole != AccessCaptain && it.RequiredRole != AccessCrew {
			return Errorf(EINVALID, "item %q: required role must be captain or crew", it.Title)
		}
		it.PhaseID, it.Position = p.ID, ii+1
		if it.ID, err = tx.insert(ctx, "checklist item", fmt.Sprintf("%q", it.Title),
			`INSERT INTO checklist_items (phase_id, title, required_role, position, mandatory, note, claimed_by, claimed_at, done_by, done_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, it.Title, it.RequiredRole, it.Position, it.Mandatory, it.Note, nullID(it.ClaimedBy), timeColumn(it.ClaimedAt),
			nullID(it.DoneBy), timeColumn(it.DoneAt)); err != nil {
			return err
		}
	}
	return nil
}
