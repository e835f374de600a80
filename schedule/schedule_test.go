package schedule

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

var la, _ = time.LoadLocation("America/Los_Angeles")

// fakeQueue prepares one-message batches; Queue writes them to the real
// outbox in the scheduler's transaction, so what a run leaves behind can be
// counted.
type fakeQueue struct {
	mu     sync.Mutex
	roles  []portfolio.ReportRole // batches announced, after their commit
	fail   error                  // Prepare fails
	quota  error                  // Queue fails
	bad    error                  // the batch has a message that cannot be sent
	notify chan struct{}
	// during, if set, runs inside Prepare (to block, or to act meanwhile).
	during   func(ctx context.Context) error
	prepared int
}

func (q *fakeQueue) Prepare(ctx context.Context, role portfolio.ReportRole, reason string) (Batch, error) {
	q.mu.Lock()
	q.prepared++
	fail, during := q.fail, q.during
	q.mu.Unlock()
	if during != nil {
		if err := during(ctx); err != nil {
			return nil, err
		}
	}
	if fail != nil {
		if q.notify != nil {
			defer func() { q.notify <- struct{}{} }()
		}
		return nil, fail
	}
	return &fakeBatch{q: q, role: role, reason: reason}, nil
}

func (q *fakeQueue) count() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.roles)
}

type fakeBatch struct {
	q      *fakeQueue
	role   portfolio.ReportRole
	reason string
}

func (b *fakeBatch) Queue(ctx context.Context, tx *store.Tx) (int64, error) {
	if b.q.quota != nil {
		return 0, b.q.quota
	}
	batch := store.OutboxBatch{Reason: b.reason, Transport: "test"}
	err := tx.CreateBatch(ctx, &batch, []store.OutboxMessage{{Kind: "report", Role: b.role,
		MessageID: fmt.Sprintf("<%d.%s@test>", time.Now().UnixNano(), b.role), From: "reports@example.com",
		To: []string{"cfo@example.com"}, Subject: "CFO report", Text: "figures"}})
	return batch.ID, err
}

func (b *fakeBatch) Announce() {
	b.q.mu.Lock()
	b.q.roles = append(b.q.roles, b.role)
	b.q.mu.Unlock()
	if b.q.notify != nil {
		b.q.notify <- struct{}{}
	}
}

func (b *fakeBatch) Problem() error { return b.q.bad }

// outboxRows counts the messages in the outbox.
func outboxRows(t *testing.T, s *store.Store) int {
	t.Helper()
	counts, err := s.OutboxCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// fakeAlerter keeps the subject of each alert queued; it writes nothing,
// so the tests' outbox counts are the batches' alone.
type fakeAlerter struct{ subjects []string }

func (a *fakeAlerter) QueueAlert(_ context.Context, _ *store.Tx, subject, _ string) error {
	a.subjects = append(a.subjects, subject)
	return nil
}

// setup opens a store whose clock is clock, with a CFO schedule every
// weekday... every day at 07:00 Los Angeles time, set at setAt.
func setup(t *testing.T, clock *storetest.Clock, setAt time.Time, weekdays bool) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "opsdeck.db")
	s := openAt(t, path, clock)
	clock.Set(setAt)
	if err := s.Update(context.Background(), "t", func(tx *store.Tx) error {
		return tx.SetSchedule(context.Background(), &portfolio.Schedule{Role: portfolio.RoleCFO, Cron: "0 7 * * *",
			TimeZone: "America/Los_Angeles", WeekdaysOnly: weekdays, Enabled: true})
	}); err != nil {
		t.Fatal(err)
	}
	return s, path
}

func openAt(t *testing.T, path string, clock *storetest.Clock) *store.Store {
	t.Helper()
	return storetest.OpenPath(t, path, clock)
}

func at(day, hour, minute int) time.Time {
	return time.Date(2026, time.December, day, hour, minute, 0, 0, la)
}

