package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"opsdeck/portfolio"
)

func scanSchedule(row interface{ Scan(...any) error }) (portfolio.Schedule, error) {
	var s portfolio.Schedule
	var updated string
	if err := row.Scan(&s.Role, &s.Cron, &s.TimeZone, &s.WeekdaysOnly, &s.Enabled, &updated); err != nil {
		return s, err
	}
	var err error
	s.UpdatedAt, err = parseTime(updated)
	return s, err
}

const scheduleSelect = "SELECT report_role, cron, time_zone, weekdays_only, enabled, updated_at FROM schedules"

// Schedules lists every role's schedule in role order.
func (s *Store) Schedules(ctx context.Context) ([]portfolio.Schedule, error) {
	return queryAll(ctx, s.read, scanSchedule, scheduleSelect+
		" ORDER BY CASE report_role WHEN 'ceo' THEN 1 WHEN 'cto' THEN 2 WHEN 'cmo' THEN 3 WHEN 'cfo' THEN 4 ELSE 5 END")
}

// Schedule returns role's schedule.
func (s *Store) Schedule(ctx context.Context, role portfolio.ReportRole) (portfolio.Schedule, error) {
	sc, err := scanSchedule(s.read.QueryRowContext(ctx, scheduleSelect+" WHERE report_role = ?", role))
	if errors.Is(err, sql.ErrNoRows) {
		return sc, portfolio.Errorf(portfolio.ENOTFOUND, "the %s report has no schedule (opsdeck schedule set %s CRON)", role.Title(), role)
	}
	return sc, err
}

// SetSchedule creates or replaces role's schedule.
func (tx *Tx) SetSchedule(ctx context.Context, s *portfolio.Schedule) error {
	if err := s.Validate(); err != nil {
		return err
	}
	s.UpdatedAt = tx.now
	if _, err := tx.insert(ctx, "schedule", string(s.Role),
		`INSERT INTO schedules (report_role, cron, time_zone, weekdays_only, enabled, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (report_role) DO UPDATE SET cron = excluded.cron, time_zone = excluded.time_zone,
		weekdays_only = excluded.weekdays_only, enabled = excluded.enabled, updated_at = excluded.updated_at`,
		s.Role, strings.TrimSpace(s.Cron), s.TimeZone, s.WeekdaysOnly, s.Enabled, formatTime(s.UpdatedAt)); err != nil {
		return err
	}
	return tx.audit(ctx, "set", "schedule", 0, s)
}

