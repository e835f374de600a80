package web

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"opsdeck/auth"
	"opsdeck/portfolio"
	"opsdeck/store"
)

// TestAuthMatrix sends every endpoint every kind of credential and checks
// the status of each cell. No cell may pass that should not: every bad
// token is a 401, a token for another event never reaches this event's
// data, and each role gets exactly what the roles table gives it.
func TestAuthMatrix(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ev := itoa(f.event.ID)
	open := f.item("Clean")                // crew item, open
	captainItem := f.item("Check weather") // captain item, open
	underway := f.phase("Underway")        // no mandatory items: can be signed off

	type endpoint struct {
		name, method, path string
		body               any
	}
	endpoints := []endpoint{
		{"page", "GET", "/e/" + ev, nil},
		{"event", "GET", "/api/events/" + ev, nil},
		{"stream", "GET", "/api/events/" + ev + "/stream", nil},
		{"log", "GET", "/api/events/" + ev + "/log", nil},
		{"claim", "POST", "/api/items/" + itoa(open.ID) + "/claim", nil},
		{"done", "POST", "/api/items/" + itoa(open.ID) + "/done", nil},
		{"note", "POST", "/api/items/" + itoa(open.ID) + "/note", map[string]string{"note": "checked"}},
		{"captain item", "POST", "/api/items/" + itoa(captainItem.ID) + "/claim", nil},
		{"assign", "POST", "/api/items/" + itoa(open.ID) + "/claim", map[string]int64{"person_id": f.people["jess"].ID}},
		{"reset", "POST", "/api/items/" + itoa(f.item("Load ice").ID) + "/reset", nil},
		{"sign off", "POST", "/api/phases/" + itoa(underway.ID) + "/signoff", nil},
		{"revoke link", "POST", "/api/links/{link}/revoke", nil},
	}

	// Credentials. Each valid one is a fresh session from a fresh link.
	token := func(who string, role portfolio.AccessRole, eventID int64) string {
		s, _ := f.session(who, eventID, role)
		return s.Access
	}
	good := token("sam", portfolio.AccessCrew, f.event.ID)
	claims := &auth.Claims{}
	if _, _, err := jwt.NewParser().ParseUnverified(good, claims); err != nil {
		t.Fatal(err)
	}
	resign := func(method jwt.SigningMethod, key any, kid string) string {
		tok := jwt.NewWithClaims(method, claims)
		tok.Header["kid"], tok.Header["typ"] = kid, "at+jwt"
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	otherKey := make([]byte, 32)
	rand.Read(otherKey)
	past := f.newAuth(func() time.Time { return time.Now().Add(-time.Hour) })
	_, pastToken := f.mint("sam", f.event.ID, "", false)
	expired, err := past.Exchange(ctx, pastToken)
	if err != nil {
		t.Fatal(err)
	}
	revokedSess, revokedLink := f.session("sam", f.event.ID, "")
	if err := f.srv.RevokeLink(ctx, "test", revokedLink.ID); err != nil {
		t.Fatal(err)
	}
	reusedSess, _ := f.session("sam", f.event.ID, "")
	if _, err := f.auth.Refresh(ctx, reusedSess.Refresh); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.offset += time.Minute // past the leeway for racing tabs
	f.mu.Unlock()
	if _, err := f.auth.Refresh(ctx, reusedSess.Refresh); err == nil {
		t.Fatal("a reused refresh token was accepted")
	}

	const unauth = http.StatusUnauthorized
	bad := map[string]string{
		"no token":            "",
		"expired":             expired.Access,
		"bad signature":       good[:len(good)-4] + "AAAA",
		"alg none":            resign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, f.keys.Current.ID),
		"HS256, another key":  resign(jwt.SigningMethodHS256, otherKey, f.keys.Current.ID),
		"refresh as access":   revokedSess.Refresh,
		"revoked link":        revokedSess.Access,
		"reused refresh":      reusedSess.Access,
		"garbage":             "x.y.z",
		"HS512 with our key":  resign(jwt.SigningMethodHS512, f.keys.Current.Secret, f.keys.Current.ID),
		"access for no event": resign(jwt.SigningMethodHS256, []byte("not our key at all, but 32 bytes!"), "nokid"),
	}

	// Roles, and a token for the other event (a crew member of the whale
	// watch poking at the sunset cruise).
	const ok, no, nf = http.StatusOK, http.StatusForbidden, http.StatusNotFound
	roles := []struct {
		name  string
		token func() string
		want  map[string]int
	}{
		{"admin", func() string { return token("casey", portfolio.AccessAdmin, f.event.ID) }, nil},
		{"captain", func() string { return token("morgan", portfolio.AccessCaptain, f.event.ID) }, map[string]int{"revoke link": no}},
		{"crew", func() string { return token("sam", portfolio.AccessCrew, f.event.ID) }, map[string]int{
			"log": no, "captain item": no, "assign": no, "reset": no, "sign off": no, "revoke link": no}},
		{"guest", func() string { return token("riley", portfolio.AccessGuest, f.event.ID) }, map[string]int{
			"log": no, "claim": no, "done": no, "note": no, "captain item": no, "assign": no, "reset": no, "sign off": no, "revoke link": no}},
		{"other event's crew", func() string { return token("jess", portfolio.AccessCrew, f.other.ID) }, map[string]int{
			"page": no, "event": no, "stream": no, "log": no, "claim": nf, "done": nf, "note": nf, "captain item": nf,
			"assign": nf, "reset": nf, "sign off": nf, "revoke link": nf}},
	}

	// reset puts the items and phase back and makes a link to revoke, so
	// every cell starts from the same state.
	reset := func() string {
		err := f.store.Update(ctx, "test", func(tx *store.Tx) error {
			for _, id := range []int64{open.ID, captainItem.ID} {
				if _, err := tx.ResetItem(ctx, f.event.ID, id, f.people["morgan"].ID); err != nil && portfolio.ErrorCode(err) != portfolio.ECONFLICT {
					return err
				}
			}
			if _, err := tx.ReopenPhase(ctx, f.event.ID, underway.ID, f.people["morgan"].ID); err != nil && portfolio.ErrorCode(err) != portfolio.ECONFLICT {
				return err
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Reset Sam's claim on "Load ice" back for the reset cell.
		provisions := f.item("Load ice")
		if provisions.ClaimedBy == 0 {
			f.store.Update(ctx, "test", func(tx *store.Tx) error {
				_, err := tx.ClaimItem(ctx, f.event.ID, provisions.ID, f.people["sam"].ID, f.people["sam"].ID)
				return err
			})
		}
		f.srv.Invalidate(f.event.ID)
		l, _ := f.mint("jess", f.event.ID, "", false)
		return itoa(l.ID)
	}

	check := func(who, tok string, e endpoint, want int) {
		t.Helper()
		link := reset()
		path := strings.Replace(e.path, "{link}", link, 1)
		got, body := f.do(e.method, path, tok, e.body)
		if got != want {
			t.Errorf("%-20s × %-12s → %d, want %d %s", who, e.name, got, want, firstLine(body))
		}
	}
	for name, tok := range bad {
		for _, e := range endpoints {
			check(name, tok, e, unauth)
		}
	}
	for _, r := range roles {
		for _, e := range endpoints {
			want := ok
			if w, set := r.want[e.name]; set {
				want = w
			}
			check(r.name, r.token(), e, want)
		}
	}

	// The exchange and refresh endpoints themselves.
	_, single := f.mint("sam", f.event.ID, "", true)
	for _, c := range []struct {
		name, path string
		want       int
	}{
		{"unknown link", "/l/odl_" + strings.Repeat("A", 43), unauth},
		{"malformed link", "/l/nonsense", unauth},
		{"access as link", "/l/" + good, unauth},
		{"single-use, first", "/l/" + single, http.StatusSeeOther},
		{"single-use, again", "/l/" + single, unauth},
	} {
		req, _ := http.NewRequest("POST", f.base+c.path, nil)
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("POST %s: %d, want %d", c.name, resp.StatusCode, c.want)
		}
	}
	for name, tok := range map[string]string{"reused refresh": reusedSess.Refresh, "revoked link's refresh": revokedSess.Refresh, "access as refresh": good} {
		req, _ := http.NewRequest("POST", f.base+"/api/auth/refresh", nil)
		req.AddCookie(&http.Cookie{Name: refreshCookie, Value: tok})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != unauth {
			t.Errorf("refresh with %s: %d, want 401", name, resp.StatusCode)
		}
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 120 {
		s = s[:120]
	}
	return fmt.Sprintf("(%s)", s)
}
