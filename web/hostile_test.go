package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"opsdeck/portfolio"
)

// send sends a request with a raw body (sent as it is, not marshalled)
// and cookies, and returns the status, body and answer.
func (f *fixture) send(method, path, body string, cookies ...*http.Cookie) (int, string, *http.Response) {
	f.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.base+path, r)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req.WithContext(ctx))
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp
}

func accessOf(s string) *http.Cookie { return &http.Cookie{Name: accessCookie, Value: s} }

// state is everything a hostile request must not change: the event with
// its items and phases, its checklist log, and its links.
func (f *fixture) state() string {
	f.t.Helper()
	ctx := context.Background()
	ev, err := f.store.Event(ctx, f.event.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	log, err := f.store.ChecklistLog(ctx, f.event.ID, 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	links, err := f.store.CrewLinks(ctx, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"event": ev, "log": log, "links": links})
	return string(b)
}

// Every hostile request gets the answer it should, and none of them
// changes anything.
func TestStrictInput(t *testing.T) {
	f := newFixture(t)
	sam, _ := f.session("sam", f.event.ID, "")
	morgan, _ := f.session("morgan", f.event.ID, "")
	casey, _ := f.session("casey", f.event.ID, "")
	clean := itoa(f.item("Clean").ID)
	underway := itoa(f.phase("Underway").ID)
	ev := itoa(f.event.ID)
	jess := itoa(f.people["jess"].ID)
	link, _ := f.mint("jess", f.event.ID, "", false)
	linkID := itoa(link.ID)
	note := "/api/items/" + clean + "/note"
	claim := "/api/items/" + clean + "/claim"

	const bad, nf = http.StatusBadRequest, http.StatusNotFound
	cases := []struct {
		name, method, path, body string
		access                   string
		want                     int
	}{
		// Bodies: exactly one object, of the members the action takes.
		{"trailing garbage", "POST", note, `{"note":"a"} garbage`, sam.Access, bad},
		{"two objects", "POST", note, `{"note":"a"}{"note":"b"}`, sam.Access, bad},
		{"two objects, spaced", "POST", note, "{\"note\":\"a\"}\n{\"note\":\"b\"}", sam.Access, bad},
		{"object then array", "POST", note, `{"note":"a"} []`, sam.Access, bad},
		{"object then number", "POST", note, `{"note":"a"}1`, sam.Access, bad},
		{"member twice", "POST", note, `{"note":"a","note":"b"}`, sam.Access, bad},
		{"member in capitals", "POST", note, `{"NOTE":"a"}`, sam.Access, bad},
		{"member capitalised", "POST", note, `{"Note":"a"}`, sam.Access, bad},
		{"unknown member", "POST", note, `{"note":"a","extra":1}`, sam.Access, bad},
		{"note a number", "POST", note, `{"note":1}`, sam.Access, bad},
		{"note null", "POST", note, `{"note":null}`, sam.Access, bad},
		{"note an object", "POST", note, `{"note":{"x":"a"}}`, sam.Access, bad},
		{"array", "POST", note, `["note","a"]`, sam.Access, bad},
		{"string", "POST", note, `"a"`, sam.Access, bad},
		{"null", "POST", note, `null`, sam.Access, bad},
		{"not UTF-8", "POST", note, "{\"note\":\"\xff\xfe\"}", sam.Access, bad},
		{"truncated", "POST", note, `{"note":"a"`, sam.Access, bad},
		{"comment", "POST", note, `{"note":"a"} // hi`, sam.Access, bad},
		{"person_id on a note", "POST", note, `{"person_id":` + jess + `}`, sam.Access, bad},
		{"note on a claim", "POST", claim, `{"note":"a"}`, sam.Access, bad},
		{"anything on a sign-off", "POST", "/api/phases/" + underway + "/signoff", `{"note":"a"}`, morgan.Access, bad},
		{"person_id a string", "POST", claim, `{"person_id":"` + jess + `"}`, morgan.Access, bad},
		{"person_id 5.0", "POST", claim, `{"person_id":` + jess + `.0}`, morgan.Access, bad},
		{"person_id 5e0", "POST", claim, `{"person_id":` + jess + `e0}`, morgan.Access, bad},
		{"person_id negative", "POST", claim, `{"person_id":-` + jess + `}`, morgan.Access, bad},
		{"person_id 0", "POST", claim, `{"person_id":0}`, morgan.Access, bad},
		{"person_id huge", "POST", claim, `{"person_id":99999999999999999999}`, morgan.Access, bad},
		{"person_id null", "POST", claim, `{"person_id":null}`, morgan.Access, bad},
		{"person_id twice", "POST", claim, `{"person_id":1,"person_id":` + jess + `}`, morgan.Access, bad},
		{"assign then garbage", "POST", claim, `{"person_id":` + jess + `} x`, morgan.Access, bad},
		// Path ids: canonical decimal only.
		{"item +N", "POST", "/api/items/+" + clean + "/claim", "", sam.Access, nf},
		{"item %2BN", "POST", "/api/items/%2B" + clean + "/claim", "", sam.Access, nf},
		{"item 0N", "POST", "/api/items/0" + clean + "/claim", "", sam.Access, nf},
		{"item 00N", "POST", "/api/items/00" + clean + "/claim", "", sam.Access, nf},
		{"item hex", "POST", "/api/items/0x" + strconv.FormatInt(f.item("Clean").ID, 16) + "/claim", "", sam.Access, nf},
		{"item space N", "POST", "/api/items/%20" + clean + "/claim", "", sam.Access, nf},
		{"item N space", "POST", "/api/items/" + clean + "%20/claim", "", sam.Access, nf},
		{"item N tab", "POST", "/api/items/" + clean + "%09/claim", "", sam.Access, nf},
		{"item N.0", "POST", "/api/items/" + clean + ".0/claim", "", sam.Access, nf},
		{"item N NUL", "POST", "/api/items/" + clean + "%00/claim", "", sam.Access, nf},
		{"item -N", "POST", "/api/items/-" + clean + "/claim", "", sam.Access, nf},
		{"item 0", "POST", "/api/items/0/claim", "", sam.Access, nf},
		{"item huge", "POST", "/api/items/99999999999999999999/claim", "", sam.Access, nf},
		{"item 2^63", "POST", "/api/items/9223372036854775808/claim", "", sam.Access, nf},
		{"item fullwidth digit", "POST", "/api/items/%EF%BC%95/claim", "", sam.Access, nf},
		{"item 1_0", "POST", "/api/items/1_0/claim", "", sam.Access, nf},
		{"phase 0N", "POST", "/api/phases/0" + underway + "/signoff", "", morgan.Access, nf},
		{"phase +N", "POST", "/api/phases/+" + underway + "/signoff", "", morgan.Access, nf},
		{"link +N", "POST", "/api/links/+" + linkID + "/revoke", "", casey.Access, nf},
		{"link 0N", "POST", "/api/links/0" + linkID + "/revoke", "", casey.Access, nf},
		{"event +N", "GET", "/api/events/+" + ev, "", sam.Access, nf},
		{"event 0N", "GET", "/api/events/0" + ev, "", sam.Access, nf},
		{"event log 0N", "GET", "/api/events/0" + ev + "/log", "", morgan.Access, nf},
		{"page 0N", "GET", "/e/0" + ev, "", sam.Access, nf},
		{"form 0N event", "POST", "/e/0" + ev + "/items/" + clean + "/claim", "", sam.Access, nf},
		{"form 0N item", "POST", "/e/" + ev + "/items/0" + clean + "/claim", "", sam.Access, nf},
		{"form +N phase", "POST", "/e/" + ev + "/phases/+" + underway + "/signoff", "", morgan.Access, nf},
	}
	before := f.state()
	wrong := 0
	for _, c := range cases {
		got, body, _ := f.send(c.method, c.path, c.body, accessOf(c.access))
		if got != c.want {
			wrong++
			t.Errorf("%s: %s %s %q → %d, want %d %s", c.name, c.method, c.path, c.body, got, c.want, firstLine(body))
		}
	}
	t.Logf("%d hostile requests, %d answered wrongly", len(cases), wrong)
	if after := f.state(); after != before {
		t.Errorf("hostile requests changed the store:\nbefore %s\nafter  %s", before, after)
	}

	// The same requests, well formed, do work (so the table above tests
	// the form of each, not something else about it).
	for _, c := range []struct{ path, body, access string }{
		{note, `{"note":"bleach low"}`, sam.Access},
		{note, " \n", sam.Access}, // whitespace is no body
		{"/api/items/" + itoa(f.item("Load ice").ID) + "/reset", `{}`, morgan.Access},
		{claim, `{"person_id":` + jess + `}`, morgan.Access},
		{"/api/phases/" + underway + "/signoff", "", morgan.Access},
		{"/api/links/" + linkID + "/revoke", "", casey.Access},
	} {
		if got, body, _ := f.send("POST", c.path, c.body, accessOf(c.access)); got != http.StatusOK {
			t.Errorf("POST %s %q: %d %s", c.path, c.body, got, firstLine(body))
		}
	}
	if f.state() == before {
		t.Error("the well-formed requests changed nothing")
	}
}

// A guest gets one answer for every change, whatever the item: open,
// claimed by someone else, the captain's, on another event, or none at
// all. The wording is the same so it tells nothing about items a guest
// cannot see.
func TestGuestRefusalsTellNothing(t *testing.T) {
	f := newFixture(t)
	riley, _ := f.session("riley", f.event.ID, portfolio.AccessGuest)
	otherEv, err := f.store.Event(context.Background(), f.other.ID)
	if err != nil {
		t.Fatal(err)
	}
	items := map[string]string{
		"open":            itoa(f.item("Clean").ID),
		"claimed by Sam":  itoa(f.item("Load ice").ID),
		"the captain's":   itoa(f.item("Check weather").ID),
		"another event's": itoa(otherEv.Phases[0].Items[0].ID),
		"none":            "999999",
	}
	link, _ := f.mint("jess", f.event.ID, "", false)
	c := f.browser("riley", portfolio.AccessGuest)
	before := f.state()
	answers := map[string][]string{}
	for what, id := range items {
		for _, action := range []string{"claim", "release", "done", "undo", "note", "reset"} {
			body := ""
			if action == "note" {
				body = `{"note":"x"}`
			}
			code, out, _ := f.send("POST", "/api/items/"+id+"/"+action, body, accessOf(riley.Access))
			key := fmt.Sprintf("%d %s", code, out)
			answers[key] = append(answers[key], what+" "+action)
		}
	}
	for _, path := range []string{"/api/phases/" + itoa(f.phase("Underway").ID) + "/signoff", "/api/phases/" + itoa(otherEv.Phases[0].ID) + "/reopen",
		"/api/phases/999999/signoff", "/api/links/" + itoa(link.ID) + "/revoke", "/api/links/999999/revoke"} {
		code, out, _ := f.send("POST", path, "", accessOf(riley.Access))
		answers[fmt.Sprintf("%d %s", code, out)] = append(answers[fmt.Sprintf("%d %s", code, out)], path)
	}
	if len(answers) != 1 {
		for a, who := range answers {
			t.Errorf("%d requests answered %s", len(who), a)
		}
	}
	for a := range answers {
		if !strings.HasPrefix(a, "403 ") || !strings.Contains(a, "guests can only watch the checklist") {
			t.Errorf("the guest's answer: %s", a)
		}
	}
	// The no-script form posts say the same.
	var pages []string
	for _, id := range []string{items["open"], items["claimed by Sam"]} {
		resp := postForm(t, c, f.base+"/e/"+itoa(f.event.ID)+"/items/"+id+"/release", nil)
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "guests can only watch the checklist") {
			t.Errorf("guest form release of item %s: %d", id, resp.StatusCode)
		}
		pages = append(pages, string(b))
	}
	if pages[0] != pages[1] {
		t.Error("the guest's form refusals differ between an open and a claimed item")
	}
	if f.state() != before {
		t.Error("a guest changed something")
	}
}

