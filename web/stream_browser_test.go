package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"opsdeck/auth"
	"opsdeck/portfolio"
	"opsdeck/store/storetest"
)

// Two phones with the checklist open: Sam's link is revoked by another
// process writing the same database (opsdeck link revoke), Jess's by an
// admin through the API. Each page says it is signed out within a second
// or so, stops its stream for good (no reconnecting), and the captain's
// notes after that never show on it.
func TestBrowserRevokedSessionSignsOut(t *testing.T) {
	browser := startChromium(t)
	f := newFixture(t)
	ctx := context.Background()
	captain, _ := f.session("morgan", f.event.ID, "")
	admin, _ := f.session("casey", f.event.ID, portfolio.AccessAdmin)
	other := storetest.OpenPath(t, f.store.Path(), f)
	cli, err := auth.New(auth.Options{Store: other, Keys: f.keys, Now: f.Now, FailureFloor: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	clean := f.item("Clean")
	noteShown := func(text string) string {
		return fmt.Sprintf(`((document.querySelector("#i%d .note")||{}).textContent||"").includes(%q)`, clean.ID, text)
	}

	type crew struct {
		phone  *phone
		link   int64
		revoke func(id int64)
	}
	phones := map[string]*crew{
		"sam": {revoke: func(id int64) {
			if err := cli.RevokeLink(ctx, "cli", id); err != nil {
				t.Fatal(err)
			}
		}},
		"jess": {revoke: func(id int64) {
			if code, body := f.do("POST", "/api/links/"+itoa(id)+"/revoke", admin.Access, nil); code != http.StatusOK {
				t.Fatalf("revoke: %d %s", code, body)
			}
		}},
	}
	for _, who := range []string{"sam", "jess"} {
		c := phones[who]
		l, token := f.mint(who, f.event.ID, "", false)
		c.link = l.ID
		c.phone = newPhone(t, browser, who)
		c.phone.open(f.base + "/l/" + token)
	}
	deadline := time.Now().Add(5 * time.Second)
	for f.srv.hub.streamCount() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d streams open, want both phones'", f.srv.hub.streamCount())
		}
		time.Sleep(20 * time.Millisecond)
	}
	f.note(captain.Access, clean.ID, "live before")
	for who, c := range phones {
		if _, err := c.phone.waitFor(noteShown("live before"), 2*time.Second); err != nil {
			t.Fatalf("%s did not see the captain's note live: %v", who, err)
		}
	}

	for _, who := range []string{"sam", "jess"} {
		c := phones[who]
		start := time.Now()
		c.revoke(c.link)
		_, err := c.phone.waitFor(`document.getElementById("msg").textContent.toLowerCase().includes("signed out")`, 3*time.Second)
		if err != nil {
			t.Fatalf("%s's page does not say it is signed out: %q", who, c.phone.eval(`document.getElementById("msg").textContent`))
		}
		t.Logf("%s's page said signed out %v after the revocation", who, time.Since(start).Round(time.Millisecond))
		if time.Since(start) > 2*time.Second {
			t.Errorf("%s signed out %v after the revocation", who, time.Since(start))
		}
		c.phone.screenshot("signed-out-" + who)
	}
	f.note(captain.Access, clean.ID, "after both")
	time.Sleep(1500 * time.Millisecond) // time for a stream, or a reconnect, to bring it
	for who, c := range phones {
		if c.phone.eval(noteShown("after both")+` ? "yes" : ""`) != "" {
			t.Errorf("%s's revoked page shows a note written after the revocation", who)
		}
	}
	if n := f.srv.hub.streamCount(); n != 0 {
		t.Errorf("%d streams open after both pages were signed out: the page reconnected", n)
	}
}

// A page whose stream is refused (the server's stream cap) tries again
// less and less often, not every second: a full server is not kept busy
// by every page asking, and refreshing its token each time.
func TestBrowserStreamRetriesBackOff(t *testing.T) {
	browser := startChromium(t)
	f := newFixture(t)
	srv, err := New(Options{Store: f.store, Auth: f.auth, Now: f.Now, PollEvery: -1, MaxStreams: 1, ExchangeRate: rate.Inf})
	if err != nil {
		t.Fatal(err)
	}
	var attempts atomic.Int32
	handler := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/stream") {
			attempts.Add(1)
		}
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	sam, _ := f.session("sam", f.event.ID, "")
	taken := openStream(t, hs.URL, f.event.ID, sam.Access, "") // the one place
	taken.until("change", 5*time.Second)
	_, token := f.mint("jess", f.event.ID, "", false)
	p := newPhone(t, browser, "jess")
	p.open(hs.URL + "/l/" + token)
	from := attempts.Load()
	time.Sleep(6 * time.Second)
	// Every second would be six or seven; doubling from one second, the
	// tries come at 1, 3 (and 7) seconds.
	if n := attempts.Load() - from; n > 4 {
		t.Errorf("%d stream attempts in 6 s against a full server, want at most 4", n)
	} else {
		t.Logf("%d stream attempts in 6 s against a full server", n)
	}
}
