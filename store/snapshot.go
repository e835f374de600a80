package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"opsdeck/portfolio"
)

// SnapshotEvents bounds the upcoming events a snapshot carries; the full
// list, with checklists, is read page by page where it is shown.
const SnapshotEvents = 20

// Snapshot reads the whole portfolio.
func (s *Store) Snapshot(ctx context.Context) (*portfolio.Snapshot, error) {
	snap := &portfolio.Snapshot{TakenAt: s.now()}
	err := s.View(ctx, func(tx *sql.Tx) error {
		var err error
		if snap.PortfolioName, err = metaValue(ctx, tx, "portfolio_name", "Portfolio"); err != nil {
			return err
		}
		if snap.AsOf, err = lastChangeAt(ctx, tx); err != nil {
			return err
		}
		steps := []struct {
			name string
			load func() error
		}{
			{"entities", func() (err error) { snap.Entities, err = listEntities(ctx, tx); return }},
			{"people", func() (err error) { snap.People, err = listPeople(ctx, tx); return }},
			{"recipients", func() (err error) { snap.Recipients, err = listRecipients(ctx, tx); return }},
			{"KPIs", func() (err error) { snap.KPIs, err = listKPIs(ctx, tx, ""); return }},
			{"shortfalls", func() (err error) { snap.Shortfalls, err = listShortfalls(ctx, tx); return }},
			{"actions", func() (err error) { snap.Actions, err = listActions(ctx, tx); return }},
			{"cost lines", func() (err error) { snap.CostLines, err = listCostLines(ctx, tx); return }},
			{"unit economics", func() (err error) { snap.UnitEconomics, err = listUnitEconomics(ctx, tx); return }},
			{"revenue", func() (err error) { snap.RevenueMonths, err = listRevenueMonths(ctx, tx); return }},
			{"capital tiers", func() (err error) { snap.CapitalTiers, err = listCapitalTiers(ctx, tx); return }},
			{"financial rules", func() (err error) { snap.FinancialRules, err = listFinancialRules(ctx, tx); return }},
			{"channels", func() (err error) { snap.Channels, err = listChannels(ctx, tx); return }},
			{"findings", func() (err error) { snap.Findings, err = listFindings(ctx, tx); return }},
			{"dev gaps", func() (err error) { snap.DevGaps, err = listDevGaps(ctx, tx); return }},
			{"accounts", func() (err error) { snap.Accounts, err = listAccounts(ctx, tx); return }},
			{"recognition gaps", func() (err error) { snap.RecognitionGaps, err = listRecognitionGaps(ctx, tx); return }},
			{"milestones", func() (err error) { snap.Milestones, err = listMilestones(ctx, tx); return }},
			{"events", func() (err error) {
				snap.Events, err = listUpcomingSummaries(ctx, tx, snap.TakenAt, SnapshotEvents)
				return
			}},
		}
		for _, st := range steps {
			if err := st.load(); err != nil {
				return fmt.Errorf("load %s: %w", st.name, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read portfolio: %w", err)
	}
	return snap, nil
}

// lastChangeAt is when the newest audited change was made: what a
// snapshot is "as of". Zero when nothing has been.
func lastChangeAt(ctx context.Context, q querier) (time.Time, error) {
	// The newest row rather than max(at): the same time, as rows are
	// only ever added, in their order, but one look-up instead of a
	// scan of a log that grows with every change.
	var at sql.NullString
	if err := q.QueryRowContext(ctx, "SELECT (SELECT at FROM audit_log ORDER BY id DESC LIMIT 1)").Scan(&at); err != nil {
		return time.Time{}, fmt.Errorf("read the last change: %w", err)
	}
	if !at.Valid {
		return time.Time{}, nil
	}
	return parseTime(at.String)
}

// LastChangeAt is Snapshot.AsOf read on its own, for a reader that
// refreshes only part of a snapshot.
func (s *Store) LastChangeAt(ctx context.Context) (time.Time, error) {
	return lastChangeAt(ctx, s.read)
}

func metaValue(ctx context.Context, q querier, key, fallback string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return fallback, nil
	}
	return v, err
}

// SetMeta records a portfolio-wide setting such as the portfolio's name.
func (tx *Tx) SetMeta(ctx context.Context, key, value string) error {
	if err := portfolio.ValidateMeta(key, value); err != nil {
		return err
	}
	if _, err := tx.tx.ExecContext(ctx,
		"INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value); err != nil {
		return fmt.Errorf("set %s: %w", key, err)
	}
	return tx.audit(ctx, "set", "meta", 0, map[string]string{key: value})
}

// IsEmpty reports whether the database holds no portfolio yet: no record
// of any kind, no schedule and no name, so that nothing an owner has
// begun is written over without --force.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	for _, t := range portfolioTables {
		q := "SELECT EXISTS (SELECT 1 FROM " + t + ")"
		if t == "meta" {
			// What serve records there of itself (the crew server's
			// address, the replica's health) is no portfolio begun.
			q = "SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'portfolio_name')"
		}
		var found bool
		if err := s.read.QueryRowContext(ctx, q).Scan(&found); err != nil {
			return false, fmt.Errorf("look in %s: %w", t, err)
		}
		if found {
			return false, nil
		}
	}
	return true, nil
}

// portfolioTables are the tables Reset clears, children before parents.
var portfolioTables = []string{
	"crew_refresh_tokens", "crew_sessions", "crew_links", "checklist_items", "checklist_phases", "event_crew", "events",
	// The checklist log refuses deletes while its event exists, so it is
	// emptied by the events' cascade and listed after them.
	"checklist_log", "milestones", "recognition_gaps", "dev_gaps",
	"findings", "channel_tasks", "channels", "financial_rules", "capital_tiers", "revenue_months", "unit_economics",
	"cost_lines", "accounts", "actions", "shortfalls", "kpi_readings", "kpis", "report_recipients", "people",
	"entities", "schedules", "meta",
}

// Reset deletes the whole portfolio (but not the audit log, which records
// the reset).
func (tx *Tx) Reset(ctx context.Context) error {
	for _, t := range portfolioTables {
		if _, err := tx.tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			return fmt.Errorf("clear %s: %w", t, err)
		}
	}
	return tx.audit(ctx, "reset", "portfolio", 0, nil)
}

// crewServerURLKey is where a running crew server says the address its
// links are minted under, for `opsdeck link` run beside it.
const crewServerURLKey = "crew_server_url"

// SetCrewServerURL records the address the crew server now listens under;
// a restart on the same address writes nothing.
func (s *Store) SetCrewServerURL(ctx context.Context, actor, url string) error {
	return s.Update(ctx, actor, func(tx *Tx) error {
		old, err := metaValue(ctx, tx.tx, crewServerURLKey, "")
		if err != nil || old == url {
			return err
		}
		return tx.SetMeta(ctx, crewServerURLKey, url)
	})
}

// CrewServerURL is the address the crew server last listened under, or
// "" when none has run on this database.
func (s *Store) CrewServerURL(ctx context.Context) (string, error) {
	return metaValue(ctx, s.read, crewServerURLKey, "")
}
