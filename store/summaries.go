package store

import (
	"context"
	"fmt"
	"time"
)

// EventSummary is an event without its checklist: what a list of events
// needs, computed in SQL so listing ten thousand events stays cheap.
type EventSummary struct {
	ID         int64       `json:"id"`
	EntityCode string      `json:"entity"`
	Kind       string      `json:"kind"`
	Title      string      `json:"title"`
	Location   string      `json:"location"`
	DepartsAt  time.Time   `json:"departs_at"`
	TimeZone   string      `json:"time_zone"`
	Duration   int         `json:"duration_minutes"`
	Turnaround int         `json:"turnaround_minutes"`
	Status     EventStatus `json:"status"`
	Crew       int         `json:"crew"`
	Done       int         `json:"checklist_done"`
	Total      int         `json:"checklist_total"`
}

// Over is when the crew are finished: return plus turnaround.
func (e EventSummary) Over() time.Time {
	return e.DepartsAt.Add(time.Duration(e.Duration+e.Turnaround) * time.Minute)
}

// Local is the departure in the event's own zone.
func (e EventSummary) Local() time.Time {
	if loc, err := time.LoadLocation(e.TimeZone); err == nil {
		return e.DepartsAt.In(loc)
	}
	return e.DepartsAt
}

const eventSummarySelect = `SELECT v.id, e.code, v.kind, v.title, v.location, v.departs_at, v.time_zone, v.duration_minutes,
	v.turnaround_minutes, v.status,
	(SELECT count(*) FROM event_crew c WHERE c.event_id = v.id),
	coalesce(p.done, 0), coalesce(p.total, 0)
	FROM events v JOIN entities e ON e.id = v.entity_id
	LEFT JOIN (SELECT ph.event_id, count(i.id) AS total, count(i.done_at) AS done
		FROM checklist_phases ph JOIN checklist_items i ON i.phase_id = ph.id GROUP BY ph.event_id) p ON p.event_id = v.id`

func scanEventSummary(row interface{ Scan(...any) error }) (EventSummary, error) {
	var e EventSummary
	var departs string
	if err := row.Scan(&e.ID, &e.EntityCode, &e.Kind, &e.Title, &e.Location, &departs, &e.TimeZone, &e.Duration,
		&e.Turnaround, &e.Status, &e.Crew, &e.Done, &e.Total); err != nil {
		return e, err
	}
	var err error
	e.DepartsAt, err = parseTime(departs)
	return e, err
}

// longestEvent bounds how long before now an event can have departed and
// still not be over (the longest duration plus turnaround allowed).
const longestEvent = 15 * 24 * time.Hour

func listUpcomingSummaries(ctx context.Context, q querier, now time.Time, limit int) ([]EventSummary, error) {
	rows, err := queryAll(ctx, q, scanEventSummary,
		eventSummarySelect+` WHERE v.departs_at >= ? AND v.status != 'cancelled' ORDER BY v.departs_at, v.id LIMIT ?`,
		formatTime(now.Add(-longestEvent)), limit+50)
	if err != nil {
		return nil, fmt.Errorf("list upcoming events: %w", err)
	}
	out := rows[:0]
	for _, e := range rows {
		if e.Over().After(now) && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

// EventSummaries lists every event, soonest departure first.
func (s *Store) EventSummaries(ctx context.Context) ([]EventSummary, error) {
	return queryAll(ctx, s.read, scanEventSummary, eventSummarySelect+" ORDER BY v.departs_at, v.id")
}

// RecentReadings returns, for every KPI, its last n readings oldest first:
// the trend a sparkline draws. One query, however many KPIs there are.
func (s *Store) RecentReadings(ctx context.Context, n int) (map[int64][]float64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT kpi_id, value FROM (
		SELECT kpi_id, value, taken_at, id,
			row_number() OVER (PARTITION BY kpi_id ORDER BY taken_at DESC, id DESC) AS age
		FROM kpi_readings) WHERE age <= ? ORDER BY kpi_id, taken_at, id`, n)
	if err != nil {
		return nil, fmt.Errorf("recent readings: %w", err)
	}
	defer rows.Close()
	out := map[int64][]float64{}
	for rows.Next() {
		var id int64
		var v float64
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		out[id] = append(out[id], v)
	}
	return out, rows.Err()
}
