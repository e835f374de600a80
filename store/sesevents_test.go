package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// sentMessage queues a CEO report to the addresses and takes it through
// the worker's steps to sent, SES having called it providerID. The first
// address is the message's recipient when it is the only one.
func sentMessage(t *testing.T, s *store.Store, providerID string, to ...string) int64 {
	t.Helper()
	ctx := context.Background()
	recipient := ""
	if len(to) == 1 {
		recipient = to[0]
	}
	msgs := []store.OutboxMessage{{Role: portfolio.RoleCEO, Recipient: recipient, MessageID: "<" + providerID + "@opsdeck.test>",
		From: "reports@example.com", To: to, Subject: "CEO report", Text: "figures"}}
	if err := s.Update(ctx, "test", func(tx *store.Tx) error {
		return tx.CreateBatch(ctx, &store.OutboxBatch{Reason: "test", Transport: "ses"}, msgs)
	}); err != nil {
		t.Fatal(err)
	}
	m, ok, err := s.ClaimNextDue(ctx)
	if err != nil || !ok || m.ID != msgs[0].ID {
		t.Fatalf("claim: %+v %v %v", m, ok, err)
	}
	if err := s.MarkSent(ctx, m.ID, providerID); err != nil {
		t.Fatal(err)
	}
	return m.ID
}

var snsSeq int

// sesEvent is an SES event as the hook hands it to the store.
func sesEvent(typ, sesID string, recipients ...string) store.SESEvent {
	snsSeq++
	return store.SESEvent{SNSMessageID: fmt.Sprintf("sns-%d", snsSeq), TopicARN: "arn:aws:sns:us-east-1:123456789012:ses-events",
		SNSType: store.SNSNotification, Type: typ, SESMessageID: sesID, Recipients: recipients,
		Detail: typ + " detail", OccurredAt: storetest.Now.Add(-time.Minute), Raw: `{"eventType":"` + typ + `"}`}
}

func apply(t *testing.T, s *store.Store, ev store.SESEvent) store.SESEvent {
	t.Helper()
	got, err := s.ApplySESEvent(context.Background(), ev)
	if err != nil {
		t.Fatalf("apply %s: %v", ev.Type, err)
	}
	return got
}

