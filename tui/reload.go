package tui

import (
	"maps"
	"slices"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// A console beside serve sees SQLite's data version move on every lease
// renewal, replication step and outbox delivery. Reading the whole
// portfolio again each time cost some 90 ms on 10,000 events, so a reload
// reads the change log (store.ChangesSince) and only the areas written
// since the last load; pages skip the work for areas that did not change.

// maxKeyed is how many events or KPIs a reload reads one by one: past it
// (an import, a reset) reading them all in one pass is cheaper.
const maxKeyed = 200

// touched reports whether this load read any of the areas again.
func (d *Data) touched(areas ...store.Area) bool { return d.Full || d.Changes.Has(areas...) }

// touchedEvent reports whether this load read the event again.
func (d *Data) touchedEvent(id int64) bool {
	if d.Full || d.Changes.Has(store.AreaEntity) {
		return true
	}
	_, found := slices.BinarySearch(d.Changes.Keys[store.AreaEvent], id)
	return found
}

// load reads everything; it runs inside a tea.Cmd, never in Update.
func load(c *Context) (*Data, error) {
	ctx := c.Ctx
	version, err := c.Store.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	// The log's position before the data it stands for: a write in
	// between is read again next time, never missed.
	seq, err := c.Store.ChangeSeq(ctx)
	if err != nil {
		return nil, err
	}
	d := &Data{Version: version, Seq: seq, Full: true}
	if d.Snap, err = c.Store.Snapshot(ctx); err != nil {
		return nil, err
	}
	if d.Events, err = c.Store.EventSummaries(ctx); err != nil {
		return nil, err
	}
	if d.Trends, err = c.Store.RecentReadings(ctx, trendLength); err != nil {
		return nil, err
	}
	if err := loadOutbox(c, d); err != nil {
		return nil, err
	}
	if err := loadSchedules(c, d); err != nil {
		return nil, err
	}
	if d.Suppressions, err = c.Store.Suppressions(ctx); err != nil {
		return nil, err
	}
	d.Trouble = d.FailedRuns + d.Alerts.total()
	d.Replica, d.HasReplica = loadReplica(c)
	return d, nil
}

// reload reads what was written since old was loaded and takes the rest
// from old, which it leaves as it was: the interface may be drawing it.
// With nothing written that the console shows, it returns old's data
// under the new version and position, with no area touched.
func reload(c *Context, old *Data) (*Data, error) {
	ctx := c.Ctx
	version, err := c.Store.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	head, err := c.Store.ChangeSeq(ctx)
	if err != nil {
		return nil, err
	}
	if head < old.Seq {
		// The log went back: the file was replaced (a restore).
		return load(c)
	}
	ch, err := c.Store.ChangesSince(ctx, old.Seq)
	if err != nil {
		return nil, err
	}
	if ch.Has(store.AreaEntity) || len(ch.Keys[store.AreaEvent]) > maxKeyed || len(ch.Keys[store.AreaKPI]) > maxKeyed {
		// Entity codes show on every event and KPI; many rows at once
		// are cheaper read in one pass.
		return load(c)
	}
	d := *old
	d.Version, d.Seq, d.Full, d.Changes = version, ch.Seq, false, ch
	if !ch.Any() {
		return &d, nil
	}
	var fresh []portfolio.EventSummary
	if ids := ch.Keys[store.AreaEvent]; len(ids) > 0 {
		if fresh, err = c.Store.EventSummariesOf(ctx, ids); err != nil {
			return nil, err
		}
		d.Events = portfolio.SpliceEvents(old.Events, ids, fresh)
	}
	switch {
	case ch.Has(store.AreaPortfolio):
		if d.Snap, err = c.Store.Snapshot(ctx); err != nil {
			return nil, err
		}
	default:
		// The snapshot's other records are as they were: only its KPIs,
		// its next events and the time of the last change can have moved.
		snap := *old.Snap
		snap.TakenAt = c.Store.Now()
		if snap.AsOf, err = c.Store.LastChangeAt(ctx); err != nil {
			return nil, err
		}
		if ch.Has(store.AreaKPI) {
			if snap.KPIs, err = c.Store.KPIs(ctx, ""); err != nil {
				return nil, err
			}
		}
		if ids := ch.Keys[store.AreaEvent]; len(ids) > 0 {
			var ok bool
			if snap.Events, ok = store.PatchUpcoming(old.Snap.Events, ids, fresh, snap.TakenAt); !ok {
				if snap.Events, err = c.Store.UpcomingEvents(ctx); err != nil {
					return nil, err
				}
			}
		}
		d.Snap = &snap
	}
	if ids := ch.Keys[store.AreaKPI]; len(ids) > 0 {
		fresh, err := c.Store.RecentReadingsOf(ctx, trendLength, ids)
		if err != nil {
			return nil, err
		}
		d.Trends = maps.Clone(old.Trends)
		for _, id := range ids {
			delete(d.Trends, id)
		}
		maps.Copy(d.Trends, fresh)
	}
	if ch.Has(store.AreaOutbox) {
		if err := loadOutbox(c, &d); err != nil {
			return nil, err
		}
	}
	if ch.Has(store.AreaSchedule) {
		if err := loadSchedules(c, &d); err != nil {
			return nil, err
		}
	}
	if ch.Has(store.AreaSuppression) {
		if d.Suppressions, err = c.Store.Suppressions(ctx); err != nil {
			return nil, err
		}
	}
	if ch.Has(store.AreaReplica) {
		d.Replica, d.HasReplica = loadReplica(c)
	}
	d.Trouble = d.FailedRuns + d.Alerts.total()
	return &d, nil
}

// loadOutbox reads the Outbox page's messages and the status bar's
// counts of what went wrong.
func loadOutbox(c *Context, d *Data) error {
	var err error
	if d.Outbox, err = c.Store.Outbox(c.Ctx, store.OutboxFilter{Limit: outboxRows}); err != nil {
		return err
	}
	d.Alerts, err = loadAlerts(c)
	return err
}

// loadSchedules reads the schedules and each role's last run.
func loadSchedules(c *Context, d *Data) error {
	ctx := c.Ctx
	var err error
	if d.Schedules, err = c.Store.Schedules(ctx); err != nil {
		return err
	}
	d.LastRuns, d.FailedRuns = map[portfolio.ReportRole]store.ScheduleRun{}, 0
	for _, sc := range d.Schedules {
		if runs, err := c.Store.ScheduleRuns(ctx, sc.Role, 1); err == nil && len(runs) == 1 {
			d.LastRuns[sc.Role] = runs[0]
			if runs[0].Status == "failed" {
				d.FailedRuns++
			}
		}
	}
	return nil
}
