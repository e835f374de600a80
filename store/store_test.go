package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"opsdeck/portfolio"
)

// testNow is the fixed clock every store test runs at.
var testNow = time.Date(2026, time.November, 26, 19, 0, 0, 0, time.UTC)

func openTest(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newDemo returns a store on a fresh file holding the demo portfolio.
func newDemo(t testing.TB) *Store {
	t.Helper()
	s := openTest(t, filepath.Join(t.TempDir(), "opsdeck.db"))
	if err := s.Update(context.Background(), "test", func(tx *Tx) error { return tx.LoadDemo(context.Background()) }); err != nil {
		t.Fatalf("load demo: %v", err)
	}
	return s
}

func TestOpenCreatesAndReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	s := openTest(t, path)
	if got := mustAppliedVersion(t, s); got != SchemaVersion() {
		t.Fatalf("schema version %d, want %d", got, SchemaVersion())
	}
	s.Close()
	s2 := openTest(t, path)
	if got := mustAppliedVersion(t, s2); got != SchemaVersion() {
		t.Fatalf("after reopen: schema version %d, want %d", got, SchemaVersion())
	}
	var n int
	if err := s2.read.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != SchemaVersion() {
		t.Fatalf("migrations recorded %d (%v), want each once: %d", n, err, SchemaVersion())
	}
}

func mustAppliedVersion(t *testing.T, s *Store) int {
	t.Helper()
	v, err := appliedVersion(context.Background(), s.write, s.path)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Pragmas are per connection: every connection of both pools must have them.
func TestPragmasOnEveryConnection(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "p.db"))
	ctx := context.Background()
	check := func(name string, db *sql.DB, wantQueryOnly int) {
		// Hold several connections at once so the pool must open new ones.
		var conns []*sql.Conn
		for range 3 {
			c, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
			if db == s.write {
				break // one writer connection only
			}
		}
		for i, c := range conns {
			for pragma, want := range map[string]string{
				"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "5000", "synchronous": "2",
				"query_only": map[int]string{0: "0", 1: "1"}[wantQueryOnly],
			} {
				var got string
				if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("%s conn %d: PRAGMA %s = %s, want %s", name, i, pragma, got, want)
				}
			}
		}
		for _, c := range conns {
			c.Close()
		}
	}
	check("writer", s.write, 0)
	check("reader", s.read, 1)
	if s.write.Stats().MaxOpenConnections != 1 {
		t.Errorf("writer pool allows %d connections, want 1", s.write.Stats().MaxOpenConnections)
	}
}

func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOpenRefusesWithoutWriting(t *testing.T) {
	dir := t.TempDir()
	notSQLite := filepath.Join(dir, "notes.txt")
	os.WriteFile(notSQLite, []byte("these are my notes, not a database\n"), 0o644)

	foreign := filepath.Join(dir, "foreign.db")
	{
		db, err := sql.Open("sqlite", foreign)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("CREATE TABLE customers (id INTEGER PRIMARY KEY)"); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}

	newer := filepath.Join(dir, "newer.db")
	{
		s := openTest(t, newer)
		if _, err := s.write.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future.sql', 'x')",
			SchemaVersion()+1); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}

	for _, tc := range []struct {
		name, path, want string
	}{
		{"not SQLite", notSQLite, "not an SQLite database"},
		{"another program's database", foreign, "not an opsdeck one"},
		{"newer schema", newer, "newer opsdeck"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := fileBytes(t, tc.path)
			s, err := Open(context.Background(), tc.path, Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if !bytes.Equal(before, fileBytes(t, tc.path)) {
				t.Error("the file changed")
			}
		})
	}
}

func TestOpenBadPaths(t *testing.T) {
	dir := t.TempDir()
	aFile := filepath.Join(dir, "file")
	os.WriteFile(aFile, nil, 0o644)
	for _, tc := range []struct{ path, want string }{
		{"", "no database path"},
		{filepath.Join(dir, "missing", "x.db"), "does not exist"},
		{filepath.Join(aFile, "x.db"), "not a directory"},
		{dir, "not a regular file"},
		{filepath.Join(dir, "what?.db"), "must not contain"},
	} {
		if _, err := Open(context.Background(), tc.path, Options{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%q) = %v, want error containing %q", tc.path, err, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Error("Open created the missing directory")
	}
}

func TestUpdateRollsBackOnError(t *testing.T) {
	s := newDemo(t)
	ctx := context.Background()
	before, _ := s.Audit(ctx, 1000)
	boom := errors.New("boom")
	err := s.Update(ctx, "test", func(tx *Tx) error {
		v := 5.0
		if _, err := tx.SetKPI(ctx, "JADA", "charters", portfolio.KPIUpdate{Value: &v}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	k, _ := s.KPI(ctx, "JADA", "charters")
	if k.Latest.Value != 2 {
		t.Errorf("charters = %v after a rolled-back update, want 2", k.Latest.Value)
	}
	after, _ := s.Audit(ctx, 1000)
	if len(after) != len(before) {
		t.Errorf("audit log grew from %d to %d entries on rollback", len(before), len(after))
	}
}

// Concurrent writers queue on the single writer connection instead of
// failing with SQLITE_BUSY; run with -race.
func TestConcurrentWritesAndReads(t *testing.T) {
	s := newDemo(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 20 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			v := float64(i)
			errs <- s.Update(ctx, "test", func(tx *Tx) error {
				_, err := tx.SetKPI(ctx, "QDN", "hauls", portfolio.KPIUpdate{Value: &v})
				return err
			})
		}()
		go func() {
			defer wg.Done()
			_, err := s.Snapshot(ctx)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rs, err := s.Readings(ctx, mustKPI(t, s, "QDN", "hauls").ID, 100)
	if err != nil || len(rs) != 23 {
		t.Fatalf("readings = %d (%v), want 3 demo + 20 written", len(rs), err)
	}
}

func mustKPI(t *testing.T, s *Store, entity, key string) portfolio.KPI {
	t.Helper()
	k, err := s.KPI(context.Background(), entity, key)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// DataVersion moves when another connection (here another Store, as another
// process would be) commits, which is how consoles notice outside changes.
func TestDataVersionSeesOtherWriters(t *testing.T) {
	s := newDemo(t)
	other := openTest(t, s.Path())
	ctx := context.Background()
	v1, err := s.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v := 7.0
	if err := other.Update(ctx, "other", func(tx *Tx) error {
		_, err := tx.SetKPI(ctx, "JADA", "pipeline", portfolio.KPIUpdate{Value: &v})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	v2, _ := s.DataVersion(ctx)
	if v2 == v1 {
		t.Error("data_version did not change after another connection committed")
	}
	if got := mustKPI(t, s, "JADA", "pipeline").Latest.Value; got != 7 {
		t.Errorf("pipeline = %v, want the other writer's 7", got)
	}
}

func TestBackupOpensWithSameData(t *testing.T) {
	s := newDemo(t)
	ctx := context.Background()
	dst := filepath.Join(t.TempDir(), "backup.db")
	if err := s.Backup(ctx, dst); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, dst); portfolio.ErrorCode(err) != portfolio.ECONFLICT {
		t.Errorf("second backup to the same file = %v, want a conflict", err)
	}
	b := openTest(t, dst)
	want, _ := s.Snapshot(ctx)
	got, err := b.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := json.Marshal(want)
	gotJSON, _ := json.Marshal(got)
	if len(want.KPIs) == 0 || !bytes.Equal(wantJSON, gotJSON) {
		t.Errorf("backup holds different data:\n got %.300s\nwant %.300s", gotJSON, wantJSON)
	}
}
