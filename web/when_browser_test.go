package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/demo"
)

// The countdown the page's script ticks says what the server says: for
// an event three and a half days off, "Crew call in 3 days 9 h"; and the
// script's wording and choice of milestone agree with portfolio.Span and
// the server's countdown over a table of durations.
func TestBrowserCountdownAgrees(t *testing.T) {
	browser := startChromium(t)
	f := newFixture(t)
	ctx := context.Background()
	// Crew call (no earlier than departure here) in 3 days 9 h 49 min, and
	// 40 s to spare before the minute turns.
	ev := portfolio.Event{EntityID: f.event.EntityID, Kind: "charter", Title: "Far charter", TimeZone: demo.TimeZone,
		DepartsAt: f.Now().Truncate(time.Second).Add(81*time.Hour + 49*time.Minute + 40*time.Second), Duration: 180, Turnaround: 45,
		Status: portfolio.EventPlanned, Crew: []portfolio.CrewMember{{PersonID: f.people["sam"].ID, Role: portfolio.AccessCrew}}}
	if err := f.store.Update(ctx, "test", func(tx *store.Tx) error { return tx.CreateEvent(ctx, &ev) }); err != nil {
		t.Fatal(err)
	}
	ev, err := f.store.Event(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	tm := ev.Timing()
	p := newPhone(t, browser, "Sam")
	p.open(linkURL(f, "sam", "", ev.ID))

	const want = "Crew call in 3 days 9 h"
	if _, err := p.waitFor(fmt.Sprintf(`document.getElementById("cd").textContent === %q`, want), 3*time.Second); err != nil {
		t.Errorf("the page's countdown shows %q, want %q", p.eval(`document.getElementById("cd").textContent`), want)
	}
	if got := countdown(f.Now(), tm); got != want {
		t.Errorf("the server's countdown says %q, want %q", got, want)
	}

	// The script words every duration as portfolio.Span does.
	var spans []time.Duration
	for _, d := range []time.Duration{0, 30 * time.Second, 59*time.Second + 999*time.Millisecond, time.Minute, 4*time.Minute + 59*time.Second,
		59 * time.Minute, time.Hour, 5*time.Hour + 12*time.Minute, 23*time.Hour + 59*time.Minute, 23*time.Hour + 59*time.Minute + 59*time.Second,
		24 * time.Hour, 26*time.Hour + 59*time.Minute, 48 * time.Hour, 81*time.Hour + 49*time.Minute, 400 * 24 * time.Hour} {
		spans = append(spans, d, -d)
	}
	ms := make([]int64, len(spans))
	for i, d := range spans {
		ms[i] = d.Milliseconds()
	}
	arg, _ := json.Marshal(ms)
	var got []string
	if err := json.Unmarshal([]byte(p.eval(`JSON.stringify(`+string(arg)+`.map(odSpan))`)), &got); err != nil || len(got) != len(spans) {
		t.Fatalf("odSpan: %v %q", err, got)
	}
	for i, d := range spans {
		if want := portfolio.Span(d); got[i] != want {
			t.Errorf("%v: the script says %q, the server %q", d, got[i], want)
		}
	}

	// And picks the milestone as the server does, either side of each.
	var at []time.Time
	for _, m := range milestones(tm) {
		for _, off := range []time.Duration{-25 * time.Hour, -time.Hour, -61 * time.Second, -30 * time.Second, 0, 59 * time.Second, time.Minute, 3 * time.Hour, 50 * time.Hour} {
			at = append(at, m.at.Add(off))
		}
	}
	ms = ms[:0]
	for _, a := range at {
		ms = append(ms, a.UnixMilli())
	}
	arg, _ = json.Marshal(ms)
	if err := json.Unmarshal([]byte(p.eval(`JSON.stringify(`+string(arg)+`.map(odCountdown))`)), &got); err != nil || len(got) != len(at) {
		t.Fatalf("odCountdown: %v %q", err, got)
	}
	for i, a := range at {
		if want := countdown(a, tm); got[i] != want {
			t.Errorf("at %v: the script says %q, the server %q", a.In(tm.Departure.Location()), got[i], want)
		}
	}

	// It is the script that ticks: given other milestones, the countdown
	// follows within a tick.
	p.eval(`var n = Date.now(); document.getElementById("cd").dataset.ms = [n + 26 * 3600e3 + 30e3, n + 27 * 3600e3, n + 28 * 3600e3, n + 29 * 3600e3, n + 30 * 3600e3].join(" "); ""`)
	if _, err := p.waitFor(`document.getElementById("cd").textContent === "Crew call in 1 day 2 h"`, 3*time.Second); err != nil {
		t.Errorf("the countdown did not tick to the new milestones: %q", p.eval(`document.getElementById("cd").textContent`))
	}
	if text := p.eval(`document.querySelector(".timing").textContent`); !strings.Contains(text, "Los Angeles time") {
		t.Errorf("the timing panel does not name the event's zone: %q", text)
	}
	p.screenshot("countdown")
}
