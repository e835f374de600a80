package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	_ "time/tzdata" // event time zones must resolve on servers without a zoneinfo database

	"opsdeck/portfolio"
)

const eventSelect = `SELECT v.id, v.key, v.entity_id, e.code, v.kind, v.title, v.location, v.departs_at, v.time_zone, v.duration_minutes,
	v.crew_call_minutes, v.boarding_minutes, v.turnaround_minutes, v.guests, v.status, v.notes
	FROM events v JOIN entities e ON e.id = v.entity_id`

func scanEvent(row interface{ Scan(...any) error }) (portfolio.Event, error) {
	var e portfolio.Event
	var departs string
	if err := row.Scan(&e.ID, &e.Key, &e.EntityID, &e.EntityCode, &e.Kind, &e.Title, &e.Location, &departs, &e.TimeZone,
		&e.Duration, &e.CrewCall, &e.Boarding, &e.Turnaround, &e.Guests, &e.Status, &e.Notes); err != nil {
		return e, err
	}
	var err error
	e.DepartsAt, err = parseTime(departs)
	return e, err
}

// listEvents loads events departing at or after since (all if zero), with
// crew and checklist, in departure order.
func listEvents(ctx context.Context, q querier, since time.Time) ([]portfolio.Event, error) {
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
func (s *Store) Events(ctx context.Context, since time.Time) ([]portfolio.Event, error) {
	return listEvents(ctx, s.read, since)
}

// Event loads one event with its key, its crew (with their emails, so
// each crew record's key is the event's and the email) and checklist.
func (s *Store) Event(ctx context.Context, id int64) (portfolio.Event, error) {
	e, err := scanEvent(s.read.QueryRowContext(ctx, eventSelect+" WHERE v.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, portfolio.Errorf(portfolio.ENOTFOUND, "no event with id %d", id)
	}
	if err != nil {
		return e, fmt.Errorf("load event %d: %w", id, err)
	}
	return e, loadEventDetail(ctx, s.read, &e)
}

func loadEventDetail(ctx context.Context, q querier, e *portfolio.Event) error {
	var err error
	e.Crew, err = queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.CrewMember, error) {
		var c portfolio.CrewMember
		err := row.Scan(&c.PersonID, &c.PersonEmail, &c.Name, &c.Role)
		return c, err
	}, `SELECT p.id, p.email, p.name, c.role FROM event_crew c JOIN people p ON p.id = c.person_id WHERE c.event_id = ?
		ORDER BY CASE c.role WHEN 'captain' THEN 0 WHEN 'crew' THEN 1 ELSE 2 END, p.name`, e.ID)
	if err != nil {
		return fmt.Errorf("load crew of event %d: %w", e.ID, err)
	}
	e.Phases, err = queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.Phase, error) {
		var p portfolio.Phase
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
	byPhase := make(map[int64]*portfolio.Phase, len(e.Phases))
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

func scanItem(row interface{ Scan(...any) error }) (portfolio.ChecklistItem, error) {
	var it portfolio.ChecklistItem
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
func (tx *Tx) CreateEvent(ctx context.Context, e *portfolio.Event) error {
	if e.Status == "" {
		e.Status = portfolio.EventPlanned
	}
	if err := e.Validate(); err != nil {
		return err
	}
	if e.Key == "" {
		var err error
		if e.Key, err = tx.newKey(ctx, "events", "", 0, portfolio.InZone(e.DepartsAt, e.TimeZone).Format("2006-01-02")+" "+e.Title); err != nil {
			return err
		}
	}
	id, err := tx.insert(ctx, "event", fmt.Sprintf("%q", e.Title),
		`INSERT INTO events (key, entity_id, kind, title, location, departs_at, time_zone, duration_minutes, crew_call_minutes,
		boarding_minutes, turnaround_minutes, guests, status, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Key, e.EntityID, e.Kind, e.Title, e.Location, formatTime(e.DepartsAt), e.TimeZone, e.Duration, e.CrewCall,
		e.Boarding, e.Turnaround, e.Guests, e.Status, e.Notes)
	if err != nil {
		return err
	}
	e.ID = id
	for _, c := range e.Crew {
		if err := c.Validate(); err != nil {
			return err
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

func (tx *Tx) createPhase(ctx context.Context, eventID int64, position int, p *portfolio.Phase) error {
	if err := p.Validate(); err != nil {
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
		it.PhaseID, it.Position = p.ID, ii+1
		if it.Key == "" {
			if it.Key, err = tx.newKey(ctx, "checklist_items", "phase_id", p.ID, it.Title); err != nil {
				return err
			}
		}
		if it.ID, err = tx.insert(ctx, "checklist item", fmt.Sprintf("%q", it.Title),
			`INSERT INTO checklist_items (key, phase_id, title, required_role, position, mandatory, note, claimed_by, claimed_at, done_by, done_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			it.Key, p.ID, it.Title, it.RequiredRole, it.Position, it.Mandatory, it.Note, nullID(it.ClaimedBy), timeColumn(it.ClaimedAt),
			nullID(it.DoneBy), timeColumn(it.DoneAt)); err != nil {
			return err
		}
	}
	return nil
}
