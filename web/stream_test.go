package web

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"opsdeck/auth"
	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// sseEvent is one message of an event stream as a client reads it.
type sseEvent struct {
	name, id, data string
	at             time.Time
}

// sseClient reads one event stream; events closes when the server ends
// the stream (or the client gives up).
type sseClient struct {
	t      *testing.T
	status int
	proto  string
	header http.Header
	events chan sseEvent
	cancel context.CancelFunc
}

// openStream opens an event's stream with an access token, as the page's
// EventSource does, and reads it in the background.
func openStream(t *testing.T, base string, eventID int64, access string, lastID string) *sseClient {
	t.Helper()
	return openStreamWith(t, http.DefaultClient, base, eventID, access, lastID)
}

func openStreamWith(t *testing.T, client *http.Client, base string, eventID int64, access string, lastID string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/events/"+itoa(eventID)+"/stream", nil)
	req.AddCookie(&http.Cookie{Name: accessCookie, Value: access})
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	c := &sseClient{t: t, status: resp.StatusCode, proto: resp.Proto, header: resp.Header, events: make(chan sseEvent, 1000), cancel: cancel}
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		close(c.events)
		return c
	}
	go func() {
		defer close(c.events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<22)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			if line == "" {
				if ev.name != "" || ev.data != "" {
					ev.at = time.Now()
					c.events <- ev
				}
				ev = sseEvent{}
				continue
			}
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "event":
				ev.name = value
			case "data":
				ev.data += value
			case "id":
				ev.id = value
			}
		}
	}()
	return c
}

// next waits for the next message, or fails.
func (c *sseClient) next(within time.Duration) (sseEvent, bool) {
	c.t.Helper()
	select {
	case ev, ok := <-c.events:
		return ev, ok
	case <-time.After(within):
		c.t.Fatalf("no stream message within %v", within)
		return sseEvent{}, false
	}
}

// until reads messages until one named name, and returns those before it.
func (c *sseClient) until(name string, within time.Duration) (sseEvent, []sseEvent) {
	c.t.Helper()
	var before []sseEvent
	deadline := time.After(within)
	for {
		select {
		case ev, ok := <-c.events:
			if !ok {
				c.t.Fatalf("the stream ended without a %q message (after %d others)", name, len(before))
			}
			if ev.name == name {
				return ev, before
			}
			before = append(before, ev)
		case <-deadline:
			c.t.Fatalf("no %q message within %v (%d others)", name, within, len(before))
			return sseEvent{}, nil
		}
	}
}

// ended waits for the server to end the stream, failing on any message
// that comes first.
func (c *sseClient) ended(within time.Duration) {
	c.t.Helper()
	select {
	case ev, ok := <-c.events:
		if ok {
			c.t.Fatalf("a %q message after the last words: %.200s", ev.name, ev.data)
		}
	case <-time.After(within):
		c.t.Fatalf("the stream is still open %v after its last words", within)
	}
}

// note has the captain write a note on an item, a change every crew
// stream hears of.
func (f *fixture) note(captain string, itemID int64, text string) {
	f.t.Helper()
	if code, body := f.do("POST", "/api/items/"+itoa(itemID)+"/note", captain, map[string]string{"note": text}); code != http.StatusOK {
		f.t.Fatalf("note: %d %s", code, body)
	}
}

// postNote is note for a goroutine: it cannot fail the test.
func postNote(base, access string, itemID int64, text string) {
	req, _ := http.NewRequest("POST", base+"/api/items/"+itoa(itemID)+"/note", strings.NewReader(fmt.Sprintf("{\"note\": %q}", text)))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: accessCookie, Value: access})
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

// streamServer starts a second crew server over the fixture's store with
// the given stream options; the test's end stops it.
func (f *fixture) streamServer(t testing.TB, svc *auth.Service, opts Options) *Server {
	t.Helper()
	if svc == nil {
		svc = f.auth
	}
	opts.Store, opts.Auth, opts.Addr, opts.Now, opts.PollEvery = f.store, svc, "127.0.0.1:0", f.Now, -1
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return srv
}

