package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule is when a role's report goes out by itself.
type Schedule struct {
	Role         ReportRole `json:"role"`
	Cron         string     `json:"cron"`      // five fields, or a descriptor such as @weekly
	TimeZone     string     `json:"time_zone"` // IANA zone the expression is read in
	WeekdaysOnly bool       `json:"weekdays_only"`
	Enabled      bool       `json:"enabled"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// cronParser reads standard five-field expressions and descriptors.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseCron checks a cron expression the way a schedule will use it.
func ParseCron(expr, zone string) (cron.Schedule, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return nil, Errorf(EINVALID, "cron expression is empty")
	}
	if strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ=") {
		return nil, Errorf(EINVALID, "give the time zone separately, not inside the cron expression")
	}
	if _, err := time.LoadLocation(zone); err != nil || zone == "" {
		return nil, Errorf(EINVALID, "time zone %q is not an IANA zone such as America/Los_Angeles", zone)
	}
	s, err := cronParser.Parse("CRON_TZ=" + zone + " " + expr)
	if err != nil {
		return nil, Errorf(EINVALID, "cron expression %q: %v (want five fields: minute hour day-of-month month day-of-week, e.g. \"0 7 * * 1\")", expr, err)
	}
	return s, nil
}

// Validate checks s before it is written.
func (s *Schedule) Validate() error {
	if !s.Role.Valid() {
		return Errorf(EINVALID, "unknown report role %q", s.Role)
	}
	_, err := ParseCron(s.Cron, s.TimeZone)
	return err
}

// Next returns the first run strictly after t, skipping Saturdays and
// Sundays (in the schedule's zone) when WeekdaysOnly is set.
func (s Schedule) Next(t time.Time) (time.Time, error) {
	cs, err := ParseCron(s.Cron, s.TimeZone)
	if err != nil {
		return time.Time{}, err
	}
	loc, _ := time.LoadLocation(s.TimeZone)
	next := t
	// A weekday slot is never more than a few hundred slots away, but a
	// misconfigured schedule (weekends only, weekdays only) must not spin.
	for range 1000 {
		next = cs.Next(next)
		if next.IsZero() {
			return time.Time{}, Errorf(EINVALID, "schedule %s never runs", s.Cron)
		}
		if wd := next.In(loc).Weekday(); !s.WeekdaysOnly || (wd != time.Saturday && wd != time.Sunday) {
			return next, nil
		}
	}
	return time.Time{}, Errorf(EINVALID, "schedule %s has no weekday run", s.Cron)
}

// Previous returns the latest run at or before t and after since, or the
// zero time if there is none: the slot a process that was down would
// have missed.
func (s Schedule) Previous(t, since time.Time) (time.Time, error) {
	var last time.Time
	cur := since
	for {
		next, err := s.Next(cur)
		if err != nil {
			return time.Time{}, err
		}
		if next.After(t) {
			return last, nil
		}
		last, cur = next, next
	}
}

func scanSchedule(row interface{ Scan(...any) error }) (Schedule, error) {
	var s Schedule
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
func (s *Store) Schedules(ctx context.Context) ([]Schedule, error) {
	return queryAll(ctx, s.read, scanSchedule, scheduleSelect+
		" ORDER BY CASE report_role WHEN 'ceo' THEN 1 WHEN 'cto' THEN 2 WHEN 'cmo' THEN 3 WHEN 'cfo' THEN 4 ELSE 5 END")
}

// Schedule returns role's schedule.
func (s *Store) Schedule(ctx context.Context, role ReportRole) (Schedule, error) {
	sc, err := scanSchedule(s.read.QueryRowContext(ctx, scheduleSelect+" WHERE report_role = ?", role))
	if errors.Is(err, sql.ErrNoRows) {
		return sc, Errorf(ENOTFOUND, "the %s report has no schedule (opsdeck schedule set %s CRON)", role.Title(), role)
	}
	return sc, err
}

// SetSchedule creates or replaces role's schedule.
func (tx *Tx) SetSchedule(ctx context.Context, s *Schedule) error {
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
func (tx *Tx) SetScheduleEnabled(ctx context.Context, role ReportRole, enabled bool) error {
	res, err := tx.tx.ExecContext(ctx, "UPDATE schedules SET enabled = ?, updated_at = ? WHERE report_role = ?",
		enabled, formatTime(tx.now), role)
	if err != nil {
		return fmt.Errorf("update %s schedule: %w", role, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Errorf(ENOTFOUND, "the %s report has no schedule", role.Title())
	}
	action := "pause"
	if enabled {
		action = "resume"
	}
	return tx.audit(ctx, action, "schedule", 0, map[string]any{"role": role})
}

// ScheduleRun records what happened to one scheduled slot.
type ScheduleRun struct {
	ID         int64      `json:"id"`
	Role       ReportRole `json:"role"`
	Slot       time.Time  `json:"slot"`
	Trigger    string     `json:"trigger"` // schedule, catch_up or manual
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt time.Time  `json:"finished_at,omitzero"`
	Status     string     `json:"status"` // running, ok, failed, skipped
	BatchID    int64      `json:"batch_id,omitempty"`
	Error      string     `json:"error,omitempty"`
}

// ClaimRun records that role's slot is being run. It returns false, and
// writes nothing, if the slot was already claimed, by this process before a
// restart or by another process: that is how a slot is never sent twice.
func (tx *Tx) ClaimRun(ctx context.Context, role ReportRole, slot time.Time, trigger string) (int64, bool, error) {
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

// ScheduleRuns returns the newest runs first, at most limit, for one role
// or (role "") all.
func (s *Store) ScheduleRuns(ctx context.Context, role ReportRole, limit int) ([]ScheduleRun, error) {
	where, args := "", []any{}
	if role != "" {
		where, args = " WHERE report_role = ?", []any{role}
	}
	args = append(args, limit)
	return queryAll(ctx, s.read, func(row interface{ Scan(...any) error }) (ScheduleRun, error) {
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
	}, `SELECT id, report_role, slot, trigger, started_at, finished_at, status, batch_id, error FROM schedule_runs`+where+
		` ORDER BY slot DESC, id DESC LIMIT ?`, args...)
}

// LastSlot returns the latest slot of role's that was acted on (zero if
// none).
func (s *Store) LastSlot(ctx context.Context, role ReportRole) (time.Time, error) {
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
