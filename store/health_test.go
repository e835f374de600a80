package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"opsdeck/portfolio"

	sqlite3 "modernc.org/sqlite/lib"
)

func TestIsDiskFull(t *testing.T) {
	const gib = 1 << 30
	for _, tc := range []struct {
		name  string
		code  int
		free  uint64
		known bool
		want  bool
	}{
		{"SQLITE_FULL with room", sqlite3.SQLITE_FULL, 10 * gib, true, true},
		{"SQLITE_FULL, space unknown", sqlite3.SQLITE_FULL, 0, false, true},
		{"WAL index at 0 bytes free", sqlite3.SQLITE_IOERR_SHMSIZE, 0, true, true},
		{"4874 is the WAL index", 4874, 0, true, true},
		{"short write with a few KiB left", sqlite3.SQLITE_IOERR_WRITE, 12 << 10, true, true},
		{"plain I/O error, nearly full", sqlite3.SQLITE_IOERR, 512 << 10, true, true},
		{"fsync error on a roomy disk", sqlite3.SQLITE_IOERR_FSYNC, 10 * gib, true, false},
		{"I/O error, space unknown", sqlite3.SQLITE_IOERR_WRITE, 0, false, false},
		{"not an I/O error, disk full", sqlite3.SQLITE_ERROR, 0, true, false},
		{"constraint", sqlite3.SQLITE_CONSTRAINT_UNIQUE, 0, true, false},
		{"busy", sqlite3.SQLITE_BUSY, 0, true, false},
	} {
		got := isDiskFull(tc.code, func() (uint64, bool) { return tc.free, tc.known })
		if got != tc.want {
			t.Errorf("%s: isDiskFull(%d, %d free) = %v, want %v", tc.name, tc.code, tc.free, got, tc.want)
		}
	}
	if got := codeName(4874); got != "SQLITE_IOERR_SHMSIZE" {
		t.Errorf("codeName(4874) = %q", got)
	}
}

// capPages stops the writer connection's database from growing: the next
// write that needs a new page fails with SQLITE_FULL, as on a full disk.
// The writer is a single connection, so the pragma stays put.
func capPages(t *testing.T, s *Store, extra int) {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := s.write.QueryRowContext(ctx, "PRAGMA page_count").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", n+extra)); err != nil {
		t.Fatal(err)
	}
}

func bigWrite(ctx context.Context, tx *Tx) error {
	return tx.audit(ctx, "test", "blob", 0, strings.Repeat("x", 256<<10))
}

// bigBareWrite fills the disk from a table no trigger watches (the
// leases): a one-row INSERT there opens no statement journal, so SQLite
// answers SQLITE_FULL by rolling the whole transaction back, where a
// watched table's trigger makes it undo the statement alone.
func bigBareWrite(ctx context.Context, tx *Tx) error {
	_, err := tx.tx.ExecContext(ctx, "INSERT INTO leases (name, holder, expires_at) VALUES ('big', ?, '')", strings.Repeat("x", 256<<10))
	return err
}

func smallWrite(ctx context.Context, tx *Tx) error {
	return tx.audit(ctx, "test", "small", 0, "ok")
}

func wantHealthy(t *testing.T, s *Store, when string) {
	t.Helper()
	if ok, reason, since := s.WriteHealth(); !ok || reason != "" || !since.IsZero() {
		t.Fatalf("%s: WriteHealth() = %v, %q, %v; want ok", when, ok, reason, since)
	}
}

func wantFailing(t *testing.T, s *Store, when string, since time.Time) {
	t.Helper()
	ok, reason, at := s.WriteHealth()
	if ok || !strings.Contains(reason, "disk full: cannot write "+s.path+" (SQLITE_FULL") || !at.Equal(since) {
		t.Fatalf("%s: WriteHealth() = %v, %q, %v; want failing since %v with the disk-full reason", when, ok, reason, at, since)
	}
}

type stepClock struct{ now time.Time }

