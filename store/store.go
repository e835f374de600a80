// Package store keeps the portfolio in SQLite: the schema and its
// migrations, the queries that read portfolio records and the transactions
// that write them (each with its audit row), and the records of the
// machinery itself (the outbox, schedules and their runs, leases, crew
// links and sessions, the checklist log).
//
// A Store holds two handles on one file: a single writer connection, so
// SQLite never has to arbitrate between writers of ours, and a pool of
// query-only readers, which WAL lets run alongside the writer.
package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"opsdeck/portfolio"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Options tune Open. The zero value is usable.
type Options struct {
	// Clock stamps everything the store writes and decides what has
	// expired. Defaults to the system clock.
	Clock Clock
	// Readers is the size of the read pool. Defaults to max(4, NumCPU).
	Readers int
}

// Store is an open opsdeck database.
type Store struct {
	path  string
	write *sql.DB
	read  *sql.DB
	clock Clock
	group groupCommit // see UpdateGrouped
	// stmts keeps the writer's statements prepared; see stmtcache.go.
	stmts *stmtCache
	// health remembers whether writes are failing; see WriteHealth.
	health writeHealth
}

// sqliteHeader starts every SQLite 3 database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// busyTimeout is how long a connection waits on a lock held by another
// process (a second console, the CLI, the server) before giving up.
const busyTimeout = 5 * time.Second

// Open opens the database at path, creating it if it does not exist, and
// brings its schema up to date. It refuses, without writing anything, a file
// that is not SQLite, a database from a newer opsdeck, and a path whose
// directory is missing.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	clock := opts.Clock
	if clock == nil {
		clock = SystemClock{}
	}
	readers := opts.Readers
	if readers <= 0 {
		readers = max(4, runtime.NumCPU())
	}

	// Inspect the file before the writer's pragmas touch it: switching a
	// foreign database to WAL would already be a write.
	if err := inspect(ctx, path); err != nil {
		err, _ = classify(ctx, path, err, true) // a full disk says so
		return nil, err
	}
	write, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// One writer connection: writes queue in database/sql instead of
	// contending for SQLite's lock, and BEGIN IMMEDIATE (the _txlock in the
	// DSN) means a transaction never fails half-way on a lock upgrade.
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)

	s := &Store{path: path, write: write, clock: clock, stmts: newStmtCache(write)}
	if err := s.migrate(ctx); err != nil {
		write.Close()
		err, _ = s.fault(ctx, err, true) // a full disk says so
		return nil, err
	}

	read, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s for reading: %w", path, err)
	}
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	s.read = read
	return s, nil
}

// dsn builds the connection string. Pragmas go in the DSN, not in an Exec
// after Open, because they are per connection and database/sql opens new
// connections whenever it likes.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	}
	return path + "?" + q.Encode()
}

// checkPath rejects, before SQLite touches anything, the paths that would
// otherwise produce SQLite's unhelpful "unable to open database file" or,
// worse, let it write a journal next to somebody else's file.
func checkPath(path string) error {
	if path == "" {
		return portfolio.Errorf(portfolio.EINVALID, "no database path given")
	}
	if strings.ContainsRune(path, '?') {
		return portfolio.Errorf(portfolio.EINVALID, "database path %q must not contain '?'", path)
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("database directory %s does not exist", dir)
	case err != nil:
		return fmt.Errorf("database directory %s: %w", dir, err)
	case !st.IsDir():
		return fmt.Errorf("database directory %s is not a directory", dir)
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	} else if !st.Mode().IsRegular() {
		return fmt.Errorf("database %s is not a regular file", path)
	} else if st.Size() == 0 {
		return nil // SQLite treats an empty file as a new database
	}
	header := make([]byte, len(sqliteHeader))
	if _, err := io.ReadFull(f, header); err != nil || !bytes.Equal(header, sqliteHeader) {
		return fmt.Errorf("%s is not an SQLite database; refusing to touch it", path)
	}
	return nil
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Now returns the store clock's current time.
func (s *Store) Now() time.Time { return s.clock.Now() }

func (s *Store) now() time.Time { return s.clock.Now() }

// Close closes both handles. The last close checkpoints the WAL into the
// main file.
func (s *Store) Close() error {
	var errs []error
	if s.read != nil {
		errs = append(errs, s.read.Close())
	}
	s.stmts.close()
	errs = append(errs, s.write.Close())
	return errors.Join(errs...)
}

// querier is what *sql.DB, *sql.Conn and *sql.Tx have in common; read
// helpers take one so they serve both the read pool and a write transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is a write transaction. Every multi-step change runs in one, so a
// failure part-way leaves the database as it was.
type Tx struct {
	tx    querier // the transaction, with the writer's prepared statements
	now   time.Time
	actor string
	// quiet holds back per-row audit entries while Bulk runs.
	quiet bool
	// recs remembers, for PutRecord and RemoveRecord, the records of the
	// kinds they have read; it sees only the writes made through them.
	recs *records
	// deleted is what the deletes made in the transaction took, for an
	// undo (see restore.go); schemaInfo the foreign keys they followed.
	deleted    *Deleted
	schemaInfo *schemaInfo
}

// Bulk runs fn with the per-row audit entries held back, then writes one
// entry with the details fn returns: loading the demo is one change to
// whoever reads the log, not hundreds.
func (tx *Tx) Bulk(ctx context.Context, action, subjectType string, fn func() (details any, err error)) error {
	tx.quiet = true
	details, err := fn()
	tx.quiet = false
	if err != nil {
		return err
	}
	return tx.audit(ctx, action, subjectType, 0, details)
}

// Update runs fn in a write transaction on behalf of actor (who appears in
// the audit log), committing if fn returns nil and rolling back otherwise.
func (s *Store) Update(ctx context.Context, actor string, fn func(*Tx) error) error {
	if actor == "" {
		actor = "system"
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return s.failed(ctx, fmt.Errorf("begin write: %w", err), true)
	}
	before := s.changeCount(tx)
	defer s.stmts.prepareWanted(ctx) // once the writer is free again
	if err := fn(&Tx{tx: newCachedTx(tx, s.stmts), now: s.now().UTC(), actor: actor}); err != nil {
		_ = tx.Rollback()
		return s.failed(ctx, err, false)
	}
	after := s.changeCount(tx)
	// With WAL a change reaches the disk at COMMIT, so a full disk
	// usually shows here rather than in fn.
	if err := tx.Commit(); err != nil {
		return s.failed(ctx, fmt.Errorf("commit: %w", err), true)
	}
	s.wrote(before, after)
	return nil
}

// View runs fn in a read transaction, so everything fn reads comes from one
// consistent snapshot of the database.
func (s *Store) View(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to lose
	return fn(tx)
}

// DataVersion returns SQLite's data_version for the writer connection. It
// changes whenever another connection (another process included) commits,
// which lets a console notice outside changes without reloading on a timer.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.write.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v)
	return v, err
}
