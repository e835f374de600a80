package sshconsole

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"opsdeck/internal/testpeer"
)

// dialSilent opens n TCP connections to addr (from local, if not nil) that
// never send a byte; the test closes them at its end.
func dialSilent(t *testing.T, addr string, local net.Addr, n int) []net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: local, Timeout: 5 * time.Second}
	conns := make([]net.Conn, 0, n)
	for range n {
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial %d: %v", len(conns), err)
		}
		conns = append(conns, c)
	}
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	return conns
}

// closedBy is how a connection that never sent a byte ended.
type closedBy struct {
	bytes   int           // what the server sent first (its version line)
	after   time.Duration // from the start given to readUntilClosed
	timeout bool          // still open when the test gave up
	err     error
}

// readUntilClosed reads c until the server closes it (EOF or a reset), or
// the test's own deadline ends.
func readUntilClosed(c net.Conn, start time.Time, limit time.Duration) closedBy {
	c.SetReadDeadline(start.Add(limit))
	n, err := io.Copy(io.Discard, c)
	var ne net.Error
	return closedBy{bytes: int(n), after: time.Since(start), timeout: errors.As(err, &ne) && ne.Timeout(), err: err}
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// consoleLogin logs in with OpenSSH as a script would (ssh -tt), waits for
// the console's first frame and quits it. It returns what ssh printed and
// how it ended.
func consoleLogin(t *testing.T, addr, key string) (string, error) {
	t.Helper()
	cmd := exec.Command(testpeer.LookPath(t, "ssh"), sshArgs(addr, key, "-tt")...)
	stdin, _ := cmd.StdinPipe()
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.After(20 * time.Second)
	for !strings.Contains(out.String(), "page 1 of 2") {
		select {
		case err := <-done:
			return out.String(), errors.Join(errors.New("ssh ended before the console's first frame"), err)
		case <-deadline:
			cmd.Process.Kill()
			<-done
			return out.String(), errors.New("no first frame in 20s")
		case <-time.After(20 * time.Millisecond):
		}
	}
	io.WriteString(stdin, "q")
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		return out.String(), errors.New("ssh did not end after q")
	}
}

// Connections that do not log in are closed at the handshake timeout,
// whatever they do meanwhile: nothing, trickle a version line, or finish
// the key exchange and never authenticate.
func TestConnectionsNotLoggedInClosedAtHandshakeTimeout(t *testing.T) {
	dir := t.TempDir()
	_, pub := keypair(t, dir, "id_owner")
	var logs syncBuffer
	const timeout = 300 * time.Millisecond
	addr, srv := startWith(t, dir, pub, &logs, Limits{HandshakeTimeout: timeout, MaxUnauthenticated: 40, MaxUnauthenticatedPerAddr: 40})
	if got := srv.Limits(); got.HandshakeTimeout != timeout || got.MaxSessions != DefaultMaxSessions {
		t.Errorf("limits in force: %+v", got)
	}

	const silent = 20
	start := time.Now()
	conns := dialSilent(t, addr, nil, silent+1)
	results := make(chan closedBy, silent+2)
	for _, c := range conns[:silent] {
		go func() { results <- readUntilClosed(c, start, 10*time.Second) }()
	}
	// A trickler: a version line at a byte per 50 ms, never finished.
	trickler := conns[silent]
	go func() {
		trickler.Write([]byte("SSH-2.0-"))
		for range 200 {
			time.Sleep(50 * time.Millisecond)
			if _, err := trickler.Write([]byte("a")); err != nil {
				return
			}
		}
	}()
	go func() { results <- readUntilClosed(trickler, start, 10*time.Second) }()

	// A client that does the key exchange, then never sends its key.
	kexConn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer kexConn.Close()
	kexStart := time.Now()
	var kexDone time.Time
	stuck := make(chan struct{})
	clientDone := make(chan error, 1)
	watched := &watchConn{Conn: kexConn, closed: make(chan time.Time, 1)}
	go func() {
		_, _, _, err := gossh.NewClientConn(watched, addr, &gossh.ClientConfig{
			User: "casey",
			HostKeyCallback: func(string, net.Addr, gossh.PublicKey) error {
				kexDone = time.Now()
				return nil
			},
			Auth: []gossh.AuthMethod{gossh.PublicKeysCallback(func() ([]gossh.Signer, error) {
				<-stuck
				return nil, errors.New("no key")
			})},
		})
		clientDone <- err
	}()

	closed := 0
	for range silent + 1 {
		r := <-results
		switch {
		case r.timeout:
			t.Errorf("a connection not logged in was still open after %v", r.after)
		case r.after < timeout-50*time.Millisecond || r.after > timeout+5*time.Second:
			t.Errorf("closed after %v, want about %v (%v)", r.after, timeout, r.err)
		default:
			closed++
		}
		if r.bytes == 0 {
			t.Errorf("an admitted connection got no version line")
		}
	}
	select {
	case at := <-watched.closed:
		if kexDone.IsZero() {
			t.Errorf("the key exchange did not finish")
		}
		if d := at.Sub(kexStart); d < timeout-50*time.Millisecond || d > timeout+5*time.Second {
			t.Errorf("a client stuck in authentication was closed after %v", d)
		} else {
			closed++
		}
	case <-time.After(10 * time.Second):
		t.Errorf("a client stuck in authentication was not closed")
	}
	close(stuck)
	if err := <-clientDone; err == nil {
		t.Errorf("a client that sent no key logged in")
	}
	t.Logf("%d of %d connections not logged in closed by the server within %v of the %v timeout", closed, silent+2, time.Since(start)-timeout, timeout)
	waitFor(t, "the count of connections not logged in to reach 0", 5*time.Second, func() bool {
		total, _ := srv.gate.counts("127.0.0.1")
		return total == 0
	})
	if !strings.Contains(logs.String(), "handshake_timeout=300ms") {
		t.Errorf("the limits were not logged at start:\n%s", logs.String())
	}
}

