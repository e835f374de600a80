package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"opsdeck/replica"
	"opsdeck/store/storetest"
)

// /healthz carries the replica's status, and fails once replication has
// stalled for longer than the threshold; while it has not, it is healthy.
func TestHealthzFailsWhenReplicationStalls(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	// A replica under a regular file cannot be written: the peer is gone.
	blocker := filepath.Join(t.TempDir(), "blocker")
	os.WriteFile(blocker, nil, 0o600)
	r, err := replica.Start(ctx, s.Path(), replica.Options{URL: "file://" + filepath.Join(blocker, "replica"),
		SyncInterval: time.Hour, StallAfter: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(ctx) })
	healthy := func(context.Context) (any, error) { return map[string]any{}, nil }
	check := withReplicaHealth(healthy, r)

	details, err := check(ctx)
	if err != nil {
		t.Fatalf("healthz before the threshold: %v", err)
	}
	rep := details.(map[string]any)["replica"].(map[string]any)
	if rep["last_error"] == "" || rep["stalled"] != false {
		t.Errorf("replica details before the threshold: %v", rep)
	}
	time.Sleep(250 * time.Millisecond)
	details, err = check(ctx)
	if err == nil || !strings.HasPrefix(err.Error(), "replication has stalled: the replica is ") {
		t.Fatalf("healthz after the threshold: %v, want a stall", err)
	}
	if rep := details.(map[string]any)["replica"].(map[string]any); rep["stalled"] != true {
		t.Errorf("replica details after the threshold: %v", rep)
	}
}
