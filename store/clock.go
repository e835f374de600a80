package store

import "time"

// Clock is opsdeck's one time source: the store stamps what it writes with
// it and judges expiry by it, and the long-running parts (the outbox
// worker, the scheduler, the lease) wait on it, so tests drive time by hand
// instead of sleeping (storetest.Clock).
type Clock interface {
	Now() time.Time
	// After delivers once d has passed.
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

func (SystemClock) Now() time.Time                         { return time.Now() }
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
