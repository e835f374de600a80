package tui

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// longError is a provider's error longer than any row: the detail view
// shows it whole.
const longError = "MessageRejected: the recipient's mail server answered 554 5.7.1 after the DATA command, saying that " +
	"the message was refused by its local policy because the sending domain has no DMARC record aligned with the " +
	"envelope sender and the organisation does not accept mail failing alignment; contact postmaster@example.net " +
	"quoting reference 7F3A-22B1 if you believe this is wrong END-OF-ERROR"

// outboxFixture is one CEO batch to seven recipients and its audit copy,
// in every state the provider and the worker can leave a message in, set
// by SQL on the store's file; and an older batch whose bounce is past the
// status bar's week. eve's copy went out after an attempt that may have
// delivered it already.
func outboxFixture(t *testing.T) *store.Store {
	t.Helper()
	st := storetest.Demo(t, nil)
	ctx := context.Background()
	msg := func(rcpt, purpose string) store.OutboxMessage {
		return store.OutboxMessage{Kind: "report", Role: portfolio.RoleCEO, Purpose: purpose, Recipient: rcpt,
			MessageID: "<" + rcpt + "." + purpose + "@opsdeck.test>", From: "reports@example.com", To: []string{rcpt},
			Subject: "CEO report: Queen of San Diego Portfolio", Text: "report"}
	}
	err := st.Update(ctx, "test", func(tx *store.Tx) error {
		old := []store.OutboxMessage{msg("hal@example.com", store.PurposeRecipient)}
		if err := tx.CreateBatch(ctx, &store.OutboxBatch{Reason: "test"}, old); err != nil {
			return err
		}
		var msgs []store.OutboxMessage
		for _, r := range []string{"ada", "bob", "cy", "dee", "eve", "fay", "gus"} {
			msgs = append(msgs, msg(r+"@example.com", store.PurposeRecipient))
		}
		msgs = append(msgs, msg("audit@example.com", store.PurposeAudit))
		msgs[1].Status, msgs[1].LastError = store.OutboxFailed, longError
		msgs[2].Status = store.OutboxSuppressed
		msgs[2].LastError = "not sent: cy@example.com is on the suppression list after a bounce: 550 5.1.1 user unknown"
		if err := tx.CreateBatch(ctx, &store.OutboxBatch{Reason: "test"}, msgs); err != nil {
			return err
		}
		if _, err := tx.Suppress(ctx, "cy@example.com", store.SuppressedBounce, "550 5.1.1 user unknown", msgs[2].ID); err != nil {
			return err
		}
		_, err := tx.Suppress(ctx, "zed@example.com", store.SuppressedManual, "left the company", 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := func(d time.Duration) string { return storetest.Now.Add(d).UTC().Format(store.TimeLayout) }
	for _, q := range []struct {
		rcpt string
		set  string
		args []any
	}{
		{"hal@example.com", "status = 'bounced', provider_id = 'p-hal', sent_at = ?, event_at = ?, event_detail = 'Permanent/General: 550 mailbox gone'",
			[]any{at(-10 * 24 * time.Hour), at(-10 * 24 * time.Hour)}},
		{"ada@example.com", "status = 'delivered', provider_id = 'p-ada', sent_at = ?, event_at = ?, event_detail = '250 2.0.0 OK', attempts = 1",
			[]any{at(-time.Hour), at(-time.Hour)}},
		{"bob@example.com", "attempts = 1", nil},
		{"dee@example.com", "status = 'bounced', provider_id = 'p-dee', attempts = 1, sent_at = ?, event_at = ?, " +
			"event_detail = 'Permanent/General: 550 5.1.1 <dee@example.com>: user unknown'", []any{at(-time.Hour), at(-30 * time.Minute)}},
		{"eve@example.com", "status = 'sent', provider_id = 'p-eve', attempts = 2, maybe_delivered = 1, sent_at = ?, " +
			"last_error = 'sent; an earlier attempt was cut off after it may have been delivered, so a duplicate is possible'", []any{at(-time.Hour)}},
		{"fay@example.com", "status = 'uncertain', attempts = 1, maybe_delivered = 1, last_error = 'the sending process stopped mid-send: check the provider before resending'", nil},
		{"gus@example.com", "status = 'complained', provider_id = 'p-gus', attempts = 1, sent_at = ?, event_at = ?, event_detail = 'abuse'",
			[]any{at(-time.Hour), at(-20 * time.Minute)}},
		{"audit@example.com", "status = 'sent', provider_id = 'p-audit', attempts = 1, sent_at = ?", []any{at(-time.Hour)}},
	} {
		if _, err := db.Exec("UPDATE outbox SET "+q.set+" WHERE recipient = ?", append(q.args, q.rcpt)...); err != nil {
			t.Fatalf("%s: %v", q.rcpt, err)
		}
	}
	return st
}

func TestOutboxPageRecipientsMarksAndCounts(t *testing.T) {
	st := outboxFixture(t)
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	// The status bar: failed and uncertain, this week's bounce and
	// complaint (not hal's, ten days old) and the possible duplicate.
	screen := s.waitFor("⚠ outbox: 1 failed · 1 uncert. · 1 bounced · 1 compl. · 1 dup?")
	s.keys("6")
	screen = s.waitFor("⚠ 1 dup? · 1 failed · 1 uncertain · 2 bounced · 1 complained · 1 suppressed · 2 sent · 1 delivered")
	for _, want := range [][]string{
		{"(audit) audit@example.com", "sent", "p-audit"}, {"ada@example.com", "delivered", "250 2.0.0 OK"},
		{"eve@example.com", "sent ⚠ dup?", "may have gone twice: do not resend"},
		{"fay@example.com", "uncertain", "check the provider, then y or n"},
		{"dee@example.com", "bounced", "Permanent/General"}, {"gus@example.com", "complained", "abuse"},
		{"cy@example.com", "suppressed", "not sent"}, {"bob@example.com", "failed", "MessageRejected"},
		{"hal@example.com", "bounced", "550 mailbox gone"},
	} {
		if row := rowWith(screen, want[0]); !strings.Contains(row, want[1]) || !strings.Contains(row, want[2]) {
			t.Errorf("the Outbox page's row of %s lacks %q or %q: %q", want[0], want[1], want[2], row)
		}
	}
	checkScreen(t, "outbox", screen, 100, 30)

	// The selected row says what to do: the newest is the audit copy
	// (nothing to do), then gus's complaint, then fay's uncertain one, eve's
	// duplicate.
	s.keys("down")
	s.waitFor("Complaint: gus@example.com marked it as spam")
	s.keys("down")
	s.waitForFlat("Uncertain: it may have gone out. Check the provider's log for this message, then press y if it was sent or n " +
		"to send it again.")
	s.keys("down")
	s.waitForFlat("Possible duplicate: sent after an attempt that may already have delivered it, so eve@example.com may have two " +
		"copies. Nothing to resend; tell them if it matters.")

	// The detail view has everything, the whole error wrapped.
	s.keys("down", "down", "down") // dee, cy, bob
	s.waitFor("Failed: fix what the error says")
	s.keys("enter")
	screen = s.waitFor("Message 3", "batch 2", "Last error", "END-OF-ERROR")
	flat := strings.Join(strings.Fields(screen), " ")
	for _, want := range []string{
		"Status failed", "Batch 2", "Report CEO", "Purpose recipient", "Recipient bob@example.com", "From reports@example.com",
		"Subject CEO report: Queen of San Diego Portfolio", "Attempts 1", "Created Thu 26 Nov 2026 19:00:00 UTC",
		"Message-ID <bob@example.com.recipient@opsdeck.test>", "Last error " + strings.Join(strings.Fields(longError), " "),
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the detail view lacks %q:\n%s", want, screen)
		}
	}
	checkScreen(t, "outbox detail", screen, 100, 30)
	s.keys("esc")
	s.waitFor("ID  REPORT")

	// eve's detail says it may have gone twice; dee's has the bounce.
	s.keys("/", "text:eve@", "enter")
	s.waitGone("ada@example.com")
	s.keys("enter")
	screen = s.waitFor("Message 6", "sent ⚠ possible duplicate", "Nothing to resend", "Provider id   p-eve")
	s.keys("esc", "esc")
	s.waitFor("ada@example.com")
	s.keys("/", "text:dee@", "enter", "enter")
	screen = s.waitFor("Message 5", "Event", "550 5.1.1 <dee@example.com>: user unknown", "Event at      Thu 26 Nov 2026 18:30:00 UTC")
	s.keys("esc", "esc")

	// p keeps the problems: seven of the nine messages.
	s.keys("p")
	screen = s.waitFor("problems only (p)", "eve@example.com")
	for _, gone := range []string{"ada@example.com", "audit@example.com"} {
		if strings.Contains(screen, gone) {
			t.Errorf("problems only shows %s:\n%s", gone, screen)
		}
	}
	// b narrows to the selected message's batch.
	s.keys("b")
	screen = s.waitFor("batch 2, problems only (p): ⚠ 1 dup?")
	if strings.Contains(screen, "hal@example.com") {
		t.Errorf("batch 2 shows batch 1's message:\n%s", screen)
	}
	s.keys("esc")
	s.waitFor("ada@example.com", "hal@example.com")

	// The search covers statuses.
	s.keys("/", "text:suppressed", "enter")
	screen = s.waitFor("/ suppressed")
	if !strings.Contains(cursorRow(screen), "cy@example.com") {
		t.Errorf("searching suppressed does not put cy first:\n%s", screen)
	}
	s.keys("esc")
}

// waitForFlat is waitFor on the screen's words, so text wrapped over
// lines (in a form's box, too) is found whole.
func (s *session) waitForFlat(want string) string {
	s.t.Helper()
	flat := func(t string) string {
		return strings.Join(strings.Fields(strings.NewReplacer("┃", " ", "│", " ").Replace(t)), " ")
	}
	deadline := time.Now().Add(10 * time.Second)
	var screen string
	for time.Now().Before(deadline) {
		if screen = s.screen(); strings.Contains(flat(screen), flat(want)) {
			return screen
		}
		time.Sleep(15 * time.Millisecond)
	}
	s.t.Fatalf("the screen never showed %q:\n%s", want, screen)
	return ""
}

// rowWith is the line of screen that holds text.
func rowWith(screen, text string) string {
	for _, line := range strings.Split(screen, "\n") {
		if strings.Contains(line, text) {
			return line
		}
	}
	return ""
}

// S lists the suppression list; d takes an address off after asking.
func TestOutboxSuppressionList(t *testing.T) {
	st := outboxFixture(t)
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("6")
	s.waitFor("ID  REPORT")
	s.keys("S")
	screen := s.waitFor("Suppression list: 2 addresses", "cy@example.com", "bounce", "550 5.1.1 user unknown",
		"zed@example.com", "manual", "left the company")
	checkScreen(t, "suppression list", screen, 100, 30)
	s.keys("/", "text:cy", "enter")
	if screen := s.waitFor("/ cy"); !strings.Contains(cursorRow(screen), "cy@example.com") {
		t.Errorf("searching cy does not put cy first:\n%s", screen)
	}
	s.keys("d")
	s.waitFor("Take cy@example.com off the suppression list?", "It bounced")
	s.keys("enter") // Keep is the default
	s.waitFor("kept cy@example.com on the suppression list")
	s.keys("d")
	s.waitFor("Take cy@example.com off the suppression list?")
	s.keys("left", "enter")
	s.waitFor("✓ cy@example.com taken off the suppression list")
	if _, ok, err := st.Suppression(context.Background(), "cy@example.com"); ok || err != nil {
		t.Errorf("cy is still suppressed (%v)", err)
	}
	s.keys("esc") // the filter
	screen = s.waitFor("Suppression list: 1 address", "zed@example.com")
	// a adds one by hand; the form refuses what is no address.
	s.keys("a")
	s.field("Address", "not an address")
	s.waitFor("is not an email address")
	s.field("Address", "Ivy <Ivy@Example.com>")
	s.field("Why", "asked to stop")
	s.waitFor("✓ ivy@example.com added to the suppression list", "Suppression list: 2 addresses")
	if sp, ok, _ := st.Suppression(context.Background(), "ivy@example.com"); !ok || sp.Reason != store.SuppressedManual || sp.Detail != "asked to stop" {
		t.Errorf("ivy: %+v, %v", sp, ok)
	}
	s.keys("esc")
	s.waitFor("ID  REPORT")
}

// r, R, y and n still work on the page and in the detail view.
func TestOutboxKeysKeepWorking(t *testing.T) {
	st := outboxFixture(t)
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("6", "/", "text:fay", "enter")
	s.waitGone("ada@example.com")
	s.keys("r")
	s.waitFor("message 7 is uncertain; only failed messages are retried")
	s.keys("enter", "y")
	s.waitFor("✓ message 7 marked sent", "Status        sent")
	s.keys("esc", "esc", "/", "text:cy", "enter", "r")
	s.waitFor("message 4 was not sent: cy@example.com is on the suppression list")
	m, err := st.OutboxMessage(context.Background(), 7)
	if err != nil || m.Status != store.OutboxSent {
		t.Errorf("fay's message: %s, %v", m.Status, err)
	}
}

// Text from outside the console (an address, a provider's error) cannot
// drive the terminal: its control characters are drawn, not obeyed.
func TestOutboxEscapesUserText(t *testing.T) {
	st := outboxFixture(t)
	db, err := sql.Open("sqlite", st.Path())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE outbox SET to_addrs = ?, last_error = ? WHERE recipient = 'bob@example.com'`,
		`["Bob \u001b]0;pwned\u0007 <bob@example.com>"]`, "bad \x1b[2J\x1b[Hthing \u009b31m\u202eevil"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	m := newConsole(t, st, Options{Poll: time.Hour})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	d, err := load(m.c)
	if err != nil {
		t.Fatal(err)
	}
	m.Update(dataMsg{data: d})
	m.Update(keyMsg("6"))
	for range 6 {
		m.Update(keyMsg("down"))
	}
	check := func(view string, wants ...string) {
		t.Helper()
		content := m.View().Content
		for _, bad := range []string{"\x1b]", "\a", "\x1b[2J", "\x1b[H", "\u009b", "\u202e"} {
			if strings.Contains(content, bad) {
				t.Errorf("%s: the screen holds %q from the data", view, bad)
			}
		}
		plain := ansi.Strip(content)
		for _, w := range wants {
			if !strings.Contains(plain, w) {
				t.Errorf("%s lacks %q:\n%s", view, w, plain)
			}
		}
	}
	check("list", "bad ␛[2J␛[Hthing")
	m.Update(keyMsg("enter"))
	check("detail", "Bob ␛]0;pwned␇ <bob@example.com>", "bad ␛[2J␛[Hthing �31mevil")
}

// The status bar's warning is one line of counts, in short words when the
// long ones would not leave room for the keys.
func TestTroubleLine(t *testing.T) {
	d := &Data{Alerts: outboxAlerts{Bounced: 2, Duplicates: 1}}
	if got := troubleLine(d, 50); got != "⚠ outbox: 2 bounced · 1 possible duplicate" {
		t.Errorf("got %q", got)
	}
	d = &Data{Alerts: outboxAlerts{Failed: 3, Uncertain: 1, Complained: 2, Duplicates: 4}, FailedRuns: 1}
	if got := troubleLine(d, 200); got != "⚠ outbox: 3 failed · 1 uncertain · 2 complaints · 4 possible duplicates; schedules: 1 failed run" {
		t.Errorf("got %q", got)
	}
	if got := troubleLine(d, 80); got != "⚠ outbox: 3 failed · 1 uncert. · 2 compl. · 4 dup?; schedules: 1 failed" {
		t.Errorf("got %q", got)
	}
	if got := troubleLine(d, 40); got != "⚠ outbox: 10 to check; schedules: 1 failed" {
		t.Errorf("got %q", got)
	}
}

// The detail view lists what SES said of the message, newest first, and
// follows new events while it is open.
func TestOutboxDetailShowsSESEvents(t *testing.T) {
	st := outboxFixture(t)
	ctx := context.Background()
	apply := func(st *store.Store, n int, typ, detail string, at time.Duration) {
		t.Helper()
		_, err := st.ApplySESEvent(ctx, store.SESEvent{SNSMessageID: fmt.Sprintf("sns-%d", n), TopicARN: "arn:aws:sns:us-east-1:1:ses",
			SNSType: store.SNSNotification, Type: typ, SESMessageID: "p-audit", Recipients: []string{"audit@example.com"},
			Detail: detail, OccurredAt: storetest.Now.Add(at), Raw: "{}"})
		if err != nil {
			t.Fatal(err)
		}
	}
	apply(st, 1, store.SESDeliveryDelay, "TransientCommunicationFailure: the mailbox server did not answer", -50*time.Minute)
	s := start(t, newConsole(t, st, Options{Poll: 20 * time.Millisecond}))
	s.waitFor("Break-even JADA")
	s.keys("6")
	s.waitFor("(audit) audit@example.com")
	s.keys("enter") // the newest: the audit copy
	s.waitFor("Message 9", "SES events    1 event, newest first", "DeliveryDelay still sent: delay noted",
		"TransientCommunicationFailure: the mailbox server did not answer")
	// An event arriving while the message is open shows. It comes from
	// another process (the server's SES endpoint).
	other, err := store.Open(ctx, st.Path(), store.Options{Clock: storetest.NewClock(storetest.Now)})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	apply(other, 2, store.SESDelivery, "250 2.0.0 Ok: queued as 4F2A", -40*time.Minute)
	screen := s.waitFor("Status        delivered", "2 events, newest first", "Delivery sent → delivered", "250 2.0.0 Ok")
	if strings.Index(screen, "Delivery sent → delivered") > strings.Index(screen, "DeliveryDelay") {
		t.Errorf("the events are not newest first:\n%s", screen)
	}
	s.keys("esc", "down", "enter") // gus: none recorded
	s.waitFor("Message 8", "SES events    none recorded for this message")
}

// Once its address is off the suppression list, a suppressed message is
// sent again with r, like a failed one.
func TestOutboxRetriesASuppressedMessageOffTheList(t *testing.T) {
	st := outboxFixture(t)
	if err := st.Update(context.Background(), "test", func(tx *store.Tx) error { return tx.Unsuppress(context.Background(), "cy@example.com") }); err != nil {
		t.Fatal(err)
	}
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("6", "/", "text:cy", "enter", "r")
	s.waitFor("message 4 queued again")
	m, err := st.OutboxMessage(context.Background(), 4)
	if err != nil || m.Status == store.OutboxSuppressed {
		t.Errorf("cy's message after r: %s, %v", m.Status, err)
	}
}
