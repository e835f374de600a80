package cli

import (
	"context"
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

// serve's replica report reaches a reader on another connection (as a
// console in another process): ok while the replica takes the changes,
// stalled once it has refused them for longer than the threshold, ok again
// when it is back, and stopped after the final sync.
func TestReplicaReportFollowsAStall(t *testing.T) {
	s := storetest.Demo(t, store.SystemClock{})
	reader := storetest.OpenPath(t, s.Path(), store.SystemClock{})
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "replica")
	r, err := replica.Start(ctx, s.Path(), replica.Options{URL: "file://" + dir, SyncInterval: time.Second, StallAfter: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	sr := &serveReplication{r: r, report: startReporting(ctx, s, r, slog.New(slog.DiscardHandler))}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			stopReplication(sr, slog.New(slog.DiscardHandler))
		}
	})
	read := func() store.ReplicaReport {
		t.Helper()
		rep, ok, err := reader.ReplicaStatus(ctx)
		if err != nil || !ok {
			t.Fatalf("no replica report: %v %v", ok, err)
		}
		return rep
	}
	waitHealth := func(want store.ReplicaHealth) store.ReplicaReport {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			rep := read()
			if rep.Health(time.Now()) == want {
				return rep
			}
			if time.Now().After(deadline) {
				t.Fatalf("the report never turned %s: %+v (%s)", want, rep, rep.Health(time.Now()))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	write := func(note string) {
		t.Helper()
		v := 4.0
		if err := s.Update(ctx, "test", func(tx *store.Tx) error {
			_, err := tx.SetKPI(ctx, "JADA", "charters", portfolio.KPIUpdate{Value: &v, Note: note})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}

	rep := waitHealth(store.HealthOK)
	if rep.URL != "file://"+dir || rep.State != store.ReplicaRunning || rep.PID != os.Getpid() || !strings.HasPrefix(rep.Holder, "serve:") {
		t.Errorf("first report: %+v", rep)
	}

	// The storage goes: a file where the replica's directory was.
	if err := os.Rename(dir, dir+".away"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	write("during the stall")
	rep = waitHealth(store.HealthStalled)
	if rep.LastError == "" || rep.FailingSince.IsZero() {
		t.Errorf("a stalled report says no error: %+v", rep)
	}

	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dir+".away", dir); err != nil {
		t.Fatal(err)
	}
	rep = waitHealth(store.HealthOK)
	if rep.LastError != "" || !rep.FailingSince.IsZero() {
		t.Errorf("a recovered report keeps the error: %+v", rep)
	}

	stopped = true
	if err := stopReplication(sr, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if rep = read(); rep.State != store.ReplicaStopped || rep.Health(time.Now().Add(time.Hour)) != store.HealthStopped {
		t.Errorf("after the stop: %+v", rep)
	}

	entries, err := reader.Audit(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		if e.SubjectType == "replica" {
			actions = append([]string{e.Action}, actions...)
		}
	}
	if got := strings.Join(actions, " "); got != "replication_running replication_stalled replication_recovered replication_stopped" {
		t.Errorf("audited %q", got)
	}
}
