package web

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// DefaultMaxConns bounds the crew server's open connections: well under a
// small VPS's file limit, and above the event streams' own cap
// (DefaultMaxStreams) so that streams never starve pages and the API.
const DefaultMaxConns = 4096

// connLimit keeps the server's connections under a bound without ever
// refusing a request in progress: when a new connection would pass the
// bound, the one that has waited longest without a request (idle
// keep-alive, or accepted and silent) is closed to make room; only when
// every connection is busy is the new one closed instead. So a flood of
// idle or silent connections cannot run the process out of files, and a
// real phone still gets in.
type connLimit struct {
	max int

	mu    sync.Mutex
	open  int
	quiet map[net.Conn]time.Time // connections with no request in progress, since when
	// stats for tests and logs
	evicted, refused int
}

func newConnLimit(max int) *connLimit {
	if max <= 0 {
		max = DefaultMaxConns
	}
	return &connLimit{max: max, quiet: map[net.Conn]time.Time{}}
}

// wrap is ln with its connections counted.
func (c *connLimit) wrap(ln net.Listener) net.Listener {
	return &limitedListener{Listener: ln, limit: c}
}

type limitedListener struct {
	net.Listener
	limit *connLimit
}

func (l *limitedListener) Accept() (net.Conn, error) {
	for {
		conn, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.limit.admit(conn) {
			return conn, nil
		}
		conn.Close()
	}
}

// admit counts conn in, making room by closing the longest-quiet
// connection when at the bound; false when there is none to close.
func (c *connLimit) admit(conn net.Conn) bool {
	c.mu.Lock()
	var victim net.Conn
	if c.open >= c.max {
		var since time.Time
		for q, at := range c.quiet {
			if victim == nil || at.Before(since) {
				victim, since = q, at
			}
		}
		if victim == nil {
			c.refused++
			c.mu.Unlock()
			return false
		}
		delete(c.quiet, victim)
		c.evicted++
	}
	// Quiet from its accept: it has sent no request yet.
	c.open++
	c.quiet[conn] = time.Now()
	c.mu.Unlock()
	if victim != nil {
		// Its StateClosed will count it out.
		victim.Close()
	}
	return true
}

// track is the server's ConnState hook: a connection is quiet while it
// waits for a request, busy while it serves one (an event stream is busy
// until it ends, or hijacked), and counted out when it closes.
func (c *connLimit) track(conn net.Conn, state http.ConnState) {
	// Under TLS the server reports the connection that wraps the one
	// accepted; the accepted one is the key.
	if wrapped, ok := conn.(interface{ NetConn() net.Conn }); ok {
		conn = wrapped.NetConn()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch state {
	case http.StateNew:
		// Quiet since its accept (admit).
	case http.StateIdle:
		c.quiet[conn] = time.Now()
	case http.StateActive, http.StateHijacked:
		delete(c.quiet, conn)
		if state == http.StateHijacked {
			// The stream that took it over closes it itself; it no
			// longer counts against pages (the stream cap bounds those).
			c.open--
		}
	case http.StateClosed:
		delete(c.quiet, conn)
		c.open--
	}
}

// counts is how many connections are open, and how many were closed to
// make room or refused, for tests.
func (c *connLimit) counts() (open, evicted, refused int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.open, c.evicted, c.refused
}
