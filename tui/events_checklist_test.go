package tui

import (
	"context"
	"crypto/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"opsdeck/auth"
	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
	"opsdeck/web"
)

// itemNamed finds an item of event 1 by title.
func itemNamed(t *testing.T, st *store.Store, title string) portfolio.ChecklistItem {
	t.Helper()
	ev, err := st.Event(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, ph := range ev.Phases {
		for _, it := range ph.Items {
			if it.Title == title {
				return it
			}
		}
	}
	t.Fatalf("no item %q", title)
	return portfolio.ChecklistItem{}
}

func lastAuditOf(t *testing.T, st *store.Store) store.AuditEntry {
	t.Helper()
	a, err := st.Audit(context.Background(), 1)
	if err != nil || len(a) == 0 {
		t.Fatal(err)
	}
	return a[0]
}

// waitRow waits until one line of the screen holds both a and b: an
// item's row with who claimed or ticked it.
func waitRow(s *session, a, b string) {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var screen string
	for time.Now().Before(deadline) {
		screen = s.screen()
		for _, line := range strings.Split(screen, "\n") {
			if strings.Contains(line, a) && strings.Contains(line, b) {
				return
			}
		}
		time.Sleep(15 * time.Millisecond)
	}
	s.t.Fatalf("no row shows %q with %q:\n%s", a, b, screen)
}

// The office works the checklist of the open event from the console,
// under the captain's rules: a tick is recorded as done by the one who
// did it (the captain for a captain's item, the claimant, or whoever the
// console names), the audit row names the console's actor, and a phase
// with a mandatory item open is not signed off.
func TestChecklistFromTheConsole(t *testing.T) {
	st := storetest.Demo(t, nil)
	ctx := context.Background()
	s := start(t, newConsole(t, st, Options{Poll: time.Hour, Actor: "console:kim"}))
	s.waitFor("Break-even JADA")
	s.keys("4", "enter")
	s.waitFor("Check weather, tides", "x tick")

	s.keys("up", "x")
	s.waitFor("that is the phase's heading: move to an item")
	s.keys("down")
	// The cursor is on the first item, the captain's open mandatory one,
	// so Pre-departure cannot be signed off yet.
	s.keys("s")
	s.waitFor("Pre-departure cannot be signed off: 1 mandatory item(s) not done")
	if ev, _ := st.Event(ctx, 1); !ev.Phases[0].SignedOffAt.IsZero() {
		t.Fatal("signed off with a mandatory item open")
	}

	// Only the captain may do it: the tick is theirs without asking.
	weather := itemNamed(t, st, "Check weather, tides and notices to mariners")
	s.keys("x")
	s.waitFor(`ticked "Check weather, tides and notices to mariners", done by Morgan Reyes`)
	waitRow(s, "✓ Check weather", "done by Morgan Reyes")
	if it := itemNamed(t, st, weather.Title); !it.Done() || it.DoneByName != "Morgan Reyes" {
		t.Errorf("after the tick: %+v", it)
	}
	if a := lastAuditOf(t, st); a.Action != store.ActDone || a.Actor != "console:kim" || a.SubjectID != weather.ID {
		t.Errorf("audit of the tick: %+v", a)
	}
	s.keys("s")
	s.waitFor("signed off Pre-departure as Morgan Reyes")
	waitRow(s, "Pre-departure  3/5 done", "signed off by Morgan Reyes Thu 11:00")
	// A signed-off phase is locked: the store says so.
	s.keys("x")
	s.waitFor("is locked: Morgan Reyes signed off")
	s.keys("s")
	s.waitFor("reopened Pre-departure")
	s.waitGone("signed off by")

	// An open crew item: claimed for whoever the console names.
	s.keys("down", "down", "down", "down")
	s.waitFor("▸  ○ Clean the head and galley")
	s.keys("t")
	s.waitFor("Claim \"Clean the head and galley\" for", "Sam Okafor (crew)")
	ev, _ := st.Event(ctx, 1)
	for _, c := range ev.Crew { // the crew in the order the form lists them
		if c.Name == "Sam Okafor" {
			break
		}
		s.keys("down")
	}
	s.keys("enter")
	s.waitFor(`claimed "Clean the head and galley" for Sam Okafor`)
	waitRow(s, "Clean the head and galley", "claimed by Sam Okafor")
	if it := itemNamed(t, st, "Clean the head and galley"); it.ClaimedByName != "Sam Okafor" {
		t.Errorf("after the claim: %+v", it)
	}
	s.keys("t")
	s.waitFor("is claimed by Sam Okafor: r releases it first")
	s.keys("x")
	s.waitFor(`ticked "Clean the head and galley", done by Sam Okafor`)
	waitRow(s, "✓ Clean the head and galley", "done by Sam Okafor")
	s.keys("x")
	s.waitFor(`unticked "Clean the head and galley"`)
	waitRow(s, "○ Clean the head and galley", "claimed by Sam Okafor")
	s.keys("r")
	s.waitFor(`released Sam Okafor's claim on "Clean the head and galley"`)
	if it := itemNamed(t, st, "Clean the head and galley"); it.Done() || it.ClaimedBy != 0 {
		t.Errorf("after untick and release: %+v", it)
	}
	log, _ := st.ChecklistLog(ctx, 1, 10)
	if len(log) < 7 || log[0].Action != store.ActRelease || log[0].Actor != "console:kim" {
		t.Errorf("checklist log: %+v", log)
	}
}

// A console tick reaches a crew member's phone: the crew server, on its
// own connection to the file as in `opsdeck console`, streams the change.
// The console's actor cli:owner is the owner, who ticks as herself.
func TestConsoleTickReachesTheCrewWeb(t *testing.T) {
	st := storetest.Demo(t, nil)
	ctx := context.Background()
	webStore := storetest.OpenPath(t, st.Path(), nil)
	secret := make([]byte, 32)
	rand.Read(secret)
	keys, err := auth.NewKeyring(secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := auth.New(auth.Options{Store: webStore, Keys: keys, FailureFloor: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Options{Store: webStore, Auth: svc, Addr: "127.0.0.1:0", ExchangeRate: rate.Inf, PollEvery: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	sam, err := st.FindPerson(ctx, "sam.okafor@example.com")
	if err != nil {
		t.Fatal(err)
	}
	link, err := srv.MintLink(ctx, "test", auth.LinkRequest{EventID: 1, PersonID: sam.ID, Role: portfolio.AccessCrew})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := svc.Exchange(ctx, strings.TrimPrefix(link.URL, srv.URL()+"/l/"))
	if err != nil {
		t.Fatal(err)
	}
	streamCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(streamCtx, "GET", srv.URL()+"/api/events/1/stream", nil)
	req.AddCookie(&http.Cookie{Name: "od_at", Value: sess.Access})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	changes := make(chan string, 16)
	go func() {
		defer close(changes)
		var b strings.Builder
		buf := make([]byte, 8192)
		for {
			n, err := resp.Body.Read(buf)
			b.WriteString(string(buf[:n]))
			for {
				msg, rest, ok := strings.Cut(b.String(), "\n\n")
				if !ok {
					break
				}
				b.Reset()
				b.WriteString(rest)
				if strings.Contains(msg, "event: change") {
					changes <- msg
				}
			}
			if err != nil {
				return
			}
		}
	}()
	if first := <-changes; !strings.Contains(first, "Clean the head and galley") || strings.Contains(first, "Casey Brooks") {
		t.Fatalf("the first message: %.300s", first)
	}

	s := start(t, newConsole(t, st, Options{Poll: time.Hour, Actor: "cli:owner"}))
	s.waitFor("Break-even JADA")
	s.keys("4", "enter")
	s.waitFor("Check weather, tides")
	s.keys("down", "down", "down", "down")
	s.waitFor("▸  ○ Clean the head and galley")
	s.keys("x")
	s.waitFor(`ticked "Clean the head and galley"`)
	waitRow(s, "✓ Clean the head and galley", "done by Casey Brooks")
	if a := lastAuditOf(t, st); a.Action != store.ActDone || a.Actor != "cli:owner" {
		t.Errorf("audit of the tick: %+v", a)
	}
	for {
		select {
		case msg, ok := <-changes:
			if !ok {
				t.Fatal("the stream ended before the tick showed")
			}
			if strings.Contains(msg, "Casey Brooks") {
				return
			}
		case <-streamCtx.Done():
			t.Fatal("the crew's stream never showed the console's tick")
		}
	}
}

// A console whose actor is a person offers them first when claiming,
// even off the crew, and ticks and signs off as them.
func TestChecklistAsTheConsolesPerson(t *testing.T) {
	st := storetest.Demo(t, nil)
	s := start(t, newConsole(t, st, Options{Poll: time.Hour, Actor: "ssh:owner"}))
	s.waitFor("Break-even JADA")
	s.keys("4", "enter")
	s.waitFor("Check weather, tides")
	s.keys("down", "down", "down", "down")
	s.waitFor("▸  ○ Clean the head and galley")
	s.keys("t")
	s.waitFor("> Casey Brooks (admin) · you", "Sam Okafor (crew)")
	s.keys("enter")
	s.waitFor(`claimed "Clean the head and galley" for Casey Brooks`)
	waitRow(s, "Clean the head and galley", "claimed by Casey Brooks")
	s.keys("x")
	s.waitFor(`ticked "Clean the head and galley"`)
	waitRow(s, "✓ Clean the head and galley", "done by Casey Brooks")
	if a := lastAuditOf(t, st); a.Action != store.ActDone || a.Actor != "ssh:owner" {
		t.Errorf("audit of the tick: %+v", a)
	}
}
