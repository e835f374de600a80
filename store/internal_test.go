package store

// These tests look inside the store (its two pools, the migration record);
// the rest, in package store_test, use it as everyone else does.

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"opsdeck/portfolio"
)

// openTest opens a store on path, closed when the test ends.
func openTest(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
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

// BenchmarkRawInsert is the floor for BenchmarkSetKPI: one bare INSERT in
// its own durable transaction on the same connection. bench/run prints
// SetKPI as a multiple of it.
func BenchmarkRawInsert(b *testing.B) {
	s := openTest(b, filepath.Join(b.TempDir(), "raw.db"))
	ctx := context.Background()
	k := mustKPIB(b, s)
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.write.ExecContext(ctx, "INSERT INTO kpi_readings (kpi_id, value, taken_at) VALUES (?, 3, 'x')", k); err != nil {
			b.Fatal(err)
		}
	}
}

func mustKPIB(b *testing.B, s *Store) int64 {
	ctx := context.Background()
	var k portfolio.KPI
	if err := s.Update(ctx, "bench", func(tx *Tx) error {
		e := portfolio.Entity{Code: "JADA", Name: "JADA Yacht Charters", Kind: portfolio.KindOperating}
		if _, err := tx.PutRecord(ctx, portfolio.MustKind("entity"), "", &e); err != nil {
			return err
		}
		k = portfolio.KPI{EntityID: e.ID, Key: "charters", Name: "Charters per month", Unit: "count",
			Direction: portfolio.HigherIsBetter, Target: 6, Tolerance: 0.1, OwnerRole: portfolio.RoleCEO}
		return tx.CreateKPI(ctx, &k)
	}); err != nil {
		b.Fatal(err)
	}
	return k.ID
}

// Stored times sort as strings the way they sort as times, so SQL range
// conditions on them (due messages, upcoming events) are right.
func TestStoredTimesSortAsText(t *testing.T) {
	base := time.Date(2026, 11, 26, 19, 0, 0, 0, time.UTC)
	times := []time.Time{base, base.Add(10 * time.Millisecond), base.Add(time.Second), base.Add(time.Second + time.Nanosecond)}
	for i := 1; i < len(times); i++ {
		a, b := formatTime(times[i-1]), formatTime(times[i])
		if !(a < b) {
			t.Errorf("%s does not sort before %s", a, b)
		}
		if back, err := parseTime(b); err != nil || !back.Equal(times[i]) {
			t.Errorf("%s parses back as %v, %v", b, back, err)
		}
	}
}
