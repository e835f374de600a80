package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// fixture is a demo store, a service on a movable clock, and a link for
// Sam Okafor (crew) on the demo's first event.
type fixture struct {
	store *store.Store
	svc   *Service
	clock *storetest.Clock
	mu    *sync.Mutex
	event portfolio.Event
	sam   portfolio.Person
	keys  *Keyring
	slept time.Duration
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{mu: &sync.Mutex{}, clock: storetest.NewClock(storetest.Now)}
	s := storetest.Demo(t, f.clock)
	ctx := context.Background()
	events, _ := s.Events(ctx, storetest.Now)
	f.event = events[0]
	f.sam, _ = s.FindPerson(ctx, "sam")
	f.store = s
	f.keys = mustKeys(t)
	f.svc = f.service(t, f.keys)
	return f
}

func (f *fixture) service(t *testing.T, keys *Keyring) *Service {
	svc, err := New(Options{Store: f.store, Keys: keys, Now: f.clock.Now,
		Sleep: func(d time.Duration) { f.mu.Lock(); f.slept += d; f.mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func (f *fixture) advance(d time.Duration) { f.clock.Advance(d) }

func mustKeys(t *testing.T) *Keyring {
	t.Helper()
	secret := make([]byte, 32)
	rand.Read(secret)
	k, err := NewKeyring(secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (f *fixture) login(t *testing.T) Session {
	t.Helper()
	_, token, err := f.svc.MintLink(context.Background(), "test", LinkRequest{EventID: f.event.ID, PersonID: f.sam.ID})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := f.svc.Exchange(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

func TestLinkExchangeGivesAccess(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	link, token, err := f.svc.MintLink(ctx, "test", LinkRequest{EventID: f.event.ID, PersonID: f.sam.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, linkPrefix) || len(token) != len(linkPrefix)+43 {
		t.Errorf("link token %q: want odl_ and 256 bits", token)
	}
	if link.Role != portfolio.AccessCrew || !link.ExpiresAt.Equal(f.event.Timing().Return.Add(12*time.Hour)) {
		t.Errorf("link defaults: role %s, expires %v", link.Role, link.ExpiresAt)
	}
	sess, err := f.svc.Exchange(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.Authenticate(ctx, sess.Access)
	if err != nil {
		t.Fatal(err)
	}
	if c.PersonID() != f.sam.ID || c.Role != portfolio.AccessCrew || c.Event != f.event.ID || c.Name != "Sam Okafor" ||
		c.Issuer != DefaultIssuer || c.ExpiresAt.Sub(c.IssuedAt.Time) != DefaultAccessTTL || c.ID == "" {
		t.Errorf("claims %+v", c)
	}
	if !c.CanOpen(f.event.ID) || c.CanOpen(f.event.ID+1) {
		t.Error("a crew token must open its own event only")
	}
}

// forge signs claims with any method and key, for the tampering cases.
func forge(t *testing.T, method jwt.SigningMethod, key any, header map[string]any, c Claims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	for k, v := range header {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAccessTokenRejections(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sess := f.login(t)
	good := sess.Claims
	hdr := map[string]any{"kid": f.keys.Current.ID, "typ": accessType}
	with := func(mod func(c *Claims)) Claims { c := good; mod(&c); return c }
	other := mustKeys(t)
	parts := strings.Split(sess.Access, ".")
	flip := []byte(parts[2])
	flip[3] ^= 1
	_, refreshAsLink, _ := strings.Cut(sess.Refresh, "_")

	cases := map[string]string{
		"empty":              "",
		"garbage":            "not.a.jwt",
		"tampered signature": parts[0] + "." + parts[1] + "." + string(flip),
		"tampered payload": parts[0] + "." + base64.RawURLEncoding.EncodeToString(
			[]byte(strings.Replace(mustDecode(t, parts[1]), `"role":"crew"`, `"role":"admin"`, 1))) + "." + parts[2],
		"alg none":             forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, hdr, good),
		"HS512":                forge(t, jwt.SigningMethodHS512, f.keys.Current.Secret, hdr, good),
		"another key":          forge(t, jwt.SigningMethodHS256, other.Current.Secret, map[string]any{"kid": other.Current.ID, "typ": accessType}, good),
		"another key, our kid": forge(t, jwt.SigningMethodHS256, other.Current.Secret, hdr, good),
		"no kid":               forge(t, jwt.SigningMethodHS256, f.keys.Current.Secret, map[string]any{"typ": accessType}, good),
		"wrong typ":            forge(t, jwt.SigningMethodHS256, f.keys.Current.Secret, map[string]any{"kid": f.keys.Current.ID, "typ": "JOSE"}, good),
		"wrong audience":       forge(t, jwt.SigningMethodHS256, f.keys.Current.Secret, hdr, with(func(c *Claims) { c.Audience = jwt.ClaimStrings{"opsdeck-other"} })),
		"wrong issuer":         forge(t, jwt.SigningMethodHS256, f.keys.Current.Secret, hdr, with(func(c *Claims) { c.Issuer = "someone" })),
		"no expiry":            forge(t, jwt.SigningMethodHS256, f.keys.Current.Secret, hdr, with(func(c *Claims) { c.ExpiresAt = nil })),
		"issued in future":     forge(t, jwt.SigningMethodHS256, f.keys.Current.Secret, hdr, with(func(c *Claims) { c.IssuedAt = jwt.NewNumericDate(storetest.Now.Add(time.Hour)) })),
		"no session":           forge(t, jwt.SigningMethodHS256, f.keys.Current.Secret, hdr, with(func(c *Claims) { c.Session = 0 })),
		"unknown role":         forge(t, jwt.SigningMethodHS256, f.keys.Current.Secret, hdr, with(func(c *Claims) { c.Role = "root" })),
		"refresh as access":    sess.Refresh,
		"refresh body only":    refreshAsLink,
	}
	for name, tok := range cases {
		before := f.slept
		if _, err := f.svc.Authenticate(ctx, tok); !errors.Is(err, ErrInvalid) || err != ErrInvalid {
			t.Errorf("%s: %v, want exactly ErrInvalid", name, err)
		}
		if f.slept <= before {
			t.Errorf("%s: answered without waiting out the failure floor", name)
		}
	}
	// Swapped kinds the other way: an access token is not a link or a refresh token.
	if _, err := f.svc.Exchange(ctx, sess.Access); err != ErrInvalid {
		t.Errorf("access token as link: %v", err)
	}
	if _, err := f.svc.Refresh(ctx, sess.Access); err != ErrInvalid {
		t.Errorf("access token as refresh: %v", err)
	}
	if _, err := f.svc.Exchange(ctx, "odl_"+strings.TrimPrefix(sess.Refresh, refreshPrefix)); err != ErrInvalid {
		t.Errorf("refresh token body as link: %v", err)
	}
	if _, err := f.svc.Refresh(ctx, sess.Refresh); err != nil {
		t.Errorf("the refresh token itself still works: %v", err)
	}

	f.advance(DefaultAccessTTL + time.Second)
	if _, err := f.svc.Authenticate(ctx, sess.Access); err != ErrInvalid {
		t.Errorf("expired access token: %v", err)
	}
}

func mustDecode(t *testing.T, s string) string {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Every rejection waits out the same floor on the real clock, whatever
// failed: parsing, the signature, or a look-up in the store.
func TestRejectionsTakeTheSameTime(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	svc, err := New(Options{Store: f.store, Keys: f.keys, Now: func() time.Time { return storetest.Now }, FailureFloor: 30 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	sess := f.login(t)
	for name, try := range map[string]func() error{
		"malformed access": func() error { _, err := svc.Authenticate(ctx, "x"); return err },
		"bad signature":    func() error { _, err := svc.Authenticate(ctx, sess.Access[:len(sess.Access)-2]+"AA"); return err },
		"unknown link":     func() error { _, err := svc.Exchange(ctx, "odl_"+strings.Repeat("A", 43)); return err },
		"malformed link":   func() error { _, err := svc.Exchange(ctx, "nope"); return err },
		"unknown refresh":  func() error { _, err := svc.Refresh(ctx, "odr_"+strings.Repeat("A", 43)); return err },
	} {
		start := time.Now()
		if err := try(); err != ErrInvalid {
			t.Errorf("%s: %v", name, err)
		}
		if d := time.Since(start); d < 30*time.Millisecond {
			t.Errorf("%s answered in %v, before the 30ms floor", name, d)
		}
	}
}

func TestRotatedKeysStillVerify(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sess := f.login(t)
	secret := make([]byte, 32)
	rand.Read(secret)
	rotated, _ := NewKeyring(secret, f.keys.Current.Secret)
	svc := f.service(t, rotated)
	if _, err := svc.Authenticate(ctx, sess.Access); err != nil {
		t.Errorf("token signed with the previous key: %v", err)
	}
	again, _ := NewKeyring(secret, nil) // the old key retired
	if _, err := f.service(t, again).Authenticate(ctx, sess.Access); err != ErrInvalid {
		t.Errorf("token signed with a retired key: %v", err)
	}
	fresh, err := svc.Refresh(ctx, sess.Refresh)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(mustDecode(t, strings.Split(fresh.Access, ".")[0]), rotated.Current.ID) {
		t.Error("new tokens are not signed with the current key")
	}
}

func TestRefreshReuseRevokesFamily(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s1 := f.login(t)
	s2, err := f.svc.Refresh(ctx, s1.Refresh)
	if err != nil {
		t.Fatal(err)
	}
	if s2.Refresh == s1.Refresh || s2.Claims.Session != s1.Claims.Session {
		t.Fatal("refresh did not rotate within the same session")
	}
	f.advance(time.Minute) // past the leeway for racing tabs
	if _, err := f.svc.Refresh(ctx, s1.Refresh); err != ErrInvalid {
		t.Fatalf("reused refresh token: %v", err)
	}
	if _, err := f.svc.Refresh(ctx, s2.Refresh); err != ErrInvalid {
		t.Errorf("newest refresh token after reuse: %v, want the family revoked", err)
	}
	if _, err := f.svc.Authenticate(ctx, s2.Access); err != ErrInvalid {
		t.Errorf("access token of a revoked family: %v", err)
	}
}

func TestRevokedLinkEndsAccessAtOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	link, token, _ := f.svc.MintLink(ctx, "test", LinkRequest{EventID: f.event.ID, PersonID: f.sam.ID, SingleUse: true})
	sess, err := f.svc.Exchange(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Exchange(ctx, token); err != ErrInvalid {
		t.Errorf("single-use link used twice: %v", err)
	}
	if err := f.svc.RevokeLink(ctx, "test", link.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, sess.Access); err != ErrInvalid {
		t.Errorf("access after revocation: %v", err)
	}
	if _, err := f.svc.Refresh(ctx, sess.Refresh); err != ErrInvalid {
		t.Errorf("refresh after revocation: %v", err)
	}
}

func TestMintLinkDefaultsAndRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	owner, _ := f.store.FindPerson(ctx, "owner@example.com")
	books, _ := f.store.FindPerson(ctx, "books@example.com")
	if l, _, err := f.svc.MintLink(ctx, "test", LinkRequest{EventID: f.event.ID, PersonID: owner.ID}); err != nil || l.Role != portfolio.AccessAdmin {
		t.Errorf("admin off the crew: %+v %v", l, err)
	}
	if _, _, err := f.svc.MintLink(ctx, "test", LinkRequest{EventID: f.event.ID, PersonID: books.ID}); portfolio.ErrorCode(err) != portfolio.EINVALID {
		t.Errorf("guest off the crew without a role: %v", err)
	}
	if l, _, err := f.svc.MintLink(ctx, "test", LinkRequest{EventID: f.event.ID, PersonID: books.ID, Role: portfolio.AccessGuest}); err != nil || l.Role != portfolio.AccessGuest {
		t.Errorf("explicit guest link: %v", err)
	}
	f.advance(30 * 24 * time.Hour)
	if _, _, err := f.svc.MintLink(ctx, "test", LinkRequest{EventID: f.event.ID, PersonID: f.sam.ID}); portfolio.ErrorCode(err) != portfolio.EINVALID {
		t.Errorf("link for an event long over: %v", err)
	}
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	k1, err := LoadKeyring(dir, "", "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v; want 0600", err, st.Mode().Perm())
	}
	k2, _ := LoadKeyring(dir, "", "")
	if k1.Current.ID != k2.Current.ID {
		t.Error("the key changed between runs")
	}
	rotated, err := RotateKeyFile(dir)
	if err != nil || rotated.Previous == nil || rotated.Previous.ID != k1.Current.ID || rotated.Current.ID == k1.Current.ID {
		t.Fatalf("rotate: %+v %v", rotated, err)
	}
	if k3, _ := LoadKeyring(dir, "", ""); k3.Current.ID != rotated.Current.ID || k3.Previous == nil {
		t.Error("rotation not kept in the file")
	}
	os.Chmod(filepath.Join(dir, KeyFile), 0o644)
	if _, err := LoadKeyring(dir, "", ""); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("world-readable key file: %v", err)
	}
	if _, err := LoadKeyring(dir, "short", ""); err == nil {
		t.Error("a short OPSDECK_JWT_SECRET was accepted")
	}
	env, err := LoadKeyring(dir, strings.Repeat("s", 40), strings.Repeat("p", 40))
	if err != nil || env.Previous == nil {
		t.Errorf("keys from the environment: %v", err)
	}
}

func TestPermissionTableMatchesREADME(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Skip("no README next to the module")
	}
	if !strings.Contains(string(readme), PermissionTable()) {
		t.Errorf("README's roles table differs from the code; paste this into it:\n%s", PermissionTable())
	}
	if Can(portfolio.AccessGuest, ClaimOwn) || !Can(portfolio.AccessCrew, ClaimOwn) || Can(portfolio.AccessCrew, SignOff) || !Can(portfolio.AccessCaptain, SignOff) {
		t.Error("roles table lost its basic shape")
	}
	if CanWork(portfolio.AccessCrew, portfolio.AccessCaptain) || !CanWork(portfolio.AccessCaptain, portfolio.AccessCaptain) {
		t.Error("captain items must be the captain's")
	}
}

// failWrites makes the writes of sign-ins (every write that audits, and
// refresh tokens) fail inside SQLite, as a store that cannot write would,
// through triggers another connection adds; the func it returns takes
// them away.
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

// A store that fails while a good link or refresh token is checked is
// not the token's fault: the error is EUNAVAILABLE, not ErrInvalid, and
// the link still works once the store does.
func TestStoreFailureIsNotABadToken(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, token, err := f.svc.MintLink(ctx, "test", LinkRequest{EventID: f.event.ID, PersonID: f.sam.ID, SingleUse: true})
	if err != nil {
		t.Fatal(err)
	}
	sess := f.login(t)
	f.advance(time.Minute)
	restore := failWrites(t, f.store)
	if _, err := f.svc.Exchange(ctx, token); errors.Is(err, ErrInvalid) || portfolio.ErrorCode(err) != portfolio.EUNAVAILABLE {
		t.Errorf("exchange while writes fail: %v (%s), want EUNAVAILABLE", err, portfolio.ErrorCode(err))
	}
	if _, err := f.svc.Refresh(ctx, sess.Refresh); errors.Is(err, ErrInvalid) || portfolio.ErrorCode(err) != portfolio.EUNAVAILABLE {
		t.Errorf("refresh while writes fail: %v (%s), want EUNAVAILABLE", err, portfolio.ErrorCode(err))
	}
	if _, err := f.svc.Exchange(ctx, "odl_"+strings.Repeat("A", 43)); err != ErrInvalid {
		t.Errorf("unknown link while writes fail: %v, want ErrInvalid", err)
	}
	restore()
	if _, err := f.svc.Exchange(ctx, token); err != nil {
		t.Errorf("the single-use link after the store recovered: %v", err)
	}
	if _, err := f.svc.Refresh(ctx, sess.Refresh); err != nil {
		t.Errorf("the refresh token after the store recovered: %v", err)
	}
}