// A revoked session's open stream ends within a second with a
// "signedout" message, however the session was revoked: its link revoked
// on this server or through the API, the session signed out (POST
// /logout from another tab), its refresh token reused, or its link
// revoked by another process writing the same database. Notes the
// captain writes after that never reach it, its token is refused when it
// tries again, and other sessions' streams carry on.
func TestStreamOfRevokedSessionSignsOut(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	captain, _ := f.session("morgan", f.event.ID, "")
	admin, _ := f.session("casey", f.event.ID, portfolio.AccessAdmin)
	clean := f.item("Clean")
	other := storetest.OpenPath(t, f.store.Path(), f)
	otherAuth, err := auth.New(auth.Options{Store: other, Keys: f.keys, Now: f.Now, FailureFloor: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// Jess watches throughout and must see every note.
	jess, _ := f.session("jess", f.event.ID, "")
	bystander := openStream(t, f.base, f.event.ID, jess.Access, "")
	bystander.until("change", 5*time.Second)

	type revocation struct {
		name   string
		revoke func(t *testing.T, sess auth.Session, linkID int64)
		quiet  bool // no change after it: the session watch alone must see it
	}
	cases := []revocation{
		{name: "link revoked on this server", revoke: func(t *testing.T, _ auth.Session, id int64) {
			if err := f.srv.RevokeLink(ctx, "test", id); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "link revoked through the API", revoke: func(t *testing.T, _ auth.Session, id int64) {
			if code, body := f.do("POST", "/api/links/"+itoa(id)+"/revoke", admin.Access, nil); code != http.StatusOK {
				t.Fatalf("revoke: %d %s", code, body)
			}
		}},
		{name: "session signed out on another tab", revoke: func(t *testing.T, sess auth.Session, _ int64) {
			req, _ := http.NewRequest("POST", f.base+"/logout", nil)
			req.AddCookie(&http.Cookie{Name: accessCookie, Value: sess.Access})
			req.AddCookie(&http.Cookie{Name: refreshCookie, Value: sess.Refresh})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("sign out: %d", resp.StatusCode)
			}
		}},
		{name: "refresh token reused", revoke: func(t *testing.T, sess auth.Session, _ int64) {
			refresh := func() int {
				req, _ := http.NewRequest("POST", f.base+"/api/auth/refresh", nil)
				req.AddCookie(&http.Cookie{Name: refreshCookie, Value: sess.Refresh})
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			if code := refresh(); code != http.StatusOK {
				t.Fatalf("first refresh: %d", code)
			}
			// Past the leeway two racing tabs get, the same token again
			// is a stolen one: the family is revoked.
			f.mu.Lock()
			f.offset += auth.DefaultRefreshLeeway + time.Second
			f.mu.Unlock()
			if code := refresh(); code != http.StatusUnauthorized {
				t.Fatalf("reused refresh: %d, want 401", code)
			}
		}},
		{name: "link revoked by another process", revoke: func(t *testing.T, _ auth.Session, id int64) {
			if err := otherAuth.RevokeLink(ctx, "cli", id); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases[2:] {
		tc.name, tc.quiet = tc.name+" and nothing else happens", true
		cases = append(cases, tc)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sam, link := f.session("sam", f.event.ID, "")
			st := openStream(t, f.base, f.event.ID, sam.Access, "")
			st.until("change", 5*time.Second) // every part, first
			f.note(captain.Access, clean.ID, "before "+tc.name)
			if ev, _ := st.until("change", 5*time.Second); !strings.Contains(ev.data, "before "+tc.name) {
				t.Fatalf("the note before the revocation did not arrive: %.200s", ev.data)
			}
			start := time.Now()
			tc.revoke(t, sam, link.ID)
			// The captain keeps writing: none of it may follow the
			// last words, and the stream must end.
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				if tc.quiet {
					<-stop
					return
				}
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					case <-time.After(100 * time.Millisecond):
					}
					postNote(f.base, captain.Access, clean.ID, fmt.Sprintf("after %s %d", tc.name, i))
				}
			}()
			var once sync.Once
			stopNotes := func() { once.Do(func() { close(stop); <-done }) }
			defer stopNotes()
			ev, before := st.until("signedout", 2*time.Second)
			took := time.Since(start)
			t.Logf("signed out %v after the revocation, %d change messages in between", took.Round(time.Millisecond), len(before))
			if took > 1500*time.Millisecond {
				t.Errorf("signed out %v after the revocation, want within a second", took)
			}
			// Every change after the revocation waits for the session
			// check first: none reaches the revoked stream.
			for _, ev := range before {
				t.Errorf("a %q message after the revocation: %.200s", ev.name, ev.data)
			}
			if !strings.Contains(ev.data, "signed out") {
				t.Errorf("the signedout message says %q", ev.data)
			}
			st.ended(time.Second)
			time.Sleep(300 * time.Millisecond) // more notes, to nobody revoked
			stopNotes()
			if again := openStream(t, f.base, f.event.ID, sam.Access, ""); again.status != http.StatusUnauthorized {
				t.Errorf("the revoked token opened a stream again: %d", again.status)
			}
		})
	}
	// The bystander heard every note, before and after each revocation.
	f.note(captain.Access, clean.ID, "the last note")
	for {
		ev, ok := bystander.next(5 * time.Second)
		if !ok {
			t.Fatal("the bystander's stream ended")
		}
		if strings.Contains(ev.data, "the last note") {
			break
		}
	}
}

// A session holds at most StreamsPerSession streams: a new one ends the
// oldest, which is told to wait before it tries again.
func TestStreamPerSessionCap(t *testing.T) {
	f := newFixture(t)
	srv := f.streamServer(t, nil, Options{StreamsPerSession: 3})
	base := srv.URL()
	sam, _ := f.session("sam", f.event.ID, "")
	var streams []*sseClient
	for range 3 {
		st := openStream(t, base, f.event.ID, sam.Access, "")
		st.until("change", 5*time.Second)
		streams = append(streams, st)
	}
	fourth := openStream(t, base, f.event.ID, sam.Access, "")
	if fourth.status != http.StatusOK {
		t.Fatalf("the fourth stream: %d", fourth.status)
	}
	fourth.until("change", 5*time.Second)
	streams[0].until("replaced", 2*time.Second)
	streams[0].ended(time.Second)
	if n := srv.hub.streamCount(); n != 3 {
		t.Errorf("%d streams open, want 3", n)
	}
	// Another session is not affected by Sam's.
	jess, _ := f.session("jess", f.event.ID, "")
	for range 3 {
		openStream(t, base, f.event.ID, jess.Access, "").until("change", 5*time.Second)
	}
	captain, _ := f.session("morgan", f.event.ID, "")
	clean := f.item("Clean")
	if code, body := f.do("POST", "/api/items/"+itoa(clean.ID)+"/note", captain.Access, map[string]string{"note": "to the three"}); code != http.StatusOK {
		t.Fatal(code, body)
	}
	// f.do went to the fixture's server; this one hears of it through
	// Invalidate, as it would from another process.
	srv.Invalidate(f.event.ID)
	for i, st := range append(streams[1:], fourth) {
		if ev, _ := st.until("change", 5*time.Second); !strings.Contains(ev.data, "to the three") {
			t.Errorf("stream %d: %.200s", i+2, ev.data)
		}
	}
}

// Past MaxStreams in all, a stream is refused with 503 and Retry-After,
// and a slot freed is a slot to take.
func TestStreamGlobalCap(t *testing.T) {
	f := newFixture(t)
	srv := f.streamServer(t, nil, Options{MaxStreams: 2})
	base := srv.URL()
	var open []*sseClient
	for _, who := range []string{"sam", "jess"} {
		sess, _ := f.session(who, f.event.ID, "")
		st := openStream(t, base, f.event.ID, sess.Access, "")
		st.until("change", 5*time.Second)
		open = append(open, st)
	}
	guest, _ := f.session("riley", f.event.ID, portfolio.AccessGuest)
	refused := openStream(t, base, f.event.ID, guest.Access, "")
	if refused.status != http.StatusServiceUnavailable || refused.header.Get("Retry-After") == "" {
		t.Fatalf("a stream past the cap: %d, Retry-After %q; want 503 with Retry-After", refused.status, refused.header.Get("Retry-After"))
	}
	open[0].cancel()
	deadline := time.Now().Add(2 * time.Second)
	for srv.hub.streamCount() > 1 {
		if time.Now().After(deadline) {
			t.Fatal("a closed stream still counts")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st := openStream(t, base, f.event.ID, guest.Access, ""); st.status != http.StatusOK {
		t.Errorf("a stream after one closed: %d", st.status)
	}
}

// A client that stops reading is dropped once its socket's buffer and
// its bounded queue fill: the hub neither waits for it nor queues without
// end, and the others' streams carry on.
func TestStreamSlowReaderDropped(t *testing.T) {
	// A write timeout longer than the test: the queue, not the timeout,
	// must drop the stalled stream. (20 s was not: on a loaded machine,
	// with the kernel's socket buffers grown to megabytes, filling them
	// took longer, and the timeout dropped the stream first.)
	old := streamWriteTimeout.Load()
	streamWriteTimeout.Store(int64(90 * time.Second))
	t.Cleanup(func() { streamWriteTimeout.Store(old) })
	f := newFixture(t)
	srv := f.streamServer(t, nil, Options{})
	host := strings.TrimPrefix(srv.URL(), "http://")
	sam, _ := f.session("sam", f.event.ID, "")
	jess, _ := f.session("jess", f.event.ID, "")
	reader := openStream(t, srv.URL(), f.event.ID, jess.Access, "")
	reader.until("change", 5*time.Second)

	// The stalled client: a small receive buffer, and no read after the
	// request.
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	conn, err := d.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/events/%d/stream HTTP/1.1\r\nHost: %s\r\nCookie: %s=%s\r\n\r\n", f.event.ID, host, accessCookie, sam.Access)
	deadline := time.Now().Add(5 * time.Second)
	for srv.hub.streamCount() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the stalled stream never opened")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Every change a full page of parts, each waited for by the reader,
	// until the stalled stream is dropped.
	start := time.Now()
	sent := 0
	for srv.hub.streamCount() == 2 {
		if time.Since(start) > 80*time.Second {
			t.Fatalf("the stalled stream is still open after %d changes", sent)
		}
		srv.Invalidate(f.event.ID)
		sent++
		if ev, ok := reader.next(5 * time.Second); !ok || ev.name != "change" {
			t.Fatalf("the reading stream: %v %q", ok, ev.name)
		}
	}
	t.Logf("the stalled stream was dropped after %d changes, %v", sent, time.Since(start).Round(time.Millisecond))
	if sent <= streamQueue || time.Since(start) >= writeTimeout() {
		t.Errorf("dropped after %d changes and %v: not by its queue of %d filling", sent, time.Since(start), streamQueue)
	}
	// Its connection is closed, not kept alive for another request: read
	// what the socket holds until EOF.
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var n int64
	buf := make([]byte, 64<<10)
	for {
		k, err := conn.Read(buf)
		n += int64(k)
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("the dropped stream's connection is still open (%d bytes read)", n)
			}
			break
		}
	}
	t.Logf("%d bytes were in the socket's buffers", n)
	// The reader still hears changes.
	srv.Invalidate(f.event.ID)
	if ev, ok := reader.next(5 * time.Second); !ok || ev.name != "change" {
		t.Fatalf("the reading stream after the drop: %v %q", ok, ev.name)
	}
}

// A stream ends at its access token's expiry, with an "expired" message,
// and a client that does not read cannot keep it open past then either.
// The browser reconnects with the refreshed token and misses nothing.
func TestStreamEndsAtTokenExpiry(t *testing.T) {
	f := newFixture(t)
	short, err := auth.New(auth.Options{Store: f.store, Keys: f.keys, Now: f.Now, AccessTTL: 2 * time.Second, FailureFloor: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := f.streamServer(t, short, Options{})
	_, token := f.mint("sam", f.event.ID, "", false)
	sess, err := short.Exchange(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	st := openStream(t, srv.URL(), f.event.ID, sess.Access, "")
	first, _ := st.until("change", 5*time.Second)

	// A stalled client on the same token: a small receive buffer, no
	// read, and changes as fast as they come until the token expires.
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	host := strings.TrimPrefix(srv.URL(), "http://")
	conn, err := d.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/events/%d/stream HTTP/1.1\r\nHost: %s\r\nCookie: %s=%s\r\n\r\n", f.event.ID, host, accessCookie, sess.Access)
	flood := make(chan struct{})
	go func() {
		defer close(flood)
		for time.Now().Before(sess.AccessExpires) {
			srv.Invalidate(f.event.ID)
			time.Sleep(2 * time.Millisecond)
		}
	}()
	var last sseEvent
	for {
		ev, ok := st.next(4 * time.Second)
		if !ok {
			t.Fatal("the stream ended without an expired message")
		}
		if ev.name == "expired" {
			break
		}
		last = ev
	}
	if left := time.Until(sess.AccessExpires); left > 200*time.Millisecond || left < -time.Second {
		t.Errorf("the stream ended %v before its token expired", left)
	}
	st.ended(time.Second)
	<-flood
	// The stalled stream is gone by then too, or a moment after.
	for srv.hub.streamCount() > 0 {
		if time.Since(sess.AccessExpires) > time.Second {
			t.Fatalf("%d streams still open %v after their token expired", srv.hub.streamCount(), time.Since(sess.AccessExpires).Round(time.Millisecond))
		}
		time.Sleep(10 * time.Millisecond)
	}
	first = last
	// The page refreshes and EventSource comes back with its last id.
	next, err := short.Refresh(context.Background(), sess.Refresh)
	if err != nil {
		t.Fatal(err)
	}
	again := openStream(t, srv.URL(), f.event.ID, next.Access, first.id)
	srv.Invalidate(f.event.ID)
	if ev, _ := again.until("change", 5*time.Second); ev.id == first.id {
		t.Errorf("the reconnected stream repeats version %s", ev.id)
	}
}

// A change is rendered once per view key however many streams share the
// key: every guest shares one, each crew member and the captain one
// each. What each is sent is still theirs: a guest sees no items, Sam
// sees his claim as his.
func TestStreamRendersOncePerView(t *testing.T) {
	f := newFixture(t)
	srv := f.streamServer(t, nil, Options{})
	base := srv.URL()
	type watcher struct {
		who  string
		role portfolio.AccessRole
		st   *sseClient
	}
	var ws []watcher
	for _, w := range []struct {
		who  string
		role portfolio.AccessRole
		n    int
	}{{"riley", portfolio.AccessGuest, 4}, {"dana", portfolio.AccessGuest, 4}, {"sam", "", 4}, {"jess", "", 4}, {"morgan", "", 2}} {
		for range w.n {
			sess, _ := f.session(w.who, f.event.ID, w.role)
			st := openStream(t, base, f.event.ID, sess.Access, "")
			st.until("change", 5*time.Second)
			ws = append(ws, watcher{w.who, w.role, st})
		}
	}
	fan := srv.fan()
	before := fan.renders.Load()
	sam, _ := f.session("sam", f.event.ID, "")
	clean := f.item("Clean")
	if code, body := f.do("POST", "/api/items/"+itoa(clean.ID)+"/claim", sam.Access, nil); code != http.StatusOK {
		t.Fatal(code, body)
	}
	srv.publish(changeOf(f, clean.ID))
	for _, w := range ws {
		ev, _ := w.st.until("change", 5*time.Second)
		mine := strings.Contains(ev.data, `class=\"claimed mine\"`)
		switch {
		case w.role == portfolio.AccessGuest && (strings.Contains(ev.data, "Clean") || strings.Contains(ev.data, "Sam Okafor")):
			t.Errorf("a guest (%s) was sent the items: %.300s", w.who, ev.data)
		case w.who == "sam" && !mine:
			t.Errorf("Sam's message does not show the claim as his: %.300s", ev.data)
		case w.who != "sam" && mine:
			t.Errorf("%s's message shows Sam's claim as theirs", w.who)
		}
	}
	// Four keys: the guests' one, Sam's, Jess's, Morgan's.
	if n := fan.renders.Load() - before; n != 4 {
		t.Errorf("one change to %d streams rendered %d times, want 4 (once per view)", len(ws), n)
	}
}

// changeOf is the claim change of an item, as perform publishes it.
func changeOf(f *fixture, itemID int64) store.ChecklistChange {
	it := f.item("Clean")
	return store.ChecklistChange{EventID: f.event.ID, PhaseID: it.PhaseID, ItemID: itemID, Action: "claim", At: time.Now()}
}

// Rendering for a view key gives exactly what rendering for the viewer
// gives, for every person and role on the demo's events: the grouping
// never hands one viewer another's page.
func TestViewKeyRendersAsTheViewer(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, ev := range []portfolio.Event{f.event, f.other} {
		d, err := f.srv.load(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		now := f.srv.now()
		for _, p := range f.people {
			for _, role := range []portfolio.AccessRole{portfolio.AccessAdmin, portfolio.AccessCaptain, portfolio.AccessCrew, portfolio.AccessGuest} {
				v := viewer{PersonID: p.ID, Name: p.Name, Role: role, Event: ev.ID, Expires: now.Add(time.Hour)}
				want, err := f.srv.renderer.parts(f.srv.view(d, v, now))
				if err != nil {
					t.Fatal(err)
				}
				got, err := f.srv.renderer.parts(f.srv.view(d, keyOf(ev.ID, v).viewer(), now))
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s as %s on %q: the view key's parts differ from the viewer's", p.Name, role, ev.Title)
				}
			}
		}
	}
}

// Streams opened and closed in numbers leave nothing behind: no stream
// counted, no session watched.
func TestStreamsLeaveNothingBehind(t *testing.T) {
	f := newFixture(t)
	srv := f.streamServer(t, nil, Options{StreamsPerSession: 2})
	var opened atomic.Int64
	sam, _ := f.session("sam", f.event.ID, "")
	for i := range 20 {
		st := openStream(t, srv.URL(), f.event.ID, sam.Access, fmt.Sprint(i))
		if st.status == http.StatusOK {
			opened.Add(1)
		}
		if i%3 == 0 {
			st.cancel()
		}
	}
	deadline := time.Now().Add(3 * time.Second)
	for srv.hub.streamCount() > 2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d streams counted for one session capped at 2", srv.hub.streamCount())
		}
		time.Sleep(10 * time.Millisecond)
	}
	srv.hub.smu.Lock()
	n := len(srv.hub.bySession)
	srv.hub.smu.Unlock()
	if n != 1 || opened.Load() != 20 {
		t.Errorf("%d sessions with streams, %d opened", n, opened.Load())
	}
}

// The stream works the same however it is carried: plain HTTP/1.1 (the
// connection taken over, written without waiting), HTTP/1.1 over TLS
// (taken over, written by a goroutine that waits), and HTTP/2 (the
// ResponseWriter). On each it keeps delivering after a quiet spell longer
// than the write timeout, and a revocation signs it out.
func TestStreamOverEachTransport(t *testing.T) {
	old := streamWriteTimeout.Load()
	streamWriteTimeout.Store(int64(300 * time.Millisecond))
	t.Cleanup(func() { streamWriteTimeout.Store(old) })
	f := newFixture(t)
	srv := f.streamServer(t, nil, Options{})
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.EnableHTTP2 = true
	ts.StartTLS()
	t.Cleanup(ts.Close)
	h2 := ts.Client()
	h1tr := h2.Transport.(*http.Transport).Clone()
	h1tr.ForceAttemptHTTP2 = false
	h1tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	h1tr.TLSClientConfig.NextProtos = []string{"http/1.1"}
	for _, tc := range []struct {
		name, base, proto string
		client            *http.Client
	}{
		{"plain HTTP/1.1", srv.URL(), "HTTP/1.1", http.DefaultClient},
		{"HTTP/1.1 over TLS", ts.URL, "HTTP/1.1", &http.Client{Transport: h1tr}},
		{"HTTP/2", ts.URL, "HTTP/2.0", h2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sam, link := f.session("sam", f.event.ID, "")
			st := openStreamWith(t, tc.client, tc.base, f.event.ID, sam.Access, "")
			if st.status != http.StatusOK || st.proto != tc.proto {
				t.Fatalf("%d over %s, want 200 over %s", st.status, st.proto, tc.proto)
			}
			first, _ := st.until("change", 5*time.Second)
			time.Sleep(3 * writeTimeout())
			srv.Invalidate(f.event.ID)
			if ev, _ := st.until("change", 5*time.Second); ev.id == first.id {
				t.Errorf("the change after a quiet spell repeats version %s", ev.id)
			}
			if err := srv.RevokeLink(context.Background(), "test", link.ID); err != nil {
				t.Fatal(err)
			}
			st.until("signedout", 2*time.Second)
			st.ended(2 * time.Second)
		})
	}
	deadline := time.Now().Add(2 * time.Second)
	for srv.hub.streamCount() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d streams still open", srv.hub.streamCount())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// What a stream answers to requests meant to confuse it. Each is a
// hostile input; the answer must be the one written here.
func TestStreamHostileRequests(t *testing.T) {
	f := newFixture(t)
	srv := f.streamServer(t, nil, Options{})
	base := srv.URL()
	sam, _ := f.session("sam", f.event.ID, "")
	admin, _ := f.session("casey", f.event.ID, portfolio.AccessAdmin)
	revoked, link := f.session("jess", f.event.ID, "")
	if err := srv.RevokeLink(context.Background(), "test", link.ID); err != nil {
		t.Fatal(err)
	}
	ev := itoa(f.event.ID)
	cur := strconv.FormatUint(srv.hub.version(f.event.ID), 10)
	for _, tc := range []struct {
		name, path, access, lastID string
		header                     map[string]string
		status                     int
		full                       bool // starts with every part
	}{
		{name: "garbled Last-Event-ID", path: "/api/events/" + ev + "/stream", access: sam.Access, lastID: "abc", status: 200, full: true},
		{name: "negative Last-Event-ID", path: "/api/events/" + ev + "/stream", access: sam.Access, lastID: "-1", status: 200, full: true},
		{name: "Last-Event-ID past uint64", path: "/api/events/" + ev + "/stream", access: sam.Access, lastID: "99999999999999999999999", status: 200, full: true},
		{name: "Last-Event-ID from the future", path: "/api/events/" + ev + "/stream", access: sam.Access, lastID: "18446744073709551615", status: 200, full: true},
		{name: "Last-Event-ID of 8 KB", path: "/api/events/" + ev + "/stream", access: sam.Access, lastID: strings.Repeat("9", 8<<10), status: 200, full: true},
		{name: "current version: nothing to repeat", path: "/api/events/" + ev + "/stream", access: sam.Access, lastID: cur, status: 200},
		{name: "v in the query, no header", path: "/api/events/" + ev + "/stream?v=" + cur, access: sam.Access, status: 200},
		{name: "another event with a crew token", path: "/api/events/" + itoa(f.other.ID) + "/stream", access: sam.Access, status: 403},
		{name: "an event that does not exist (admin)", path: "/api/events/987654/stream", access: admin.Access, status: 404},
		{name: "event id that is not a number", path: "/api/events/1%0a/stream", access: sam.Access, status: 404},
		{name: "no token", path: "/api/events/" + ev + "/stream", status: 401},
		{name: "revoked token", path: "/api/events/" + ev + "/stream", access: revoked.Access, status: 401},
		{name: "refresh token as the access token", path: "/api/events/" + ev + "/stream", access: sam.Refresh, status: 401},
		{name: "access token with its signature cut", path: "/api/events/" + ev + "/stream", access: sam.Access[:strings.LastIndex(sam.Access, ".")+1], status: 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", base+tc.path, nil)
			if tc.access != "" {
				req.AddCookie(&http.Cookie{Name: accessCookie, Value: tc.access})
			}
			if tc.lastID != "" {
				req.Header.Set("Last-Event-ID", tc.lastID)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			resp, err := http.DefaultClient.Do(req.WithContext(ctx))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("%d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status != 200 {
				return
			}
			for k, want := range map[string]string{"Content-Type": "text/event-stream", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"} {
				if got := resp.Header.Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
			if resp.Header.Get("Content-Security-Policy") == "" {
				t.Error("no Content-Security-Policy")
			}
			// The start, and the first message if there is one, come
			// in the first write; read until a pause.
			var got strings.Builder
			buf := make([]byte, 64<<10)
			for {
				readCtx := time.AfterFunc(300*time.Millisecond, cancel)
				n, err := resp.Body.Read(buf)
				readCtx.Stop()
				got.Write(buf[:n])
				if err != nil {
					break
				}
			}
			full := strings.Contains(got.String(), "event: change") && strings.Contains(got.String(), `"summary"`)
			if full != tc.full {
				t.Errorf("starts with every part: %v, want %v (%.200q)", full, tc.full, got.String())
			}
		})
	}
	if n := srv.hub.streamCount(); n > 0 {
		deadline := time.Now().Add(2 * time.Second)
		for srv.hub.streamCount() > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := srv.hub.streamCount(); n > 0 {
			t.Errorf("%d streams left open by requests that ended", n)
		}
	}
}
