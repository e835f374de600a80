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
	// undo is what this session's deletes took, newest last (see undo.go).
	undo []*store.Deleted
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
	// Suppressions is the suppression list, newest first.
	Suppressions []store.Suppression
	// Alerts counts what the status bar warns about in the outbox;
	// FailedRuns the schedules whose last run failed.
	Alerts     outboxAlerts
	FailedRuns int
	// Trouble counts what needs the operator: failed or uncertain
	// deliveries, bounces, complaints and possible duplicates of the last
	// week (Alerts), failed scheduled runs.
	Trouble int
	// Replica is what a replicating opsdeck serve last reported, when
	// HasReplica (see replica.go); the status bar judges it as it draws.
	Replica    store.ReplicaReport
	HasReplica bool
	// Version is SQLite's data version and Seq the change log's position
	// when this load began: the poll compares the first, and the next
	// reload reads what the log holds after the second.
	Version int64
	Seq     int64
	// Full says this load read everything; otherwise Changes says what it
	// read again, and the rest is the previous load's (see touched).
	Full    bool
	Changes store.Changes
}

// outboxAlerts are the outbox's counts the status bar warns about:
// messages failed or uncertain (until the operator acts), and those of
// the last alertWindow that bounced, drew a complaint or may have gone
// out twice.
type outboxAlerts struct {
	Failed, Uncertain, Bounced, Complained, Duplicates int
}

func (a outboxAlerts) total() int {
	return a.Failed + a.Uncertain + a.Bounced + a.Complained + a.Duplicates
}

// alertWindow is how far back a bounce, a complaint or a possible
// duplicate keeps the status bar's warning: nothing can be done about
// them, but the operator should hear of them.
const alertWindow = 7 * 24 * time.Hour

// eventTime is when a message last changed for the status bar: the
// provider's event, else the sending, else the last update.
func eventTime(m store.OutboxMessage) time.Time {
	switch {
	case !m.EventAt.IsZero():
		return m.EventAt
	case !m.SentAt.IsZero():
		return m.SentAt
	}
	return m.UpdatedAt
}

// trendLength is how many readings a sparkline draws; outboxRows is how
// many deliveries the Outbox page lists (a batch of every report to two
// hundred recipients is a thousand; b on the page reads one batch whole);
// alertRows is how many of the last bounces, complaints and possible
// duplicates the status bar looks through.
const (
	trendLength = 12
	outboxRows  = 2000
	alertRows   = 1000
)

// loadAlerts counts the outbox's alerts: failed and uncertain messages
// over the whole outbox, and the bounces, complaints and possible
// duplicates of the last alertWindow among the newest alertRows of each.
func loadAlerts(c *Context) (outboxAlerts, error) {
	ctx := c.Ctx
	counts, err := c.Store.OutboxCounts(ctx)
	if err != nil {
		return outboxAlerts{}, err
	}
	a := outboxAlerts{Failed: counts[store.OutboxFailed], Uncertain: counts[store.OutboxUncertain]}
	since := c.Now().Add(-alertWindow)
	recent := func(f store.OutboxFilter) (int, error) {
		f.Limit = alertRows
		rows, err := c.Store.Outbox(ctx, f)
		n := 0
		for _, m := range rows {
			if !eventTime(m).Before(since) {
				n++
			}
		}
		return n, err
	}
	if counts[store.OutboxBounced] > 0 {
		if a.Bounced, err = recent(store.OutboxFilter{Status: store.OutboxBounced}); err != nil {
			return a, err
		}
	}
	if counts[store.OutboxComplained] > 0 {
		if a.Complained, err = recent(store.OutboxFilter{Status: store.OutboxComplained}); err != nil {
			return a, err
		}
	}
	a.Duplicates, err = recent(store.OutboxFilter{Duplicates: true})
	return a, err
}
