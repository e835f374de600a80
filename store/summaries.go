package store

import (
	"context"
	"fmt"
	"time"

	"opsdeck/portfolio"
)

// eventSummaryColumns are an event's own columns; the checklist counts
// come from one of the two FROM clauses below.
const eventSummaryColumns = `SELECT v.id, e.code, v.kind, v.title, v.location, v.departs_at, v.time_zone, v.duration_minutes,
	v.turnaround_minutes, v.status,
	(SELECT count(*) FROM event_crew c WHERE c.event_id = v.id),`

// eventSummaryAll counts every event's checklist in one grouped pass over
// the items: the cheapest way when every event is listed.
const eventSummaryAll = eventSummaryColumns + `
	coalesce(p.done, 0), coalesce(p.total, 0)
	FROM events v JOIN entities e ON e.id = v.entity_id
	LEFT JOIN (SELECT ph.event_id, count(i.id) AS total, count(i.done_at) AS done
		FROM checklist_phases ph JOIN checklist_items i ON i.phase_id = ph.id GROUP BY ph.event_id) p ON p.event_id = v.id`

// eventSummaryEach counts each listed event's checklist through the
// indexes, so a short list (the snapshot's next events) does not pay for
// grouping every item in the database.
const eventSummaryEach = eventSummaryColumns + `
	(SELECT count(i.done_at) FROM checklist_phases ph JOIN checklist_items i ON i.phase_id = ph.id WHERE ph.event_id = v.id),
	(SELECT count(*) FROM checklist_phases ph JOIN checklist_items i ON i.phase_id = ph.id WHERE ph.event_id = v.id)
	FROM events v JOIN entities e ON e.id = v.entity_id`

func scanEventSummary(row interface{ Scan(...any) error }) (portfolio.EventSummary, error) {
	var e portfolio.EventSummary
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

func listUpcomingSummaries(ctx context.Context, q querier, now time.Time, limit int) ([]portfolio.EventSummary, error) {
	rows, err := queryAll(ctx, q, scanEventSummary,
		eventSummaryEach+` WHERE v.departs_at >= ? AND v.status != 'cancelled' ORDER BY v.departs_at, v.id LIMIT ?`,
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
func (s *Store) EventSummaries(ctx context.Context) ([]portfolio.EventSummary, error) {
	return queryAll(ctx, s.read, scanEventSummary, eventSummaryAll+" ORDER BY v.departs_at, v.id")
}

// RecentReadings returns, for every KPI, its last n readings oldest first:
// the trend a sparkline draws. One query, however many KPIs there are;
// each KPI's readings come off the (kpi_id, taken_at) index, so the cost
// follows the KPIs shown, not the readings ever taken.
func (s *Store) RecentReadings(ctx context.Context, n int) (map[int64][]float64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT r.kpi_id, r.value FROM kpis k JOIN kpi_readings r ON r.id IN (
		SELECT id FROM kpi_readings WHERE kpi_id = k.id ORDER BY taken_at DESC, id DESC LIMIT ?)
		ORDER BY r.kpi_id, r.taken_at, r.id`, n)
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
