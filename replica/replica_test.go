package replica_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/replica"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// reading writes one KPI reading tagged note.
func reading(t *testing.T, s *store.Store, note string) {
	t.Helper()
	v := 3.0
	err := s.Update(context.Background(), "test", func(tx *store.Tx) error {
		_, err := tx.SetKPI(context.Background(), "JADA", "charters", portfolio.KPIUpdate{Value: &v, Note: note})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// notes returns the notes of the readings in the database at path.
func notes(t *testing.T, path string) map[string]bool {
	t.Helper()
	s := storetest.OpenPath(t, path, nil)
	ctx := context.Background()
	k, err := s.KPI(ctx, "JADA", "charters")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := s.Readings(ctx, k.ID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for _, r := range rs {
		m[r.Note] = true
	}
	return m
}

// started returns the demo in a new file, replicated to a new directory
// (every hour: the tests sync by hand), stopped when the test ends.
func started(t *testing.T, opts replica.Options) (*store.Store, *replica.Replicator, string) {
	t.Helper()
	s := storetest.Demo(t, nil)
	url := "file://" + filepath.Join(t.TempDir(), "replica")
	opts.URL = url
	if opts.SyncInterval == 0 {
		opts.SyncInterval = time.Hour
	}
	r, err := replica.Start(context.Background(), s.Path(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(context.Background()) })
	return s, r, url
}

func TestPointInTimeRestore(t *testing.T) {
	s, r, url := started(t, replica.Options{})
	ctx := context.Background()
	reading(t, s, "first")
	if err := r.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	between := time.Now()
	time.Sleep(20 * time.Millisecond)
	reading(t, s, "second")
	if err := r.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	then, err := replica.Restore(ctx, url, replica.Access{}, filepath.Join(dir, "then.db"), between)
	if err != nil {
		t.Fatalf("restore at %s: %v", between, err)
	}
	for _, side := range []string{"-wal", "-shm", ".tmp"} {
		if _, err := os.Stat(then.Path + side); err == nil {
			t.Errorf("the restore left %s behind", then.Path+side)
		}
	}
	if got := notes(t, then.Path); !got["first"] || got["second"] {
		t.Errorf("restore between the writes has first=%v second=%v, want only the first", got["first"], got["second"])
	}
	if then.LastChange.After(between) {
		t.Errorf("restore at %s reports a last change at %s", between, then.LastChange)
	}
	now, err := replica.Restore(ctx, url, replica.Access{}, filepath.Join(dir, "now.db"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if got := notes(t, now.Path); !got["first"] || !got["second"] {
		t.Errorf("latest restore has first=%v second=%v, want both", got["first"], got["second"])
	}
	if now.TXID <= then.TXID || now.LastChange.Before(between) {
		t.Errorf("latest restore %+v is not after the earlier one %+v", now, then)
	}

	// Before the replica began there is nothing to restore.
	_, err = replica.Restore(ctx, url, replica.Access{}, filepath.Join(dir, "before.db"), between.Add(-time.Hour))
	if !errors.Is(err, replica.ErrEmpty) {
		t.Errorf("restore before the first sync: %v, want ErrEmpty", err)
	}
}

func TestRestoreRefusesExistingFile(t *testing.T) {
	_, r, url := started(t, replica.Options{})
	if err := r.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	existing := filepath.Join(dir, "opsdeck.db")
	os.WriteFile(existing, []byte("precious"), 0o600)
	os.WriteFile(filepath.Join(dir, "stale.db-wal"), []byte("wal"), 0o600)
	for _, tc := range []struct{ out, want string }{
		{existing, "exists"},
		{filepath.Join(dir, "stale.db"), "stale.db-wal exists"},
		{filepath.Join(dir, "missing", "x.db"), "missing"},
	} {
		_, err := replica.Restore(context.Background(), url, replica.Access{}, tc.out, time.Time{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("restore into %s: %v, want %q", tc.out, err, tc.want)
		}
	}
	if b, _ := os.ReadFile(existing); string(b) != "precious" {
		t.Errorf("the existing file now holds %q", b)
	}
	_, err := replica.Restore(context.Background(), "file://"+filepath.Join(dir, "nothing-here"), replica.Access{}, filepath.Join(dir, "new.db"), time.Time{})
	if !errors.Is(err, replica.ErrEmpty) {
		t.Errorf("restore from an empty replica: %v, want ErrEmpty", err)
	}
}

// Stop's final sync takes what was written since the last timed one.
func TestStopSyncsLastWrites(t *testing.T) {
	s := storetest.Demo(t, nil)
	url := "file://" + filepath.Join(t.TempDir(), "replica")
	ctx := context.Background()
	r, err := replica.Start(ctx, s.Path(), replica.Options{URL: url, SyncInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	reading(t, s, "last words")
	if err := r.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.db")
	if _, err := replica.Restore(ctx, url, replica.Access{}, out, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if !notes(t, out)["last words"] {
		t.Error("the write before Stop is not in the replica")
	}
}

func TestStatusReportsPositionAndLag(t *testing.T) {
	var logs bytes.Buffer
	s, r, _ := started(t, replica.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	st := r.Status()
	if st.LastSync.IsZero() || st.LastError != "" || st.ReplicaTXID == 0 || st.ReplicaTXID != st.LocalTXID {
		t.Fatalf("status after start: %+v", st)
	}
	reading(t, s, "x")
	time.Sleep(30 * time.Millisecond)
	if st := r.Status(); st.Lag < 30*time.Millisecond {
		t.Errorf("lag %s, want at least the 30ms since the last sync", st.Lag)
	}
	if err := r.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := r.Status()
	if after.ReplicaTXID <= st.ReplicaTXID || after.Lag > 30*time.Millisecond {
		t.Errorf("status after a sync: %+v (before %+v)", after, st)
	}
	if logs.Len() != 0 {
		t.Errorf("a healthy replica logged:\n%s", logs.String())
	}
}

func TestParseURL(t *testing.T) {
	for _, tc := range []struct{ url, err string }{
		{"file:///var/backups/opsdeck", ""},
		{"s3://bucket/opsdeck", ""},
		{"s3://bucket/opsdeck?endpoint=https://x.r2.cloudflarestorage.com&region=auto", ""},
		{"", "no replica URL"},
		{"file://relative/path", "three slashes"},
		{"file:relative", "absolute path"},
		{"s3:///opsdeck", "no bucket"},
		{"s3://bucket", "path inside the bucket"},
		{"s3://bucket/x?endpiont=y", `unknown parameter "endpiont"`},
		{"gs://bucket/x", "file:///PATH or s3://BUCKET/PATH"},
	} {
		_, err := replica.ParseURL(tc.url)
		if got := fmt.Sprint(err); (tc.err == "") != (err == nil) || err != nil && !strings.Contains(got, tc.err) {
			t.Errorf("ParseURL(%q) = %v, want %q", tc.url, err, tc.err)
		}
	}
}
