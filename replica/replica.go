// Package replica keeps an off-box copy of the database with Litestream
// (embedded, v0.5) and restores from it.
//
// Litestream copies each change from SQLite's WAL into an LTX file beside
// the database, uploads the files to the replica (a directory or an
// S3-compatible bucket), and compacts them there into larger files and a
// daily snapshot. A restore replays a snapshot and the files after it.
//
// The package drives the two halves itself, on one timer, rather than
// leaving them to Litestream's own monitors: Litestream's local half turns
// the WAL into a file every second, and each file costs a PUT, so the
// upload interval alone would not bound the bill. Driving them also lets
// Status report the last error and the time of the last good sync, which
// Litestream keeps to itself (its users report stalls nobody saw, #1083).
package replica

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/file"
)

// DefaultSyncInterval is how often changes go to the replica when no
// interval is set: at most one upload (one PUT) per interval, so a month
// of a server that always has something to send (serve's lease renewal
// writes every 10 s) costs about 259,200 PUTs at 10 s, against 2,592,000
// at Litestream's default 1 s and 43,200 at 60 s. Ten seconds of work is
// what an operator would re-enter by hand after losing the server.
const DefaultSyncInterval = 10 * time.Second

// Options configure Start.
type Options struct {
	// URL is the replica: file:///ABSOLUTE/PATH or s3://BUCKET/PATH
	// (with ?endpoint=URL for an S3-compatible service, ?region=).
	URL string
	// Access says how to reach an s3:// replica beyond its URL.
	Access Access
	// SyncInterval defaults to DefaultSyncInterval.
	SyncInterval time.Duration
	// StallAfter is the lag that Status calls a stall; it defaults to
	// DefaultStallAfter(SyncInterval).
	StallAfter time.Duration
	// Logger gets a line when replication stalls and when it recovers
	// (once each, however long the stall), and Litestream's own warnings.
	Logger *slog.Logger
}

// Status is the replica's health as the running process sees it.
type Status struct {
	URL          string        `json:"url"`
	SyncInterval time.Duration `json:"sync_interval_ns"`
	StallAfter   time.Duration `json:"stall_after_ns"`
	// Started is when Start began: the lag counts from it until a sync
	// has worked.
	Started time.Time `json:"started"`
	// LocalTXID is the last change Litestream has taken from the WAL,
	// ReplicaTXID the last one the replica holds.
	LocalTXID   uint64 `json:"local_txid"`
	ReplicaTXID uint64 `json:"replica_txid"`
	// LastSync is when the last fully successful sync began: everything
	// committed before it is in the replica. Zero until one succeeds.
	LastSync time.Time `json:"last_sync,omitzero"`
	// Lag is how old a write may be and still not be in the replica:
	// the time since LastSync (since Start, before the first sync).
	Lag time.Duration `json:"lag_ns"`
	// LastError is the error of the latest sync, empty if it worked;
	// FailingSince is when the syncs began to fail.
	LastError    string    `json:"last_error,omitempty"`
	FailingSince time.Time `json:"failing_since,omitzero"`
	Failures     int       `json:"failures,omitempty"`
}

// DefaultStallAfter is how much lag is a stall for a sync interval when
// Options give none: three missed syncs and half a minute for a slow one.
func DefaultStallAfter(interval time.Duration) time.Duration { return 3*interval + 30*time.Second }

// Stalled reports whether the replica lags by more than StallAfter.
func (s Status) Stalled() bool { return s.Lag > s.StallAfter }

// Replicator replicates one database until Stop.
type Replicator struct {
	url      string
	interval time.Duration
	stall    time.Duration
	log      *slog.Logger
	db       *litestream.DB
	lsStore  *litestream.Store
	started  time.Time

	cancel context.CancelFunc
	done   chan struct{}
	kick   chan chan error

	stopping atomic.Bool

	mu           sync.Mutex
	lastSync     time.Time
	lastErr      error
	failingSince time.Time
	failures     int
}