func outboxRow(t *testing.T, s *store.Store, id int64) store.OutboxMessage {
	t.Helper()
	m, err := s.OutboxMessage(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSESEventTransitions(t *testing.T) {
	ctx := context.Background()
	hard := func(ev store.SESEvent) store.SESEvent { ev.HardBounce = true; return ev }
	cases := []struct {
		name       string
		events     []store.SESEvent // all but the last take the row to where the last starts
		status     string
		lastError  string
		outcome    string
		suppressed string // the reason the address is suppressed for, if it is
	}{
		{"delivery", []store.SESEvent{sesEvent(store.SESDelivery, "ses-1", "ada@example.com")}, store.OutboxDelivered, "", "sent → delivered", ""},
		{"hard bounce", []store.SESEvent{hard(sesEvent(store.SESBounce, "ses-1", "Ada@Example.com"))}, store.OutboxBounced, "",
			"sent → bounced; ada@example.com suppressed", store.SuppressedBounce},
		{"soft bounce", []store.SESEvent{sesEvent(store.SESBounce, "ses-1", "ada@example.com")}, store.OutboxBounced, "", "sent → bounced", ""},
		{"bounce after delivery", []store.SESEvent{sesEvent(store.SESDelivery, "ses-1", "ada@example.com"),
			hard(sesEvent(store.SESBounce, "ses-1", "ada@example.com"))}, store.OutboxBounced, "",
			"delivered → bounced; ada@example.com suppressed", store.SuppressedBounce},
		{"complaint", []store.SESEvent{sesEvent(store.SESComplaint, "ses-1", "ada@example.com")}, store.OutboxComplained, "",
			"sent → complained; ada@example.com suppressed", store.SuppressedComplaint},
		{"complaint after delivery", []store.SESEvent{sesEvent(store.SESDelivery, "ses-1", "ada@example.com"),
			sesEvent(store.SESComplaint, "ses-1", "ada@example.com")}, store.OutboxComplained, "",
			"delivered → complained; ada@example.com suppressed", store.SuppressedComplaint},
		{"complaint after a hard bounce", []store.SESEvent{hard(sesEvent(store.SESBounce, "ses-1", "ada@example.com")),
			sesEvent(store.SESComplaint, "ses-1", "ada@example.com")}, store.OutboxComplained, "",
			"bounced → complained; ada@example.com suppressed for a complaint (was bounce)", store.SuppressedComplaint},
		{"bounce after a complaint", []store.SESEvent{sesEvent(store.SESComplaint, "ses-1", "ada@example.com"),
			hard(sesEvent(store.SESBounce, "ses-1", "ada@example.com"))}, store.OutboxComplained, "",
			"unchanged: the message is already complained; ada@example.com already suppressed after a complaint", store.SuppressedComplaint},
		{"reject", []store.SESEvent{sesEvent(store.SESReject, "ses-1", "ada@example.com")}, store.OutboxFailed, "Reject detail", "sent → failed", ""},
		{"delay", []store.SESEvent{sesEvent(store.SESDeliveryDelay, "ses-1", "ada@example.com")}, store.OutboxSent, "", "still sent: delay noted", ""},
		{"delay after delivery", []store.SESEvent{sesEvent(store.SESDelivery, "ses-1", "ada@example.com"),
			sesEvent(store.SESDeliveryDelay, "ses-1", "ada@example.com")}, store.OutboxDelivered, "", "unchanged: the message is already delivered", ""},
		{"delivery after a bounce", []store.SESEvent{sesEvent(store.SESBounce, "ses-1", "ada@example.com"),
			sesEvent(store.SESDelivery, "ses-1", "ada@example.com")}, store.OutboxBounced, "", "unchanged: the message is already bounced", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := storetest.Open(t, nil)
			id := sentMessage(t, s, "ses-1", "ada@example.com")
			other := sentMessage(t, s, "ses-2", "bob@example.com")
			var last store.SESEvent
			for _, ev := range c.events {
				last = apply(t, s, ev)
			}
			m := outboxRow(t, s, id)
			if m.Status != c.status || last.Outcome != c.outcome || last.OutboxID != id || m.LastError != c.lastError {
				t.Fatalf("status %s, last error %q, outcome %q, matched %d; want %s, %q, %q, %d", m.Status, m.LastError, last.Outcome, last.OutboxID,
					c.status, c.lastError, c.outcome, id)
			}
			// The last event that changed the row left its detail and time.
			if changed := !strings.HasPrefix(c.outcome, "unchanged"); changed &&
				(m.EventDetail != last.Detail || !m.EventAt.Equal(last.OccurredAt)) {
				t.Errorf("event detail %q at %s, want %q at %s", m.EventDetail, m.EventAt, last.Detail, last.OccurredAt)
			}
			sp, ok, err := s.Suppression(ctx, "ada@example.com")
			if err != nil || ok != (c.suppressed != "") || (ok && (sp.Reason != c.suppressed || sp.OutboxID != id || sp.CreatedBy != store.SESEventsActor)) {
				t.Errorf("suppression %+v %v %v, want %q for outbox %d", sp, ok, err, c.suppressed, id)
			}
			// The other message is untouched.
			if o := outboxRow(t, s, other); o.Status != store.OutboxSent || o.EventDetail != "" {
				t.Errorf("other message: %s %q", o.Status, o.EventDetail)
			}
			// Each event is recorded against the row, newest first, and the
			// audit log names who applied it.
			evs, err := s.SESEvents(ctx, id, 0)
			if err != nil || len(evs) != len(c.events) || evs[0].SNSMessageID != last.SNSMessageID || evs[0].Outcome != c.outcome ||
				evs[0].Raw != last.Raw || !evs[0].ReceivedAt.Equal(storetest.Now) || evs[0].Recipients[0] != "ada@example.com" {
				t.Fatalf("recorded %+v %v", evs, err)
			}
			audit, _ := s.Audit(ctx, 5)
			found := false
			for _, a := range audit {
				found = found || (a.Actor == store.SESEventsActor && a.Action == "ses_"+strings.ToLower(last.Type) && a.SubjectID == id)
			}
			if !found {
				t.Errorf("no audit row for the event: %+v", audit)
			}
		})
	}
}

func TestSESEventUnknownMessage(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, nil)
	id := sentMessage(t, s, "ses-1", "ada@example.com")
	ev := sesEvent(store.SESComplaint, "ses-unknown", "ada@example.com")
	got := apply(t, s, ev)
	if got.OutboxID != 0 || got.Outcome != "no outbox message has this SES message id" {
		t.Fatalf("%+v", got)
	}
	if m := outboxRow(t, s, id); m.Status != store.OutboxSent {
		t.Errorf("status %s", m.Status)
	}
	if sps, _ := s.Suppressions(ctx); len(sps) != 0 {
		t.Errorf("suppressed %+v for an unknown message", sps)
	}
	if evs, _ := s.SESEvents(ctx, 0, 10); len(evs) != 1 || evs[0].SESMessageID != "ses-unknown" || evs[0].OutboxID != 0 {
		t.Errorf("recorded %+v", evs)
	}
	if evs, _ := s.SESEvents(ctx, id, 10); len(evs) != 0 {
		t.Errorf("recorded against the row: %+v", evs)
	}
}

