package store

import (
	"context"
	"fmt"
	"slices"
)

// Area is a part of the database a reader shows and can read again on its
// own. Triggers (migration 0009) note every write under its area, and for
// events and KPIs under the row's event or KPI, in the changes table.
type Area string

const (
	// AreaPortfolio is the snapshot's records other than entities, KPIs
	// and events: people, recipients, shortfalls, finance, marketing,
	// technology and accounting, and the portfolio's name.
	AreaPortfolio Area = "portfolio"
	// AreaEntity is an entity, keyed by its id: events and KPIs show its
	// code, so a change here is read again with them.
	AreaEntity Area = "entity"
	// AreaKPI is a KPI or one of its readings, keyed by the KPI's id.
	AreaKPI Area = "kpi"
	// AreaEvent is an event, its crew, checklist and checklist log, keyed
	// by the event's id.
	AreaEvent Area = "event"
	// AreaCrew is the crew web's access: magic links, keyed by their
	// event, and the sessions they began (0).
	AreaCrew Area = "crew"
	// AreaOutbox is the delivery log: batches, messages, SES events.
	AreaOutbox Area = "outbox"
	// AreaSuppression is the suppression list.
	AreaSuppression Area = "suppression"
	// AreaSchedule is the report schedules and their runs.
	AreaSchedule Area = "schedule"
	// AreaReplica is serve's report of replication health.
	AreaReplica Area = "replica"
	// AreaMeta is the rest of meta (the crew server's address).
	AreaMeta Area = "meta"
)

// changeAreas says, for every table migration 0009 watches, the area its
// writes are noted under; TestEveryTableIsWatchedOrLeftOut holds the
// triggers to it.
var changeAreas = map[string]Area{
	"meta":     "", // by key: see the migration
	"entities": AreaEntity, "people": AreaPortfolio, "report_recipients": AreaPortfolio,
	"kpis": AreaKPI, "kpi_readings": AreaKPI,
	"shortfalls": AreaPortfolio, "actions": AreaPortfolio, "accounts": AreaPortfolio, "cost_lines": AreaPortfolio,
	"unit_economics": AreaPortfolio, "revenue_months": AreaPortfolio, "capital_tiers": AreaPortfolio,
	"financial_rules": AreaPortfolio, "channels": AreaPortfolio, "channel_tasks": AreaPortfolio, "findings": AreaPortfolio,
	"dev_gaps": AreaPortfolio, "recognition_gaps": AreaPortfolio, "milestones": AreaPortfolio,
	"events": AreaEvent, "event_crew": AreaEvent, "checklist_phases": AreaEvent, "checklist_items": AreaEvent,
	"crew_links": AreaCrew, "crew_sessions": AreaCrew,
	"outbox_batches": AreaOutbox, "outbox": AreaOutbox, "ses_events": AreaOutbox,
	"suppressions": AreaSuppression, "schedules": AreaSchedule, "schedule_runs": AreaSchedule,
}

// unwatchedTables are written often and shown by no reader, so a write
// to them alone reads nothing again: the lease serve renews every few
// seconds, refresh tokens rotated as crew phones refresh (a revoke goes
// through the session, which is watched), outbox bodies (written with
// their messages, which are watched), the change log itself and the
// migrations' record. The audit log and the checklist log are written
// only beside a watched table (see migration 0009): a trigger on them
// would cost every write again for nothing.
var unwatchedTables = []string{"leases", "crew_refresh_tokens", "outbox_bodies", "audit_log", "checklist_log", "changes", "schema_migrations"}

// Changes is what was written after a position in the change log.
type Changes struct {
	// Seq is the newest position read: ask from here next time.
	Seq int64
	// Keys holds, for each area written, the events or KPIs written (for
	// AreaEvent, AreaKPI and AreaEntity) or 0 (the area as a whole).
	Keys map[Area][]int64
}

// Any reports whether anything was written.
func (c Changes) Any() bool { return len(c.Keys) > 0 }

// Has reports whether any of the areas was written.
func (c Changes) Has(areas ...Area) bool {
	for _, a := range areas {
		if _, ok := c.Keys[a]; ok {
			return true
		}
	}
	return false
}

// ChangeSeq is the change log's newest position. Read it before what it
// stands for, so that a write in between is seen again rather than lost.
func (s *Store) ChangeSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.read.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM changes").Scan(&seq); err != nil {
		return 0, fmt.Errorf("read the change log: %w", err)
	}
	return seq, nil
}

// ChangesSince returns what was written after position seq. It reads off
// the log's index, so its cost follows what changed, not the database.
func (s *Store) ChangesSince(ctx context.Context, seq int64) (Changes, error) {
	c := Changes{Seq: seq, Keys: map[Area][]int64{}}
	rows, err := s.read.QueryContext(ctx, "SELECT area, key, seq FROM changes WHERE seq > ? ORDER BY seq", seq)
	if err != nil {
		return c, fmt.Errorf("read the change log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a Area
		var key, at int64
		if err := rows.Scan(&a, &key, &at); err != nil {
			return c, fmt.Errorf("read the change log: %w", err)
		}
		c.Keys[a] = append(c.Keys[a], key)
		c.Seq = max(c.Seq, at)
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("read the change log: %w", err)
	}
	for a := range c.Keys {
		slices.Sort(c.Keys[a])
	}
	return c, nil
}

// KindArea is the area a record kind's rows are noted under, so a page
// listing a kind reads it again only when that area changed.
func KindArea(kind string) (Area, error) {
	t, ok := tables[kind]
	if !ok {
		return "", fmt.Errorf("no table for kind %q", kind)
	}
	a, ok := changeAreas[t.name]
	if !ok || a == "" {
		return "", fmt.Errorf("table %s of kind %q is not watched", t.name, kind)
	}
	return a, nil
}
