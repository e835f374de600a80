package schedule

import (
	"context"
	"log/slog"
	"time"

	"golang.org/x/sync/errgroup"

	"opsdeck/store"
)

// Leader runs work only while this process holds a named lease, so that of
// several processes on one database (the console at a desk, `opsdeck serve`
// on the server) exactly one sends scheduled reports and drains the outbox.
type Leader struct {
	Store  *store.Store
	Name   string // the lease, e.g. "worker"
	Holder string // who we are (Holder)
	TTL    time.Duration
	Clock  store.Clock
	Logger *slog.Logger
	// Held, if set, is told whenever leadership changes (for a status bar).
	Held func(bool)
	// LocalPoll is how often a standby whose lease is held by a process
	// on this machine checks that the process still runs (a read of the
	// lease and of /proc); zero means 500 ms.
	LocalPoll time.Duration
	// RemotePoll is how often a standby reads a lease held elsewhere
	// (it also wakes when the lease expires); zero means TTL/6, at most
	// 1 s.
	RemotePoll time.Duration
}

// Run renews the lease every TTL/3 while it holds it, with work running
// under a context that ends when the lease is lost or ctx ends. Standing
// by, it reads the lease (a read, not a write) every LocalPoll when the
// holder is a process on this machine, which it takes over as soon as
// that process is gone, and otherwise every RemotePoll and at the
// holder's expiry, taking the lease as soon as it is free or expired.
// Taking and taking over are conditional updates, so of standbys racing
// for one lease one wins. Run returns when ctx ends, after giving the
// lease up.
func (l *Leader) Run(ctx context.Context, work func(context.Context) error) error {
	clock := l.Clock
	if clock == nil {
		clock = store.SystemClock{}
	}
	log := l.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ttl := l.TTL
	if ttl <= 0 {
		ttl = 30 * time.Second
	}
	localPoll := l.LocalPoll
	if localPoll <= 0 {
		localPoll = 500 * time.Millisecond
	}
	remotePoll := l.RemotePoll
	if remotePoll <= 0 {
		remotePoll = min(ttl/6, time.Second)
	}
	type running struct {
		cancel context.CancelFunc
		done   chan struct{}
	}
	var cur *running
	setHeld := func(v bool) {
		if l.Held != nil {
			l.Held(v)
		}
	}
	start := func() {
		workCtx, cancel := context.WithCancel(ctx)
		r := &running{cancel: cancel, done: make(chan struct{})}
		go func() {
			defer close(r.done)
			if err := work(workCtx); err != nil && workCtx.Err() == nil {
				log.Error("background work stopped", "err", err)
			}
		}()
		cur = r
		setHeld(true)
	}
	stop := func() {
		if cur != nil {
			cur.cancel()
			<-cur.done
			cur = nil
			setHeld(false)
		}
	}
	defer func() {
		stop()
		if err := l.Store.ReleaseLease(context.WithoutCancel(ctx), l.Name, l.Holder); err != nil {
			log.Error("release lease", "lease", l.Name, "err", err)
		}
	}()
	for {
		var wait time.Duration
		if cur != nil {
			held, err := l.Store.AcquireLease(ctx, l.Name, l.Holder, ttl)
			if err != nil && ctx.Err() == nil {
				// A busy or broken database is no proof that someone else
				// leads, but carrying on unrenewed could make two leaders:
				// stand down until the lease is confirmed.
				log.Error("renew lease", "lease", l.Name, "err", err)
				held = false
			}
			if !held && ctx.Err() == nil {
				log.Warn("lost the lease: stopping the scheduler and outbox worker", "lease", l.Name)
				stop()
			}
			wait = ttl / 3
		}
		if cur == nil && ctx.Err() == nil {
			held, w, err := l.standBy(ctx, ttl, localPoll, remotePoll, log)
			if err != nil && ctx.Err() == nil {
				log.Error("take lease", "lease", l.Name, "err", err)
			}
			wait = w
			if held {
				start()
				log.Info("took the lease: running the scheduler and outbox worker here", "lease", l.Name, "holder", l.Holder)
				wait = ttl / 3
			}
		}
		var workDone <-chan struct{}
		if cur != nil {
			workDone = cur.done
		}
		select {
		case <-ctx.Done():
			return nil
		case <-workDone:
			// The work ended by itself; the next round starts it again.
			cur.cancel()
			cur = nil
			setHeld(false)
		case <-clock.After(wait):
		}
	}
}