// Start begins replicating the database at dbPath, which must exist and be
// in WAL mode (the store's). It returns once the replica is reachable and
// the first sync has been tried; a replica that cannot be reached at all
// (a bad bucket, no credentials) is an error here rather than a stall.
func Start(ctx context.Context, dbPath string, opts Options) (*Replicator, error) {
	client, err := newClient(opts.URL, opts.Access)
	if err != nil {
		return nil, err
	}
	interval := opts.SyncInterval
	if interval <= 0 {
		interval = DefaultSyncInterval
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	db := litestream.NewDB(dbPath)
	// The local half runs only when run does; see the package comment.
	db.MonitorInterval = 0
	rep := litestream.NewReplicaWithClient(db, client)
	rep.MonitorEnabled = false
	db.Replica = rep
	if fc, ok := client.(*file.ReplicaClient); ok {
		fc.Replica = rep // so its files take the database's owner and mode
	}
	ls := litestream.NewStore([]*litestream.DB{db}, compactionLevels())
	// Each L0 retention check lists the replica; Litestream's 15 s would
	// be the largest line on the bill after the uploads.
	ls.L0RetentionCheckInterval = time.Minute
	lsLog := slog.New(atLeast{log.Handler(), slog.LevelWarn}).With("component", "litestream")
	ls.Logger = lsLog
	db.SetLogger(lsLog)
	// A shutdown with the replica down waits this long for it, not
	// Litestream's 30 s, so a service manager's stop timeout is not hit.
	db.ShutdownSyncTimeout = 10 * time.Second

	if err := ls.Open(ctx); err != nil {
		return nil, fmt.Errorf("start replication to %s: %w", opts.URL, explainCABundle(err))
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stall := opts.StallAfter
	if stall <= 0 {
		stall = DefaultStallAfter(interval)
	}
	r := &Replicator{
		url: opts.URL, interval: interval, stall: stall, log: log, db: db, lsStore: ls,
		started: time.Now(), cancel: cancel, done: make(chan struct{}), kick: make(chan chan error),
	}
	r.record(r.syncOnce(ctx))
	go r.run(runCtx)
	return r, nil
}

// compactionLevels: five-minute files after the per-interval ones, hourly
// after that, and Litestream's daily snapshot. A point-in-time restore is
// exact to the sync interval for the last five minutes (while the L0
// files are kept) and to the level's interval before that.
func compactionLevels() litestream.CompactionLevels {
	return litestream.CompactionLevels{
		{Level: 0},
		{Level: 1, Interval: 5 * time.Minute},
		{Level: 2, Interval: time.Hour},
	}
}

func (r *Replicator) run(ctx context.Context) {
	defer close(r.done)
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.record(r.syncOnce(ctx))
		case reply := <-r.kick:
			res := r.syncOnce(ctx)
			r.record(res)
			reply <- res.err
		}
	}
}

// syncOnce takes what the WAL holds into an LTX file and uploads what the
// replica lacks, and returns when it began so a success can be dated by
// what it is sure to contain.
func (r *Replicator) syncOnce(ctx context.Context) syncResult {
	began := time.Now()
	if err := r.db.Sync(ctx); err != nil {
		return syncResult{began, fmt.Errorf("read the WAL: %w", err)}
	}
	if err := r.db.Replica.Sync(ctx); err != nil {
		return syncResult{began, fmt.Errorf("upload to %s: %w", r.url, err)}
	}
	return syncResult{began, nil}
}

type syncResult struct {
	began time.Time
	err   error
}

// record keeps the outcome for Status and logs the edges: the first
// failure of a run of them, and the success that ends it.
func (r *Replicator) record(res syncResult) {
	if errors.Is(res.err, context.Canceled) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if res.err == nil {
		if r.failures > 0 {
			r.log.Info("replication recovered", "replica", r.url, "failed_for", time.Since(r.failingSince).Round(time.Second).String(), "failures", r.failures)
		}
		r.lastSync, r.lastErr, r.failures, r.failingSince = res.began, nil, 0, time.Time{}
		return
	}
	if r.failures == 0 {
		r.failingSince = res.began
		r.log.Warn("replication stalled: changes are not reaching the replica", "replica", r.url, "error", res.err.Error(), "retry_every", r.interval.String())
	}
	r.failures++
	r.lastErr = res.err
}

// Sync syncs now, outside the timer, and returns its error.
func (r *Replicator) Sync(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case r.kick <- reply:
	case <-r.done:
		return errors.New("replication stopped")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Status reports the replica's position, lag and last error.
func (r *Replicator) Status() Status {
	r.mu.Lock()
	st := Status{URL: r.url, SyncInterval: r.interval, StallAfter: r.stall, Started: r.started, LastSync: r.lastSync, FailingSince: r.failingSince, Failures: r.failures}
	if r.lastErr != nil {
		st.LastError = r.lastErr.Error()
	}
	r.mu.Unlock()
	since := st.LastSync
	if since.IsZero() {
		since = st.Started
	}
	st.Lag = time.Since(since)
	if pos, err := r.db.Pos(); err == nil {
		st.LocalTXID = uint64(pos.TXID)
	}
	st.ReplicaTXID = uint64(r.db.Replica.Pos().TXID)
	return st
}

// Stop ends replication after a final sync, which it waits for until ctx
// ends (and at most ten seconds while the replica is unreachable). Call it
// before closing the store: Litestream's close releases the file's locks
// for the whole process.
func (r *Replicator) Stop(ctx context.Context) error {
	r.cancel()
	<-r.done
	if err := r.lsStore.Close(ctx); err != nil {
		return fmt.Errorf("final sync to %s: %w", r.url, err)
	}
	return nil
}

// MarkStopping reports whether this is the first call, for a caller with
// more than one way to stop (a clean exit, a failed start).
func (r *Replicator) MarkStopping() bool { return r.stopping.CompareAndSwap(false, true) }

// atLeast passes on only records at or above a level: Litestream reports
// each compaction and upload at info, which would drown serve's log.
type atLeast struct {
	slog.Handler
	min slog.Level
}

func (h atLeast) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h atLeast) WithAttrs(as []slog.Attr) slog.Handler {
	return atLeast{h.Handler.WithAttrs(as), h.min}
}

func (h atLeast) WithGroup(name string) slog.Handler {
	return atLeast{h.Handler.WithGroup(name), h.min}
}