func TestTickSendsEachSlotOnce(t *testing.T) {
	clock := storetest.NewClock(time.Time{})
	s, _ := setup(t, clock, at(1, 6, 0), false) // Tuesday 1 December
	q := &fakeQueue{}
	sch := New(s, q, Options{Clock: clock})
	sch.started = clock.Now()
	ctx := context.Background()

	clock.Set(at(1, 6, 59))
	next, err := sch.Tick(ctx)
	if err != nil || q.count() != 0 {
		t.Fatalf("before 07:00: %d sends, %v", q.count(), err)
	}
	if !next.Equal(at(1, 7, 0)) {
		t.Errorf("next wake %v, want 07:00", next)
	}
	clock.Set(at(1, 7, 0).Add(20 * time.Second))
	if _, err := sch.Tick(ctx); err != nil || q.count() != 1 {
		t.Fatalf("at 07:00: %d sends, %v", q.count(), err)
	}
	if _, err := sch.Tick(ctx); err != nil || q.count() != 1 {
		t.Fatalf("a second tick in the same minute sent again: %d sends", q.count())
	}
	clock.Set(at(2, 7, 1))
	sch.Tick(ctx)
	if q.count() != 2 {
		t.Errorf("next day: %d sends, want 2", q.count())
	}
	runs, _ := s.ScheduleRuns(ctx, portfolio.RoleCFO, 10)
	if len(runs) != 2 || runs[0].Status != "ok" || runs[0].BatchID != 2 || !runs[0].Slot.Equal(at(2, 7, 0)) {
		t.Errorf("runs = %+v", runs)
	}
}

// Two processes on one database (a console and the server) never both
// send a slot.
func TestTwoSchedulersSendOnce(t *testing.T) {
	clock := storetest.NewClock(time.Time{})
	s1, path := setup(t, clock, at(1, 6, 0), false)
	s2 := openAt(t, path, clock)
	q := &fakeQueue{}
	a, b := New(s1, q, Options{Clock: clock}), New(s2, q, Options{Clock: clock})
	a.started, b.started = clock.Now(), clock.Now()
	clock.Set(at(1, 7, 0))
	var wg sync.WaitGroup
	for _, sch := range []*Scheduler{a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); sch.Tick(context.Background()) }()
	}
	wg.Wait()
	if q.count() != 1 {
		t.Errorf("%d sends from two schedulers, want 1", q.count())
	}
}

func TestCatchUpSendsAMissedSlotOnce(t *testing.T) {
	clock := storetest.NewClock(time.Time{})
	s, _ := setup(t, clock, at(1, 6, 0), false)
	q := &fakeQueue{}
	ctx := context.Background()

	// Down over 07:00, back at 09:00: the 07:00 report goes out once.
	clock.Set(at(1, 9, 0))
	sch := New(s, q, Options{Clock: clock, MaxCatchUp: 12 * time.Hour})
	if _, err := sch.catchUp(ctx); err != nil || q.count() != 1 {
		t.Fatalf("catch-up: %d sends, %v", q.count(), err)
	}
	// Restarted again at 09:30: nothing more.
	clock.Set(at(1, 9, 30))
	if _, err := New(s, q, Options{Clock: clock}).catchUp(ctx); err != nil || q.count() != 1 {
		t.Fatalf("second start: %d sends, %v", q.count(), err)
	}
	// Down from before 07:00 on the 2nd until 20:00: thirteen hours is
	// too old for a 12-hour limit, so it is skipped, not sent late, and
	// the skip is recorded.
	clock.Set(at(2, 20, 0))
	if _, err := New(s, q, Options{Clock: clock, MaxCatchUp: 12 * time.Hour}).catchUp(ctx); err != nil || q.count() != 1 {
		t.Fatalf("stale slot: %d sends, %v", q.count(), err)
	}
	runs, _ := s.ScheduleRuns(ctx, portfolio.RoleCFO, 10)
	if len(runs) != 2 || runs[1].Trigger != "catch_up" || runs[1].Status != "ok" {
		t.Fatalf("runs = %+v", runs)
	}
	if r := runs[0]; r.Status != "skipped" || !r.Slot.Equal(at(2, 7, 0)) || r.BatchID != 0 ||
		!strings.Contains(r.Error, "13h0m0s old") || !strings.Contains(r.Error, "older than the catch-up limit (12h0m0s)") {
		t.Errorf("the stale slot's run = %+v", r)
	}
}

func TestWeekdaysOnly(t *testing.T) {
	sc := portfolio.Schedule{Role: portfolio.RoleCEO, Cron: "0 7 * * *", TimeZone: "America/Los_Angeles", WeekdaysOnly: true}
	next, err := sc.Next(at(4, 8, 0)) // Friday 4 December, after the run
	if err != nil {
		t.Fatal(err)
	}
	if !next.Equal(at(7, 7, 0)) {
		t.Errorf("after Friday's run the next is %v, want Monday 7 December 07:00", next.In(la))
	}
	sc.WeekdaysOnly = false
	if next, _ := sc.Next(at(4, 8, 0)); !next.Equal(at(5, 7, 0)) {
		t.Errorf("without weekdays-only: %v, want Saturday", next.In(la))
	}
	sc.Cron = "0 7 * * 6,0"
	sc.WeekdaysOnly = true
	if _, err := sc.Next(at(4, 8, 0)); err == nil {
		t.Error("a weekends-only schedule marked weekdays-only should never run, and say so")
	}
}