// Signing out ends the session on the server: the access and refresh
// tokens copied before the sign-out are refused after it, everywhere.
func TestLogoutRevokesOnTheServer(t *testing.T) {
	f := newFixture(t)
	c := f.browser("sam", "")
	page := f.base + "/e/" + itoa(f.event.ID)
	if code, _ := get(t, c, page); code != http.StatusOK {
		t.Fatalf("page before logout: %d", code)
	}
	u, _ := http.NewRequest("GET", f.base, nil)
	var access, refresh *http.Cookie
	for _, ck := range c.Jar.Cookies(u.URL) {
		switch ck.Name {
		case accessCookie:
			access = ck
		case refreshCookie:
			refresh = ck
		}
	}
	if access == nil || refresh == nil {
		t.Fatal("no session cookies")
	}
	other, _ := f.session("sam", f.event.ID, "") // Sam on another phone

	code, body, resp := f.send("POST", "/logout", "", access, refresh)
	if code != http.StatusOK || !strings.Contains(body, "Signed out") {
		t.Fatalf("logout: %d %s", code, firstLine(body))
	}
	cleared := map[string]bool{}
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 && ck.Value == "" {
			cleared[ck.Name] = true
		}
	}
	if !cleared[accessCookie] || !cleared[refreshCookie] {
		t.Errorf("logout cleared %v, want both cookies", cleared)
	}

	ev := "/api/events/" + itoa(f.event.ID)
	if code, _, _ := f.send("GET", ev, "", access); code != http.StatusUnauthorized {
		t.Errorf("the access token after logout: %d, want 401", code)
	}
	if code, _, _ := f.send("POST", "/api/auth/refresh", "", refresh); code != http.StatusUnauthorized {
		t.Errorf("the refresh token after logout: %d, want 401", code)
	}
	if code, _, resp := f.send("GET", "/e/"+itoa(f.event.ID), "", refresh); code != http.StatusUnauthorized || len(resp.Cookies()) != 2 {
		t.Errorf("a page with the refresh token after logout: %d, cookies %v; want 401 and cleared cookies", code, resp.Cookies())
	}
	if code, _, _ := f.send("GET", ev+"/stream", "", access); code != http.StatusUnauthorized {
		t.Errorf("the stream after logout: %d, want 401", code)
	}
	if code, _, _ := f.send("GET", ev, "", accessOf(other.Access)); code != http.StatusOK {
		t.Errorf("Sam's other session after this one signed out: %d", code)
	}

	// Only the refresh cookie left (the access token had run out): that
	// is enough to find the session and end it.
	s2, _ := f.session("sam", f.event.ID, "")
	if code, _, _ := f.send("POST", "/logout", "", &http.Cookie{Name: refreshCookie, Value: s2.Refresh}); code != http.StatusOK {
		t.Fatalf("logout with the refresh token only: %d", code)
	}
	if code, _, _ := f.send("GET", ev, "", accessOf(s2.Access)); code != http.StatusUnauthorized {
		t.Errorf("the access token after a logout with its refresh token: %d, want 401", code)
	}
	// Signing out with nothing, or junk, is still "signed out".
	if code, _, _ := f.send("POST", "/logout", "", accessOf("x.y.z")); code != http.StatusOK {
		t.Errorf("logout with junk: %d", code)
	}

	// A server that cannot record the sign-out does not claim it did.
	s3, _ := f.session("sam", f.event.ID, "")
	restore := failWrites(t, f.store)
	code, body, resp = f.send("POST", "/logout", "", accessOf(s3.Access), &http.Cookie{Name: refreshCookie, Value: s3.Refresh})
	restore()
	if code != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || len(resp.Cookies()) != 0 || strings.Contains(body, "Signed out") {
		t.Errorf("logout while writes fail: %d, cookies %v, %s", code, resp.Cookies(), firstLine(body))
	}
	if code, _, _ := f.send("GET", ev, "", accessOf(s3.Access)); code != http.StatusOK {
		t.Errorf("the session after a logout that failed: %d", code)
	}
}

