package sshconsole

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func openFiles(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}

// A flood of silent connections to the SSH port, in a process whose file
// limit leaves room for the flood's own ends but not for a server end of
// each: the server holds a few, closes the rest at once, and a web server
// in the same process keeps answering; once the few time out, a login
// gets through, the flood still open.
func TestFloodLeavesWebAndLoginAlive(t *testing.T) {
	dir := t.TempDir()
	key, pub := keypair(t, dir, "id_owner")
	var logs syncBuffer
	const timeout = 3 * time.Second
	addr, srv := startWith(t, dir, pub, &logs, Limits{HandshakeTimeout: timeout})

	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
	defer web.Close()
	// A connection of its own for each request, as a monitor's would be.
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	get := func() error {
		resp, err := client.Get(web.URL)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	if err := get(); err != nil {
		t.Fatal(err)
	}

	const flood = 1000
	before := openFiles(t)
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	lowered := old
	lowered.Cur = uint64(before + flood + 150)
	if lowered.Cur > old.Cur {
		t.Skipf("the file limit %d is below what the test needs (%d)", old.Cur, lowered.Cur)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lowered); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) })

	start := time.Now()
	// Dialled here, not with dialSilent: if the server kept a file for
	// each, the process would run out before the flood is all in.
	conns := make([]net.Conn, 0, flood)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for len(conns) < flood {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatalf("the process ran out of files after %d silent connections: %v; the web server: %v", len(conns), err, get())
		}
		conns = append(conns, c)
	}
	results := make(chan closedBy, flood)
	for _, c := range conns {
		go func() {
			// The first read: the server's version line, or the end.
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			buf := make([]byte, 64)
			n, err := c.Read(buf)
			r := closedBy{bytes: n, err: err}
			if n > 0 {
				r = readUntilClosed(c, start, 10*time.Second)
				r.bytes += n
			}
			r.after = time.Since(start)
			results <- r
		}()
	}
	// The refused end at once; the held get the version line and end at
	// the timeout.
	held, refused, wrong := 0, 0, 0
	var heldFor []time.Duration
	fdsDuring := 0
	for i := range flood {
		if i == flood-DefaultMaxUnauthenticatedPerAddr {
			// Only the held ones are left: count files, ask the web.
			fdsDuring = openFiles(t)
			for range 20 {
				if err := get(); err != nil {
					t.Errorf("the web server did not answer during the flood: %v", err)
					break
				}
			}
		}
		r := <-results
		switch {
		case r.bytes > 0 && r.after >= timeout-100*time.Millisecond && !r.timeout:
			held++
			heldFor = append(heldFor, r.after)
		case r.bytes == 0 && r.after < timeout && r.err != nil:
			refused++
		default:
			wrong++
			if wrong < 5 {
				t.Errorf("a flood connection ended otherwise: %+v", r)
			}
		}
	}
	t.Logf("%d silent connections: %d held (closed after %v), %d closed at once; files open %d before, %d during (%d of them the flood's own ends), limit %d",
		flood, held, heldFor, refused, before, fdsDuring, flood, lowered.Cur)
	if held != DefaultMaxUnauthenticatedPerAddr || wrong != 0 {
		t.Errorf("%d held, %d refused, %d otherwise; want %d held", held, refused, wrong, DefaultMaxUnauthenticatedPerAddr)
	}
	if extra := fdsDuring - before - flood; extra > DefaultMaxUnauthenticatedPerAddr+20 {
		t.Errorf("the server held %d files for a flood of %d", extra, flood)
	}

	// The flood's sockets are still open, but its places have timed out.
	if out, err := consoleLogin(t, addr, key); err != nil {
		t.Errorf("no login after the flood timed out: %v\n%s", err, out)
	}
	if n := strings.Count(logs.String(), "ssh connections refused"); n != 1 {
		t.Errorf("%d lines about refused connections, want 1:\n%s", n, logs.String())
	}
	for _, c := range conns {
		c.Close()
	}
	waitFor(t, "the flood's places back", 5*time.Second, func() bool { n, _ := srv.gate.counts("127.0.0.1"); return n == 0 })
	if after := openFiles(t); after > before+10 {
		t.Errorf("files open: %d before the flood, %d after", before, after)
	} else {
		t.Logf("files open after the flood: %d", after)
	}
}