// standBy looks at the lease once: it takes it if it is free, expired or
// already ours, takes it over if its holder is a process on this machine
// that is gone, and otherwise says how long to wait before looking again.
func (l *Leader) standBy(ctx context.Context, ttl, localPoll, remotePoll time.Duration, log *slog.Logger) (bool, time.Duration, error) {
	lease, live, err := l.Store.LeaseHolder(ctx, l.Name)
	if err != nil {
		return false, remotePoll, err
	}
	if !live || lease.Holder == l.Holder {
		// Conditional: of two standbys seeing it free, one gets it.
		held, err := l.Store.AcquireLease(ctx, l.Name, l.Holder, ttl)
		return held, localPoll, err
	}
	if id, ok := parseHolder(lease.Holder); ok && local(id) {
		if !gone(lease.Holder) {
			return false, localPoll, nil
		}
		// Conditional on the dead holder still being named: a standby
		// that got there first keeps it.
		moved, err := l.Store.TakeOverLease(ctx, l.Name, lease.Holder, l.Holder, ttl)
		if moved {
			log.Warn("took over the lease from a process on this machine that is gone", "lease", l.Name, "from", lease.Holder)
		}
		return moved, localPoll, err
	}
	wait := remotePoll
	if until := lease.ExpiresAt.Sub(l.Store.Now()) + time.Millisecond; until < wait {
		wait = max(until, 0)
	}
	return false, wait, nil
}

// HoldLease takes the named lease if it is free and keeps renewing it until
// release is called. The returned context ends if the lease is lost, so
// work done under it stops rather than overlap another holder's. ok is
// false, with nothing held, when someone else has the lease.
func HoldLease(ctx context.Context, s *store.Store, name, holder string, ttl time.Duration) (held context.Context, release func(), ok bool, err error) {
	ok, err = acquire(ctx, s, name, holder, ttl)
	if err != nil || !ok {
		return ctx, func() {}, false, err
	}
	held, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-held.Done():
				return
			case <-t.C:
				if ok, err := s.AcquireLease(held, name, holder, ttl); err != nil || !ok {
					cancel()
					return
				}
			}
		}
	}()
	release = func() {
		close(done)
		<-stopped
		cancel()
		_ = s.ReleaseLease(context.WithoutCancel(ctx), name, holder)
	}
	return held, release, true, nil
}

// Worker is the outbox worker (mail.Service.Run).
type Worker interface {
	Run(ctx context.Context) error
}

// BackgroundOptions configure Background.
type BackgroundOptions struct {
	Holder     string // who we are (Holder)
	Logger     *slog.Logger
	MaxCatchUp time.Duration
	// Held, if set, hears about changes of leadership.
	Held func(bool)
	// Pause, for tests only, holds the work at named points (see
	// Options.Pause; "outbox-worker" holds the worker before it starts).
	Pause func(ctx context.Context, point string)
}

// Background runs the scheduler and the outbox worker while this process
// holds the worker lease "worker": of a console and a server on one
// database, exactly one sends.
func Background(s *store.Store, q Enqueuer, w Worker, a Alerter, opts BackgroundOptions) func(context.Context) error {
	leader := &Leader{Store: s, Name: "worker", Holder: opts.Holder, TTL: 30 * time.Second, Logger: opts.Logger, Held: opts.Held}
	sch := New(s, q, Options{Logger: opts.Logger, Alerter: a, MaxCatchUp: opts.MaxCatchUp, Pause: opts.Pause})
	return func(ctx context.Context) error {
		return leader.Run(ctx, func(ctx context.Context) error {
			g, ctx := errgroup.WithContext(ctx)
			g.Go(func() error { return sch.Run(ctx) })
			g.Go(func() error {
				if opts.Pause != nil {
					opts.Pause(ctx, "outbox-worker")
					if ctx.Err() != nil {
						return nil
					}
				}
				return w.Run(ctx)
			})
			return g.Wait()
		})
	}
}
