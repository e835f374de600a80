package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"opsdeck/store"
	"opsdeck/store/storetest"
)

func TestReplicaStatusRoundTripsWithoutSecrets(t *testing.T) {
	clock := storetest.NewClock(storetest.Now)
	s := storetest.Open(t, clock)
	ctx := context.Background()
	if _, ok, err := s.ReplicaStatus(ctx); err != nil || ok {
		t.Fatalf("a database never replicated has a status: %v %v", ok, err)
	}
	st := store.ReplicaReport{
		URL: "s3://key:secret@bucket/opsdeck?endpoint=https://example.com&region=auto", SyncInterval: 10 * time.Second,
		StallAfter: time.Minute, Started: storetest.Now, LastSync: storetest.Now, Holder: "serve:1@h", PID: 1, Host: "h",
		LastError: "upload to https://ak:sk@example.com/x: " + strings.Repeat("x", 300) + "\nsecond line", State: store.ReplicaRunning,
	}
	if err := s.SetReplicaStatus(ctx, "serve", st); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.ReplicaStatus(ctx)
	if err != nil || !ok {
		t.Fatalf("no status read back: %v %v", ok, err)
	}
	if got.URL != "s3://bucket/opsdeck" {
		t.Errorf("URL %q kept credentials or the query", got.URL)
	}
	if strings.Contains(got.LastError, "sk@") || strings.Contains(got.LastError, "second line") || len([]rune(got.LastError)) > 200 {
		t.Errorf("error not shortened and cleaned: %q", got.LastError)
	}
	if !got.ReportedAt.Equal(storetest.Now) || got.SyncInterval != 10*time.Second || got.Holder != "serve:1@h" {
		t.Errorf("read back %+v", got)
	}
}

// The heartbeat is not audited; the start, a stall, its end and the stop
// are, once each.
func TestReplicaStatusAuditsOnlyItsEdges(t *testing.T) {
	clock := storetest.NewClock(storetest.Now)
	s := storetest.Open(t, clock)
	ctx := context.Background()
	st := store.ReplicaReport{URL: "file:///r", SyncInterval: time.Second, Holder: "serve:1@h", State: store.ReplicaRunning}
	set := func() {
		t.Helper()
		clock.Advance(time.Second)
		if err := s.SetReplicaStatus(ctx, "serve", st); err != nil {
			t.Fatal(err)
		}
	}
	set()
	set()
	st.LastError, st.FailingSince = "upload: refused", clock.Now()
	set()
	st.LastError = "upload: refused again"
	set()
	st.LastError, st.FailingSince = "", time.Time{}
	set()
	set()
	st.State = store.ReplicaStopped
	set()
	set()
	entries, err := s.Audit(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		if e.SubjectType == "replica" {
			actions = append([]string{e.Action}, actions...)
		}
	}
	want := "replication_running replication_stalled replication_recovered replication_stopped"
	if got := strings.Join(actions, " "); got != want {
		t.Errorf("audited %q, want %q", got, want)
	}
}

func TestReplicaHealth(t *testing.T) {
	now := storetest.Now
	base := store.ReplicaReport{SyncInterval: 10 * time.Second, StallAfter: time.Minute, Started: now.Add(-time.Hour),
		LastSync: now.Add(-5 * time.Second), ReportedAt: now.Add(-2 * time.Second), State: store.ReplicaRunning}
	for _, c := range []struct {
		name string
		edit func(*store.ReplicaReport)
		want store.ReplicaHealth
	}{
		{"recent sync", func(*store.ReplicaReport) {}, store.HealthOK},
		{"lag over threshold", func(r *store.ReplicaReport) { r.LastSync = now.Add(-61 * time.Second) }, store.HealthStalled},
		{"never synced, long since start", func(r *store.ReplicaReport) { r.LastSync = time.Time{} }, store.HealthStalled},
		{"never synced, just started", func(r *store.ReplicaReport) { r.LastSync, r.Started = time.Time{}, now.Add(-3*time.Second) }, store.HealthOK},
		{"report too old", func(r *store.ReplicaReport) { r.ReportedAt = now.Add(-61 * time.Second) }, store.HealthSilent},
		{"stopped long ago", func(r *store.ReplicaReport) {
			r.State, r.ReportedAt, r.LastSync = store.ReplicaStopped, now.Add(-time.Hour), now.Add(-time.Hour)
		}, store.HealthStopped},
		{"no threshold: the default for the interval", func(r *store.ReplicaReport) {
			r.StallAfter, r.LastSync = 0, now.Add(-59*time.Second)
		}, store.HealthOK},
	} {
		r := base
		c.edit(&r)
		if got := r.Health(now); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
