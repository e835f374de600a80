package auth

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// signRaw signs a header and a payload given as JSON text, byte for byte,
// with HS256 under key: what forge cannot make (a string exp, a claim
// twice, a header jwt-go would not write).
func signRaw(key []byte, header, payload string) string {
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	return input + "." + enc.EncodeToString(mac.Sum(nil))
}

// The JOSE header: typ is the access-token type in any of its spellings,
// or JWT, compared without regard to case (RFC 7515 §4.1.9, RFC 9068 §4);
// a critical extension we do not implement is refused (RFC 7515 §4.1.11).
func TestAccessTokenHeader(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	good := f.login(t).Claims
	key, kid := f.keys.Current.Secret, f.keys.Current.ID
	for _, typ := range []string{"at+jwt", "AT+JWT", "application/at+jwt", "Application/At+JWT", "JWT", "jwt", "application/jwt"} {
		tok := forge(t, jwt.SigningMethodHS256, key, map[string]any{"kid": kid, "typ": typ}, good)
		if _, err := f.svc.Authenticate(ctx, tok); err != nil {
			t.Errorf("typ %q: %v, want it accepted", typ, err)
		}
	}
	refused := map[string]map[string]any{
		"typ JOSE":              {"kid": kid, "typ": "JOSE"},
		"typ id+jwt":            {"kid": kid, "typ": "id+jwt"},
		"typ application/json":  {"kid": kid, "typ": "application/json"},
		"typ at+jwt; charset":   {"kid": kid, "typ": "at+jwt; charset=utf-8"},
		"typ with space":        {"kid": kid, "typ": " at+jwt"},
		"typ empty":             {"kid": kid, "typ": ""},
		"typ not a string":      {"kid": kid, "typ": []string{"at+jwt"}},
		"typ null":              {"kid": kid, "typ": nil},
		"crit exp":              {"kid": kid, "typ": "at+jwt", "crit": []string{"exp"}},
		"crit unknown":          {"kid": kid, "typ": "at+jwt", "crit": []string{"x-opsdeck"}, "x-opsdeck": true},
		"crit b64":              {"kid": kid, "typ": "at+jwt", "crit": []string{"b64"}, "b64": false},
		"crit empty":            {"kid": kid, "typ": "at+jwt", "crit": []string{}},
		"crit a string":         {"kid": kid, "typ": "at+jwt", "crit": "exp"},
		"crit null":             {"kid": kid, "typ": "at+jwt", "crit": nil},
		"kid not a string":      {"kid": 7, "typ": "at+jwt"},
		"alg none in a map hdr": {"kid": kid, "typ": "at+jwt", "alg": "none"},
	}
	for name, hdr := range refused {
		tok := forge(t, jwt.SigningMethodHS256, key, hdr, good)
		if _, err := f.svc.Authenticate(ctx, tok); err != ErrInvalid {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	// forge always writes a typ; without one at all:
	payload, _ := json.Marshal(good)
	if _, err := f.svc.Authenticate(ctx, signRaw(key, `{"alg":"HS256","kid":"`+kid+`"}`, string(payload))); err != ErrInvalid {
		t.Errorf("no typ: %v, want ErrInvalid", err)
	}
	if _, err := f.svc.Authenticate(ctx, signRaw(key, `{"alg":"HS256","kid":"`+kid+`","typ":"at+jwt"}`, string(payload))); err != nil {
		t.Errorf("the same, with typ: %v", err)
	}
}

// The claims as JSON text: every date a number (a string exp is what
// jwt/v5 alone takes), no claim twice or in another case, one object.
func TestAccessTokenClaimsAreStrict(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.login(t).Claims
	key := f.keys.Current.Secret
	header := `{"alg":"HS256","kid":"` + f.keys.Current.ID + `","typ":"at+jwt"}`
	exp, iat := strconv.FormatInt(c.ExpiresAt.Unix(), 10), strconv.FormatInt(c.IssuedAt.Unix(), 10)
	claims := func(dates string) string {
		return `{"iss":"opsdeck","sub":"` + c.Subject + `","aud":["opsdeck-crew"],` + dates + `,"jti":"` + c.ID +
			`","name":"Sam Okafor","role":"crew","event":` + strconv.FormatInt(c.Event, 10) + `,"sid":` + strconv.FormatInt(c.Session, 10) + `}`
	}
	std := `"exp":` + exp + `,"iat":` + iat
	if _, err := f.svc.Authenticate(ctx, signRaw(key, header, claims(std))); err != nil {
		t.Fatalf("the token as JSON text, signed by hand: %v", err)
	}
	if _, err := f.svc.Authenticate(ctx, signRaw(key, header, claims(std+`,"nbf":`+iat))); err != nil {
		t.Errorf("a numeric nbf: %v", err)
	}
	if _, err := f.svc.Authenticate(ctx, signRaw(key, header, claims(`"exp":`+exp+`.5,"iat":`+iat))); err != nil {
		t.Errorf("a fractional exp (RFC 7519 allows it): %v", err)
	}
	for name, tok := range map[string]string{
		"exp a string":        signRaw(key, header, claims(`"exp":"`+exp+`","iat":`+iat)),
		"iat a string":        signRaw(key, header, claims(`"exp":`+exp+`,"iat":"`+iat+`"`)),
		"nbf a string":        signRaw(key, header, claims(std+`,"nbf":"`+iat+`"`)),
		"exp null":            signRaw(key, header, claims(`"exp":null,"iat":`+iat)),
		"exp true":            signRaw(key, header, claims(`"exp":true,"iat":`+iat)),
		"exp an array":        signRaw(key, header, claims(`"exp":[`+exp+`],"iat":`+iat)),
		"exp negative":        signRaw(key, header, claims(`"exp":-`+exp+`,"iat":`+iat)),
		"exp past year 9999":  signRaw(key, header, claims(`"exp":1e300,"iat":`+iat)),
		"exp twice":           signRaw(key, header, claims(`"exp":1,"exp":`+exp+`,"iat":`+iat)),
		"role twice":          signRaw(key, header, strings.Replace(claims(std), `"role":"crew"`, `"role":"admin","role":"crew"`, 1)),
		"claim in other case": signRaw(key, header, strings.Replace(claims(std), `"role":"crew"`, `"role":"crew","ROLE":"admin"`, 1)),
		"EXP for exp":         signRaw(key, header, claims(`"EXP":`+exp+`,"iat":`+iat)),
		"header twice typ":    signRaw(key, `{"alg":"HS256","kid":"`+f.keys.Current.ID+`","typ":"JOSE","typ":"at+jwt"}`, claims(std)),
		"header not object":   signRaw(key, `["HS256"]`, claims(std)),
		"claims not object":   signRaw(key, header, `"`+exp+`"`),
		"claims trailing":     signRaw(key, header, claims(std)+` {}`),
		"claims not UTF-8":    signRaw(key, header, strings.Replace(claims(std), "Sam", "S\xffm", 1)),
	} {
		if _, err := f.svc.Authenticate(ctx, tok); err != ErrInvalid {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

// Signing out ends the session on the server: its access token and every
// refresh token of its family, on this service at once and on another
// over the same store (another process) within its session check.
func TestLogoutRevokesSession(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	other := f.service(t, f.keys)
	for name, logout := range map[string]func(Session) (string, string){
		"both tokens":  func(s Session) (string, string) { return s.Access, s.Refresh },
		"access only":  func(s Session) (string, string) { return s.Access, "" },
		"refresh only": func(s Session) (string, string) { return "", s.Refresh },
	} {
		s1 := f.login(t)
		s2, err := f.svc.Refresh(ctx, s1.Refresh) // s1.Refresh is spent; s2's is the family's newest
		if err != nil {
			t.Fatal(err)
		}
		bystander := f.login(t)
		if _, err := other.Authenticate(ctx, s2.Access); err != nil { // the other process has it cached as good
			t.Fatal(err)
		}
		access, refresh := logout(s2)
		if err := f.svc.Logout(ctx, access, refresh); err != nil {
			t.Fatalf("%s: logout: %v", name, err)
		}
		for what, tok := range map[string]string{"access": s2.Access, "first access": s1.Access} {
			if _, err := f.svc.Authenticate(ctx, tok); err != ErrInvalid {
				t.Errorf("%s: %s token after logout: %v", name, what, err)
			}
		}
		f.advance(2 * sessionCheckEvery)
		if _, err := other.Authenticate(ctx, s2.Access); err != ErrInvalid {
			t.Errorf("%s: access token on another process after logout: %v", name, err)
		}
		if _, err := f.svc.Refresh(ctx, s2.Refresh); err != ErrInvalid {
			t.Errorf("%s: refresh token after logout: %v", name, err)
		}
		if _, err := f.svc.Authenticate(ctx, bystander.Access); err != nil {
			t.Errorf("%s: another session of the same person: %v", name, err)
		}
	}
	// A spent refresh token still names its session: presenting it to sign out ends it.
	s1 := f.login(t)
	s2, _ := f.svc.Refresh(ctx, s1.Refresh)
	if err := f.svc.Logout(ctx, "", s1.Refresh); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Refresh(ctx, s2.Refresh); err != ErrInvalid {
		t.Errorf("the newest refresh token after a logout with a spent one: %v", err)
	}
	for _, junk := range [][2]string{{"", ""}, {"x.y.z", "odr_nope"}, {s1.Refresh, s1.Access}} {
		if err := f.svc.Logout(ctx, junk[0], junk[1]); err != nil {
			t.Errorf("logout with %q: %v, want nothing to do", junk, err)
		}
	}
	// A store that cannot record the sign-out says so, rather than let
	// the holder believe the tokens are dead.
	s4 := f.login(t)
	restore := failWrites(t, f.store)
	err := f.svc.Logout(ctx, s4.Access, s4.Refresh)
	restore()
	if portfolio.ErrorCode(err) != portfolio.EUNAVAILABLE {
		t.Errorf("logout while writes fail: %v, want EUNAVAILABLE", err)
	}
}

// RefreshSession names a refresh token's session without spending it.
func TestRefreshSession(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s1 := f.login(t)
	if id, ok := f.svc.RefreshSession(ctx, s1.Refresh); !ok || id != s1.Claims.Session {
		t.Errorf("RefreshSession = %d, %v; want %d", id, ok, s1.Claims.Session)
	}
	s2, err := f.svc.Refresh(ctx, s1.Refresh)
	if err != nil {
		t.Fatalf("the token looked at is not spent: %v", err)
	}
	if id, ok := f.svc.RefreshSession(ctx, s1.Refresh); !ok || id != s2.Claims.Session {
		t.Errorf("a spent token: %d, %v", id, ok)
	}
	for _, tok := range []string{"", "odr_" + strings.Repeat("A", 43), s1.Access, "odl_" + strings.TrimPrefix(s1.Refresh, "odr_")} {
		if _, ok := f.svc.RefreshSession(ctx, tok); ok {
			t.Errorf("RefreshSession(%.20q) found a session", tok)
		}
	}
}

// The warning for a reused refresh token names the session revoked.
func TestRefreshReuseLogNamesSession(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var logs bytes.Buffer
	svc, err := New(Options{Store: f.store, Keys: f.keys, Now: f.clock.Now, Sleep: func(time.Duration) {},
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	s1 := f.login(t)
	if _, err := svc.Refresh(ctx, s1.Refresh); err != nil {
		t.Fatal(err)
	}
	f.advance(time.Minute)
	if _, err := svc.Refresh(ctx, s1.Refresh); err != ErrInvalid {
		t.Fatalf("reuse: %v", err)
	}
	var line struct {
		Msg     string
		Session int64
	}
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("log %q: %v", logs.String(), err)
	}
	if line.Msg != "refresh token reused; session family revoked" || line.Session != s1.Claims.Session || line.Session == 0 {
		t.Errorf("log line %s: want session=%d", logs.String(), s1.Claims.Session)
	}
}

// A guest may change nothing, and is told so in one wording whatever the
// action and whatever the item's state: no oracle on items a guest does
// not see.
func TestGuestRefusalsAreAllAlike(t *testing.T) {
	guest := Actor{PersonID: 9, Role: portfolio.AccessGuest, Event: 5}
	lookup := func(int64) (portfolio.AccessRole, bool, error) {
		t.Fatal("a guest's change made the policy look up the crew")
		return "", false, nil
	}
	var items []store.ItemRef
	for _, required := range []portfolio.AccessRole{portfolio.AccessCrew, portfolio.AccessCaptain} {
		for _, by := range []int64{0, 9, 2} { // open, the guest's own (as if), someone else's
			items = append(items, store.ItemRef{ID: 10, EventID: 5, RequiredRole: required, ClaimedBy: by, DoneBy: by})
		}
	}
	want := ErrWatchOnly.Error()
	for _, action := range []string{"claim", "release", "done", "undo", "note", "reset"} {
		for _, it := range items {
			for _, forPerson := range []int64{0, 2} {
				_, err := ItemChange(guest, action, it, forPerson, lookup)
				if err == nil || err.Error() != want || portfolio.ErrorCode(err) != portfolio.EFORBIDDEN {
					t.Errorf("guest %s (%s item held by %d, for %d): %v, want %q", action, it.RequiredRole, it.ClaimedBy, forPerson, err, want)
				}
			}
		}
	}
	if err := PhaseChange(guest); err == nil || err.Error() != want {
		t.Errorf("guest signs off: %v, want %q", err, want)
	}
	if MayChange(portfolio.AccessGuest) || !MayChange(portfolio.AccessCrew) || !MayChange(portfolio.AccessCaptain) || !MayChange(portfolio.AccessAdmin) {
		t.Error("MayChange does not follow the roles table")
	}
}
