// Package schedule sends role reports on their schedules: it wakes at each
// schedule's next slot, renders the role's batch, and then, in one store
// transaction, claims the slot (so no slot is ever sent twice, across
// restarts or processes), queues the batch in the outbox and records the
// run. A slot missed while the process was down is sent once on start-up
// if it is recent enough, and recorded as skipped if not. Failures are
// recorded, logged and alerted, never dropped.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// Enqueuer renders a role's report batch (the mail package) for the
// scheduler to write in a transaction of its own.
type Enqueuer interface {
	// Prepare renders role's report, addresses it and reads what it needs
	// from the provider (the sending quota), writing nothing. A nil Batch
	// comes only with an error.
	Prepare(ctx context.Context, role portfolio.ReportRole, reason string) (Batch, error)
}

// Batch is a report batch rendered and not yet written.
type Batch interface {
	// Queue writes the batch in tx and returns its id. An error (the
	// provider's 24-hour quota would be exceeded) means it wrote nothing
	// the transaction should keep.
	Queue(ctx context.Context, tx *store.Tx) (batchID int64, err error)
	// Announce tells the outbox worker about the batch once tx committed.
	Announce()
	// Problem is why some of the batch's messages cannot be sent (a bad
	// address, no recipients); nil when there is none.
	Problem() error
}

