package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/demo"
)

func losAngeles(t testing.TB) *time.Location {
	t.Helper()
	loc, err := portfolio.Zone(demo.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// farCharter departs on Saturday 13 December 2025 at 17:30 in San Diego
// and comes back after midnight; the page is looked at on Wednesday 10
// December at noon.
func farCharter(t testing.TB) (portfolio.Event, time.Time) {
	la := losAngeles(t)
	at := func(d, h, m int) time.Time { return time.Date(2025, 12, d, h, m, 0, 0, la) }
	return portfolio.Event{ID: 7, Kind: "charter", Title: "JADA sunset charter", TimeZone: demo.TimeZone,
		DepartsAt: at(13, 17, 30), Duration: 480, CrewCall: 90, Boarding: 30, Turnaround: 60,
		Crew: []portfolio.CrewMember{{PersonID: 1, Name: "Sam Rivera", Role: portfolio.AccessCrew}, {PersonID: 2, Name: "Jess Tran", Role: portfolio.AccessCrew}},
		Phases: []portfolio.Phase{{ID: 3, Name: "Pre-departure", SignedOffBy: 2, SignedOffName: "Jess Tran", SignedOffAt: at(28, 9, 0).AddDate(0, -1, 0),
			Items: []portfolio.ChecklistItem{
				{ID: 4, Title: "Load ice", ClaimedBy: 1, ClaimedByName: "Sam Rivera", ClaimedAt: at(10, 4, 38)},
				{ID: 5, Title: "Fuel", DoneBy: 2, DoneByName: "Jess Tran", DoneAt: at(6, 4, 38)},
			}}}}, at(10, 12, 0)
}

// Every time on the page is in the event's zone and carries its day
// when it is not today's: the timing panel's relative to the departure
// it heads, the claims, ticks and sign-offs relative to today.
func TestPageTimesCarryTheirDay(t *testing.T) {
	ev, now := farCharter(t)
	s := &Server{}
	p := s.view(&eventData{event: ev}, viewer{PersonID: 1, Name: "Sam Rivera", Role: portfolio.AccessCrew}, now)
	if p.Date != "Sat 13 Dec" || p.Zone != "Los Angeles time (PST)" {
		t.Errorf("timing panel heading %q %q", p.Date, p.Zone)
	}
	var times []string
	for _, r := range p.Times {
		times = append(times, r.Label+" "+r.At)
	}
	if got, want := strings.Join(times, ", "), "Crew call 16:00, Boarding 17:00, Departure 17:30, Return Sun 01:30, Turnaround done Sun 02:30"; got != want {
		t.Errorf("timing panel:\n got %s\nwant %s", got, want)
	}
	if p.Countdown != "Crew call in 3 days 4 h" {
		t.Errorf("countdown %q", p.Countdown)
	}
	r, err := newRenderer()
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.render("page", p)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, want := range []string{
		"Sam Rivera · since 04:38",                // claimed this morning
		"✓ Jess Tran · Sat 04:38",                 // ticked last Saturday
		"Signed off by Jess Tran at 28 Nov 09:00", // more than a week ago
		"<small>Los Angeles time (PST)</small>",
		`data-labels="Crew call|Boarding|Departure|Return|Turnaround done"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestCountdown(t *testing.T) {
	ev, _ := farCharter(t)
	tm := ev.Timing()
	for _, c := range []struct {
		now  time.Time
		want string
	}{
		{tm.CrewCall.Add(-81*time.Hour - 49*time.Minute), "Crew call in 3 days 9 h"},
		{tm.CrewCall.Add(-24 * time.Hour), "Crew call in 1 day"},
		{tm.CrewCall.Add(-23*time.Hour - 59*time.Minute), "Crew call in 23 h 59 min"},
		{tm.CrewCall.Add(-5*time.Hour - 12*time.Minute), "Crew call in 5 h 12 min"},
		{tm.CrewCall.Add(-4*time.Minute - 30*time.Second), "Crew call in 4 min"},
		{tm.CrewCall.Add(-30 * time.Second), "Crew call now"},
		{tm.CrewCall, "Crew call now"},
		{tm.CrewCall.Add(59 * time.Second), "Crew call now"},
		{tm.CrewCall.Add(time.Minute), "Boarding in 59 min"},
		{tm.Departure.Add(time.Hour), "Return in 7 h"},
		{tm.TurnaroundDone.Add(30 * time.Second), "Turnaround done now"},
		{tm.TurnaroundDone.Add(time.Minute), "Finished 1 min ago"},
		{tm.TurnaroundDone.Add(2*time.Hour + 30*time.Minute), "Finished 2 h ago"},
		{tm.TurnaroundDone.Add(50 * time.Hour), "Finished 2 days ago"},
	} {
		if got := countdown(c.now, tm); got != c.want {
			t.Errorf("at %v: %q, want %q", c.now, got, c.want)
		}
	}
}

// A magic link's page says whose link it is and for which event before
// its holder presses the button; a link that no longer works, or never
// did, says nothing of the kind.
func TestLandingNamesEventAndPerson(t *testing.T) {
	f := newFixture(t)
	la := losAngeles(t)
	tm := f.event.Timing()
	_, token := f.mint("sam", f.event.ID, "", false)
	code, body := f.do("GET", "/l/"+token, "", nil)
	day := portfolio.Day(tm.Departure, f.Now(), la)
	call := portfolio.Stamp(tm.CrewCall, tm.Departure, la)
	if code != http.StatusOK {
		t.Fatalf("GET link: %d", code)
	}
	for _, want := range []string{
		"<h1>" + f.event.Title + "</h1>",
		"For <b>Sam Okafor</b> · Deckhand",
		day + ", crew call " + call + " <small>Los Angeles time (P",
		"Open checklist",
		"<title>Crew checklist</title>", // what a link preview shows stays plain
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the link page lacks %q:\n%s", want, body)
		}
	}
	// Only the holder: nobody else on the crew, and no addresses.
	for _, other := range []string{"Jess Tran", "Morgan Reyes", "@"} {
		if strings.Contains(body, other) {
			t.Errorf("the link page names %q", other)
		}
	}

	// A guest is told when to board, not the crew call.
	_, guest := f.mint("riley", f.event.ID, portfolio.AccessGuest, false)
	_, body = f.do("GET", "/l/"+guest, "", nil)
	if want := "For <b>Riley Park</b> · Bookkeeper (contract)"; !strings.Contains(body, want) || !strings.Contains(body, ", boarding "+portfolio.Stamp(tm.Boarding, tm.Departure, la)) {
		t.Errorf("a guest's link page:\n%s", body)
	}

	// Used up, revoked, made up: the plain page.
	_, usedToken := f.mint("sam", f.event.ID, "", true)
	if _, err := f.auth.Exchange(context.Background(), usedToken); err != nil {
		t.Fatal(err)
	}
	revoked, revokedToken := f.mint("jess", f.event.ID, "", false)
	if err := f.auth.RevokeLink(context.Background(), "test", revoked.ID); err != nil {
		t.Fatal(err)
	}
	for what, tok := range map[string]string{"used": usedToken, "revoked": revokedToken,
		"unknown": "odl_" + strings.Repeat("A", 43), "malformed": "x"} {
		code, body := f.do("GET", "/l/"+tok, "", nil)
		if code != http.StatusOK || !strings.Contains(body, "<h1>Crew checklist</h1>") || !strings.Contains(body, "Open checklist") {
			t.Errorf("%s link: %d\n%s", what, code, body)
		}
		if strings.Contains(body, f.event.Title) || strings.Contains(body, "Okafor") || strings.Contains(body, "Tran") {
			t.Errorf("a %s link's page tells who or what it was for:\n%s", what, body)
		}
	}

	// The event's title and the person's name are text, not markup.
	ctx := context.Background()
	ev := portfolio.Event{EntityID: f.event.EntityID, Kind: "charter", Title: `<script>alert(1)</script> & "co"`, DepartsAt: time.Now().Add(72 * time.Hour),
		TimeZone: demo.TimeZone, Duration: 120, Status: portfolio.EventPlanned,
		Crew: []portfolio.CrewMember{{PersonID: f.people["sam"].ID, Role: portfolio.AccessCrew}}}
	if err := f.store.Update(ctx, "test", func(tx *store.Tx) error { return tx.CreateEvent(ctx, &ev) }); err != nil {
		t.Fatal(err)
	}
	_, evil := f.mint("sam", ev.ID, "", false)
	_, body = f.do("GET", "/l/"+evil, "", nil)
	if strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;co&#34;") {
		t.Errorf("the event title is not escaped:\n%s", body)
	}
}

// On the served page a claim made two days ago shows its weekday, and
// the timing panel names the event's zone.
func TestPageShowsDayOfAnOlderClaim(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	clean := f.item("Clean")
	f.mu.Lock()
	f.offset = -50 * time.Hour
	f.mu.Unlock()
	if err := f.store.Update(ctx, "test", func(tx *store.Tx) error {
		_, err := tx.ClaimItem(ctx, f.event.ID, clean.ID, f.people["jess"].ID, f.people["jess"].ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.offset = 0
	f.mu.Unlock()
	claimed := f.item("Clean").ClaimedAt
	c := f.browser("sam", "")
	_, body := get(t, c, f.base+"/e/"+itoa(f.event.ID))
	la := losAngeles(t)
	want := "Jess Tran · since " + claimed.In(la).Format("Mon 15:04")
	if !strings.Contains(body, want) {
		t.Errorf("the page lacks %q", want)
	}
	if !regexp.MustCompile(`<small>Los Angeles time \(P[SD]T\)</small>`).MatchString(body) {
		t.Error("the timing panel does not name the event's zone")
	}
	if !strings.Contains(body, countdown(f.Now(), f.event.Timing())) {
		t.Errorf("the page lacks the countdown %q", countdown(f.Now(), f.event.Timing()))
	}
}