func TestFailedRunIsRecordedAndAlerted(t *testing.T) {
	clock := storetest.NewClock(time.Time{})
	s, _ := setup(t, clock, at(1, 6, 0), false)
	q := &fakeQueue{fail: errors.New("24-hour sending quota exhausted")}
	alerts := &fakeAlerter{}
	sch := New(s, q, Options{Clock: clock, Alerter: alerts})
	sch.started = clock.Now()
	clock.Set(at(1, 7, 0))
	if _, err := sch.Tick(context.Background()); err == nil {
		t.Error("a failed run returned no error")
	}
	runs, _ := s.ScheduleRuns(context.Background(), portfolio.RoleCFO, 10)
	if len(runs) != 1 || runs[0].Status != "failed" || runs[0].Error != "24-hour sending quota exhausted" {
		t.Errorf("runs = %+v", runs)
	}
	if len(alerts.subjects) != 1 {
		t.Errorf("%d alerts, want 1", len(alerts.subjects))
	}
	if n := outboxRows(t, s); n != 0 {
		t.Errorf("a run that failed to render left %d outbox rows", n)
	}
	// The failed slot is not retried on every tick (one alert, not a storm).
	sch.Tick(context.Background())
	if len(alerts.subjects) != 1 {
		t.Errorf("%d alerts after another tick, want still 1", len(alerts.subjects))
	}
}

func TestDisabledAndInvalid(t *testing.T) {
	clock := storetest.NewClock(time.Time{})
	s, _ := setup(t, clock, at(1, 6, 0), false)
	ctx := context.Background()
	if err := s.Update(ctx, "t", func(tx *store.Tx) error { return tx.SetScheduleEnabled(ctx, portfolio.RoleCFO, false) }); err != nil {
		t.Fatal(err)
	}
	q := &fakeQueue{}
	sch := New(s, q, Options{Clock: clock})
	sch.started = clock.Now()
	clock.Set(at(1, 7, 0))
	sch.Tick(ctx)
	if q.count() != 0 {
		t.Error("a paused schedule sent")
	}
	for _, bad := range []string{"", "every morning", "61 7 * * *", "0 7 * *", "CRON_TZ=UTC 0 7 * * *"} {
		err := s.Update(ctx, "t", func(tx *store.Tx) error {
			return tx.SetSchedule(ctx, &portfolio.Schedule{Role: portfolio.RoleCEO, Cron: bad, TimeZone: "UTC", Enabled: true})
		})
		if portfolio.ErrorCode(err) != portfolio.EINVALID {
			t.Errorf("cron %q accepted: %v", bad, err)
		}
	}
	err := s.Update(ctx, "t", func(tx *store.Tx) error {
		return tx.SetSchedule(ctx, &portfolio.Schedule{Role: portfolio.RoleCEO, Cron: "0 7 * * 1", TimeZone: "Mars/Base", Enabled: true})
	})
	if portfolio.ErrorCode(err) != portfolio.EINVALID {
		t.Errorf("bad zone accepted: %v", err)
	}
}

// Run, driven by the fake clock, wakes for the slot and sends it.
func TestRunWakesOnTime(t *testing.T) {
	clock := storetest.NewClock(time.Time{})
	s, _ := setup(t, clock, at(1, 6, 0), false)
	q := &fakeQueue{notify: make(chan struct{}, 4)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- New(s, q, Options{Clock: clock, Recheck: time.Hour}).Run(ctx) }()
	// Let Run start and go to sleep, then move to 07:00.
	waitForWaiters(t, clock)
	clock.Set(at(1, 7, 0))
	select {
	case <-q.notify:
	case <-time.After(10 * time.Second):
		t.Fatal("the 07:00 report was not sent")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if q.count() != 1 {
		t.Errorf("%d sends, want 1", q.count())
	}
}

func waitForWaiters(t *testing.T, c *storetest.Clock) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c.Waiting() > 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the scheduler never went to sleep")
}