// watchConn tells when its first read fails: the server closed it.
type watchConn struct {
	net.Conn
	once   sync.Once
	closed chan time.Time
}

func (c *watchConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if err != nil {
		c.once.Do(func() { c.closed <- time.Now() })
	}
	return n, err
}

// Past the caps on connections not logged in, per address and in all, a
// connection is closed at once, before the server sends a byte; one log
// line says so; once the flood ends, a login works.
func TestConnectionsPastTheCapsClosedAtOnce(t *testing.T) {
	dir := t.TempDir()
	key, pub := keypair(t, dir, "id_owner")
	var logs syncBuffer
	addr, srv := startWith(t, dir, pub, &logs, Limits{MaxUnauthenticated: 5, MaxUnauthenticatedPerAddr: 3})

	held := dialSilent(t, addr, nil, 3)
	waitFor(t, "3 held connections", 5*time.Second, func() bool { _, n := srv.gate.counts("127.0.0.1"); return n == 3 })
	banner := make([]byte, 8)
	for _, c := range held {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(c, banner); err != nil || string(banner) != "SSH-2.0-" {
			t.Fatalf("a held connection: %q %v", banner, err)
		}
	}
	refusedAtOnce := func(what string, conns []net.Conn) {
		t.Helper()
		start := time.Now()
		for _, c := range conns {
			r := readUntilClosed(c, start, 5*time.Second)
			if r.timeout || r.bytes != 0 || r.after > 2*time.Second {
				t.Errorf("%s: a connection past the cap was not closed at once: %+v", what, r)
			}
		}
	}
	refusedAtOnce("per address", dialSilent(t, addr, nil, 6))

	// The global cap, with connections from other loopback addresses.
	other := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}
	if l, err := net.ListenTCP("tcp", other); err != nil {
		t.Logf("no second loopback address, the global cap is not tried: %v", err)
	} else {
		l.Close()
		dialSilent(t, addr, other, 2)
		waitFor(t, "5 held connections", 5*time.Second, func() bool { n, _ := srv.gate.counts("127.0.0.1"); return n == 5 })
		refusedAtOnce("in all", dialSilent(t, addr, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 3)}, 4))
	}

	// While the flood holds every place, a login cannot start either.
	if out, err := exec.Command(testpeer.LookPath(t, "ssh"), sshArgs(addr, key, "-tt")...).CombinedOutput(); err == nil {
		t.Errorf("a login got in past the caps: %s", out)
	}
	if n := strings.Count(logs.String(), "ssh connections refused"); n != 1 {
		t.Errorf("%d log lines about refused connections, want 1 (one per %v):\n%s", n, refusalLogEvery, logs.String())
	}
	if !strings.Contains(logs.String(), "refused=1 ") {
		t.Errorf("the first refusal was not logged at once:\n%s", logs.String())
	}

	for _, c := range held {
		c.Close()
	}
	waitFor(t, "the flood's places back", 5*time.Second, func() bool { _, n := srv.gate.counts("127.0.0.1"); return n == 0 })
	if out, err := consoleLogin(t, addr, key); err != nil {
		t.Errorf("no login after the flood: %v\n%s", err, out)
	}
	// A logged-in session no longer counts as not logged in.
	if _, n := srv.gate.counts("127.0.0.1"); n != 0 {
		t.Errorf("%d connections from 127.0.0.1 counted after a login and logout", n)
	}
}