// limitedServer is a second server over the fixture's store with the
// given options, answering through its handler.
func limitedServer(t *testing.T, f *fixture, opts Options) http.Handler {
	t.Helper()
	opts.Store, opts.Auth, opts.Addr, opts.PollEvery, opts.Now = f.store, f.auth, "127.0.0.1:0", -1, f.Now
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return srv.Handler()
}

func refreshFrom(h http.Handler, remote, forwarded, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/api/auth/refresh", nil)
	req.RemoteAddr = remote
	if forwarded != "" {
		req.Header.Set("X-Forwarded-For", forwarded)
	}
	req.AddCookie(&http.Cookie{Name: refreshCookie, Value: token})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// newRefresh is the refresh token an answer set.
func newRefresh(rec *httptest.ResponseRecorder) string {
	for _, c := range rec.Result().Cookies() {
		if c.Name == refreshCookie {
			return c.Value
		}
	}
	return ""
}

// Refreshes are limited per address and per session; a refresh over a
// limit is a 429 that keeps the cookies (nothing was spent).
func TestRefreshRateLimits(t *testing.T) {
	f := newFixture(t)
	h := limitedServer(t, f, Options{ExchangeRate: rate.Inf, RefreshRate: rate.Every(time.Hour), RefreshBurst: 3,
		SessionRefreshRate: rate.Every(time.Hour), SessionRefreshBurst: 2})

	// Per address: junk from one address runs out after three.
	junk := "odr_" + strings.Repeat("A", 43)
	var codes []int
	for range 4 {
		codes = append(codes, refreshFrom(h, "192.0.2.1:1000", "", junk).Code)
	}
	if fmt.Sprint(codes) != "[401 401 401 429]" {
		t.Errorf("four refreshes from one address: %v, want [401 401 401 429]", codes)
	}
	if rec := refreshFrom(h, "192.0.2.1:1001", "", junk); rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Errorf("a fifth from another port: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	if rec := refreshFrom(h, "127.0.0.1:1000", "198.51.100.20", junk); rec.Code != http.StatusUnauthorized {
		t.Errorf("another client through the proxy: %d, want its own bucket", rec.Code)
	}

	// Per session: one session's tokens, each from its own address, run
	// out after two.
	sess, _ := f.session("sam", f.event.ID, "")
	tok := sess.Refresh
	for i := range 2 {
		rec := refreshFrom(h, fmt.Sprintf("203.0.113.%d:1", i+1), "", tok)
		if rec.Code != http.StatusOK {
			t.Fatalf("refresh %d of the session: %d %s", i+1, rec.Code, rec.Body.String())
		}
		tok = newRefresh(rec)
	}
	rec := refreshFrom(h, "203.0.113.50:1", "", tok)
	if rec.Code != http.StatusTooManyRequests || len(rec.Result().Cookies()) != 0 {
		t.Errorf("a third refresh of the session from a fresh address: %d, cookies %v; want 429, cookies kept", rec.Code, rec.Result().Cookies())
	}
	// The silent refresh of a page is held to the same limits, and keeps
	// the cookies too.
	req := httptest.NewRequest("GET", "/e/"+itoa(f.event.ID), nil)
	req.RemoteAddr = "203.0.113.51:1"
	req.AddCookie(&http.Cookie{Name: refreshCookie, Value: tok})
	page := httptest.NewRecorder()
	h.ServeHTTP(page, req)
	if page.Code == http.StatusOK || len(page.Result().Cookies()) != 0 {
		t.Errorf("a page needing a refresh over the session's limit: %d, cookies %v", page.Code, page.Result().Cookies())
	}
	// The token was not spent: on a server whose limits are not used up it works.
	if rec := refreshFrom(limitedServer(t, f, Options{}), "203.0.113.52:1", "", tok); rec.Code != http.StatusOK {
		t.Errorf("the token refused for the rate: %d, want it still good", rec.Code)
	}
}

// A limiter's table holds at most its bound, however many addresses
// pass: 40,000 of them leave it at 10,000, in a few MiB.
func TestLimiterTableIsBounded(t *testing.T) {
	l := newClientLimiter(rate.Every(time.Hour), 1, 0)
	now := time.Now()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if !l.allow("victim", now) || l.allow("victim", now) {
		t.Fatal("a bucket of one")
	}
	for i := range 40000 {
		if i == maxLimitedClients/2 && l.allow("victim", now) {
			t.Error("the victim's bucket was forgotten while the table had room")
		}
		l.allow(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}).String(), now)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if n := l.size(); n != maxLimitedClients {
		t.Errorf("after 40,000 addresses the table holds %d, want %d", n, maxLimitedClients)
	}
	grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("40,000 addresses: table of %d, heap grew %.1f MiB", l.size(), float64(grew)/(1<<20))
	if grew > 8<<20 {
		t.Errorf("the table takes %.1f MiB", float64(grew)/(1<<20))
	}
	if !l.allow("victim", now) {
		t.Error("the least recently used bucket was not the one to go")
	}

	// Through the server: every limiter keeps to Options.LimiterKeys.
	f := newFixture(t)
	srv, err := New(Options{Store: f.store, Auth: f.auth, Addr: "127.0.0.1:0", PollEvery: -1, LimiterKeys: 50})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		addr := fmt.Sprintf("198.51.%d.%d", i/250, i%250)
		req := httptest.NewRequest("POST", "/l/odl_"+strings.Repeat("A", 43), nil)
		req.RemoteAddr = "127.0.0.1:5000"
		req.Header.Set("X-Forwarded-For", addr)
		srv.Handler().ServeHTTP(httptest.NewRecorder(), req)
		refreshFrom(srv.Handler(), "127.0.0.1:5000", addr, "odr_"+strings.Repeat("A", 43))
	}
	if a, b := srv.limiter.size(), srv.refreshLimiter.size(); a != 50 || b != 50 {
		t.Errorf("after 300 addresses the exchange table holds %d and the refresh table %d, want 50", a, b)
	}
}

