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
	Holder string // who we are, e.g. "serve@host:pid"
	TTL    time.Duration
	Clock  store.Clock
	Logger *slog.Logger
	// Held, if set, is told whenever leadership changes (for a status bar).
	Held func(bool)
}

// Run tries for the lease every TTL/3; while it holds it, work runs with a
// context that ends when the lease is lost or ctx ends. Run returns when ctx
// ends, after giving the lease up.
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
		held, err := acquire(ctx, l.Store, l.Name, l.Holder, ttl)
		if err != nil && ctx.Err() == nil {
			// A busy or broken database is no proof that someone else
			// leads, but carrying on unrenewed could make two leaders:
			// stand down until the lease is confirmed.
			log.Error("renew lease", "lease", l.Name, "err", err)
			held = false
		}
		switch {
		case held && cur == nil:
			log.Info("took the lease: running the scheduler and outbox worker here", "lease", l.Name, "holder", l.Holder)
			start()
		case !held && cur != nil:
			log.Warn("lost the lease: stopping the scheduler and outbox worker", "lease", l.Name)
			stop()
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
		case <-clock.After(ttl / 3):
		}
	}
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

// Background runs the scheduler and the outbox worker while holder holds
// the worker lease "worker": of a console and a server on one database,
// exactly one sends. held, if set, hears about changes of leadership.
func Background(s *store.Store, q Enqueuer, w Worker, a Alerter, holder string, log *slog.Logger, maxCatchUp time.Duration,
	held func(bool)) func(context.Context) error {
	leader := &Leader{Store: s, Name: "worker", Holder: holder, TTL: 30 * time.Second, Logger: log, Held: held}
	sch := New(s, q, Options{Logger: log, Alerter: a, MaxCatchUp: maxCatchUp})
	return func(ctx context.Context) error {
		return leader.Run(ctx, func(ctx context.Context) error {
			g, ctx := errgroup.WithContext(ctx)
			g.Go(func() error { return sch.Run(ctx) })
			g.Go(func() error { return w.Run(ctx) })
			return g.Wait()
		})
	}
}
