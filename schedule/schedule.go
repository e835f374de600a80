// Package schedule sends role reports on their schedules: it wakes at each
// schedule's next slot, claims the slot in the store (so no slot is ever
// sent twice, across restarts or processes), and enqueues the role's batch
// through the outbox. A slot missed while the process was down is sent once
// on start-up if it is recent enough. Failures are recorded, logged and
// alerted, never dropped.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// Enqueuer queues a role's report batch in the outbox (the mail package).
type Enqueuer interface {
	Enqueue(ctx context.Context, role portfolio.ReportRole, reason string) (batchID int64, err error)
}

// Alerter tells the admin a run failed (one email, when configured).
type Alerter interface {
	Alert(ctx context.Context, subject, body string) error
}

// Options configure a Scheduler.
type Options struct {
	Clock store.Clock
	// MaxCatchUp is how old a missed slot may be and still be sent at
	// start-up. Zero means 12 hours.
	MaxCatchUp time.Duration
	// Recheck bounds how long the scheduler sleeps before re-reading the
	// schedules, so edits made elsewhere take effect. Zero means 30 s.
	Recheck time.Duration
	Logger  *slog.Logger
	Alerter Alerter
	// Changed, if set, wakes the scheduler at once (a schedule was edited).
	Changed <-chan struct{}
}

// Scheduler runs the report schedules.
type Scheduler struct {
	store   *store.Store
	enqueue Enqueuer
	opts    Options
	started time.Time
}

// New returns a Scheduler over s that enqueues through enq.
func New(s *store.Store, enq Enqueuer, opts Options) *Scheduler {
	if opts.Clock == nil {
		opts.Clock = store.SystemClock{}
	}
	if opts.MaxCatchUp == 0 {
		opts.MaxCatchUp = 12 * time.Hour
	}
	if opts.Recheck == 0 {
		opts.Recheck = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{store: s, enqueue: enq, opts: opts}
}

// Run sends scheduled reports until ctx ends. It first sends, once, any
// slot missed while nothing was running.
func (s *Scheduler) Run(ctx context.Context) error {
	s.started = s.opts.Clock.Now()
	if err := s.catchUp(ctx); err != nil && ctx.Err() == nil {
		s.opts.Logger.Error("schedule catch-up", "err", err)
	}
	for {
		wake, err := s.Tick(ctx)
		if err != nil && ctx.Err() == nil {
			s.opts.Logger.Error("schedule", "err", err)
		}
		wait := min(wake.Sub(s.opts.Clock.Now()), s.opts.Recheck)
		if wait < 0 {
			wait = 0
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.opts.Clock.After(wait):
		case <-s.opts.Changed:
		}
	}
}

// Tick runs every slot that is due and returns when the next one is (or,
// with no schedule enabled, when to look again).
func (s *Scheduler) Tick(ctx context.Context) (next time.Time, err error) {
	now := s.opts.Clock.Now()
	next = now.Add(s.opts.Recheck) // when no schedule is enabled
	found := false
	// A slot is due when it falls after both the last slot acted on and
	// the moment this process (or the schedule) started, and is not in the
	// future: older ones belong to catch-up.
	err = s.eachEnabled(ctx, now, s.started, func(sc portfolio.Schedule, slot time.Time) error {
		var err error
		if !slot.IsZero() {
			err = s.runSlot(ctx, sc.Role, slot, "schedule")
		}
		if n, nerr := sc.Next(now); nerr == nil && (n.Before(next) || !found) {
			next, found = n, true
		}
		return err
	})
	return next, err
}

// catchUp sends, once, the latest slot of each enabled schedule that was
// missed while no process was running, if it is younger than MaxCatchUp.
func (s *Scheduler) catchUp(ctx context.Context) error {
	now := s.opts.Clock.Now()
	return s.eachEnabled(ctx, now, now.Add(-s.opts.MaxCatchUp), func(sc portfolio.Schedule, slot time.Time) error {
		if slot.IsZero() {
			return nil
		}
		s.opts.Logger.Info("sending a report missed while down", "role", sc.Role, "slot", slot)
		return s.runSlot(ctx, sc.Role, slot, "catch_up")
	})
}

// eachEnabled calls fn for every enabled schedule with its latest slot
// that is not after now and falls after since, the last slot acted on and
// the schedule's last change (slots before a schedule existed were never
// due); the zero time when there is none. It goes on past a schedule that
// fails and returns every error.
func (s *Scheduler) eachEnabled(ctx context.Context, now, since time.Time, fn func(portfolio.Schedule, time.Time) error) error {
	schedules, err := s.store.Schedules(ctx)
	if err != nil {
		return fmt.Errorf("read schedules: %w", err)
	}
	var errs []error
	for _, sc := range schedules {
		if !sc.Enabled {
			continue
		}
		last, err := s.store.LastSlot(ctx, sc.Role)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		from := since
		for _, t := range []time.Time{last, sc.UpdatedAt} {
			if t.After(from) {
				from = t
			}
		}
		slot, err := sc.Previous(now, from)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, fn(sc, slot))
	}
	return errors.Join(errs...)
}

