package web

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// failWrites makes the writes of sign-ins (everything that audits, and
// refresh tokens) fail inside SQLite, as they would in a store that cannot
// write, through triggers another connection adds: a real SQLite error on
// the server's own connection, not a stand-in. The func it returns takes
// the triggers away.
func failWrites(t *testing.T, s *store.Store) func() {
	t.Helper()
	db, err := sql.Open("sqlite", s.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tables := []string{"audit_log", "crew_refresh_tokens"}
	for _, table := range tables {
		if _, err := db.Exec(`CREATE TRIGGER test_fail_` + table + ` BEFORE INSERT ON ` + table + ` BEGIN SELECT json('not json'); END`); err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		for _, table := range tables {
			if _, err := db.Exec(`DROP TRIGGER test_fail_` + table); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// health is /healthz's answer to a caller on the same host, who gets the
// details.
func health(t *testing.T, h http.Handler) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/healthz", nil)
	req.RemoteAddr = "127.0.0.1:40000"
	h.ServeHTTP(rec, req)
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("healthz body %q: %v", rec.Body.String(), err)
	}
	return rec.Code, body
}

// post sends a POST through the handler, with cookies.
func post(h http.Handler, path string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHealthReportsFailingWrites(t *testing.T) {
	f := newFixture(t)
	h := f.srv.Handler()
	code, body := health(t, h)
	if code != http.StatusOK || body["status"] != "ok" || body["store"] != "ok" || body["writes"] != "ok" {
		t.Fatalf("healthy: %d %v", code, body)
	}

	_, token := f.mint("sam", f.event.ID, portfolio.AccessCrew, false)
	restore := failWrites(t, f.store)
	if rec := post(h, "/l/"+token); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("exchange while writes fail: %d", rec.Code)
	}
	code, body = health(t, h)
	if code != http.StatusServiceUnavailable || body["status"] != "degraded" || body["store"] != "ok" || body["writes"] != "failing" ||
		!strings.Contains(body["write_error"].(string), "malformed JSON") ||
		!strings.HasPrefix(body["problem"].(string), "writes are failing: ") || body["write_failing_since"] == nil {
		t.Fatalf("after a failed write: %d %v", code, body)
	}
	since := body["write_failing_since"]

	// A bad link reads and refuses without writing: no recovery.
	if rec := post(h, "/l/odl_"+strings.Repeat("A", 43)); rec.Code != http.StatusUnauthorized {
		t.Fatalf("bad link: %d", rec.Code)
	}
	if code, body = health(t, h); code != http.StatusServiceUnavailable || body["write_failing_since"] != since {
		t.Fatalf("after a refused link: %d %v, want still failing since %v", code, body, since)
	}

	restore()
	f.mint("sam", f.event.ID, portfolio.AccessCrew, false) // a write that commits
	code, body = health(t, h)
	if code != http.StatusOK || body["status"] != "ok" || body["writes"] != "ok" || body["write_error"] != nil || body["problem"] != nil {
		t.Fatalf("after a write succeeded: %d %v", code, body)
	}
}

// A store failure while a link is exchanged or a session refreshed is
// ours: 503 with a try-again message and Retry-After, cookies kept; a
// link that is really bad (unknown, used, expired) is still 401.
func TestSignInWhileWritesFail(t *testing.T) {
	f := newFixture(t)
	h := f.srv.Handler()
	_, once := f.mint("sam", f.event.ID, portfolio.AccessCrew, true)
	_, used := f.mint("sam", f.event.ID, portfolio.AccessCrew, true)
	if rec := post(h, "/l/"+used); rec.Code != http.StatusSeeOther {
		t.Fatalf("first use of a single-use link: %d", rec.Code)
	}
	sess, _ := f.session("sam", f.event.ID, portfolio.AccessCrew)
	refresh := &http.Cookie{Name: refreshCookie, Value: sess.Refresh}

	restore := failWrites(t, f.store)
	rec := post(h, "/l/"+once)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" ||
		!strings.Contains(rec.Body.String(), "Try again") || strings.Contains(rec.Body.String(), "Link not valid") {
		t.Errorf("good link while writes fail: %d, Retry-After %q\n%s", rec.Code, rec.Header().Get("Retry-After"), rec.Body.String())
	}
	for name, token := range map[string]string{"unknown": "odl_" + strings.Repeat("A", 43), "malformed": "nope", "used": used} {
		if rec := post(h, "/l/"+token); rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "Link not valid") {
			t.Errorf("%s link while writes fail: %d, want 401 Link not valid", name, rec.Code)
		}
	}
	rec = post(h, "/api/auth/refresh", refresh)
	var body map[string]any
	json.Unmarshal(rec.Body.Bytes(), &body)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || body["error"] != portfolio.EUNAVAILABLE ||
		!strings.Contains(body["message"].(string), "try again") || strings.Contains(body["message"].(string), f.store.Path()) {
		t.Errorf("refresh while writes fail: %d %v", rec.Code, body)
	}
	if cookies := rec.Result().Cookies(); len(cookies) != 0 {
		t.Errorf("refresh while writes fail set cookies %v; the session must survive", cookies)
	}
	// A page whose access token has run out refreshes silently: that
	// fails too, and must not sign the person out either.
	req := httptest.NewRequest("GET", "/e/"+itoa(f.event.ID), nil)
	req.AddCookie(refresh)
	page := httptest.NewRecorder()
	h.ServeHTTP(page, req)
	if page.Code != http.StatusServiceUnavailable || len(page.Result().Cookies()) != 0 || page.Header().Get("Retry-After") == "" {
		t.Errorf("page needing a refresh while writes fail: %d, cookies %v", page.Code, page.Result().Cookies())
	}

	restore()
	if rec := post(h, "/l/"+once); rec.Code != http.StatusSeeOther {
		t.Errorf("the single-use link once writes work: %d, want it still unused", rec.Code)
	}
	if rec := post(h, "/api/auth/refresh", refresh); rec.Code != http.StatusOK {
		t.Errorf("refresh once writes work: %d %s", rec.Code, rec.Body.String())
	}
}