// The session past MaxSessions reads why and ends; a place freed is taken.
func TestSessionCap(t *testing.T) {
	sshBin := testpeer.LookPath(t, "ssh")
	dir := t.TempDir()
	key, pub := keypair(t, dir, "id_owner")
	var logs syncBuffer
	addr, srv := startWith(t, dir, pub, &logs, Limits{MaxSessions: 2})

	open := func() (*exec.Cmd, io.WriteCloser, chan error) {
		cmd := exec.Command(sshBin, sshArgs(addr, key, "-tt")...)
		stdin, _ := cmd.StdinPipe()
		var out syncBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		t.Cleanup(func() { cmd.Process.Kill(); <-done; done <- nil })
		waitFor(t, "a console's first frame", 20*time.Second, func() bool { return strings.Contains(out.String(), "page 1 of 2") })
		return cmd, stdin, done
	}
	_, first, firstDone := open()
	open()
	// Logged in, they no longer count against the caps before login.
	if total, _ := srv.gate.counts("127.0.0.1"); total != 0 {
		t.Errorf("%d connections counted as not logged in with two consoles open", total)
	}

	// A third console would wait for keys; it gets 20 s to be refused.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, sshBin, sshArgs(addr, key, "-tt")...)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "too many console sessions; try again later") {
		t.Errorf("the third session: %v %q", err, out)
	}
	if !strings.Contains(logs.String(), "ssh session refused: too many console sessions") {
		t.Errorf("the refused session was not logged:\n%s", logs.String())
	}

	io.WriteString(first, "q")
	select {
	case err := <-firstDone:
		firstDone <- err
	case <-time.After(10 * time.Second):
		t.Fatal("the first session did not end")
	}
	if out, err := consoleLogin(t, addr, key); err != nil {
		t.Errorf("no session in the freed place: %v\n%s", err, out)
	}
}

// fakeConn is an accepted connection from an address, for the gate alone.
type fakeConn struct {
	net.Conn
	remote net.Addr
}

func (c fakeConn) RemoteAddr() net.Addr { return c.remote }
func (c fakeConn) Close() error         { return nil }

func TestGateCountsAndLogsRefusalsOncePerInterval(t *testing.T) {
	var logs syncBuffer
	g := newGate(Limits{MaxUnauthenticated: 5, MaxUnauthenticatedPerAddr: 2}, slog.New(slog.NewTextHandler(&logs, nil)))
	from := func(ip string, port int) net.Conn {
		return fakeConn{remote: &net.TCPAddr{IP: net.ParseIP(ip), Port: port}}
	}
	var admitted []*gatedConn
	for i, ip := range []string{"192.0.2.1", "192.0.2.1", "192.0.2.1", "2001:db8::1", "2001:db8::2:1", "198.51.100.7", "198.51.100.8"} {
		if c := g.admit(from(ip, 1000+i)); c != nil {
			admitted = append(admitted, c)
		}
	}
	if total, a := g.counts("192.0.2.1"); len(admitted) != 5 || total != 5 || a != 2 {
		t.Fatalf("admitted %d, counts %d and %d from 192.0.2.1; want 5, 5, 2", len(admitted), total, a)
	}
	// One IPv6 host has a /64: its addresses share the per-address cap.
	if _, a := g.counts("2001:db8::/64"); a != 2 {
		t.Errorf("%d counted for 2001:db8::/64, want 2", a)
	}
	for range 100 {
		if g.admit(from("203.0.113.9", 1)) != nil {
			t.Fatal("admitted past the global cap")
		}
	}
	// Closing and logging in both release a place, once.
	admitted[0].Close()
	admitted[0].Close()
	g.leave(admitted[1])
	admitted[1].Close()
	if total, a := g.counts("192.0.2.1"); total != 3 || a != 0 {
		t.Errorf("after two left: %d in all, %d from 192.0.2.1", total, a)
	}
	if c := g.admit(from("192.0.2.1", 2000)); c == nil {
		t.Error("a freed place was not taken")
	}
	if n := strings.Count(logs.String(), "ssh connections refused"); n != 1 || !strings.Contains(logs.String(), "refused=1 ") {
		t.Errorf("want one line, at the first refusal:\n%s", logs.String())
	}
	g.shutdown()
	if !strings.Contains(logs.String(), "refused=101 ") {
		t.Errorf("the refusals since the first line were not logged at shutdown:\n%s", logs.String())
	}
	if g.admit(from("192.0.2.50", 1)) != nil {
		t.Error("admitted after shutdown")
	}
}

// Shutdown does not leave connections not logged in to their timeout.
func TestShutdownClosesConnectionsNotLoggedIn(t *testing.T) {
	dir := t.TempDir()
	_, pub := keypair(t, dir, "id_owner")
	var logs syncBuffer
	addr, srv := startWith(t, dir, pub, &logs, Limits{})
	held := dialSilent(t, addr, nil, 3)
	waitFor(t, "3 held connections", 5*time.Second, func() bool { n, _ := srv.gate.counts("127.0.0.1"); return n == 3 })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	for _, c := range held {
		if r := readUntilClosed(c, start, 5*time.Second); r.timeout || r.after > 2*time.Second {
			t.Errorf("a connection not logged in outlived shutdown: %+v", r)
		}
	}
}
