package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// A statement a transaction ran is prepared once the transaction ends, and
// the next transaction runs the prepared one; a script of several
// statements is never prepared (only its first would run), and statements
// built from data stop being kept at the bound.
func TestWriterKeepsStatementsPrepared(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "p.db"))
	ctx := context.Background()
	const q = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
	write := func(key string) {
		t.Helper()
		if err := s.Update(ctx, "t", func(tx *Tx) error {
			_, err := tx.tx.ExecContext(ctx, q, key, "v")
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	write("a")
	if s.stmts.lookup(q) == nil {
		t.Fatal("the statement was not prepared after its transaction")
	}
	write("b")
	var n int
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM meta WHERE key IN ('a', 'b')").Scan(&n); err != nil || n != 2 {
		t.Fatalf("rows written through the prepared statement: %d, %v; want 2", n, err)
	}
	for _, script := range []string{"UPDATE meta SET value = 'x' WHERE key = 'a'; UPDATE meta SET value = 'y' WHERE key = 'b'"} {
		if cacheable(script) {
			t.Errorf("%q counted as one statement", script)
		}
	}
	if !cacheable("SELECT 1;") {
		t.Error("a statement with its closing semicolon counted as a script")
	}
	for i := range maxCachedStatements + 10 {
		if err := s.Update(ctx, "t", func(tx *Tx) error {
			_, err := tx.tx.ExecContext(ctx, fmt.Sprintf("UPDATE meta SET value = 'v' WHERE key = 'k%d'", i))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(s.stmts.stmts); got > maxCachedStatements {
		t.Errorf("%d statements kept, past the bound of %d", got, maxCachedStatements)
	}
}

// A statement the cache lacks that one transaction runs many times (an
// import) is prepared for the rest of that transaction, and what it wrote
// is what running it unprepared writes.
func TestLongTransactionPreparesItsRepeats(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "l.db"))
	ctx := context.Background()
	const q = "INSERT INTO meta (key, value) VALUES (?, ?)"
	var local int
	if err := s.Update(ctx, "t", func(tx *Tx) error {
		for i := range 100 {
			if _, err := tx.tx.ExecContext(ctx, q, fmt.Sprint("k", i), "v"); err != nil {
				return err
			}
		}
		local = len(tx.tx.(*cachedTx).local)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if local != 1 {
		t.Errorf("%d statements prepared for the transaction, want the one it repeated", local)
	}
	var n int
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM meta WHERE key LIKE 'k%'").Scan(&n); err != nil || n != 100 {
		t.Errorf("rows written: %d, %v; want 100", n, err)
	}
}
