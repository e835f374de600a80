package web

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"opsdeck/auth"
	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/demo"
	"opsdeck/store/storetest"
)

func TestMagicLinkGetShowsButtonPostExchanges(t *testing.T) {
	f := newFixture(t)
	_, token := f.mint("sam", f.event.ID, "", true)
	// A link preview fetches the link with GET: it sees a button and uses
	// nothing up.
	for range 3 {
		code, body := f.do("GET", "/l/"+token, "", nil)
		if code != http.StatusOK || !strings.Contains(body, "Open checklist") || !strings.Contains(body, `<form method="post">`) {
			t.Fatalf("GET link: %d\n%s", code, body)
		}
	}
	c := f.browser("sam", "") // a different link; now exchange the single-use one
	resp := postForm(t, c, f.base+"/l/"+token, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST link: %d", resp.StatusCode)
	}
	var access, refresh *http.Cookie
	for _, ck := range resp.Cookies() {
		switch ck.Name {
		case accessCookie:
			access = ck
		case refreshCookie:
			refresh = ck
		}
	}
	if access == nil || refresh == nil || !access.HttpOnly || access.SameSite != http.SameSiteStrictMode || !refresh.HttpOnly {
		t.Fatalf("cookies %+v %+v", access, refresh)
	}
	if resp := postForm(t, c, f.base+"/l/"+token, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("single-use link used twice: %d", resp.StatusCode)
	}
	code, body := get(t, c, f.base+"/e/"+itoa(f.event.ID))
	if code != http.StatusOK || !strings.Contains(body, f.event.Title) || !strings.Contains(body, "Sam Okafor · crew") {
		t.Errorf("checklist page: %d", code)
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	resp, err := http.Get(f.base + "/l/odl_x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := resp.Header
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'sha256-", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Error("CSP allows inline code")
	}
	if h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", h)
	}
	// A cross-site POST is refused before any handler sees it.
	req, _ := http.NewRequest("POST", f.base+"/api/items/1/claim", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: %d, want 403", resp.StatusCode)
	}
	// Bodies are capped.
	sess, _ := f.session("sam", f.event.ID, "")
	big := map[string]string{"note": strings.Repeat("x", maxBody)}
	if code, _ := f.do("POST", "/api/items/"+itoa(f.item("Clean").ID)+"/note", sess.Access, big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d", code)
	}
}

func TestClaimConflictNamesHolder(t *testing.T) {
	f := newFixture(t)
	jess, _ := f.session("jess", f.event.ID, "")
	provisions := f.item("Load ice") // Sam holds it in the demo
	code, body := f.do("POST", "/api/items/"+itoa(provisions.ID)+"/claim", jess.Access, nil)
	var out struct {
		Error, Message string
		Holder         struct{ Name string }
	}
	json.Unmarshal([]byte(body), &out)
	if code != http.StatusConflict || out.Holder.Name != "Sam Okafor" || !strings.Contains(out.Message, "Sam Okafor") {
		t.Errorf("claim of a held item: %d %s", code, body)
	}
	clean := f.item("Clean")
	code, body = f.do("POST", "/api/items/"+itoa(clean.ID)+"/claim", jess.Access, nil)
	if code != http.StatusOK || !strings.Contains(body, `"claimed_by_name":"Jess Tran"`) {
		t.Errorf("claim: %d %s", code, body)
	}
}

// The crew see each other by name and role: no email address of anyone
// on the event reaches a crew member's phone, in the event or in the
// answer to a claim.
func TestCrewDoNotSeeEachOthersEmail(t *testing.T) {
	f := newFixture(t)
	jess, _ := f.session("jess", f.event.ID, "")
	code, event := f.do("GET", "/api/events/"+itoa(f.event.ID), jess.Access, nil)
	if code != http.StatusOK || !strings.Contains(event, `"name":"Sam Okafor"`) {
		t.Fatalf("event: %d %s", code, event)
	}
	_, claim := f.do("POST", "/api/items/"+itoa(f.item("Clean").ID)+"/claim", jess.Access, nil)
	for what, body := range map[string]string{"event": event, "claim": claim} {
		if strings.Contains(body, "@") {
			t.Errorf("the %s answer holds an email address: %s", what, body)
		}
	}
}

