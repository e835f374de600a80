package sshconsole

import (
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"charm.land/ssh"
)

// Limits bound what the SSH port lets strangers hold. A zero field takes
// its default.
type Limits struct {
	// HandshakeTimeout closes a connection that has not logged in (key
	// exchange and public-key authentication done) this long after it
	// was accepted, however it trickles bytes.
	HandshakeTimeout time.Duration
	// MaxUnauthenticated caps the connections not yet logged in, from
	// anywhere; MaxUnauthenticatedPerAddr caps them per remote IP address
	// (an IPv6 address by its /64).
	// A connection past either is closed at once, before the server sends
	// a byte.
	MaxUnauthenticated        int
	MaxUnauthenticatedPerAddr int
	// MaxSessions caps the consoles open at once; the next one is told
	// "too many console sessions; try again later" and ends.
	MaxSessions int
}

// The defaults: a login takes a person a second or two, and an operations
// console has a handful of users, so these leave room for them and little
// for a flood.
const (
	DefaultHandshakeTimeout          = 20 * time.Second
	DefaultMaxUnauthenticated        = 64
	DefaultMaxUnauthenticatedPerAddr = 8
	DefaultMaxSessions               = 32
)

// refusalLogEvery is how often, at most, refused connections are logged:
// a flood makes one line per interval with how many were refused.
const refusalLogEvery = 10 * time.Second

// TooManySessions is what a user past MaxSessions reads.
const TooManySessions = "opsdeck: too many console sessions; try again later"

func (l Limits) withDefaults() (Limits, error) {
	if l.HandshakeTimeout < 0 || l.MaxUnauthenticated < 0 || l.MaxUnauthenticatedPerAddr < 0 || l.MaxSessions < 0 {
		return l, fmt.Errorf("ssh console: negative limit in %+v", l)
	}
	if l.HandshakeTimeout == 0 {
		l.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if l.MaxUnauthenticated == 0 {
		l.MaxUnauthenticated = DefaultMaxUnauthenticated
	}
	if l.MaxUnauthenticatedPerAddr == 0 {
		l.MaxUnauthenticatedPerAddr = DefaultMaxUnauthenticatedPerAddr
	}
	if l.MaxSessions == 0 {
		l.MaxSessions = DefaultMaxSessions
	}
	return l, nil
}

// LogValue logs the limits as one group.
func (l Limits) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Duration("handshake_timeout", l.HandshakeTimeout),
		slog.Int("unauthenticated", l.MaxUnauthenticated),
		slog.Int("unauthenticated_per_addr", l.MaxUnauthenticatedPerAddr),
		slog.Int("sessions", l.MaxSessions),
	)
}

// gate counts the connections not yet logged in, and refuses those past
// the limits. Each admitted connection leaves the count once: when it
// logs in or when it closes, whichever comes first.
type gate struct {
	limits Limits
	log    *slog.Logger

	mu      sync.Mutex
	total   int
	perAddr map[string]int
	conns   map[*gatedConn]struct{}
	closed  bool

	// Refusals not logged yet, and when the last line was.
	refused     int
	lastRefused string
	lastLog     time.Time
	flush       *time.Timer
}

func newGate(limits Limits, log *slog.Logger) *gate {
	return &gate{limits: limits, log: log, perAddr: map[string]int{}, conns: map[*gatedConn]struct{}{}}
}

type gateKey struct{}

// connCallback is the server's ConnCallback: it runs on each accepted
// connection before the SSH handshake. A nil answer makes the server close
// it.
func (g *gate) connCallback(ctx ssh.Context, conn net.Conn) net.Conn {
	c := g.admit(conn)
	if c == nil {
		return nil
	}
	ctx.SetValue(gateKey{}, c)
	return c
}

// admit counts conn in, or answers nil if it is past a limit.
func (g *gate) admit(conn net.Conn) *gatedConn {
	addr := remoteHost(conn.RemoteAddr())
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	if g.total >= g.limits.MaxUnauthenticated || g.perAddr[addr] >= g.limits.MaxUnauthenticatedPerAddr {
		g.refusedLocked(addr)
		return nil
	}
	g.total++
	g.perAddr[addr]++
	c := &gatedConn{Conn: conn, g: g, addr: addr}
	g.conns[c] = struct{}{}
	return c
}

// loggedIn takes a connection out of the count once it has authenticated.
func (g *gate) loggedIn(ctx ssh.Context) {
	if c, ok := ctx.Value(gateKey{}).(*gatedConn); ok {
		g.leave(c)
	}
}

func (g *gate) leave(c *gatedConn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.conns[c]; !ok {
		return
	}
	delete(g.conns, c)
	g.total--
	if g.perAddr[c.addr]--; g.perAddr[c.addr] <= 0 {
		delete(g.perAddr, c.addr)
	}
}

// counts reports the connections not yet logged in, in all and from addr.
func (g *gate) counts(addr string) (int, int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.total, g.perAddr[addr]
}

// refusedLocked logs a refusal at once if no line went out in the last
// interval, else counts it for a line at the end of the interval.
func (g *gate) refusedLocked(addr string) {
	g.refused++
	g.lastRefused = addr
	if wait := refusalLogEvery - time.Since(g.lastLog); wait > 0 {
		if g.flush == nil {
			g.flush = time.AfterFunc(wait, func() {
				g.mu.Lock()
				defer g.mu.Unlock()
				g.flush = nil
				g.logRefusedLocked()
			})
		}
		return
	}
	g.logRefusedLocked()
}

func (g *gate) logRefusedLocked() {
	if g.refused == 0 {
		return
	}
	g.log.Warn("ssh connections refused: too many not logged in", "refused", g.refused, "last_remote", g.lastRefused,
		"unauthenticated", g.total, "limit", g.limits.MaxUnauthenticated, "per_addr_limit", g.limits.MaxUnauthenticatedPerAddr)
	g.refused = 0
	g.lastLog = time.Now()
}

// shutdown closes the connections not logged in yet (the SSH server does
// not track them, so its Shutdown would leave them to their timeout),
// refuses any more, and writes the refusals not logged yet.
func (g *gate) shutdown() {
	g.mu.Lock()
	g.closed = true
	conns := make([]*gatedConn, 0, len(g.conns))
	for c := range g.conns {
		conns = append(conns, c)
	}
	if g.flush != nil {
		g.flush.Stop()
		g.flush = nil
	}
	g.logRefusedLocked()
	g.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// remoteHost is the address a connection counts against: its IP, or an
// IPv6 address's /64 (one host has all of one), as the crew server's rate
// limits do.
func remoteHost(a net.Addr) string {
	var ip net.IP
	if t, ok := a.(*net.TCPAddr); ok {
		ip = t.IP
	} else if host, _, err := net.SplitHostPort(a.String()); err == nil {
		ip = net.ParseIP(host)
	}
	if ip == nil {
		return a.String()
	}
	if ip.To4() != nil {
		return ip.String()
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
}

// gatedConn is an admitted connection; closing it leaves the count.
type gatedConn struct {
	net.Conn
	g    *gate
	addr string
}

func (c *gatedConn) Close() error {
	c.g.leave(c)
	return c.Conn.Close()
}
