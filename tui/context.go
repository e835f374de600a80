package tui

import (
	"context"
	"time"

	"opsdeck/mail"
	"opsdeck/portfolio"
	"opsdeck/reports"
	"opsdeck/store"
)

// Context is what every page shares: the store, the report engine, styles,
// keys, and the clock. Pages hold a pointer, so a theme change reaches all.
type Context struct {
	Ctx     context.Context
	Store   *store.Store
	Reports *reports.Engine
	Styles  *Styles
	Keys    KeyMap
	Now     func() time.Time
	// Actor names who makes changes, for the audit log.
	Actor string
	// EventZone is the time zone a new event starts in.
	EventZone string
	// ExportDir is where `x` on the Reports page writes files.
	ExportDir string
	// Mail sends reports; nil when sending is not set up.
	Mail *mail.Service
	// Crew mints magic links and reports live crew changes; nil when the
	// crew server is not available.
	Crew Crew
	// recordsKey is the number key of the Records page, for messages
	// that send the user there ("press 8 for Records").
	recordsKey string
	// sender runs the console's batches (shared by the Reports and Outbox
	// pages).
	sender *sender
}

// Data is one consistent load of what the pages show.
type Data struct {
	Snap   *portfolio.Snapshot
	Events []portfolio.EventSummary
	Trends map[int64][]float64 // KPI id → recent readings, oldest first
	Outbox []store.OutboxMessage
	// Schedules and each role's last run, for the Schedules page and the
	// status bar's warning about failures.
	Schedules []portfolio.Schedule
	LastRuns  map[portfolio.ReportRole]store.ScheduleRun
	// Trouble counts what needs the operator: failed or uncertain
	// deliveries, failed scheduled runs.
	Trouble int
	Version int64
}

// trendLength is how many readings a sparkline draws; outboxRows is how
// many deliveries the Outbox page lists.
const (
	trendLength = 12
	outboxRows  = 500
)

// load reads Data; it runs inside a tea.Cmd, never in Update.
func load(c *Context) (*Data, error) {
	ctx := c.Ctx
	version, err := c.Store.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	snap, err := c.Store.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	events, err := c.Store.EventSummaries(ctx)
	if err != nil {
		return nil, err
	}
	trends, err := c.Store.RecentReadings(ctx, trendLength)
	if err != nil {
		return nil, err
	}
	outbox, err := c.Store.Outbox(ctx, store.OutboxFilter{Limit: outboxRows})
	if err != nil {
		return nil, err
	}
	schedules, err := c.Store.Schedules(ctx)
	if err != nil {
		return nil, err
	}
	d := &Data{Snap: snap, Events: events, Trends: trends, Outbox: outbox, Schedules: schedules,
		LastRuns: map[portfolio.ReportRole]store.ScheduleRun{}, Version: version}
	for _, sc := range schedules {
		if runs, err := c.Store.ScheduleRuns(ctx, sc.Role, 1); err == nil && len(runs) == 1 {
			d.LastRuns[sc.Role] = runs[0]
			if runs[0].Status == "failed" {
				d.Trouble++
			}
		}
	}
	counts, err := c.Store.OutboxCounts(ctx)
	if err != nil {
		return nil, err
	}
	d.Trouble += counts[store.OutboxFailed] + counts[store.OutboxUncertain]
	return d, nil
}
