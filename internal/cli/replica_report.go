package cli

import (
	"context"
	"log/slog"
	"os"
	"time"

	"opsdeck/replica"
	"opsdeck/schedule"
	"opsdeck/store"
)

// serveReplication is serve's replication: the replicator, and what tells
// the database how it goes, for a console or `opsdeck status` in another
// process (or in serve, over SSH), which cannot ask the replicator.
type serveReplication struct {
	r      *replica.Replicator
	report *replicaReporter
}

// replicator is the replicator, nil when serve replicates nothing.
func (sr *serveReplication) replicator() *replica.Replicator {
	if sr == nil {
		return nil
	}
	return sr.r
}

// reportCheckEvery is how often the reporter looks at the replicator for a
// change of health, which it writes at once; between changes it writes once
// per sync interval.
const reportCheckEvery = time.Second

// replicaReporter writes serve's replica status (store.SetReplicaStatus):
// at start, on each change of health, and as a heartbeat once per sync
// interval, so a reader can tell a serve that died (the report grows old)
// from one whose uploads fail. The heartbeat is one small write per
// interval: at the default 10 s, as often as the worker lease's renewal,
// and the page it dirties goes out with the next sync, which has the
// lease's page to upload anyway. A console reads the report alone when
// it changes (the change log's replica area), nothing else. Readers
// judge a stall by the time since the last good sync, not by positions,
// so the report's own unsent page is never a stall, and a sync does not
// trigger a report, so the two do not feed each other.
type replicaReporter struct {
	s      *store.Store
	r      *replica.Replicator
	log    *slog.Logger
	holder string
	pid    int
	host   string
	cancel context.CancelFunc
	done   chan struct{}
}

// startReporting writes the first report and starts the heartbeat.
func startReporting(ctx context.Context, s *store.Store, r *replica.Replicator, log *slog.Logger) *replicaReporter {
	host, _ := os.Hostname()
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	rr := &replicaReporter{s: s, r: r, log: log, holder: schedule.Holder("serve"), pid: os.Getpid(), host: host,
		cancel: cancel, done: make(chan struct{})}
	st := r.Status()
	rr.write(ctx, st, store.ReplicaRunning)
	go rr.run(runCtx, st)
	return rr
}

// healthKey is what, changed, is worth a report before the heartbeat's.
type healthKey struct {
	synced    bool
	lastError string
}

func keyOf(st replica.Status) healthKey { return healthKey{!st.LastSync.IsZero(), st.LastError} }

func (rr *replicaReporter) run(ctx context.Context, st replica.Status) {
	defer close(rr.done)
	t := time.NewTicker(reportCheckEvery)
	defer t.Stop()
	last, wrote := keyOf(st), time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		st := rr.r.Status()
		if k := keyOf(st); k != last || time.Since(wrote) >= st.SyncInterval {
			rr.write(ctx, st, store.ReplicaRunning)
			last, wrote = k, time.Now()
		}
	}
}

// halt ends the heartbeat, before the replicator stops: a report must
// not race the final sync for the replicator's state.
func (rr *replicaReporter) halt() {
	rr.cancel()
	<-rr.done
}

// stopped says replication has stopped, after the final sync that began
// at began: stopErr is its error, nil when everything reached the replica.
func (rr *replicaReporter) stopped(began time.Time, stopErr error) {
	st := rr.r.Status()
	if stopErr == nil {
		// Everything committed before the stop began went out with the
		// final sync.
		st.LastSync, st.LastError, st.FailingSince = began, "", time.Time{}
	} else {
		st.LastError = "final sync: " + stopErr.Error()
		if st.FailingSince.IsZero() {
			st.FailingSince = began
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rr.write(ctx, st, store.ReplicaStopped)
}

func (rr *replicaReporter) write(ctx context.Context, st replica.Status, state string) {
	err := rr.s.SetReplicaStatus(ctx, "serve", store.ReplicaReport{
		URL: st.URL, SyncInterval: st.SyncInterval, StallAfter: st.StallAfter, Started: st.Started,
		LastSync: st.LastSync, LastError: st.LastError, FailingSince: st.FailingSince,
		Holder: rr.holder, PID: rr.pid, Host: rr.host, State: state, ReportedAt: time.Now(),
	})
	// A write that fails is the store's to log (its first failure and
	// its recovery); the report's readers see it grow old.
	if err != nil {
		rr.log.Debug("could not record the replica status", "error", err.Error())
	}
}