// SetScheduleEnabled pauses (false) or resumes (true) role's schedule.
func (tx *Tx) SetScheduleEnabled(ctx context.Context, role portfolio.ReportRole, enabled bool) error {
	res, err := tx.tx.ExecContext(ctx, "UPDATE schedules SET enabled = ?, updated_at = ? WHERE report_role = ?",
		enabled, formatTime(tx.now), role)
	if err != nil {
		return fmt.Errorf("update %s schedule: %w", role, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return portfolio.Errorf(portfolio.ENOTFOUND, "the %s report has no schedule", role.Title())
	}
	action := "pause"
	if enabled {
		action = "resume"
	}
	return tx.audit(ctx, action, "schedule", 0, map[string]any{"role": role})
}

// ScheduleRun records what happened to one scheduled slot.
type ScheduleRun struct {
	ID         int64                `json:"id"`
	Role       portfolio.ReportRole `json:"role"`
	Slot       time.Time            `json:"slot"`
	Trigger    string               `json:"trigger"` // schedule, catch_up or manual
	StartedAt  time.Time            `json:"started_at"`
	FinishedAt time.Time            `json:"finished_at,omitzero"`
	Status     string               `json:"status"` // running, ok, failed, skipped
	BatchID    int64                `json:"batch_id,omitempty"`
	// Error is why a run failed or was skipped, or, for a run an older
	// opsdeck left running, how it was finished.
	Error string `json:"error,omitempty"`
}

// ClaimRun records that role's slot is being run. It returns false, and
// writes nothing, if the slot was already claimed, by this process before a
// restart or by another process: that is how a slot is never sent twice.
// The scheduler claims, queues and finishes a run in one transaction, so a
// claimed run is never left 'running' by a crash.
func (tx *Tx) ClaimRun(ctx context.Context, role portfolio.ReportRole, slot time.Time, trigger string) (int64, bool, error) {
	res, err := tx.tx.ExecContext(ctx,
		`INSERT INTO schedule_runs (report_role, slot, trigger, started_at, status) VALUES (?, ?, ?, ?, 'running')
		ON CONFLICT (report_role, slot) DO NOTHING`, role, formatTime(slot), trigger, formatTime(tx.now))
	if err != nil {
		return 0, false, fmt.Errorf("claim %s run at %s: %w", role, slot, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, false, nil
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, false, err
	}
	return id, true, tx.audit(ctx, "claim_run", "schedule_run", id, map[string]any{"role": role, "slot": slot, "trigger": trigger})
}

// FinishRun records a run's outcome.
func (tx *Tx) FinishRun(ctx context.Context, id int64, status string, batchID int64, runErr string) error {
	if err := tx.execOne(ctx, "schedule run", id,
		"UPDATE schedule_runs SET status = ?, batch_id = ?, error = ?, finished_at = ? WHERE id = ?",
		status, nullID(batchID), runErr, formatTime(tx.now), id); err != nil {
		return err
	}
	return tx.audit(ctx, "finish_run", "schedule_run", id, map[string]any{"status": status, "batch_id": batchID, "error": runErr})
}

// FinishRunning records the outcome of a run found 'running' (left so by
// an older opsdeck that stopped mid-run). It reports false, changing
// nothing, if the run is no longer running: someone finished it first.
func (tx *Tx) FinishRunning(ctx context.Context, id int64, status string, batchID int64, note string) (bool, error) {
	res, err := tx.tx.ExecContext(ctx,
		"UPDATE schedule_runs SET status = ?, batch_id = ?, error = ?, finished_at = ? WHERE id = ? AND status = 'running'",
		status, nullID(batchID), note, formatTime(tx.now), id)
	if err != nil {
		return false, fmt.Errorf("finish schedule run %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	return true, tx.audit(ctx, "finish_left_run", "schedule_run", id, map[string]any{"status": status, "batch_id": batchID, "note": note})
}

func scanRun(row interface{ Scan(...any) error }) (ScheduleRun, error) {
	var r ScheduleRun
	var slot, started string
	var finished *string
	var batch sql.NullInt64
	if err := row.Scan(&r.ID, &r.Role, &slot, &r.Trigger, &started, &finished, &r.Status, &batch, &r.Error); err != nil {
		return r, err
	}
	r.BatchID = batch.Int64
	var err error
	if r.Slot, err = parseTime(slot); err != nil {
		return r, err
	}
	if r.StartedAt, err = parseTime(started); err != nil {
		return r, err
	}
	r.FinishedAt, err = scanTime(finished)
	return r, err
}

const runSelect = "SELECT id, report_role, slot, trigger, started_at, finished_at, status, batch_id, error FROM schedule_runs"

// ScheduleRuns returns the newest runs first, at most limit, for one role
// or (role "") all.
func (s *Store) ScheduleRuns(ctx context.Context, role portfolio.ReportRole, limit int) ([]ScheduleRun, error) {
	where, args := "", []any{}
	if role != "" {
		where, args = " WHERE report_role = ?", []any{role}
	}
	args = append(args, limit)
	return queryAll(ctx, s.read, scanRun, runSelect+where+` ORDER BY slot DESC, id DESC LIMIT ?`, args...)
}

// ScheduleRunsWithStatus returns the newest runs in status (running, ok,
// failed, skipped) first, at most limit, for every role.
func (s *Store) ScheduleRunsWithStatus(ctx context.Context, status string, limit int) ([]ScheduleRun, error) {
	return queryAll(ctx, s.read, scanRun, runSelect+` WHERE status = ? ORDER BY slot DESC, id DESC LIMIT ?`, status, limit)
}

// ReportBatchesSince lists, oldest first, the batches created at or after
// since that hold a report of role's: where to look for the batch of a run
// whose outcome was never recorded.
func (s *Store) ReportBatchesSince(ctx context.Context, role portfolio.ReportRole, since time.Time) ([]OutboxBatch, error) {
	return queryAll(ctx, s.read, func(row interface{ Scan(...any) error }) (OutboxBatch, error) {
		var b OutboxBatch
		var created string
		if err := row.Scan(&b.ID, &created, &b.CreatedBy, &b.Reason, &b.Transport); err != nil {
			return b, err
		}
		var err error
		b.CreatedAt, err = parseTime(created)
		return b, err
	}, `SELECT b.id, b.created_at, b.created_by, b.reason, b.transport FROM outbox_batches b
		WHERE b.created_at >= ? AND EXISTS (SELECT 1 FROM outbox o WHERE o.batch_id = b.id AND o.report_role = ?) ORDER BY b.id`,
		formatTime(since), role)
}

// LastSlot returns the latest slot of role's that was acted on (zero if
// none).
func (s *Store) LastSlot(ctx context.Context, role portfolio.ReportRole) (time.Time, error) {
	var slot sql.NullString
	if err := s.read.QueryRowContext(ctx,
		"SELECT max(slot) FROM schedule_runs WHERE report_role = ? AND trigger != 'manual'", role).Scan(&slot); err != nil {
		return time.Time{}, err
	}
	if !slot.Valid {
		return time.Time{}, nil
	}
	return parseTime(slot.String)
}
