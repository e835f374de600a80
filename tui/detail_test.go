package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// flat is the screen's text with its lines joined and runs of spaces made
// one, so wrapped text can be looked for whole.
func flat(screen string) string {
	return strings.Join(strings.Fields(screen), " ")
}

// The first-ranked demo shortfall, with a description longer than two
// lines at 80 columns and two actions.
func longShortfall(t *testing.T, st *store.Store) portfolio.Shortfall {
	t.Helper()
	ctx := context.Background()
	snap, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sf := portfolio.RankShortfalls(snap.Shortfalls)[0]
	sf.Detail = "BEGIN Stripe secret keys are committed to three repositories, and the environment files of the booking site " +
		"and the crew app are kept in plain text on a shared drive that every contractor can read; rotating them needs " +
		"a maintenance window with the booking partners. END"
	if err := st.Update(ctx, "ann", func(tx *store.Tx) error { return tx.UpdateShortfall(ctx, &sf) }); err != nil {
		t.Fatal(err)
	}
	due := portfolio.DateOf(storetest.Now).AddDays(5)
	k := portfolio.MustKind("shortfall")
	recs, err := st.Records(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	var key string
	for _, r := range recs {
		if *k.ID(r) == sf.ID {
			key = k.Key(r)
		}
	}
	if err := st.Update(ctx, "ann", func(tx *store.Tx) error {
		_, err := tx.PutRecord(ctx, portfolio.MustKind("action"), "", &portfolio.Action{ShortfallKey: key,
			Title: "Ask the booking partners for a window", OwnerRole: portfolio.RoleCFO, DueOn: due, Status: portfolio.ActionDone, DoneOn: due})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return sf
}

// enter on a shortfall shows it whole at 80×24: the description wrapped,
// not cut, its actions with their status, owner and due date, and its
// history; esc goes back with the cursor where it was.
func TestShortfallDetail(t *testing.T) {
	st := storetest.Demo(t, nil)
	sf := longShortfall(t, st)
	s := startAt(t, newConsole(t, st, Options{Poll: time.Hour}), 80, 24)
	s.keys("3")
	s.waitFor("open, ranked")
	s.keys("down", "up", "enter")
	screen := s.waitFor("Description", "Actions (2)")
	checkScreen(t, "shortfall detail", screen, 80, 24)
	if !strings.Contains(flat(screen), flat(sf.Detail)) {
		t.Errorf("the description is not shown whole:\n%s", screen)
	}
	for _, want := range []string{"Payment keys and configs exposed", "CLOUD · Shared AWS account", "$2,500", "critical",
		"☐ Rotate the Stripe keys", "open · owner CTO · Chris Novak · due 2026-11-29"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the detail lacks %q:\n%s", want, screen)
		}
	}
	// The rest is below: a page down, then the end, newest first.
	s.keys("pgdown")
	s.waitFor("☑ Ask the booking partners for a window", "done · owner CFO · due 2026-12-01 · done 2026-12-01")
	screen = s.scrollTo("G", "status: done", `ann update shortfall "Payment keys and configs`)
	// The action was added after the description changed: it is above.
	if strings.Index(screen, "status: done") > strings.Index(screen, "update shortfall") {
		t.Errorf("history not newest first:\n%s", screen)
	}
	if !strings.Contains(screen, "ann") || !strings.Contains(flat(screen), "detail: Stripe secret keys are committed to repositories") {
		t.Errorf("history lacks who or before → after:\n%s", screen)
	}
	s.keys("esc")
	screen = s.waitFor("open, ranked")
	if !strings.Contains(screen, "▸  1") {
		t.Errorf("back on the list, the cursor left the first row:\n%s", screen)
	}
	// The Audit page fits 80×24 too, and so does an entry whole.
	s.keys("9")
	checkScreen(t, "audit", s.waitFor("WHEN", "update shortfall"), 80, 24)
	s.keys("down", "enter")
	checkScreen(t, "audit entry", s.waitFor("Changed (1)", "BEGIN Stripe"), 80, 24)
}

// enter on a KPI shows its readings with their dates and notes, newest
// first, its target and a chart.
func TestKPIDetailShowsReadingNotes(t *testing.T) {
	st := storetest.Demo(t, nil)
	ctx := context.Background()
	v := 4.0
	if err := st.Update(ctx, "ann", func(tx *store.Tx) error {
		_, err := tx.SetKPI(ctx, "JADA", "charters", portfolio.KPIUpdate{Value: &v, Note: "two charters moved from December after the storm warning"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s := startAt(t, newConsole(t, st, Options{Poll: time.Hour}), 80, 24)
	s.keys("2")
	s.waitFor("Charters per month")
	s.keys("enter")
	screen := s.waitFor("JADA · Charters per month", "Readings (5, newest first)", "≥ 6 (higher is better)")
	checkScreen(t, "KPI detail", screen, 80, 24)
	if !strings.Contains(flat(screen), "Thu 26 Nov 2026 19:00 UTC 4 two charters moved from December after the storm warning") {
		t.Errorf("the newest reading's date and note are not shown:\n%s", screen)
	}
	if !strings.Contains(screen, "█") || !strings.Contains(screen, "5 readings, from 23 Aug 2026") {
		t.Errorf("no chart:\n%s", screen)
	}
	s.scrollTo("G", "History", "set kpi", "value: 2 → 4")
	s.keys("esc")
	s.waitFor("22 KPIs")
}

// A change made in the console shows on the Audit page with who made it
// and each field before → after; enter shows the entry whole.
func TestAuditPageShowsConsoleChange(t *testing.T) {
	st := storetest.Demo(t, nil)
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.keys("3")
	s.waitFor("open, ranked")
	s.keys("e")
	s.focus("Title")
	s.keys("ctrl+u", "text:Payment keys rotated", "enter")
	for _, f := range []string{"Detail", "Entity", "Owner", "Severity", "Monthly impact ($)", "Effort (days)"} {
		s.focus(f)
		s.keys("enter")
	}
	s.waitFor(`saved "Payment keys rotated"`)
	s.keys("9")
	screen := s.waitFor("WHEN", "BEFORE → AFTER", "tester", `update shortfall "Payment`, "title: Payment keys and configs")
	if !strings.Contains(screen, "times in UTC") {
		t.Errorf("the page does not name the zone:\n%s", screen)
	}
	s.keys("enter")
	screen = s.waitFor("Changed (1)", "before", "after")
	if !strings.Contains(flat(screen), "title before Payment keys and configs exposed after Payment keys rotated") ||
		!strings.Contains(screen, "Who           tester") {
		t.Errorf("the entry is not shown whole:\n%s", screen)
	}
	s.keys("esc", "/", "text:nobody-such")
	s.waitFor("nothing matches the filter")
	s.keys("esc")
	s.waitFor("tester")
}

// h in a shortfall's detail opens the Audit page on that shortfall's
// history and its actions', and esc there shows every change again.
func TestHistoryKeyOpensAuditFiltered(t *testing.T) {
	st := storetest.Demo(t, nil)
	longShortfall(t, st)
	ctx := context.Background()
	// A change to another shortfall, which the history must leave out.
	snap, _ := st.Snapshot(ctx)
	other := portfolio.RankShortfalls(snap.Shortfalls)[1]
	other.EffortDays = 9
	if err := st.Update(ctx, "bob", func(tx *store.Tx) error { return tx.UpdateShortfall(ctx, &other) }); err != nil {
		t.Fatal(err)
	}
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.keys("3")
	s.waitFor("open, ranked")
	s.keys("enter")
	s.waitFor("Description")
	s.keys("h")
	screen := s.waitFor(`History of shortfall "Payment keys and configs exposed": 2 changes`, "create action", "update shortfall")
	if strings.Contains(screen, "bob") {
		t.Errorf("the history shows another record's change:\n%s", screen)
	}
	s.keys("esc")
	screen = s.waitFor("bob", "newest first, times in UTC")
	if strings.Contains(screen, "History of") {
		t.Errorf("esc kept the record's filter:\n%s", screen)
	}
	// From a KPI's detail too.
	s.keys("2")
	s.waitFor("22 KPIs")
	s.keys("enter")
	s.waitFor("Readings (4, newest first)")
	s.keys("h")
	s.waitFor(`History of KPI JADA Charters per month: 0 changes`)
}

// scrollTo presses k until the screen shows every one of wants: a detail
// view may grow as its history arrives.
func (s *session) scrollTo(k string, wants ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var screen string
	for time.Now().Before(deadline) {
		s.keys(k)
		screen = s.screen()
		ok := true
		for _, w := range wants {
			ok = ok && strings.Contains(screen, w)
		}
		if ok {
			return screen
		}
		time.Sleep(30 * time.Millisecond)
	}
	s.t.Fatalf("the screen never showed %q:\n%s", wants, screen)
	return ""
}

// The Outbox's message detail lists every attempt with its error whole,
// newest first, beside the recipient and the provider's id; h opens the
// message's history on the Audit page.
func TestOutboxDetailListsEveryAttempt(t *testing.T) {
	st := storetest.Demo(t, nil)
	ctx := context.Background()
	msg := store.OutboxMessage{Kind: "report", Role: portfolio.RoleCEO, Purpose: store.PurposeRecipient, Recipient: "ada@example.com",
		MessageID: "<ada@opsdeck.test>", From: "reports@example.com", To: []string{"ada@example.com"}, Subject: "CEO report", Text: "report"}
	msgs := []store.OutboxMessage{msg}
	if err := st.Update(ctx, "test", func(tx *store.Tx) error {
		return tx.CreateBatch(ctx, &store.OutboxBatch{Reason: "test"}, msgs)
	}); err != nil {
		t.Fatal(err)
	}
	id := msgs[0].ID
	attempt := func(mark func() error) {
		t.Helper()
		if _, ok, err := st.ClaimMessage(ctx, id); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		if err := mark(); err != nil {
			t.Fatal(err)
		}
	}
	attempt(func() error {
		return st.MarkRetry(ctx, id, storetest.Now, "Throttling: Maximum sending rate exceeded FIRST-ATTEMPT", false)
	})
	attempt(func() error { return st.MarkRetry(ctx, id, storetest.Now, longError, false) })
	attempt(func() error { return st.MarkSent(ctx, id, "0100018c-ses-provider-id") })
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.keys("6")
	s.waitFor("ada@example.com")
	s.keys("enter")
	screen := s.waitFor("Recipient     ada@example.com", "Provider id   0100018c-ses-provider-id", "Attempts and changes")
	screen = s.scrollTo("G", "END-OF-ERROR", "FIRST-ATTEMPT")
	if strings.Index(screen, "sent outbox") > strings.Index(screen, "retry_later") {
		t.Errorf("the attempts are not newest first:\n%s", screen)
	}
	if !strings.Contains(flat(screen), "error: "+longError) {
		t.Errorf("the error of an attempt is not whole:\n%s", screen)
	}
	s.keys("h")
	s.waitFor(fmt.Sprintf("History of outbox message %d: 3 changes", id), "retry_later outbox")
}

// The Audit page reads the log a page at a time: the newest 500, then
// older ones on m, down to the first entry.
func TestAuditPageReadsOlderOnM(t *testing.T) {
	st := storetest.Demo(t, nil)
	ctx := context.Background()
	if err := st.Update(ctx, "bulk", func(tx *store.Tx) error {
		for i := range 600 {
			v := float64(i)
			if _, err := tx.SetKPI(ctx, "JADA", "charters", portfolio.KPIUpdate{Value: &v}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// m typed while the page is still reading its first 500 is not lost.
	burst := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	burst.keys("9", "m")
	burst.waitFor("601 changes, newest first")
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.keys("9")
	screen := s.waitFor("the newest 500 changes · m reads older", "value: 598 → 599")
	if strings.Contains(screen, "load_demo") {
		t.Errorf("the first page reaches the oldest entry:\n%s", screen)
	}
	s.keys("m")
	s.waitFor("601 changes, newest first")
	s.keys("G")
	s.waitFor("load_demo portfolio")
	s.keys("m")
	if screen := s.waitFor("that is the whole log: nothing older"); strings.Contains(screen, "✓ that is") {
		t.Errorf("nothing to read is said as a success:\n%s", screen)
	}
}