// Alerter tells the admin a run failed (one email, when configured). The
// alert is queued in the transaction that records the failed run, so a
// crash cannot keep one without the other.
type Alerter interface {
	QueueAlert(ctx context.Context, tx *store.Tx, subject, body string) error
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
	// Pause, for tests only, is called at named points of a run
	// ("schedule-prepared": rendered, nothing written; "schedule-queued":
	// committed, the worker not yet told) and may hold the run there until
	// ctx ends, so a test can kill the process in that window.
	Pause func(ctx context.Context, point string)
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

// Run sends scheduled reports until ctx ends. It first finishes any run an
// older opsdeck left running and sends, once, the latest slot of each
// schedule missed while nothing was running.
func (s *Scheduler) Run(ctx context.Context) error {
	wake, err := s.catchUp(ctx)
	if err != nil && ctx.Err() == nil {
		s.opts.Logger.Error("schedule catch-up", "err", err)
	}
	for {
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
		wake, err = s.Tick(ctx)
		if err != nil && ctx.Err() == nil {
			s.opts.Logger.Error("schedule", "err", err)
		}
	}
}

// catchUp is what a scheduler does when it starts: runs left 'running' are
// finished, then every schedule's due slot is run as a catch-up (see
// Tick). It returns when the next slot is.
func (s *Scheduler) catchUp(ctx context.Context) (time.Time, error) {
	s.started = s.opts.Clock.Now()
	err := s.finishLeftRunning(ctx)
	if ctx.Err() != nil {
		return s.started, err
	}
	next, terr := s.Tick(ctx)
	return next, errors.Join(err, terr)
}

// Tick runs every slot that is due and returns when the next one is (or,
// with no schedule enabled, when to look again).
//
// A schedule's slot is due when it is not in the future and falls after
// both the last slot acted on and the schedule's last change (slots before
// a schedule existed were never due). Only the latest due slot is sent,
// and only if it is younger than MaxCatchUp; a slot passed over, too old or
// behind a later one, is recorded 'skipped' with the reason and logged,
// once, and is never sent late. A slot at or before the scheduler started
// is sent as a catch-up.
func (s *Scheduler) Tick(ctx context.Context) (next time.Time, err error) {
	now := s.opts.Clock.Now()
	next = now.Add(s.opts.Recheck) // when no schedule is enabled
	found := false
	schedules, err := s.store.Schedules(ctx)
	if err != nil {
		return next, fmt.Errorf("read schedules: %w", err)
	}
	var errs []error
	for _, sc := range schedules {
		if !sc.Enabled {
			continue
		}
		errs = append(errs, s.due(ctx, sc, now))
		if n, nerr := sc.Next(now); nerr == nil && (n.Before(next) || !found) {
			next, found = n, true
		}
		if ctx.Err() != nil {
			break
		}
	}
	return next, errors.Join(errs...)
}

// due runs, or records as skipped, sc's slots that are due at now.
func (s *Scheduler) due(ctx context.Context, sc portfolio.Schedule, now time.Time) error {
	from, err := s.store.LastSlot(ctx, sc.Role)
	if err != nil {
		return err
	}
	if sc.UpdatedAt.After(from) {
		from = sc.UpdatedAt
	}
	m, err := missedSlots(sc, from, now, s.opts.MaxCatchUp)
	if err != nil || m.n == 0 {
		return err
	}
	trigger := func(slot time.Time) string {
		if !s.started.IsZero() && !slot.After(s.started) {
			return "catch_up"
		}
		return "schedule"
	}
	loc, err := time.LoadLocation(sc.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	local := func(t time.Time) string { return t.In(loc).Format(time.RFC3339) }
	if age := now.Sub(m.latest); age > s.opts.MaxCatchUp {
		reason := fmt.Sprintf("missed while no opsdeck ran the schedules; %s old when one looked again, older than the catch-up limit (%s), so not sent late",
			roundAge(age), s.opts.MaxCatchUp)
		if m.n > 1 {
			reason += fmt.Sprintf("; %s since %s were missed too", m.earlier(), local(m.first))
		}
		return s.skip(ctx, sc.Role, m.latest, trigger(m.latest), reason)
	}
	if m.n > 1 {
		reason := fmt.Sprintf("passed over: %s from %s were missed while no opsdeck ran the schedules, and only the latest (%s) is sent",
			m.earlier(), local(m.first), local(m.latest))
		if err := s.skip(ctx, sc.Role, m.before, trigger(m.before), reason); err != nil {
			return err
		}
	}
	t := trigger(m.latest)
	if t == "catch_up" {
		s.opts.Logger.Info("sending a report missed while down", "role", sc.Role, "slot", m.latest)
	}
	return s.runSlot(ctx, sc.Role, m.latest, t)
}

func roundAge(d time.Duration) time.Duration {
	if d > time.Hour {
		return d.Round(time.Minute)
	}
	return d.Round(time.Second)
}

// missed is the slots of a schedule that fell in a stretch of time.
type missed struct {
	first, before, latest time.Time // before is the slot before latest
	n                     int
	atLeast               bool // n is a lower bound: counting stopped
}

// earlier says how many slots before the latest there were.
func (m missed) earlier() string {
	n := m.n - 1
	s := portfolio.Plural(int64(n), "earlier slot", "earlier slots")
	if m.atLeast {
		s = "more than " + s
	}
	return s
}

// maxWalk bounds the slots counted one by one: a schedule every minute
// left for a week has more; past it the walk jumps to near now.
const maxWalk = 5000

// missedSlots walks sc's slots after from and not after now.
func missedSlots(sc portfolio.Schedule, from, now time.Time, maxCatchUp time.Duration) (missed, error) {
	var m missed
	cur := from
	for {
		if m.n == maxWalk && !m.atLeast {
			m.atLeast = true
			if jump := now.Add(-maxCatchUp - 24*time.Hour); jump.After(cur) {
				cur = jump
			}
		}
		next, err := sc.Next(cur)
		if err != nil {
			return m, err
		}
		if next.After(now) {
			return m, nil
		}
		if m.n == 0 {
			m.first = next
		}
		m.before, m.latest = m.latest, next
		m.n++
		cur = next
	}
}

// skip records slot as skipped with reason, and logs it, unless the slot
// was already acted on.
func (s *Scheduler) skip(ctx context.Context, role portfolio.ReportRole, slot time.Time, trigger, reason string) error {
	recorded := false
	if err := s.store.Update(ctx, "scheduler", func(tx *store.Tx) error {
		id, claimed, err := tx.ClaimRun(ctx, role, slot, trigger)
		if err != nil || !claimed {
			return err
		}
		recorded = true
		return tx.FinishRun(ctx, id, "skipped", 0, reason)
	}); err != nil {
		return err
	}
	if recorded {
		s.opts.Logger.Warn("scheduled report skipped", "role", role, "slot", slot, "trigger", trigger, "reason", reason)
	}
	return nil
}

func (s *Scheduler) runSlot(ctx context.Context, role portfolio.ReportRole, slot time.Time, trigger string) error {
	_, err := s.run(ctx, role, slot, trigger)
	return err
}

// runReason is the outbox batch's reason for a scheduled run; a run left
// running is matched to its batch by it (see finishLeftRunning).
func runReason(trigger string, slot time.Time) string {
	return fmt.Sprintf("%s run for %s", trigger, slot.Format(time.RFC3339))
}

// queueError is a batch that could not be queued (the quota), as opposed
// to the store failing to claim or record the run.
type queueError struct{ err error }

func (e *queueError) Error() string { return e.err.Error() }
func (e *queueError) Unwrap() error { return e.err }

// run sends one slot: the batch is rendered first, writing nothing; then
// one transaction claims the slot, queues the batch and records the run.
// So a crash or a stop at any moment leaves either nothing (the next
// start's catch-up runs the slot) or the finished run with its whole batch
// in the outbox (the worker sends it). A slot already claimed, by us
// before a restart or by another process, writes nothing and is no error.
// A batch that cannot be rendered or queued is recorded failed, claim and
// failure in one transaction, and alerted once.
func (s *Scheduler) run(ctx context.Context, role portfolio.ReportRole, slot time.Time, trigger string) (int64, error) {
	b, runErr := s.enqueue.Prepare(ctx, role, runReason(trigger, slot))
	if runErr == nil {
		s.pause(ctx, "schedule-prepared")
	}
	if ctx.Err() != nil {
		s.opts.Logger.Info("stopped while preparing a scheduled report: nothing was recorded, the next start's catch-up sends it",
			"role", role, "slot", slot)
		return 0, ctx.Err()
	}
	var batchID int64
	claimed := false
	if runErr == nil {
		var id int64
		var problem error
		err := s.store.Update(ctx, "scheduler", func(tx *store.Tx) error {
			runID, ok, err := tx.ClaimRun(ctx, role, slot, trigger)
			if err != nil || !ok {
				return err
			}
			if id, err = b.Queue(ctx, tx); err != nil {
				return &queueError{err}
			}
			status, msg := "ok", ""
			if problem = b.Problem(); problem != nil {
				status, msg = "failed", problem.Error()
				if err := s.queueAlert(ctx, tx, role, slot, problem); err != nil {
					return err
				}
			}
			claimed = true
			return tx.FinishRun(ctx, runID, status, id, msg)
		})
		var qe *queueError
		switch {
		case err == nil:
			batchID, runErr = id, problem
		case ctx.Err() != nil:
			s.opts.Logger.Info("stopped while queuing a scheduled report: nothing was recorded, the next start's catch-up sends it",
				"role", role, "slot", slot)
			return 0, ctx.Err()
		case errors.As(err, &qe):
			claimed, runErr = false, qe.err
		default:
			// Nothing was written: the next tick tries the slot again.
			return 0, fmt.Errorf("%s report for %s: %w", role.Title(), slot.Format(time.RFC3339), err)
		}
	}
	if runErr != nil && batchID == 0 {
		// Rendering or queuing failed: claim the slot and record why, at
		// once, so it is not retried on every tick.
		err := s.store.Update(ctx, "scheduler", func(tx *store.Tx) error {
			runID, ok, err := tx.ClaimRun(ctx, role, slot, trigger)
			if err != nil || !ok {
				return err
			}
			claimed = true
			if err := tx.FinishRun(ctx, runID, "failed", 0, runErr.Error()); err != nil {
				return err
			}
			return s.queueAlert(ctx, tx, role, slot, runErr)
		})
		if err != nil {
			return 0, errors.Join(runErr, err)
		}
	}
	if !claimed {
		if trigger == "manual" {
			return 0, portfolio.Errorf(portfolio.ECONFLICT, "a %s report was already started at %s", role.Title(), slot.Format(time.RFC3339))
		}
		return 0, nil
	}
	if batchID != 0 {
		s.pause(ctx, "schedule-queued")
		b.Announce()
	}
	if runErr != nil {
		s.opts.Logger.Error("scheduled report failed", "role", role, "slot", slot, "trigger", trigger, "batch", batchID, "err", runErr)
		s.alerted()
		return batchID, fmt.Errorf("%s report for %s: %w", role.Title(), slot.Format(time.RFC3339), runErr)
	}
	s.opts.Logger.Info("scheduled report queued", "role", role, "slot", slot, "trigger", trigger, "batch", batchID)
	return batchID, nil
}

func (s *Scheduler) pause(ctx context.Context, point string) {
	if s.opts.Pause != nil {
		s.opts.Pause(ctx, point)
	}
}

// finishLeftRunning finishes, once each, the runs an older opsdeck left
// 'running': it claimed a slot in one transaction and queued the batch in
// another, so a crash between the two (or before it recorded the outcome)
// left the run running for ever. Whichever process finishes such a run
// does so in a transaction conditional on its still running:
//
//   - its batch was queued (a batch of the role's, created after the claim,
//     whose reason names the slot): the run is finished ok with that batch,
//     which the outbox worker sends or has sent;
//   - no batch, and the slot is younger than MaxCatchUp: nobody was sent
//     the report, so it is sent now, as the catch-up the crash prevented,
//     and the run is finished with the new batch and a note;
//   - no batch and an older slot: skipped, like any missed slot that old.
func (s *Scheduler) finishLeftRunning(ctx context.Context) error {
	runs, err := s.store.ScheduleRunsWithStatus(ctx, "running", 100)
	if err != nil {
		return fmt.Errorf("read runs left running: %w", err)
	}
	var errs []error
	for _, r := range runs {
		if ctx.Err() != nil {
			break
		}
		errs = append(errs, s.finishLeft(ctx, r))
	}
	return errors.Join(errs...)
}

func (s *Scheduler) finishLeft(ctx context.Context, r store.ScheduleRun) error {
	log := s.opts.Logger.With("role", r.Role, "slot", r.Slot, "trigger", r.Trigger, "run", r.ID)
	// finish records the outcome, queuing b first if there is one, unless
	// someone else finished the run first.
	finish := func(status string, b Batch, batchID int64, note string) (bool, int64, error) {
		var done bool
		err := s.store.Update(ctx, "scheduler", func(tx *store.Tx) (err error) {
			if b != nil {
				if batchID, err = b.Queue(ctx, tx); err != nil {
					return &queueError{err}
				}
			}
			done, err = tx.FinishRunning(ctx, r.ID, status, batchID, note)
			if err == nil && !done {
				return errFinished // someone else finished it: keep nothing
			}
			if err == nil && status == "failed" {
				err = s.queueAlert(ctx, tx, r.Role, r.Slot, errors.New(note))
			}
			return err
		})
		if errors.Is(err, errFinished) {
			return false, 0, nil
		}
		return done, batchID, err
	}
	batches, err := s.store.ReportBatchesSince(ctx, r.Role, r.StartedAt)
	if err != nil {
		return err
	}
	for _, b := range batches {
		if t, ok := strings.CutPrefix(b.Reason, r.Trigger+" run for "); ok {
			if at, err := time.Parse(time.RFC3339, t); err == nil && at.Equal(r.Slot) {
				note := fmt.Sprintf("finished at start-up: the process that ran it stopped after queuing batch %d, before recording the run", b.ID)
				done, _, err := finish("ok", nil, b.ID, note)
				if done {
					log.Warn("a run left running by a stopped opsdeck had queued its batch: finished", "batch", b.ID)
				}
				return err
			}
		}
	}
	now := s.opts.Clock.Now()
	if age := now.Sub(r.Slot); age > s.opts.MaxCatchUp {
		note := fmt.Sprintf("left running by an opsdeck that stopped before queuing its batch; %s old at start-up, older than the catch-up limit (%s), so not sent late",
			roundAge(age), s.opts.MaxCatchUp)
		done, _, err := finish("skipped", nil, 0, note)
		if done {
			log.Warn("scheduled report skipped", "reason", note)
		}
		return err
	}
	b, runErr := s.enqueue.Prepare(ctx, r.Role, runReason(r.Trigger, r.Slot))
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var batchID int64
	var done bool
	if runErr == nil {
		status, note := "ok", fmt.Sprintf("sent at start-up, %s after its slot: the opsdeck that claimed it stopped before queuing its batch", roundAge(now.Sub(r.Slot)))
		if p := b.Problem(); p != nil {
			status, note, runErr = "failed", p.Error(), p
		}
		done, batchID, err = finish(status, b, 0, note)
		var qe *queueError
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.As(err, &qe):
			runErr = qe.err
		default:
			return err
		}
	}
	if runErr != nil && batchID == 0 {
		if done, _, err = finish("failed", nil, 0, runErr.Error()); err != nil {
			return errors.Join(runErr, err)
		}
	}
	if !done {
		return nil
	}
	if batchID != 0 {
		b.Announce()
	}
	if runErr != nil {
		log.Error("scheduled report failed", "batch", batchID, "err", runErr)
		s.alerted()
		return fmt.Errorf("%s report for %s: %w", r.Role.Title(), r.Slot.Format(time.RFC3339), runErr)
	}
	log.Warn("a run left running by a stopped opsdeck had queued nothing: sent now", "batch", batchID)
	return nil
}

var errFinished = errors.New("the run was already finished")

// queueAlert queues, in the transaction that records the failed run, the
// admin's alert about it.
func (s *Scheduler) queueAlert(ctx context.Context, tx *store.Tx, role portfolio.ReportRole, slot time.Time, runErr error) error {
	if s.opts.Alerter == nil {
		return nil
	}
	subject := fmt.Sprintf("opsdeck: the scheduled %s report failed", role.Title())
	body := fmt.Sprintf("The %s report due at %s could not be queued:\n\n%v\n\nSee `opsdeck schedule list` and `opsdeck outbox`.\n",
		role.Title(), slot.Format(time.RFC1123), runErr)
	if err := s.opts.Alerter.QueueAlert(ctx, tx, subject, body); err != nil {
		return fmt.Errorf("queue the admin's alert: %w", err)
	}
	return nil
}

// alerted wakes the outbox worker for an alert just committed.
func (s *Scheduler) alerted() {
	if w, ok := s.opts.Alerter.(interface{ Wake() }); ok {
		w.Wake()
	}
}