func TestSESEventDuplicateSNSMessage(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, nil)
	id := sentMessage(t, s, "ses-1", "ada@example.com")
	ev := sesEvent(store.SESDelivery, "ses-1", "ada@example.com")
	apply(t, s, ev)
	if seen, err := s.SNSMessageSeen(ctx, ev.SNSMessageID); !seen || err != nil {
		t.Fatalf("seen %v %v", seen, err)
	}
	before, _ := s.Audit(ctx, 1000)
	// The same SNS message again, now claiming a complaint: refused whole.
	again := ev
	again.Type = store.SESComplaint
	_, err := s.ApplySESEvent(ctx, again)
	if !errors.Is(err, store.ErrSNSMessageSeen) || portfolio.ErrorCode(err) != portfolio.ECONFLICT {
		t.Fatalf("replay: %v", err)
	}
	if m := outboxRow(t, s, id); m.Status != store.OutboxDelivered {
		t.Errorf("status %s after a replay", m.Status)
	}
	if _, ok, _ := s.Suppression(ctx, "ada@example.com"); ok {
		t.Error("a replay suppressed the address")
	}
	after, _ := s.Audit(ctx, 1000)
	if evs, _ := s.SESEvents(ctx, 0, 10); len(evs) != 1 || len(after) != len(before) {
		t.Errorf("a replay wrote: %d events, audit %d → %d", len(evs), len(before), len(after))
	}
}

func TestSESEventIgnoredAndSubscription(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, nil)
	id := sentMessage(t, s, "ses-1", "ada@example.com")
	open := sesEvent("Open", "ses-1", "ada@example.com")
	notSES := sesEvent("", "", "")
	notSES.Recipients, notSES.Detail = nil, "not an SES event: no eventType"
	confirm := store.SESEvent{SNSMessageID: "sns-confirm", TopicARN: open.TopicARN, SNSType: store.SNSSubscriptionConfirmation, Raw: "You have chosen"}
	unsub := store.SESEvent{SNSMessageID: "sns-unsub", TopicARN: open.TopicARN, SNSType: store.SNSUnsubscribeConfirmation}
	for ev, want := range map[*store.SESEvent]string{
		&open:    "ignored: opsdeck does not act on Open events",
		&notSES:  "ignored: not an SES event",
		&confirm: "subscription confirmed",
		&unsub:   "subscription ended",
	} {
		got := apply(t, s, *ev)
		if got.Outcome != want || got.OutboxID != 0 {
			t.Errorf("%s %s: %+v, want %q", ev.SNSType, ev.Type, got, want)
		}
	}
	if m := outboxRow(t, s, id); m.Status != store.OutboxSent || m.EventDetail != "" {
		t.Errorf("row changed: %s %q", m.Status, m.EventDetail)
	}
	if evs, _ := s.SESEvents(ctx, 0, 0); len(evs) != 4 {
		t.Errorf("recorded %d", len(evs))
	}
	if _, err := s.ApplySESEvent(ctx, store.SESEvent{SNSMessageID: "x", TopicARN: "t", SNSType: "Gossip"}); portfolio.ErrorCode(err) != portfolio.EINVALID {
		t.Errorf("unknown SNS type: %v", err)
	}
	if _, err := s.ApplySESEvent(ctx, store.SESEvent{TopicARN: "t", SNSType: store.SNSNotification}); portfolio.ErrorCode(err) != portfolio.EINVALID {
		t.Errorf("no message id: %v", err)
	}
}

// A message from before one message per recipient went to several: the
// event is matched by SES's id, and only the address it names is
// suppressed.
func TestSESEventOnAMessageToSeveral(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, nil)
	id := sentMessage(t, s, "ses-1", "ada@example.com", "bob@example.com")
	ev := sesEvent(store.SESBounce, "ses-1", "bob@example.com")
	ev.HardBounce = true
	got := apply(t, s, ev)
	if got.OutboxID != id || got.Outcome != "sent → bounced; bob@example.com suppressed" {
		t.Fatalf("%+v", got)
	}
	if _, ok, _ := s.Suppression(ctx, "ada@example.com"); ok {
		t.Error("ada suppressed for bob's bounce")
	}
	if _, ok, _ := s.Suppression(ctx, "bob@example.com"); !ok {
		t.Error("bob not suppressed")
	}
}

