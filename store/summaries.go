package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
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
		if upcoming(e, now) && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

// upcoming is whether a snapshot lists the event among the next ones.
func upcoming(e portfolio.EventSummary, now time.Time) bool {
	return e.Status != portfolio.EventCancelled && e.Over().After(now)
}

// PatchUpcoming works out Snapshot.Events after a write to the events
// named by ids, from the list before it (old) and those events as they
// are now (fresh, as EventSummariesOf reads them): ok is false when that
// cannot be known without reading the database, because an event left a
// full list and another, unread, would take its place.
func PatchUpcoming(old []portfolio.EventSummary, ids []int64, fresh []portfolio.EventSummary, now time.Time) (_ []portfolio.EventSummary, ok bool) {
	full := len(old) >= SnapshotEvents
	out := slices.DeleteFunc(portfolio.SpliceEvents(old, ids, fresh), func(e portfolio.EventSummary) bool { return !upcoming(e, now) })
	if len(out) < SnapshotEvents && full {
		return nil, false
	}
	return out[:min(len(out), SnapshotEvents)], true
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
	return s.recentReadings(ctx, n, "", nil)
}

// EventSummariesOf returns the summaries of the events named, in the
// order EventSummaries lists them; an id no event has any more is left
// out. Each event's checklist is counted through the indexes, so reading
// the few events a write touched costs little on a big database.
func (s *Store) EventSummariesOf(ctx context.Context, ids []int64) ([]portfolio.EventSummary, error) {
	list, err := idList(ids)
	if err != nil {
		return nil, err
	}
	out, err := queryAll(ctx, s.read, scanEventSummary,
		eventSummaryEach+" WHERE v.id IN (SELECT value FROM json_each(?)) ORDER BY v.departs_at, v.id", list)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return out, nil
}

// UpcomingEvents returns the events a snapshot carries (Snapshot.Events),
// for a reader that saw only events change.
func (s *Store) UpcomingEvents(ctx context.Context) ([]portfolio.EventSummary, error) {
	return listUpcomingSummaries(ctx, s.read, s.now(), SnapshotEvents)
}

// RecentReadingsOf is RecentReadings for the KPIs named: a KPI with no
// readings (or none any more) is absent from the map.
func (s *Store) RecentReadingsOf(ctx context.Context, n int, kpiIDs []int64) (map[int64][]float64, error) {
	list, err := idList(kpiIDs)
	if err != nil {
		return nil, err
	}
	return s.recentReadings(ctx, n, "WHERE k.id IN (SELECT value FROM json_each(?))", list)
}

// recentReadings is the last n readings of the KPIs where says, by KPI.
func (s *Store) recentReadings(ctx context.Context, n int, where string, arg any) (map[int64][]float64, error) {
	args := []any{n}
	if where != "" {
		args = append(args, arg)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT r.kpi_id, r.value FROM kpis k JOIN kpi_readings r ON r.id IN (
		SELECT id FROM kpi_readings WHERE kpi_id = k.id ORDER BY taken_at DESC, id DESC LIMIT ?)
		`+where+`
		ORDER BY r.kpi_id, r.taken_at, r.id`, args...)
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

// idList is ids as one JSON array parameter, so a query takes any number
// of them through json_each without building its text.
func idList(ids []int64) (string, error) {
	b, err := json.Marshal(ids)
	if err != nil {
		return "", fmt.Errorf("list ids: %w", err)
	}
	return string(b), nil
}
