package web

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"opsdeck/auth"
	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// fixture is a running crew server on 127.0.0.1 over a demo database.
type fixture struct {
	t      testing.TB
	store  *store.Store
	keys   *auth.Keyring
	auth   *auth.Service
	srv    *Server
	base   string
	event  portfolio.Event // the demo's sunset cruise: claims and done items
	other  portfolio.Event // the demo's whale watch
	people map[string]portfolio.Person

	mu     sync.Mutex
	offset time.Duration
}

// Now is the real time moved on by the fixture's offset, so tokens
// expire by the clock the server reads while streams still run on real
// time. The fixture is the store's clock too.
func (f *fixture) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return time.Now().Add(f.offset)
}

// After waits on real time.
func (f *fixture) After(d time.Duration) <-chan time.Time { return time.After(d) }

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{t: t, people: map[string]portfolio.Person{}}
	ctx := context.Background()
	s := storetest.Demo(t, f)
	f.store = s
	events, err := s.Events(ctx, time.Now())
	if err != nil || len(events) < 2 {
		t.Fatalf("demo events: %v", err)
	}
	f.event, f.other = events[0], events[1]
	people, _ := s.People(ctx)
	for _, p := range people {
		f.people[strings.ToLower(strings.Fields(p.Name)[0])] = p
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	f.keys, _ = auth.NewKeyring(secret, nil)
	f.auth = f.newAuth(f.Now)
	f.srv, err = New(Options{Store: s, Auth: f.auth, Addr: "127.0.0.1:0", Now: f.Now,
		ExchangeRate: rate.Inf, PollEvery: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		f.srv.Shutdown(ctx)
	})
	f.base = f.srv.URL()
	return f
}

func (f *fixture) newAuth(now func() time.Time) *auth.Service {
	svc, err := auth.New(auth.Options{Store: f.store, Keys: f.keys, Now: now, FailureFloor: time.Millisecond})
	if err != nil {
		f.t.Fatal(err)
	}
	return svc
}

// mint returns a link token for a person (by first name) on an event.
func (f *fixture) mint(who string, eventID int64, role portfolio.AccessRole, single bool) (store.CrewLink, string) {
	f.t.Helper()
	l, err := f.srv.MintLink(context.Background(), "test", auth.LinkRequest{EventID: eventID, PersonID: f.people[who].ID, Role: role, SingleUse: single})
	if err != nil {
		f.t.Fatalf("mint link for %s: %v", who, err)
	}
	return l.CrewLink, strings.TrimPrefix(l.URL, f.base+"/l/")
}

// session exchanges a fresh link and returns the session's tokens.
func (f *fixture) session(who string, eventID int64, role portfolio.AccessRole) (auth.Session, store.CrewLink) {
	f.t.Helper()
	l, token := f.mint(who, eventID, role, false)
	sess, err := f.auth.Exchange(context.Background(), token)
	if err != nil {
		f.t.Fatal(err)
	}
	return sess, l
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, signed in through the magic link like a phone.
func (f *fixture) browser(who string, role portfolio.AccessRole) *http.Client {
	f.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	_, token := f.mint(who, f.event.ID, role, false)
	resp, err := c.Post(f.base+"/l/"+token, "", nil)
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/e/"+itoa(f.event.ID) {
		f.t.Fatalf("link exchange: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	return c
}

// do sends a request with an access token (if any) and returns the
// status and body.
func (f *fixture) do(method, path, access string, body any) (int, string) {
	f.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, f.base+path, r)
	if access != "" {
		req.AddCookie(&http.Cookie{Name: accessCookie, Value: access})
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req = req.WithContext(ctx)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return resp.StatusCode, "" // a stream does not end by itself
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// item finds an item of the fixture's event by title prefix.
func (f *fixture) item(prefix string) portfolio.ChecklistItem {
	f.t.Helper()
	ev, err := f.store.Event(context.Background(), f.event.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, p := range ev.Phases {
		for _, it := range p.Items {
			if strings.HasPrefix(it.Title, prefix) {
				return it
			}
		}
	}
	f.t.Fatalf("no item %q", prefix)
	return portfolio.ChecklistItem{}
}

func (f *fixture) phase(name string) portfolio.Phase {
	for _, p := range f.event.Phases {
		if p.Name == name {
			return p
		}
	}
	f.t.Fatalf("no phase %q", name)
	return portfolio.Phase{}
}

// get fetches path with a browser client.
func get(t testing.TB, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func postForm(t testing.TB, c *http.Client, u string, form url.Values) *http.Response {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func linkRequest(f *fixture, who string) auth.LinkRequest {
	return auth.LinkRequest{EventID: f.event.ID, PersonID: f.people[who].ID}
}
