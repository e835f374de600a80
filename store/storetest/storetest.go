// Package storetest is what tests across opsdeck share: the fixed moment
// they run at, a clock they drive by hand, stores on fresh files (empty or
// holding the demo portfolio) and a generator of big databases for
// benchmarks. Nothing outside tests imports it.
package storetest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"opsdeck/store"
	"opsdeck/store/demo"
)

// Now is the moment tests run at unless they move a clock: a Thursday
// evening, three days before the demo's first charter.
var Now = time.Date(2026, time.November, 26, 19, 0, 0, 0, time.UTC)

// Open opens a store on a new file in the test's temporary directory,
// closed when the test ends. A nil clock stands still at Now.
func Open(t testing.TB, clock store.Clock) *store.Store {
	t.Helper()
	return OpenPath(t, filepath.Join(t.TempDir(), "opsdeck.db"), clock)
}

// OpenPath opens the store at path (creating it if need be), closed when
// the test ends. A nil clock stands still at Now.
func OpenPath(t testing.TB, path string, clock store.Clock) *store.Store {
	t.Helper()
	if clock == nil {
		clock = NewClock(Now)
	}
	s, err := store.Open(context.Background(), path, store.Options{Clock: clock})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Demo opens a store on a new file holding the demo portfolio, loaded by
// actor "test". A nil clock stands still at Now.
func Demo(t testing.TB, clock store.Clock) *store.Store {
	t.Helper()
	s := Open(t, clock)
	LoadDemo(t, s)
	return s
}

// LoadDemo loads the demo portfolio into s.
func LoadDemo(t testing.TB, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	if err := s.Update(ctx, "test", func(tx *store.Tx) error { return demo.Load(ctx, tx) }); err != nil {
		t.Fatalf("load the demo portfolio: %v", err)
	}
}