// IPv6 clients are limited by /64: one host's prefix is one bucket.
func TestLimitKey(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.1":             "192.0.2.1",
		"2001:db8:1:2:3:4:5:6":  "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1":  "2001:db8:1:2::/64",
		"2001:db8:1:3::1":       "2001:db8:1:3::/64",
		"fe80::1%eth0":          "fe80::/64",
		"not an address at all": "not an address at all",
	} {
		if got := limitKey(addr); got != want {
			t.Errorf("limitKey(%s) = %s, want %s", addr, got, want)
		}
	}
}

// --trusted-proxy decides whose X-Forwarded-For counts: the right-most
// address that is not a trusted proxy is the client.
func TestTrustedProxies(t *testing.T) {
	lan, err := ParseTrustedProxies("10.0.0.0/8, 192.168.1.1")
	if err != nil {
		t.Fatal(err)
	}
	none, _ := ParseTrustedProxies("none")
	for _, c := range []struct {
		trusted   trustedProxies
		remote    string
		forwarded []string
		want      string
	}{
		{lan, "10.1.2.3:443", []string{"198.51.100.7"}, "198.51.100.7"},
		{lan, "10.1.2.3:443", []string{"203.0.113.9, 198.51.100.7, 10.0.0.5"}, "198.51.100.7"},
		{lan, "10.1.2.3:443", []string{"203.0.113.9, 198.51.100.7", "10.0.0.5"}, "198.51.100.7"},
		{lan, "192.168.1.1:443", []string{"198.51.100.7"}, "198.51.100.7"},
		{lan, "192.168.1.2:443", []string{"198.51.100.7"}, "192.168.1.2"},
		{lan, "10.1.2.3:443", []string{"10.0.0.9, 10.0.0.5"}, "10.0.0.9"},
		{lan, "10.1.2.3:443", nil, "10.1.2.3"},
		{lan, "192.0.2.1:1234", []string{"198.51.100.7"}, "192.0.2.1"},
		{lan, "127.0.0.1:5000", []string{"198.51.100.7"}, "127.0.0.1"}, // loopback is not on the list
		{lan, "[::ffff:10.1.2.3]:443", []string{"198.51.100.7"}, "198.51.100.7"},
		{lan, "10.1.2.3:443", []string{"198.51.100.7:4711"}, "198.51.100.7"},
		{lan, "10.1.2.3:443", []string{"[2001:db8::1]:80"}, "2001:db8::1"},
		{lan, "10.1.2.3:443", []string{"::ffff:198.51.100.7"}, "198.51.100.7"},
		{lan, "10.1.2.3:443", []string{"198.51.100.7, garbage"}, "10.1.2.3"},
		{lan, "10.1.2.3:443", []string{"garbage, 10.0.0.5"}, "10.0.0.5"},
		{lan, "10.1.2.3:443", []string{"198.51.100.7, "}, "10.1.2.3"},
		{none, "127.0.0.1:5000", []string{"198.51.100.7"}, "127.0.0.1"},
		{none, "10.1.2.3:443", []string{"198.51.100.7"}, "10.1.2.3"},
		{loopbackProxies, "[::1]:5000", []string{"2001:db8::1"}, "2001:db8::1"},
		{loopbackProxies, "127.0.0.2:5000", []string{"198.51.100.7"}, "198.51.100.7"},
		{loopbackProxies, "127.0.0.1:5000", []string{"198.51.100.7, 127.0.0.1"}, "198.51.100.7"},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = c.remote
		for _, v := range c.forwarded {
			req.Header.Add("X-Forwarded-For", v)
		}
		if got := clientAddr(req, c.trusted); got != c.want {
			t.Errorf("clientAddr(%s, %q) trusting %v = %s, want %s", c.remote, c.forwarded, c.trusted, got, c.want)
		}
	}

	for spec, want := range map[string][]netip.Prefix{
		"":                        nil,
		"none":                    {},
		" NONE ":                  {},
		"10.0.0.0/8":              {netip.MustParsePrefix("10.0.0.0/8")},
		"10.1.2.3/8 ::1":          {netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")},
		"192.0.2.7,2001:db8::/32": {netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("2001:db8::/32")},
		"::ffff:10.0.0.0/104":     {netip.MustParsePrefix("10.0.0.0/8")},
	} {
		got, err := ParseTrustedProxies(spec)
		if err != nil || !reflect.DeepEqual(got, want) || (got == nil) != (want == nil) {
			t.Errorf("ParseTrustedProxies(%q) = %v, %v; want %v", spec, got, err, want)
		}
	}
	for _, spec := range []string{"10.0.0.0/33", "proxy.example.com", "fe80::1%eth0", "10.0.0.1/8/8", "10.0.0.0/8,none"} {
		if _, err := ParseTrustedProxies(spec); portfolio.ErrorCode(err) != portfolio.EINVALID {
			t.Errorf("ParseTrustedProxies(%q): %v, want invalid", spec, err)
		}
	}

	// The server keys its limits by the client its proxies name.
	f := newFixture(t)
	prefixes, _ := ParseTrustedProxies("10.0.0.0/8")
	h := limitedServer(t, f, Options{ExchangeRate: rate.Every(time.Hour), ExchangeBurst: 1, TrustedProxies: prefixes})
	exchange := func(remote, forwarded string) int {
		req := httptest.NewRequest("POST", "/l/odl_"+strings.Repeat("A", 43), nil)
		req.RemoteAddr = remote
		req.Header.Set("X-Forwarded-For", forwarded)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	for _, c := range []struct {
		remote, forwarded string
		want              int
	}{
		{"10.0.0.1:1", "198.51.100.1", 401},
		{"10.0.0.2:1", "198.51.100.1", 429},               // the same client through another proxy
		{"10.0.0.1:1", "198.51.100.2", 401},               // another client
		{"10.0.0.1:1", "198.51.100.3, 198.51.100.1", 429}, // a made-up address in front does not help
		{"127.0.0.1:1", "198.51.100.4", 401},              // loopback is not trusted here: its own bucket...
		{"127.0.0.1:2", "198.51.100.5", 429},              // ...whatever it forwards
	} {
		if got := exchange(c.remote, c.forwarded); got != c.want {
			t.Errorf("exchange from %s for %s: %d, want %d", c.remote, c.forwarded, got, c.want)
		}
	}
}

// /healthz tells anyone ok or not and why in a word; the details (hosts,
// PIDs, counts, error texts) go to a caller on the same host and to one
// with the health token.
func TestHealthzDetailsAreNotForEveryone(t *testing.T) {
	f := newFixture(t)
	const token = "health-token-0123456789"
	srv, err := New(Options{Store: f.store, Auth: f.auth, Addr: "127.0.0.1:0", PollEvery: -1, HealthToken: token,
		Health: func(context.Context) (any, error) {
			return map[string]any{"worker": map[string]any{"holder": "serve@boat-host:4242", "live": false}, "outbox": map[string]int{"queued": 17},
				"failed_runs": []string{"cfo at 2026-01-01T09:00:00Z: open /srv/opsdeck/secret.tmpl: permission denied"}}, healthErr("no process holds the worker lease on boat-host")
		}})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	ask := func(remote string, header map[string]string) (int, string) {
		req := httptest.NewRequest("GET", "/healthz", nil)
		req.RemoteAddr = remote
		for k, v := range header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	secrets := []string{"boat-host", "4242", "17", "secret.tmpl", "worker lease", "holder", "outbox", "failed_runs", "details"}
	for name, c := range map[string]struct {
		remote string
		header map[string]string
	}{
		"anonymous":                    {"192.0.2.1:1234", nil},
		"through a proxy on this host": {"127.0.0.1:1234", map[string]string{"X-Forwarded-For": "198.51.100.7"}},
		"Forwarded through a proxy":    {"127.0.0.1:1234", map[string]string{"Forwarded": "for=198.51.100.7"}},
		"X-Real-IP through a proxy":    {"[::1]:1234", map[string]string{"X-Real-IP": "198.51.100.7"}},
		"claiming loopback from afar":  {"192.0.2.1:1234", map[string]string{"X-Forwarded-For": "127.0.0.1"}},
		"wrong token":                  {"192.0.2.1:1234", map[string]string{"Authorization": "Bearer " + token + "x"}},
		"token prefix":                 {"192.0.2.1:1234", map[string]string{"Authorization": "Bearer " + token[:10]}},
		"token in another scheme":      {"192.0.2.1:1234", map[string]string{"Authorization": "Basic " + token}},
		"token without a scheme":       {"192.0.2.1:1234", map[string]string{"Authorization": token}},
		"empty bearer":                 {"192.0.2.1:1234", map[string]string{"Authorization": "Bearer "}},
	} {
		code, body := ask(c.remote, c.header)
		var out map[string]any
		json.Unmarshal([]byte(body), &out)
		if code != http.StatusServiceUnavailable || out["status"] != "degraded" || !reflect.DeepEqual(out["problems"], []any{"background"}) {
			t.Errorf("%s: %d %s, want 503 degraded, problems [background]", name, code, body)
		}
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Errorf("%s: the answer shows %q: %s", name, s, body)
			}
		}
	}
	for name, c := range map[string]struct {
		remote string
		header map[string]string
	}{
		"loopback":          {"127.0.0.1:1234", nil},
		"IPv6 loopback":     {"[::1]:1234", nil},
		"token from afar":   {"192.0.2.1:1234", map[string]string{"Authorization": "Bearer " + token}},
		"token via a proxy": {"127.0.0.1:1234", map[string]string{"Authorization": "Bearer " + token, "X-Forwarded-For": "198.51.100.7"}},
	} {
		code, body := ask(c.remote, c.header)
		if code != http.StatusServiceUnavailable || !strings.Contains(body, "serve@boat-host:4242") || !strings.Contains(body, `"queued":17`) ||
			!strings.Contains(body, "no process holds the worker lease on boat-host") {
			t.Errorf("%s: %d %s, want the details", name, code, body)
		}
	}
	// Without a token configured, no bearer gets the details.
	anon := func() (int, string) {
		req := httptest.NewRequest("GET", "/healthz", nil)
		req.Header.Set("Authorization", "Bearer ")
		rec := httptest.NewRecorder()
		f.srv.Handler().ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	if code, body := anon(); code != http.StatusOK || body != `{"status":"ok","store":"ok","writes":"ok"}`+"\n" {
		t.Errorf("healthy, anonymous, no token configured: %d %s", code, body)
	}

	// Failing writes: anonymous callers hear "writes", not the error.
	_, once := f.mint("sam", f.event.ID, portfolio.AccessCrew, false)
	restore := failWrites(t, f.store)
	post(f.srv.Handler(), "/l/"+once)
	restore()
	if code, body := anon(); code != http.StatusServiceUnavailable || !strings.Contains(body, `"problems":["writes"]`) ||
		strings.Contains(body, "JSON") || strings.Contains(body, f.store.Path()) || strings.Contains(body, "since") {
		t.Errorf("failing writes, anonymous: %d %s", code, body)
	}
}

// healthErr is an error with a text that must not reach anonymous callers.
type healthErr string

func (e healthErr) Error() string { return string(e) }

// A form post's person is an id in its one canonical form too: "+5",
// "05" and the like assign nobody, and change nothing.
func TestFormPersonIDIsCanonical(t *testing.T) {
	f := newFixture(t)
	c := f.browser("morgan", "")
	page := f.base + "/e/" + itoa(f.event.ID)
	itemURL := page + "/items/" + itoa(f.item("Clean").ID) + "/claim"
	jess := itoa(f.people["jess"].ID)
	before := f.state()
	for _, id := range []string{"+" + jess, "0" + jess, jess + " ", "0x" + jess, jess + ".0", "-" + jess} {
		resp := postForm(t, c, itemURL, url.Values{"person_id": {id}})
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("person_id %q: %d, want 400", id, resp.StatusCode)
		}
	}
	if after := f.state(); after != before {
		t.Errorf("the form posts changed the store:\nbefore %s\nafter  %s", before, after)
	}
	if resp := postForm(t, c, itemURL, url.Values{"person_id": {jess}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("person_id %s: %d, want the redirect", jess, resp.StatusCode)
	}
}