// Without JavaScript everything works through form posts and redirects.
func TestFormPostsWithoutScript(t *testing.T) {
	f := newFixture(t)
	c := f.browser("jess", "")
	page := f.base + "/e/" + itoa(f.event.ID)
	clean := f.item("Clean")
	itemURL := page + "/items/" + itoa(clean.ID)
	for _, step := range []struct {
		action string
		form   url.Values
	}{{"claim", nil}, {"note", url.Values{"note": {"<b>bleach</b> low"}}}, {"done", nil}} {
		resp := postForm(t, c, itemURL+"/"+step.action, step.form)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/e/"+itoa(f.event.ID)+"#i"+itoa(clean.ID) {
			t.Fatalf("%s: %d %s", step.action, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	_, body := get(t, c, page)
	if !strings.Contains(body, "&lt;b&gt;bleach&lt;/b&gt; low") || strings.Contains(body, "<b>bleach") {
		t.Error("the note is not escaped")
	}
	if !strings.Contains(body, "✓ Jess Tran") {
		t.Error("the page does not show who did the item")
	}
	// A conflict re-renders the page with the reason and status 409.
	resp := postForm(t, c, page+"/items/"+itoa(f.item("Load ice").ID)+"/claim", nil)
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(b), "already claimed by Sam Okafor") {
		t.Errorf("form conflict: %d", resp.StatusCode)
	}
}

func TestCaptainDialogsOnlyForCaptains(t *testing.T) {
	f := newFixture(t)
	page := f.base + "/e/" + itoa(f.event.ID)
	for _, tc := range []struct {
		who           string
		role          portfolio.AccessRole
		captain, link bool
		items         bool
	}{
		{"sam", portfolio.AccessCrew, false, false, true},
		{"riley", portfolio.AccessGuest, false, false, false},
		{"morgan", portfolio.AccessCaptain, true, false, true},
		{"casey", portfolio.AccessAdmin, true, true, true},
	} {
		_, body := get(t, f.browser(tc.who, tc.role), page)
		if got := strings.Contains(body, "captain-dialog"); got != tc.captain {
			t.Errorf("%s: captain dialog shown %v, want %v", tc.who, got, tc.captain)
		}
		if got := strings.Contains(body, "admin-dialog"); got != tc.link {
			t.Errorf("%s: admin dialog shown %v, want %v", tc.who, got, tc.link)
		}
		if got := strings.Contains(body, "Load ice"); got != tc.items {
			t.Errorf("%s: items shown %v, want %v", tc.who, got, tc.items)
		}
		if !strings.Contains(body, "Departure") {
			t.Errorf("%s: no timing panel", tc.who)
		}
	}
}

// The page left open for hours: the access token expires, and the page
// refreshes it from the refresh cookie without the crew member noticing.
func TestSilentRefresh(t *testing.T) {
	f := newFixture(t)
	c := f.browser("sam", "")
	page := f.base + "/e/" + itoa(f.event.ID)
	f.mu.Lock()
	f.offset = 3 * time.Hour
	f.mu.Unlock()
	code, body := get(t, c, page)
	if code != http.StatusOK || !strings.Contains(body, f.event.Title) {
		t.Fatalf("page after the access token expired: %d", code)
	}
	// And the script's refresh rotates the refresh token too.
	resp, err := c.Post(f.base+"/api/auth/refresh", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("refresh: %d", resp.StatusCode)
	}
}

// 200 crew members claim one item at the same moment over HTTP: exactly
// one 200, 199 409s naming the winner, no 5xx, no "database is locked".
func TestConcurrentClaimsOverHTTP(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ev := portfolio.Event{EntityID: f.event.EntityID, Kind: "event", Title: "Crowd", DepartsAt: time.Now().Add(48 * time.Hour),
		TimeZone: demo.TimeZone, Duration: 60, Status: portfolio.EventPlanned,
		Phases: []portfolio.Phase{{Name: "Setup", Items: []portfolio.ChecklistItem{{Title: "Count the chairs"}}}}}
	err := f.store.Update(ctx, "test", func(tx *store.Tx) error {
		for i := range 200 {
			p := portfolio.Person{Name: fmt.Sprintf("Crew %03d", i), Email: fmt.Sprintf("crew%03d@example.com", i), Role: portfolio.AccessCrew}
			if _, err := tx.PutRecord(ctx, portfolio.MustKind("person"), "", &p); err != nil {
				return err
			}
			ev.Crew = append(ev.Crew, portfolio.CrewMember{PersonID: p.ID, Role: portfolio.AccessCrew})
		}
		return tx.CreateEvent(ctx, &ev)
	})
	if err != nil {
		t.Fatal(err)
	}
	tokens := make([]string, 0, 200)
	for _, c := range ev.Crew {
		l, err := f.srv.MintLink(ctx, "test", auth.LinkRequest{EventID: ev.ID, PersonID: c.PersonID})
		if err != nil {
			t.Fatal(err)
		}
		sess, err := f.auth.Exchange(ctx, strings.TrimPrefix(l.URL, f.base+"/l/"))
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, sess.Access)
	}
	item := ev.Phases[0].Items[0]
	codes := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, tok := range tokens {
		wg.Go(func() {
			<-start
			code, body := f.do("POST", "/api/items/"+itoa(item.ID)+"/claim", tok, nil)
			mu.Lock()
			defer mu.Unlock()
			codes[code]++
			if code >= 500 || strings.Contains(body, "locked") || (code == http.StatusConflict && !strings.Contains(body, `"holder"`)) {
				t.Errorf("claim: %d %s", code, body)
			}
		})
	}
	close(start)
	wg.Wait()
	if codes[http.StatusOK] != 1 || codes[http.StatusConflict] != 199 {
		t.Errorf("outcomes %v; want exactly one 200 and 199 409s", codes)
	}
	log, _ := f.store.ChecklistLog(ctx, ev.ID, 500)
	if len(log) != 1 {
		t.Errorf("%d claims logged, want 1", len(log))
	}
}

