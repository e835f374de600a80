package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"opsdeck/portfolio"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// writeHealth is what the store has learnt from its own writes: whether
// the last one to reach the database failed, why, and since when. A
// failure is remembered until a later write commits a change, so a full
// disk shows on /healthz instead of only in each refused request.
type writeHealth struct {
	// failing is read on every write, without the lock, to decide
	// whether the write must count its changes (see Store.wrote).
	failing atomic.Bool
	log     atomic.Pointer[slog.Logger]

	mu       sync.Mutex
	reason   string
	since    time.Time
	failures int
}

// WriteHealth reports whether writes work: ok until a write fails for a
// reason of the store's own (the disk, the file, SQLite; not a change
// refused as invalid or conflicting, nor a caller giving up), and from
// then until a write commits again, with the latest failure's reason and
// the time of the first.
func (s *Store) WriteHealth() (ok bool, reason string, since time.Time) {
	h := &s.health
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.failing.Load() {
		return true, "", time.Time{}
	}
	return false, h.reason, h.since
}

// SetLogger makes the store log the first of a run of failed writes and
// the write that ends it (nothing per write). A nil logger stops it.
func (s *Store) SetLogger(l *slog.Logger) { s.health.log.Store(l) }

// failed is where every write's error comes through: it classifies err
// (see fault), gives a full disk its name, and remembers a fault of the
// store's own for WriteHealth. ours says err came from the store's own
// steps (BEGIN, COMMIT) rather than from the caller's function, whose
// plain errors are the caller's: a validation or a conflict.
func (s *Store) failed(ctx context.Context, err error, ours bool) error {
	if err == nil {
		return nil
	}
	err, isFault := s.fault(ctx, err, ours)
	if isFault {
		s.noteFailure(err)
	}
	return err
}

// fault classifies an error from a write to the store's database; see
// classify.
func (s *Store) fault(ctx context.Context, err error, ours bool) (error, bool) {
	return classify(ctx, s.path, err, ours)
}

// classify is the one place that judges an error from the database at
// path: whether it is the store's fault (SQLite or the file system refused
// the write) and, when the disk is full, the error renamed so that it says
// so. A broken constraint is the change's fault, and anything after the
// caller's context ended is the caller's doing.
func classify(ctx context.Context, path string, err error, ours bool) (error, bool) {
	var full *diskFullError
	if errors.As(err, &full) {
		return err, true
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err, false
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CONSTRAINT, sqlite3.SQLITE_INTERRUPT:
			return err, false
		}
		if isDiskFull(se.Code(), func() (uint64, bool) { return freeSpace(filepath.Dir(path)) }) {
			return newDiskFullError(path, err, codeName(se.Code())), true
		}
		return err, true
	}
	if errors.Is(err, syscall.ENOSPC) {
		return newDiskFullError(path, err, "ENOSPC"), true
	}
	return err, ours
}

// isDiskFull says whether SQLite's result code means the disk had no room:
// SQLITE_FULL always, and an I/O error (SQLITE_IOERR or one of its
// extended codes) when the file system has next to no space left, since
// SQLite reports some writes the disk had no room for as I/O errors
// (growing the WAL index is SQLITE_IOERR_SHMSIZE) and does not pass the
// errno on. free tells the space left, if it can.
func isDiskFull(code int, free func() (uint64, bool)) bool {
	switch code & 0xff {
	case sqlite3.SQLITE_FULL:
		return true
	case sqlite3.SQLITE_IOERR:
		n, ok := free()
		return ok && n < diskFullBelow
	}
	return false
}

// diskFullBelow is how little free space makes an I/O error a full disk:
// SQLite grows its files by whole pages and its WAL index by 32 KiB.
const diskFullBelow = 1 << 20

// ErrDiskFull is in the chain of every write the store could not make for
// want of disk space, whatever SQLite called it.
var ErrDiskFull = errors.New("disk full")

// diskFullError names a full disk: the file, how SQLite (or the system)
// put it, and the space left. Its code is EUNAVAILABLE, so the crew
// server answers 503: the change may go through once there is room.
type diskFullError struct {
	msg string
	err error
}

func (e *diskFullError) Error() string { return e.msg }

func (e *diskFullError) Unwrap() []error {
	return []error{e.err, ErrDiskFull, portfolio.Errorf(portfolio.EUNAVAILABLE, "%s", e.msg)}
}

func newDiskFullError(path string, err error, code string) error {
	what := code
	if free, ok := freeSpace(filepath.Dir(path)); ok {
		what += ", " + formatBytes(free) + " free"
	}
	return &diskFullError{msg: fmt.Sprintf("disk full: cannot write %s (%s): %v", path, what, err), err: err}
}