func (c *stepClock) Now() time.Time                         { return c.now }
func (c *stepClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

func TestWriteHealthFailsAndRecovers(t *testing.T) {
	clock := &stepClock{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "h.db"), Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var logs bytes.Buffer
	s.SetLogger(slog.New(slog.NewTextHandler(&logs, nil)))
	ctx := context.Background()
	wantHealthy(t, s, "new store")

	// The caller's own failures say nothing about the disk.
	invalid := portfolio.Errorf(portfolio.EINVALID, "no such thing")
	if err := s.Update(ctx, "t", func(*Tx) error { return invalid }); err != invalid {
		t.Fatalf("Update returned %v, want the function's error as it was", err)
	}
	err = s.Update(ctx, "t", func(tx *Tx) error {
		_, err := tx.insert(ctx, "migration", "1", "INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'x', 'y')")
		return err
	})
	if portfolio.ErrorCode(err) != portfolio.ECONFLICT {
		t.Fatalf("duplicate key: %v, want a conflict", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Update(cancelled, "t", func(tx *Tx) error { return smallWrite(ctx, tx) }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Update: %v", err)
	}
	wantHealthy(t, s, "after a refused change, a conflict and a cancelled write")

	capPages(t, s, 0)
	failedAt := clock.now
	err = s.Update(ctx, "t", func(tx *Tx) error { return bigWrite(ctx, tx) })
	if !errors.Is(err, ErrDiskFull) || portfolio.ErrorCode(err) != portfolio.EUNAVAILABLE ||
		!strings.HasPrefix(err.Error(), "disk full: cannot write "+s.path+" (SQLITE_FULL") {
		t.Fatalf("write past the cap: %v (code %s), want a disk-full error", err, portfolio.ErrorCode(err))
	}
	if msg := portfolio.ErrorMessage(err); msg != err.Error() {
		t.Errorf("ErrorMessage = %q, want the whole message %q", msg, err.Error())
	}
	wantFailing(t, s, "after SQLITE_FULL", failedAt)

	// Still failing: more failures (grouped ones too) keep the first
	// time; a refused change and a commit that changed nothing prove
	// nothing about the disk.
	clock.now = clock.now.Add(time.Minute)
	if err := s.UpdateGrouped(ctx, "t", func(tx *Tx) error { return bigWrite(ctx, tx) }); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("grouped write past the cap: %v", err)
	}
	if err := s.Update(ctx, "t", func(*Tx) error { return invalid }); err != invalid {
		t.Fatal(err)
	}
	if err := s.Update(ctx, "t", func(*Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateGrouped(ctx, "t", func(*Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	wantFailing(t, s, "after more failures and empty commits", failedAt)

	// Room again: the next write that commits a change ends it.
	capPages(t, s, 1000)
	if err := s.Update(ctx, "t", func(tx *Tx) error { return smallWrite(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
	wantHealthy(t, s, "after a write committed")

	// And through a grouped write.
	capPages(t, s, 0)
	if err := s.UpdateGrouped(ctx, "t", func(tx *Tx) error { return bigWrite(ctx, tx) }); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("grouped write past the cap: %v", err)
	}
	wantFailing(t, s, "after a grouped failure", clock.now)
	capPages(t, s, 1000)
	if err := s.UpdateGrouped(ctx, "t", func(tx *Tx) error { return smallWrite(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
	wantHealthy(t, s, "after a grouped write committed")

	// One line when writes start failing and one when they work again,
	// not one per failed write.
	out := logs.String()
	if n := strings.Count(out, "database writes are failing"); n != 2 {
		t.Errorf("logged the failure %d times, want once per run of failures:\n%s", n, out)
	}
	if n := strings.Count(out, "database writes work again"); n != 2 || !strings.Contains(out, "failed_writes=2") {
		t.Errorf("logged the recovery %d times, want once per run with its count:\n%s", n, out)
	}
}

// A change that loses the group's transaction (SQLite rolls it all back
// on SQLITE_FULL) takes the batch with it: every change of the batch is
// reported failed and none is written, where the changes after it used
// to run outside any transaction, each committed on its own, and still be
// reported failed.
func TestGroupedBatchLostToAFullDisk(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "g.db"))
	ctx := context.Background()
	queued := func(n int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			s.group.mu.Lock()
			got := len(s.group.queue)
			s.group.mu.Unlock()
			if got == n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d changes queued, want %d", got, n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	// Hold the writer with one change so the rest queue up behind it and
	// share the next commit, in the order they were made.
	capPages(t, s, 0)
	started, release := make(chan struct{}), make(chan struct{})
	blocker := make(chan error, 1)
	go func() {
		blocker <- s.UpdateGrouped(ctx, "t", func(tx *Tx) error {
			close(started)
			<-release
			return smallWrite(ctx, tx)
		})
	}()
	<-started
	const smalls = 4
	results := make(chan error, smalls+1)
	go func() { results <- s.UpdateGrouped(ctx, "t", func(tx *Tx) error { return bigBareWrite(ctx, tx) }) }()
	queued(1)
	for i := range smalls {
		go func() {
			results <- s.UpdateGrouped(ctx, "t", func(tx *Tx) error {
				return tx.audit(ctx, "test", "small", 0, fmt.Sprintf("small-%d", i))
			})
		}()
		queued(i + 2)
	}
	close(release)
	if err := <-blocker; err != nil {
		t.Fatalf("the first batch: %v", err)
	}
	for range smalls + 1 {
		if err := <-results; !errors.Is(err, ErrDiskFull) {
			t.Errorf("a change of the lost batch returned %v, want a disk-full error", err)
		}
	}
	var n int
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM audit_log WHERE details LIKE '\"small-%'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d changes reported failed were written", n)
	}
	if ok, reason, _ := s.WriteHealth(); ok {
		t.Errorf("WriteHealth ok after the lost batch (%q)", reason)
	}
}