// Link exchanges are rate limited per client address.
func TestExchangeRateLimit(t *testing.T) {
	f := newFixture(t)
	srv, err := New(Options{Store: f.store, Auth: f.auth, Addr: "127.0.0.1:0", ExchangeRate: rate.Every(time.Hour), ExchangeBurst: 2, PollEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	var codes []int
	for range 3 {
		req := httptest.NewRequest("POST", "/l/odl_"+strings.Repeat("A", 43), nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		codes = append(codes, rec.Code)
	}
	if fmt.Sprint(codes) != "[401 401 429]" {
		t.Errorf("three exchanges from one address: %v, want [401 401 429]", codes)
	}

	// Behind a reverse proxy on the same host, every request comes from
	// loopback: crew on different phones keep buckets of their own, and a
	// phone cannot escape its bucket by sending a header of its own.
	exchange := func(remote string, forwarded ...string) int {
		req := httptest.NewRequest("POST", "/l/odl_"+strings.Repeat("A", 43), nil)
		req.RemoteAddr = remote
		for _, v := range forwarded {
			req.Header.Add("X-Forwarded-For", v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	for i, want := range []int{401, 401, 429} {
		if got := exchange("127.0.0.1:41000", "198.51.100.7"); got != want {
			t.Errorf("exchange %d from phone A through the proxy: %d, want %d", i+1, got, want)
		}
	}
	if got := exchange("[::1]:41001", "198.51.100.8"); got != 401 {
		t.Errorf("phone B through the proxy shares phone A's bucket: %d", got)
	}
	if got := exchange("127.0.0.1:41002", "198.51.100.9, 198.51.100.7"); got != 429 {
		t.Errorf("phone A prepending a made-up address escaped its bucket: %d", got)
	}
	if got := exchange("192.0.2.1:1234", "198.51.100.10"); got != 429 {
		t.Errorf("a direct client naming another address in the header escaped its bucket: %d", got)
	}
}

func TestClientAddr(t *testing.T) {
	for _, c := range []struct {
		remote    string
		forwarded []string
		want      string
	}{
		{"192.0.2.1:1234", nil, "192.0.2.1"},
		{"192.0.2.1:1234", []string{"198.51.100.7"}, "192.0.2.1"},
		{"127.0.0.1:5000", nil, "127.0.0.1"},
		{"127.0.0.1:5000", []string{"198.51.100.7"}, "198.51.100.7"},
		{"127.0.0.1:5000", []string{"203.0.113.9, 198.51.100.7"}, "198.51.100.7"},
		{"127.0.0.1:5000", []string{"203.0.113.9", "198.51.100.7"}, "198.51.100.7"},
		{"[::1]:5000", []string{"2001:db8::1"}, "2001:db8::1"},
		{"127.0.0.1:5000", []string{"not an address"}, "127.0.0.1"},
		{"127.0.0.1:5000", []string{"198.51.100.7, "}, "127.0.0.1"},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = c.remote
		for _, v := range c.forwarded {
			req.Header.Add("X-Forwarded-For", v)
		}
		if got := clientAddr(req, loopbackProxies); got != c.want {
			t.Errorf("clientAddr(%s, %q) = %s, want %s", c.remote, c.forwarded, got, c.want)
		}
	}
}

// The whole page, script and style included, fits in 14 KB gzipped and
// asks for nothing from anywhere else.
func TestPageWeight(t *testing.T) {
	f := newFixture(t)
	for _, who := range []string{"casey", "morgan", "sam"} {
		sess, _ := f.session(who, f.event.ID, "")
		req, _ := http.NewRequest("GET", f.base+"/e/"+itoa(f.event.ID), nil)
		req.AddCookie(&http.Cookie{Name: accessCookie, Value: sess.Access})
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: page not gzipped", who)
		}
		t.Logf("%s's page: %d bytes gzipped", who, len(b))
		if len(b) > 14*1024 {
			t.Errorf("%s's page is %d bytes gzipped, over the 14 KB budget", who, len(b))
		}
		zr, _ := gzip.NewReader(strings.NewReader(string(b)))
		html, _ := io.ReadAll(zr)
		for _, external := range []string{`src="http`, `href="http`, `src="//`, `href="//`, "@import", "url("} {
			if strings.Contains(string(html), external) {
				t.Errorf("%s's page refers elsewhere: %q", who, external)
			}
		}
	}
}

// The console's view: Subscribe sees crew changes as they commit, and a
// change made by another process (the CLI revoking a link) is noticed.
func TestSubscribeAndOutsideChanges(t *testing.T) {
	f := newFixture(t)
	changes, stop := f.srv.Subscribe(0)
	defer stop()
	sess, link := f.session("sam", f.event.ID, "")
	clean := f.item("Clean")
	if code, body := f.do("POST", "/api/items/"+itoa(clean.ID)+"/claim", sess.Access, nil); code != http.StatusOK {
		t.Fatalf("claim: %d %s", code, body)
	}
	deadline := time.After(2 * time.Second)
	for got := false; !got; {
		select {
		case c := <-changes:
			got = c.Action == store.ActClaim && c.ItemID == clean.ID && c.PersonID == f.people["sam"].ID
		case <-deadline:
			t.Fatal("no claim change within 2 s")
		}
	}
	// Revoke through the store directly, as another process would.
	ctx := context.Background()
	if err := f.store.Update(ctx, "cli", func(tx *store.Tx) error { return tx.RevokeCrewLink(ctx, link.ID) }); err != nil {
		t.Fatal(err)
	}
	// The watcher polls every 100 ms and the session check caches for 1 s,
	// so refusal follows within about a second; a loaded machine may be slower.
	start := time.Now()
	for {
		code, _ := f.do("GET", "/api/events/"+itoa(f.event.ID), sess.Access, nil)
		if code == http.StatusUnauthorized {
			t.Logf("refused %v after the revocation", time.Since(start).Round(time.Millisecond))
			break
		}
		if code != http.StatusOK || time.Since(start) > 10*time.Second {
			t.Fatalf("access after a revocation by another process: %d after %v, want 401", code, time.Since(start))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The event stream, read as a client would: the current state first,
// then each change as a message with the parts it touched.
func TestEventStream(t *testing.T) {
	f := newFixture(t)
	sess, _ := f.session("jess", f.event.ID, "")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", f.base+"/api/events/"+itoa(f.event.ID)+"/stream", nil)
	req.AddCookie(&http.Cookie{Name: accessCookie, Value: sess.Access})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
	}
	events := make(chan string, 10)
	go func() {
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			for {
				msg, rest, ok := strings.Cut(b.String(), "\n\n")
				if !ok {
					break
				}
				b.Reset()
				b.WriteString(rest)
				if strings.Contains(msg, "event: change") {
					events <- msg
				}
			}
			if err != nil {
				close(events)
				return
			}
		}
	}()
	first := <-events // no version given: everything
	if !strings.Contains(first, `"summary"`) || !strings.Contains(first, "Load ice") {
		t.Errorf("first message lacks the page parts: %.200s", first)
	}
	sam, _ := f.session("sam", f.event.ID, "")
	clean := f.item("Clean")
	f.do("POST", "/api/items/"+itoa(clean.ID)+"/claim", sam.Access, nil)
	select {
	case msg := <-events:
		if !strings.Contains(msg, "Sam Okafor · since") || !strings.Contains(msg, `"p`+itoa(clean.PhaseID)+`"`) {
			t.Errorf("change message: %.300s", msg)
		}
	case <-ctx.Done():
		t.Fatal("no change message")
	}
}

// What another process writes reloads the streams of the events it
// touched and no others; serve's lease renewal, which moves SQLite's data
// version every few seconds, reloads none.
func TestOutsideWritesReloadOnlyTheirEvents(t *testing.T) {
	f := newFixture(t)
	mine, stopMine := f.srv.Subscribe(f.event.ID)
	defer stopMine()
	others, stopOthers := f.srv.Subscribe(f.other.ID)
	defer stopOthers()
	outside := storetest.OpenPath(t, f.store.Path(), nil)
	ctx := context.Background()
	quiet := func(ch <-chan Change, what string, d time.Duration) {
		t.Helper()
		select {
		case c := <-ch:
			t.Errorf("%s: got %s of event %d", what, c.Action, c.EventID)
		case <-time.After(d):
		}
	}
	if _, err := outside.AcquireLease(ctx, "serve", "elsewhere:1", time.Minute); err != nil {
		t.Fatal(err)
	}
	quiet(mine, "after a lease renewal", 600*time.Millisecond)
	quiet(others, "after a lease renewal", 0)

	clean := f.item("Clean")
	if err := outside.Update(ctx, "console", func(tx *store.Tx) error {
		return tx.UpdateItem(ctx, clean.ID, portfolio.ItemInput{Title: clean.Title, RequiredRole: clean.RequiredRole, Note: "bring the blue bucket"})
	}); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-mine:
		if c.Action != "reload" || c.EventID != f.event.ID {
			t.Errorf("after an outside edit of its item the event's stream got %s of %d, want a reload", c.Action, c.EventID)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the edited event's stream was not told to reload within 5 s")
	}
	quiet(others, "the other event, after an edit of the first one's item", 300*time.Millisecond)
}
