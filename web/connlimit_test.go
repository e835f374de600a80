package web

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// A flood of connections that never send a request (or sit idle after
// one) cannot take the server's files: past MaxConns the longest-quiet
// one is closed to make room, so the open count stays at the bound and a
// real request still gets its answer.
func TestIdleConnectionsCannotCrowdOutRequests(t *testing.T) {
	f := newFixture(t)
	const max = 8
	srv := f.streamServer(t, nil, Options{MaxConns: max})
	addr := srv.Addr()
	var flood []net.Conn
	t.Cleanup(func() {
		for _, c := range flood {
			c.Close()
		}
	})
	for range 40 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		flood = append(flood, c)
	}
	// Each request is a fresh connection, as a phone's would be.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	for i := range 5 {
		resp, err := client.Get("http://" + addr + "/healthz")
		if err != nil {
			t.Fatalf("request %d during the flood: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("request %d during the flood: %d", i, resp.StatusCode)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		open, evicted, refused := srv.conns.counts()
		if open <= max && evicted >= len(flood)-max {
			t.Logf("%d silent connections and 5 requests: %d open, %d closed to make room, %d refused", len(flood), open, evicted, refused)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d open (bound %d), %d closed to make room, %d refused", open, max, evicted, refused)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The oldest of the flood were closed by the server to make room:
	// their reads end at once.
	closed := 0
	for _, c := range flood[:len(flood)-max] {
		c.SetReadDeadline(time.Now().Add(time.Second))
		if _, err := c.Read(make([]byte, 1)); err != nil {
			if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
				closed++
			}
		}
	}
	if closed < len(flood)-max {
		t.Errorf("%d of %d silent connections closed, want at least %d", closed, len(flood), len(flood)-max)
	}
}