// freeSpace is the space left to unprivileged writers on dir's file
// system, or none when it has no inodes left.
func freeSpace(dir string) (uint64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	if st.Files > 0 && st.Ffree == 0 {
		return 0, true
	}
	return uint64(st.Bavail) * uint64(st.Bsize), true
}

func formatBytes(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// codeName is the name of an SQLite result code for a full disk's message.
func codeName(code int) string {
	if name, ok := ioErrNames[code]; ok {
		return name
	}
	switch code & 0xff {
	case sqlite3.SQLITE_FULL:
		return "SQLITE_FULL"
	case sqlite3.SQLITE_IOERR:
		if code == sqlite3.SQLITE_IOERR {
			return "SQLITE_IOERR"
		}
		return fmt.Sprintf("SQLITE_IOERR extended code %d", code)
	}
	return fmt.Sprintf("SQLite code %d", code)
}

var ioErrNames = map[int]string{
	sqlite3.SQLITE_IOERR_READ:       "SQLITE_IOERR_READ",
	sqlite3.SQLITE_IOERR_SHORT_READ: "SQLITE_IOERR_SHORT_READ",
	sqlite3.SQLITE_IOERR_WRITE:      "SQLITE_IOERR_WRITE",
	sqlite3.SQLITE_IOERR_FSYNC:      "SQLITE_IOERR_FSYNC",
	sqlite3.SQLITE_IOERR_DIR_FSYNC:  "SQLITE_IOERR_DIR_FSYNC",
	sqlite3.SQLITE_IOERR_TRUNCATE:   "SQLITE_IOERR_TRUNCATE",
	sqlite3.SQLITE_IOERR_FSTAT:      "SQLITE_IOERR_FSTAT",
	sqlite3.SQLITE_IOERR_DELETE:     "SQLITE_IOERR_DELETE",
	sqlite3.SQLITE_IOERR_NOMEM:      "SQLITE_IOERR_NOMEM",
	sqlite3.SQLITE_IOERR_ACCESS:     "SQLITE_IOERR_ACCESS",
	sqlite3.SQLITE_IOERR_LOCK:       "SQLITE_IOERR_LOCK",
	sqlite3.SQLITE_IOERR_CLOSE:      "SQLITE_IOERR_CLOSE",
	sqlite3.SQLITE_IOERR_SHMOPEN:    "SQLITE_IOERR_SHMOPEN",
	sqlite3.SQLITE_IOERR_SHMSIZE:    "SQLITE_IOERR_SHMSIZE",
	sqlite3.SQLITE_IOERR_SHMMAP:     "SQLITE_IOERR_SHMMAP",
	sqlite3.SQLITE_IOERR_SEEK:       "SQLITE_IOERR_SEEK",
	sqlite3.SQLITE_IOERR_MMAP:       "SQLITE_IOERR_MMAP",
	sqlite3.SQLITE_IOERR_DATA:       "SQLITE_IOERR_DATA",
	sqlite3.SQLITE_IOERR_CORRUPTFS:  "SQLITE_IOERR_CORRUPTFS",
	sqlite3.SQLITE_IOERR_IN_PAGE:    "SQLITE_IOERR_IN_PAGE",
}

func (s *Store) noteFailure(err error) {
	h := &s.health
	h.mu.Lock()
	first := !h.failing.Load()
	if first {
		h.since, h.failures = s.now(), 0
	}
	h.failures++
	h.reason = err.Error()
	h.failing.Store(true)
	h.mu.Unlock()
	if l := h.log.Load(); first && l != nil {
		l.Error("database writes are failing", "database", s.path, "err", err)
	}
}

// changeCount is the writer connection's count of rows changed so far,
// which tells whether a transaction wrote anything: committing one that
// did not proves nothing about the disk. It is only asked for while
// writes are failing, and -1 means it was not.
func (s *Store) changeCount(tx *sql.Tx) int64 {
	if !s.health.failing.Load() {
		return -1
	}
	var n int64
	if err := tx.QueryRowContext(context.Background(), "SELECT total_changes()").Scan(&n); err != nil {
		return -1
	}
	return n
}

// wrote records a commit; before and after are changeCount at the start
// of the transaction and just before its commit. Only a commit that was
// seen to change something ends a run of failures.
func (s *Store) wrote(before, after int64) {
	if before < 0 || after <= before || !s.health.failing.Load() {
		return
	}
	h := &s.health
	h.mu.Lock()
	if !h.failing.Load() {
		h.mu.Unlock()
		return
	}
	since, failures := h.since, h.failures
	h.failing.Store(false)
	h.reason, h.since, h.failures = "", time.Time{}, 0
	h.mu.Unlock()
	if l := h.log.Load(); l != nil {
		l.Info("database writes work again", "database", s.path, "failing_for", s.now().Sub(since).Round(time.Second).String(), "failed_writes", failures)
	}
}