// Every change of one event is in one transaction: a failure part-way
// leaves nothing.
func TestSESEventRollsBack(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, nil)
	id := sentMessage(t, s, "ses-1", "ada@example.com")
	boom := errors.New("boom")
	err := s.Update(ctx, store.SESEventsActor, func(tx *store.Tx) error {
		ev := sesEvent(store.SESComplaint, "ses-1", "ada@example.com")
		if _, err := tx.ApplySESEvent(ctx, ev); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if m := outboxRow(t, s, id); m.Status != store.OutboxSent {
		t.Errorf("status %s", m.Status)
	}
	if sps, _ := s.Suppressions(ctx); len(sps) != 0 {
		t.Errorf("suppressions %+v", sps)
	}
	if evs, _ := s.SESEvents(ctx, 0, 0); len(evs) != 0 {
		t.Errorf("events %+v", evs)
	}
}

// An event for a message whose answer from SES was lost finds its row by
// the X-Opsdeck-Message-Id header: an uncertain row is settled, a row
// waiting to retry after a cut-off is not sent again, and a row that went
// out under another id is a confirmed duplicate.
func TestSESEventFindsALostAnswerByHeader(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, storetest.NewClock(storetest.Now))
	queue := func(opsdeckID string) int64 {
		msgs := []store.OutboxMessage{{Role: portfolio.RoleCEO, Recipient: "ada@example.com", MessageID: opsdeckID,
			From: "reports@example.com", To: []string{"ada@example.com"}, Subject: "CEO report", Text: "figures"}}
		if err := s.Update(ctx, "test", func(tx *store.Tx) error {
			return tx.CreateBatch(ctx, &store.OutboxBatch{Reason: "test", Transport: "ses"}, msgs)
		}); err != nil {
			t.Fatal(err)
		}
		return msgs[0].ID
	}
	withHeader := func(typ, sesID, opsdeckID string) store.SESEvent {
		ev := sesEvent(typ, sesID, "ada@example.com")
		ev.OpsdeckMessageID = opsdeckID
		return ev
	}

	// Uncertain: the worker died mid-send. SES's delivery event settles it.
	uncertain := queue("<lost-1@opsdeck.test>")
	if _, ok, err := s.ClaimNextDue(ctx); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if _, err := s.MarkStaleSending(ctx); err != nil {
		t.Fatal(err)
	}
	got := apply(t, s, withHeader(store.SESDelivery, "ses-lost-1", "<lost-1@opsdeck.test>"))
	r := outboxRow(t, s, uncertain)
	if got.OutboxID != uncertain || r.Status != store.OutboxDelivered || r.ProviderID != "ses-lost-1" || r.SentAt.IsZero() ||
		!strings.Contains(r.LastError, "settled by SES's Delivery event") || !strings.HasPrefix(got.Outcome, "uncertain → delivered") {
		t.Errorf("uncertain row after its delivery event: %s %q %q; outcome %q", r.Status, r.ProviderID, r.LastError, got.Outcome)
	}

	// Queued for a retry after a cut-off attempt: the event shows the
	// attempt arrived, so the retry must not go.
	retrying := queue("<lost-2@opsdeck.test>")
	m, _, _ := s.ClaimNextDue(ctx)
	if err := s.MarkRetry(ctx, m.ID, storetest.Now.Add(time.Minute), "connection reset", true); err != nil {
		t.Fatal(err)
	}
	apply(t, s, withHeader(store.SESDelivery, "ses-lost-2", "<lost-2@opsdeck.test>"))
	if r := outboxRow(t, s, retrying); r.Status != store.OutboxDelivered || r.ProviderID != "ses-lost-2" {
		t.Errorf("retrying row after its delivery event: %s %q", r.Status, r.ProviderID)
	}
	if _, ok, _ := s.PeekNextDue(ctx); ok {
		t.Error("the settled message is still due to be sent again")
	}

	// Sent as ses-3 after an earlier attempt that SES also took as ses-2b.
	twice := queue("<lost-3@opsdeck.test>")
	m, _, _ = s.ClaimNextDue(ctx)
	if err := s.MarkSent(ctx, m.ID, "ses-3"); err != nil {
		t.Fatal(err)
	}
	got = apply(t, s, withHeader(store.SESDelivery, "ses-3-earlier", "<lost-3@opsdeck.test>"))
	r = outboxRow(t, s, twice)
	if r.Status != store.OutboxSent || !r.PossibleDuplicate() || !strings.Contains(r.LastError, "duplicate confirmed") ||
		!strings.HasPrefix(got.Outcome, "duplicate confirmed") {
		t.Errorf("twice-taken row: %s dup=%v %q; outcome %q", r.Status, r.PossibleDuplicate(), r.LastError, got.Outcome)
	}

	// Without the header, an unknown SES id still changes nothing.
	got = apply(t, s, sesEvent(store.SESDelivery, "ses-nobody", "ada@example.com"))
	if got.OutboxID != 0 || got.Outcome != "no outbox message has this SES message id" {
		t.Errorf("unknown id: %+v", got)
	}
}
