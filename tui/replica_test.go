package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"opsdeck/store"
	"opsdeck/store/storetest"
)

func reportReplica(t *testing.T, s *store.Store, lastSync time.Time) {
	t.Helper()
	err := s.SetReplicaStatus(context.Background(), "serve", store.ReplicaReport{URL: "s3://bucket/opsdeck",
		SyncInterval: 10 * time.Second, StallAfter: time.Minute, Started: storetest.Now.Add(-time.Hour), LastSync: lastSync,
		Holder: "serve:4242@web1", PID: 4242, Host: "web1", State: store.ReplicaRunning})
	if err != nil {
		t.Fatal(err)
	}
}

// The status bar warns of a stalled replica when serve's report says so,
// stops when the report does, and warns of a serve gone quiet by the
// passage of time alone: nothing in the database changes for that.
func TestStatusBarWarnsOfAStalledOrSilentReplica(t *testing.T) {
	clock := storetest.NewClock(storetest.Now)
	st := storetest.Demo(t, clock)
	reportReplica(t, st, clock.Now().Add(-4*time.Second))
	s := start(t, newConsole(t, st, Options{Now: clock.Now, Poll: 20 * time.Millisecond}))
	if screen := s.waitFor("Break-even JADA"); strings.Contains(screen, "replica") {
		t.Fatalf("a working replica is warned about:\n%s", screen)
	}

	reportReplica(t, st, clock.Now().Add(-3*time.Minute))
	s.waitFor("⚠ replica 3m behind")
	reportReplica(t, st, clock.Now())
	s.waitGone("⚠ replica")

	clock.Advance(5*time.Minute + time.Second)
	s.waitFor("⚠ replica silent 5m")
}

// Stopped by serve on its way out is no warning, however old.
func TestStatusBarSaysNothingOfAStoppedReplica(t *testing.T) {
	now := storetest.Now
	d := &Data{HasReplica: true, Replica: store.ReplicaReport{State: store.ReplicaStopped, StallAfter: time.Minute,
		LastSync: now.Add(-48 * time.Hour), ReportedAt: now.Add(-48 * time.Hour)}}
	if got := warningLine(d, now, 80); got != "" {
		t.Errorf("a stopped replica: %q", got)
	}
}

// With the outbox's warning too, replication's comes first and the rest
// shortens to fit an 80-column footer.
func TestWarningLineWithOutboxTroubleFitsEightyColumns(t *testing.T) {
	now := storetest.Now
	d := &Data{Alerts: outboxAlerts{Failed: 3, Uncertain: 1, Complained: 2, Duplicates: 4}, FailedRuns: 1,
		HasReplica: true, Replica: store.ReplicaReport{State: store.ReplicaRunning, StallAfter: time.Minute,
			LastSync: now.Add(-3 * time.Minute), ReportedAt: now.Add(-time.Second)}}
	d.Trouble = d.FailedRuns + d.Alerts.total()
	room := 80 - 26
	if got := warningLine(d, now, 200); got != "⚠ replica 3m behind; outbox: 3 failed · 1 uncertain · 2 complaints · 4 possible duplicates; schedules: 1 failed run" {
		t.Errorf("with room: %q", got)
	}
	if got := warningLine(d, now, room); got != "⚠ replica 3m behind; 11 more to check" {
		t.Errorf("in 80 columns: %q (%d columns, room %d)", got, ansi.StringWidth(got), room)
	}
	d.Trouble, d.Alerts, d.FailedRuns = 0, outboxAlerts{}, 0
	if got := warningLine(d, now, room); got != "⚠ replica 3m behind" {
		t.Errorf("replication alone: %q", got)
	}
}

// In an 80-column terminal the warning still shows beside the keys.
func TestStatusBarReplicaWarningInEightyColumns(t *testing.T) {
	clock := storetest.NewClock(storetest.Now)
	st := storetest.Demo(t, clock)
	reportReplica(t, st, clock.Now().Add(-3*time.Minute))
	s := startAt(t, newConsole(t, st, Options{Now: clock.Now, Poll: time.Hour}), 80, 24)
	s.waitFor("⚠ replica 3m behind", "q quit")
}
