package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

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
		if _, err := store.Open(context.Background(), tc.path, store.Options{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%q) = %v, want error containing %q", tc.path, err, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Error("Open created the missing directory")
	}
}

func TestUpdateRollsBackOnError(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	before, _ := s.Audit(ctx, 1000)
	boom := errors.New("boom")
	err := s.Update(ctx, "test", func(tx *store.Tx) error {
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
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 20 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			v := float64(i)
			errs <- s.Update(ctx, "test", func(tx *store.Tx) error {
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

func mustKPI(t *testing.T, s *store.Store, entity, key string) portfolio.KPI {
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
	s := storetest.Demo(t, nil)
	other := storetest.OpenPath(t, s.Path(), nil)
	ctx := context.Background()
	v1, err := s.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v := 7.0
	if err := other.Update(ctx, "other", func(tx *store.Tx) error {
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
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	dst := filepath.Join(t.TempDir(), "backup.db")
	if err := s.Backup(ctx, dst); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, dst); portfolio.ErrorCode(err) != portfolio.ECONFLICT {
		t.Errorf("second backup to the same file = %v, want a conflict", err)
	}
	b := storetest.OpenPath(t, dst, nil)
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