func (s *Scheduler) runSlot(ctx context.Context, role portfolio.ReportRole, slot time.Time, trigger string) error {
	_, err := s.run(ctx, role, slot, trigger)
	return err
}

// run claims the slot, enqueues the batch and records the outcome. A slot
// already claimed (by us before a restart, or by another process) is
// skipped without error.
func (s *Scheduler) run(ctx context.Context, role portfolio.ReportRole, slot time.Time, trigger string) (int64, error) {
	var runID int64
	var claimed bool
	err := s.store.Update(ctx, "scheduler", func(tx *store.Tx) (err error) {
		runID, claimed, err = tx.ClaimRun(ctx, role, slot, trigger)
		return err
	})
	if err != nil {
		return 0, err
	}
	if !claimed {
		if trigger == "manual" {
			return 0, portfolio.Errorf(portfolio.ECONFLICT, "a %s report was already started at %s", role.Title(), slot.Format(time.RFC3339))
		}
		return 0, nil
	}
	batchID, runErr := s.enqueue.Enqueue(ctx, role, fmt.Sprintf("%s run for %s", trigger, slot.Format(time.RFC3339)))
	status, msg := "ok", ""
	if runErr != nil {
		status, msg = "failed", runErr.Error()
		s.opts.Logger.Error("scheduled report failed", "role", role, "slot", slot, "trigger", trigger, "err", runErr)
		s.alert(ctx, role, slot, runErr)
	} else {
		s.opts.Logger.Info("scheduled report queued", "role", role, "slot", slot, "trigger", trigger, "batch", batchID)
	}
	// Recording the outcome must not be lost to a cancelled context.
	finishCtx := context.WithoutCancel(ctx)
	if err := s.store.Update(finishCtx, "scheduler", func(tx *store.Tx) error {
		return tx.FinishRun(finishCtx, runID, status, batchID, msg)
	}); err != nil {
		return batchID, errors.Join(runErr, err)
	}
	if runErr != nil {
		return batchID, fmt.Errorf("%s report for %s: %w", role.Title(), slot.Format(time.RFC3339), runErr)
	}
	return batchID, nil
}

func (s *Scheduler) alert(ctx context.Context, role portfolio.ReportRole, slot time.Time, runErr error) {
	if s.opts.Alerter == nil {
		return
	}
	subject := fmt.Sprintf("opsdeck: the scheduled %s report failed", role.Title())
	body := fmt.Sprintf("The %s report due at %s could not be queued:\n\n%v\n\nSee `opsdeck schedule list` and `opsdeck outbox`.\n",
		role.Title(), slot.Format(time.RFC1123), runErr)
	if err := s.opts.Alerter.Alert(context.WithoutCancel(ctx), subject, body); err != nil {
		s.opts.Logger.Error("alert the admin", "err", err)
	}
}
