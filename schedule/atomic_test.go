package schedule

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// logBuffer collects a scheduler's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

func runsOf(t *testing.T, s *store.Store) []store.ScheduleRun {
	t.Helper()
	runs, err := s.ScheduleRuns(context.Background(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

// A stop (SIGTERM) while the batch is being rendered writes nothing: no
// run, no outbox row. The slot is still due, and the next start's
// catch-up sends it.
func TestCancelWhilePreparingWritesNothing(t *testing.T) {
	for _, where := range []string{"in Prepare", "at the pause after Prepare"} {
		t.Run(where, func(t *testing.T) {
			clock := storetest.NewClock(time.Time{})
			s, _ := setup(t, clock, at(1, 6, 0), false)
			entered := make(chan struct{})
			q := &fakeQueue{}
			opts := Options{Clock: clock}
			hold := func(ctx context.Context) { close(entered); <-ctx.Done() }
			if where == "in Prepare" {
				q.during = func(ctx context.Context) error { hold(ctx); return ctx.Err() }
			} else {
				opts.Pause = func(ctx context.Context, point string) {
					if point == "schedule-prepared" {
						hold(ctx)
					}
				}
			}
			sch := New(s, q, opts)
			sch.started = clock.Now()
			clock.Set(at(1, 7, 0))
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error)
			go func() { _, err := sch.Tick(ctx); done <- err }()
			<-entered
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Errorf("Tick = %v, want cancelled", err)
			}
			if runs := runsOf(t, s); len(runs) != 0 {
				t.Errorf("a cancelled run left %+v", runs)
			}
			if n := outboxRows(t, s); n != 0 || q.count() != 0 {
				t.Errorf("a cancelled run left %d outbox rows, %d announced", n, q.count())
			}

			clock.Set(at(1, 7, 30))
			again := &fakeQueue{}
			if _, err := New(s, again, Options{Clock: clock}).catchUp(context.Background()); err != nil || again.count() != 1 {
				t.Fatalf("next start: %d sends, %v", again.count(), err)
			}
			runs := runsOf(t, s)
			if len(runs) != 1 || runs[0].Status != "ok" || runs[0].Trigger != "catch_up" || !runs[0].Slot.Equal(at(1, 7, 0)) || runs[0].BatchID == 0 {
				t.Errorf("runs = %+v", runs)
			}
		})
	}
}

// A batch that cannot be queued (the 24-hour quota), even one that wrote
// part of itself first, leaves no outbox row: the run is recorded failed,
// with the reason, in one transaction with its claim, and alerted once.
func TestQueueFailureRecordsFailedAndWritesNoBatch(t *testing.T) {
	clock := storetest.NewClock(time.Time{})
	s, _ := setup(t, clock, at(1, 6, 0), false)
	quota := errors.New("this batch needs 3 recipients but only 1 remain of the 24-hour sending quota")
	q := &fakeQueue{quota: quota}
	alerts := &fakeAlerter{}
	sch := New(s, q, Options{Clock: clock, Alerter: alerts})
	sch.started = clock.Now()
	clock.Set(at(1, 7, 0))
	if _, err := sch.Tick(context.Background()); !errors.Is(err, quota) {
		t.Errorf("Tick = %v", err)
	}
	runs := runsOf(t, s)
	if len(runs) != 1 || runs[0].Status != "failed" || runs[0].Error != quota.Error() || runs[0].BatchID != 0 {
		t.Errorf("runs = %+v", runs)
	}
	if n := outboxRows(t, s); n != 0 || q.count() != 0 {
		t.Errorf("%d outbox rows, %d announced", n, q.count())
	}
	sch.Tick(context.Background())
	if len(alerts.subjects) != 1 {
		t.Errorf("%d alerts, want 1", len(alerts.subjects))
	}
}

// partialQueue writes its batch and then fails, as a batch whose last
// insert is refused would.
type partialQueue struct{ fakeQueue }

func (q *partialQueue) Prepare(ctx context.Context, role portfolio.ReportRole, reason string) (Batch, error) {
	b, err := q.fakeQueue.Prepare(ctx, role, reason)
	if err != nil {
		return nil, err
	}
	return partialBatch{b.(*fakeBatch)}, nil
}

type partialBatch struct{ *fakeBatch }

func (b partialBatch) Queue(ctx context.Context, tx *store.Tx) (int64, error) {
	if _, err := b.fakeBatch.Queue(ctx, tx); err != nil {
		return 0, err
	}
	return 0, errors.New("the last message could not be written")
}

func TestHalfQueuedBatchIsRolledBack(t *testing.T) {
	clock := storetest.NewClock(time.Time{})
	s, _ := setup(t, clock, at(1, 6, 0), false)
	q := &partialQueue{}
	sch := New(s, q, Options{Clock: clock})
	sch.started = clock.Now()
	clock.Set(at(1, 7, 0))
	sch.Tick(context.Background())
	if n := outboxRows(t, s); n != 0 {
		t.Errorf("%d outbox rows of a batch that failed half-way", n)
	}
	if runs := runsOf(t, s); len(runs) != 1 || runs[0].Status != "failed" {
		t.Errorf("runs = %+v", runs)
	}
}

// Messages that cannot be sent (a bad address) fail the run, which keeps
// its batch: the good messages still go.
func TestProblemFailsTheRunAndKeepsTheBatch(t *testing.T) {
	clock := storetest.NewClock(time.Time{})
	s, _ := setup(t, clock, at(1, 6, 0), false)
	q := &fakeQueue{bad: errors.New("invalid recipient address: Pat <pat@@example.com>")}
	alerts := &fakeAlerter{}
	sch := New(s, q, Options{Clock: clock, Alerter: alerts})
	sch.started = clock.Now()
	clock.Set(at(1, 7, 0))
	if _, err := sch.Tick(context.Background()); err == nil {
		t.Error("no error")
	}
	runs := runsOf(t, s)
	if len(runs) != 1 || runs[0].Status != "failed" || runs[0].BatchID == 0 || !strings.Contains(runs[0].Error, "pat@@example.com") {
		t.Errorf("runs = %+v", runs)
	}
	if n := outboxRows(t, s); n != 1 || q.count() != 1 || len(alerts.subjects) != 1 {
		t.Errorf("%d outbox rows, %d announced, %d alerts", n, q.count(), len(alerts.subjects))
	}
}

// A slot claimed by another process while this one rendered it writes
// nothing here: no second batch, no error, no alert.
func TestSlotClaimedMeanwhileWritesNothing(t *testing.T) {
	clock := storetest.NewClock(time.Time{})
	s, path := setup(t, clock, at(1, 6, 0), false)
	other := openAt(t, path, clock)
	ctx := context.Background()
	q := &fakeQueue{during: func(ctx context.Context) error {
		return other.Update(ctx, "other", func(tx *store.Tx) error {
			id, _, err := tx.ClaimRun(ctx, portfolio.RoleCFO, at(1, 7, 0), "schedule")
			if err != nil {
				return err
			}
			return tx.FinishRun(ctx, id, "ok", 0, "")
		})
	}}
	alerts := &fakeAlerter{}
	sch := New(s, q, Options{Clock: clock, Alerter: alerts})
	sch.started = clock.Now()
	clock.Set(at(1, 7, 0))
	if _, err := sch.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if n := outboxRows(t, s); n != 0 || q.count() != 0 || len(alerts.subjects) != 0 {
		t.Errorf("%d outbox rows, %d announced, %d alerts", n, q.count(), len(alerts.subjects))
	}
	if runs := runsOf(t, s); len(runs) != 1 || runs[0].BatchID != 0 {
		t.Errorf("runs = %+v", runs)
	}
}

func setupCron(t *testing.T, clock *storetest.Clock, setAt time.Time, cron string) *store.Store {
	t.Helper()
	s, _ := setup(t, clock, setAt, false)
	if err := s.Update(context.Background(), "t", func(tx *store.Tx) error {
		return tx.SetSchedule(context.Background(), &portfolio.Schedule{Role: portfolio.RoleCFO, Cron: cron,
			TimeZone: "America/Los_Angeles", Enabled: true})
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

// Slots passed over, behind a later one or older than the catch-up limit,
// get a 'skipped' run with the reason and one log line, once: later ticks
// neither log nor record them again.
func TestSkippedSlotsAreRecordedAndLoggedOnce(t *testing.T) {
	clock := storetest.NewClock(time.Time{})
	s := setupCron(t, clock, at(1, 6, 0), "0 * * * *") // hourly
	ctx := context.Background()
	var log logBuffer
	q := &fakeQueue{}

	// Down from 06:00 to 09:30: 07:00 and 08:00 are passed over, 09:00
	// is sent.
	clock.Set(at(1, 9, 30))
	sch := New(s, q, Options{Clock: clock, Logger: log.logger(), MaxCatchUp: time.Hour})
	if _, err := sch.catchUp(ctx); err != nil || q.count() != 1 {
		t.Fatalf("catch-up: %d sends, %v", q.count(), err)
	}
	runs := runsOf(t, s)
	if len(runs) != 2 || runs[0].Status != "ok" || !runs[0].Slot.Equal(at(1, 9, 0)) {
		t.Fatalf("runs = %+v", runs)
	}
	if r := runs[1]; r.Status != "skipped" || !r.Slot.Equal(at(1, 8, 0)) || r.Trigger != "catch_up" ||
		!strings.Contains(r.Error, "2 earlier slots from 2026-12-01T07:00:00-08:00 were missed") ||
		!strings.Contains(r.Error, "only the latest (2026-12-01T09:00:00-08:00) is sent") {
		t.Errorf("skipped run = %+v", r)
	}
	for range 3 {
		clock.Advance(10 * time.Second)
		sch.Tick(ctx)
	}
	if n := log.count("scheduled report skipped"); n != 1 {
		t.Errorf("%d skip lines, want 1:\n%s", n, log.b.String())
	}

	// The machine sleeps from 09:30 to 12:20 with the scheduler running:
	// 10:00 and 11:00 are passed over, 12:00 is sent on time's return.
	clock.Set(at(1, 12, 20))
	sch.Tick(ctx)
	runs = runsOf(t, s)
	if q.count() != 2 || len(runs) != 4 || runs[0].Trigger != "schedule" || !runs[0].Slot.Equal(at(1, 12, 0)) ||
		runs[1].Status != "skipped" || !runs[1].Slot.Equal(at(1, 11, 0)) || runs[1].Trigger != "schedule" {
		t.Errorf("after the sleep: %d sends, runs %+v", q.count(), runs)
	}

	// Asleep again until 20:59: 20:00, 59 minutes old, is within the
	// one-hour limit and goes; 13:00 to 19:00 are passed over.
	clock.Set(at(1, 20, 59))
	sch.Tick(ctx)
	if q.count() != 3 {
		t.Errorf("%d sends, want 3", q.count())
	}
	for range 3 {
		sch.Tick(ctx)
	}
	if n := log.count("scheduled report skipped"); n != 3 {
		t.Errorf("%d skip lines, want 3:\n%s", n, log.b.String())
	}
}

// A slot older than the catch-up limit is recorded skipped with one log
// line, however often the scheduler looks again.
func TestStaleSlotIsSkippedOnce(t *testing.T) {
	clock := storetest.NewClock(time.Time{})
	s, _ := setup(t, clock, at(1, 6, 0), false)
	ctx := context.Background()
	var log logBuffer
	q := &fakeQueue{}
	clock.Set(at(1, 20, 0))
	sch := New(s, q, Options{Clock: clock, Logger: log.logger(), MaxCatchUp: 12 * time.Hour})
	if _, err := sch.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		clock.Advance(30 * time.Second)
		sch.Tick(ctx)
	}
	if q.count() != 0 || q.prepared != 0 {
		t.Errorf("a stale slot was prepared %d times, sent %d", q.prepared, q.count())
	}
	runs := runsOf(t, s)
	if len(runs) != 1 || runs[0].Status != "skipped" || !strings.Contains(runs[0].Error, "13h0m0s old") {
		t.Errorf("runs = %+v", runs)
	}
	if n := log.count("scheduled report skipped"); n != 1 || log.count("older than the catch-up limit (12h0m0s)") != 1 {
		t.Errorf("%d skip lines, want 1:\n%s", n, log.b.String())
	}
}

// leaveRunning claims slot as an older opsdeck did, in a transaction of
// its own, and (with a batch) queues its batch in another: a crash after
// either left the run 'running' for ever.
func leaveRunning(t *testing.T, s *store.Store, slot time.Time, withBatch bool) int64 {
	t.Helper()
	ctx := context.Background()
	var batch store.OutboxBatch
	if err := s.Update(ctx, "scheduler", func(tx *store.Tx) error {
		_, _, err := tx.ClaimRun(ctx, portfolio.RoleCFO, slot, "schedule")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if withBatch {
		if err := s.Update(ctx, "mail", func(tx *store.Tx) error {
			batch = store.OutboxBatch{Reason: "schedule run for " + slot.Format(time.RFC3339), Transport: "test"}
			return tx.CreateBatch(ctx, &batch, []store.OutboxMessage{{Kind: "report", Role: portfolio.RoleCFO, MessageID: "<old@test>",
				From: "reports@example.com", To: []string{"cfo@example.com"}, Subject: "CFO report", Text: "figures"}})
		}); err != nil {
			t.Fatal(err)
		}
	}
	return batch.ID
}

// A run an older opsdeck left 'running' is finished exactly once at the
// next start: with the batch it had queued; sent now if it queued nothing
// and is young enough; skipped if it is older than the catch-up limit.
func TestRunLeftRunningIsFinishedOnce(t *testing.T) {
	ctx := context.Background()
	t.Run("batch queued", func(t *testing.T) {
		clock := storetest.NewClock(time.Time{})
		s, _ := setup(t, clock, at(1, 6, 0), false)
		clock.Set(at(1, 7, 0))
		batch := leaveRunning(t, s, at(1, 7, 0), true)
		clock.Set(at(1, 7, 5))
		q := &fakeQueue{}
		for range 2 {
			if _, err := New(s, q, Options{Clock: clock}).catchUp(ctx); err != nil {
				t.Fatal(err)
			}
		}
		runs := runsOf(t, s)
		if len(runs) != 1 || runs[0].Status != "ok" || runs[0].BatchID != batch || !strings.Contains(runs[0].Error, "finished at start-up") {
			t.Errorf("runs = %+v", runs)
		}
		if q.prepared != 0 || outboxRows(t, s) != 1 {
			t.Errorf("prepared %d times; %d outbox rows, want the old batch's 1", q.prepared, outboxRows(t, s))
		}
	})
	t.Run("nothing queued", func(t *testing.T) {
		clock := storetest.NewClock(time.Time{})
		s, _ := setup(t, clock, at(1, 6, 0), false)
		clock.Set(at(1, 7, 0))
		leaveRunning(t, s, at(1, 7, 0), false)
		clock.Set(at(1, 8, 0))
		q := &fakeQueue{}
		for range 2 {
			if _, err := New(s, q, Options{Clock: clock}).catchUp(ctx); err != nil {
				t.Fatal(err)
			}
		}
		runs := runsOf(t, s)
		if len(runs) != 1 || runs[0].Status != "ok" || runs[0].BatchID == 0 || !strings.Contains(runs[0].Error, "sent at start-up, 1h0m0s after its slot") {
			t.Errorf("runs = %+v", runs)
		}
		if q.count() != 1 || outboxRows(t, s) != 1 {
			t.Errorf("%d sends, %d outbox rows, want 1", q.count(), outboxRows(t, s))
		}
	})
	t.Run("too old", func(t *testing.T) {
		clock := storetest.NewClock(time.Time{})
		s, _ := setup(t, clock, at(1, 6, 0), false)
		clock.Set(at(1, 7, 0))
		leaveRunning(t, s, at(1, 7, 0), false)
		clock.Set(at(2, 8, 0)) // 25 hours on; 2 December's 07:00 is an hour old
		q := &fakeQueue{}
		if _, err := New(s, q, Options{Clock: clock}).catchUp(ctx); err != nil {
			t.Fatal(err)
		}
		runs := runsOf(t, s)
		if len(runs) != 2 || runs[1].Status != "skipped" || !strings.Contains(runs[1].Error, "left running") ||
			runs[0].Status != "ok" || runs[0].Trigger != "catch_up" || !runs[0].Slot.Equal(at(2, 7, 0)) {
			t.Errorf("runs = %+v", runs)
		}
		if q.count() != 1 {
			t.Errorf("%d sends, want 1 (the 2nd's)", q.count())
		}
	})
	t.Run("two processes at once", func(t *testing.T) {
		clock := storetest.NewClock(time.Time{})
		s, path := setup(t, clock, at(1, 6, 0), false)
		other := openAt(t, path, clock)
		clock.Set(at(1, 7, 0))
		leaveRunning(t, s, at(1, 7, 0), false)
		clock.Set(at(1, 7, 10))
		// Both render before either writes.
		var both sync.WaitGroup
		both.Add(2)
		barrier := func(context.Context) error { both.Done(); both.Wait(); return nil }
		q1, q2 := &fakeQueue{during: barrier}, &fakeQueue{during: barrier}
		var wg sync.WaitGroup
		for _, run := range []*Scheduler{New(s, q1, Options{Clock: clock}), New(other, q2, Options{Clock: clock})} {
			wg.Add(1)
			go func() { defer wg.Done(); run.catchUp(ctx) }()
		}
		wg.Wait()
		if n := q1.count() + q2.count(); n != 1 || outboxRows(t, s) != 1 {
			t.Errorf("%d announced, %d outbox rows, want 1", n, outboxRows(t, s))
		}
		if runs := runsOf(t, s); len(runs) != 1 || runs[0].Status != "ok" || runs[0].BatchID == 0 {
			t.Errorf("runs = %+v", runs)
		}
	})
}
