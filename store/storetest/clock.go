package storetest

import (
	"sync"
	"time"
)

// Clock is a store.Clock that tests drive instead of sleeping. Set moves it
// and wakes whoever waits for a time it passed. With Auto set, every wait
// ends at once and moves the clock on by its length, so throttling and
// backoff run in no time while Waited tells how long they would have taken.
type Clock struct {
	// Auto makes each After move the clock on and fire at once.
	Auto bool

	mu      sync.Mutex
	now     time.Time
	waited  time.Duration
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// NewAutoClock returns a clock standing at t whose waits pass at once.
func NewAutoClock(t time.Time) *Clock { return &Clock{now: t, Auto: true} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After delivers once the clock has moved d on (at once for d <= 0, or
// with Auto set).
func (c *Clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	switch {
	case c.Auto:
		c.now = c.now.Add(d)
		c.waited += d
		ch <- c.now
	case d <= 0:
		ch <- c.now
	default:
		c.waiters = append(c.waiters, waiter{c.now.Add(d), ch})
	}
	return ch
}

// Set moves the clock to t and wakes the waits that t ends.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(t) {
			w.ch <- t
		} else {
			kept = append(kept, w)
		}
	}
	c.waiters = kept
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Waited is how long the waits of an Auto clock added up to.
func (c *Clock) Waited() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.waited
}

// Waiting reports how many waits have not ended yet.
func (c *Clock) Waiting() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}
