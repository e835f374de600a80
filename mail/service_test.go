package mail

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
)

func TestEnqueueWritesTheWholeBatchFirst(t *testing.T) {
	tr := &fakeTransport{}
	svc, s, _ := setup(t, tr)
	ctx := context.Background()
	batch, msgs, err := svc.Enqueue(ctx, portfolio.ReportRoles, "manual")
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 5 || len(tr.sent) != 0 {
		t.Fatalf("%d messages queued, %d sent before the worker ran", len(msgs), len(tr.sent))
	}
	rows := statuses(t, s, batch)
	for _, role := range portfolio.ReportRoles {
		r := rows[role]
		if r.Status != store.OutboxQueued || len(r.Bcc) != 1 || r.Bcc[0] != "audit@example.com" || !strings.HasPrefix(r.MessageID, "<opsdeck.") {
			t.Errorf("%s: %+v", role, r)
		}
	}
	if got := rows[portfolio.RoleAccounting].To; len(got) != 2 || !strings.Contains(got[1], "books@example.com") {
		t.Errorf("accounting recipients %v", got)
	}
	if err := svc.Drain(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if len(tr.sent) != 5 {
		t.Fatalf("%d sent", len(tr.sent))
	}
	rows = statuses(t, s, batch)
	for _, role := range portfolio.ReportRoles {
		r := rows[role]
		if r.Status != store.OutboxSent || r.ProviderID != "fake-"+r.MessageID || r.Attempts != 1 || r.SentAt.IsZero() {
			t.Errorf("%s after drain: %+v", role, r)
		}
	}
	m := tr.sent[0]
	if m.Headers["X-Opsdeck-Report"] != "ceo" || !strings.Contains(m.Subject, "CEO report") || !strings.Contains(m.HTML, "<!DOCTYPE html>") ||
		!strings.Contains(m.Text, "CEO REPORT") {
		t.Errorf("first message: %s %v", m.Subject, m.Headers)
	}
}

// One bad address fails its message with the reason; the rest of the
// batch goes.
func TestBadRecipientFailsOneMessage(t *testing.T) {
	tr := &fakeTransport{}
	svc, s, _ := setup(t, tr)
	ctx := context.Background()
	// The store refuses bad addresses, so put one in behind its back, as an
	// older version or a hand edit might have.
	if err := s.Update(ctx, "t", func(tx *store.Tx) error {
		_, _, err := tx.AddRecipientByEmail(ctx, portfolio.RoleCMO, "newhire@example.com", "New Hire")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	corruptEmail(t, s, "newhire@example.com", "newhire at example dot com")
	batch, _, err := svc.Enqueue(ctx, portfolio.ReportRoles, "manual")
	if err != nil {
		t.Fatal(err)
	}
	svc.Drain(ctx, batch)
	rows := statuses(t, s, batch)
	if r := rows[portfolio.RoleCMO]; r.Status != store.OutboxFailed || !strings.Contains(r.LastError, "newhire at example dot com") {
		t.Errorf("CMO: %s %q", r.Status, r.LastError)
	}
	if len(tr.sent) != 4 {
		t.Errorf("%d sent, want the other four", len(tr.sent))
	}
}

func TestNoRecipientsFailsClearly(t *testing.T) {
	svc, s, _ := setup(t, &fakeTransport{})
	ctx := context.Background()
	if err := s.Update(ctx, "t", func(tx *store.Tx) error { return tx.RemoveRecipient(ctx, portfolio.RoleCFO, "owner@example.com") }); err != nil {
		t.Fatal(err)
	}
	_, err := svc.EnqueueRole(ctx, portfolio.RoleCFO, "schedule")
	if err == nil || !strings.Contains(err.Error(), "has no recipients (opsdeck recipients add cfo EMAIL)") {
		t.Errorf("EnqueueRole = %v", err)
	}
}

func TestQuotaRefusesTheBatch(t *testing.T) {
	tr := fakeQuotaTransport{&fakeTransport{quota: &Quota{MaxSendRate: 14, Max24HourSend: 200, SentLast24Hours: 190}}}
	svc, s, _ := setup(t, tr)
	// Five messages: 1+2+2+1+2 recipients plus a BCC copy each = 13 > 10.
	_, _, err := svc.Enqueue(context.Background(), portfolio.ReportRoles, "manual")
	var qe *QuotaError
	if !errors.As(err, &qe) || qe.Need != 13 || qe.Remaining != 10 {
		t.Fatalf("Enqueue = %v, want a quota refusal of 13 against 10", err)
	}
	if rows, _ := s.Outbox(context.Background(), store.OutboxFilter{}); len(rows) != 0 {
		t.Errorf("a refused batch queued %d messages", len(rows))
	}
	tr.quota.SentLast24Hours = 0
	if _, _, err := svc.Enqueue(context.Background(), portfolio.ReportRoles, "manual"); err != nil {
		t.Errorf("within quota: %v", err)
	}
}

// Throttling is never a failure: transient errors retry with growing
// backoff until the send goes through.
func TestTransientErrorsRetry(t *testing.T) {
	throttled := transient("TooManyRequestsException", errors.New("Maximum sending rate exceeded."))
	tr := &fakeTransport{script: []error{throttled, throttled, transient("InternalFailure", errors.New("oops"))}}
	svc, s, clock := setup(t, tr)
	ctx := context.Background()
	batch, _, _ := svc.Enqueue(ctx, []portfolio.ReportRole{portfolio.RoleCEO}, "manual")
	if err := svc.Drain(ctx, batch); err != nil {
		t.Fatal(err)
	}
	r := statuses(t, s, batch)[portfolio.RoleCEO]
	if r.Status != store.OutboxSent || r.Attempts != 4 {
		t.Errorf("after three transient failures: %s after %d attempts", r.Status, r.Attempts)
	}
	// Backoff 1-2 s, 2-4 s, 4-8 s with jitter: at least 3.5 s waited.
	if clock.Waited() < 3500*time.Millisecond || clock.Waited() > 15*time.Second {
		t.Errorf("waited %v across three backoffs", clock.Waited())
	}
}

func TestTransientErrorsAreBounded(t *testing.T) {
	var script []error
	for range 10 {
		script = append(script, transient("TooManyRequestsException", errors.New("slow down")))
	}
	tr := &fakeTransport{script: script}
	svc, s, _ := setup(t, tr)
	svc.Config.MaxAttempts = 3
	ctx := context.Background()
	batch, _, _ := svc.Enqueue(ctx, []portfolio.ReportRole{portfolio.RoleCEO}, "manual")
	svc.Drain(ctx, batch)
	r := statuses(t, s, batch)[portfolio.RoleCEO]
	if r.Status != store.OutboxFailed || r.Attempts != 3 || !strings.Contains(r.LastError, "gave up after 3 attempts") {
		t.Errorf("%s after %d attempts: %q", r.Status, r.Attempts, r.LastError)
	}
}

func TestPermanentErrorFailsAtOnce(t *testing.T) {
	tr := &fakeTransport{script: []error{permanent("MessageRejected", errors.New("Email address is not verified."))}}
	svc, s, _ := setup(t, tr)
	ctx := context.Background()
	batch, _, _ := svc.Enqueue(ctx, []portfolio.ReportRole{portfolio.RoleCFO}, "manual")
	svc.Drain(ctx, batch)
	r := statuses(t, s, batch)[portfolio.RoleCFO]
	if r.Status != store.OutboxFailed || r.Attempts != 1 || r.LastError != "MessageRejected: Email address is not verified." {
		t.Errorf("%s after %d attempts: %q", r.Status, r.Attempts, r.LastError)
	}
	// The operator retries; this time it goes.
	if err := s.Update(ctx, "op", func(tx *store.Tx) error { return tx.RetryOutbox(ctx, r.ID) }); err != nil {
		t.Fatal(err)
	}
	svc.Drain(ctx, batch)
	if r := statuses(t, s, batch)[portfolio.RoleCFO]; r.Status != store.OutboxSent {
		t.Errorf("after retry: %s", r.Status)
	}
}

// A message left 'sending' by a process that died is uncertain at the next
// start, and is not sent again until the operator decides.
func TestCrashMidSendIsUncertain(t *testing.T) {
	tr := &fakeTransport{}
	svc, s, _ := setup(t, tr)
	ctx := context.Background()
	batch, _, _ := svc.Enqueue(ctx, []portfolio.ReportRole{portfolio.RoleCTO}, "manual")
	if _, ok, err := s.ClaimNextDue(ctx); !ok || err != nil { // a worker took it, then died
		t.Fatal(ok, err)
	}
	if err := svc.Drain(ctx, batch); err != nil {
		t.Fatal(err)
	}
	r := statuses(t, s, batch)[portfolio.RoleCTO]
	if r.Status != store.OutboxUncertain || len(tr.sent) != 0 {
		t.Fatalf("after restart: %s, %d sent", r.Status, len(tr.sent))
	}
	if err := s.Update(ctx, "op", func(tx *store.Tx) error { return tx.RetryOutbox(ctx, r.ID) }); portfolio.ErrorCode(err) != portfolio.ECONFLICT {
		t.Errorf("an uncertain message retried like a failed one: %v", err)
	}
	if err := s.Update(ctx, "op", func(tx *store.Tx) error { return tx.ResolveUncertain(ctx, r.ID, false) }); err != nil {
		t.Fatal(err)
	}
	svc.Drain(ctx, batch)
	if r := statuses(t, s, batch)[portfolio.RoleCTO]; r.Status != store.OutboxSent || len(tr.sent) != 1 {
		t.Errorf("resolved as not sent, then: %s, %d sent", r.Status, len(tr.sent))
	}
}

// Sends keep to the provider's rate, counted in recipients.
func TestThrottleKeepsTheRate(t *testing.T) {
	tr := fakeQuotaTransport{&fakeTransport{quota: &Quota{MaxSendRate: 2, Max24HourSend: 1000}}}
	svc, _, clock := setup(t, tr)
	ctx := context.Background()
	batch, _, _ := svc.Enqueue(ctx, portfolio.ReportRoles, "manual")
	if err := svc.Drain(ctx, batch); err != nil {
		t.Fatal(err)
	}
	// 13 recipients at 2 a second, no burst: 12 waited for, 6 s.
	if clock.Waited() < 5900*time.Millisecond || clock.Waited() > 6100*time.Millisecond {
		t.Errorf("13 recipients at 2/s waited %v, want 6 s", clock.Waited())
	}
}

func TestProgressAndWhatChanged(t *testing.T) {
	tr := &fakeTransport{}
	svc, s, _ := setup(t, tr)
	ctx := context.Background()
	ch, stop := svc.Subscribe()
	defer stop()
	batch, _, _ := svc.Enqueue(ctx, []portfolio.ReportRole{portfolio.RoleCEO}, "manual")
	svc.Drain(ctx, batch)
	var seen []string
	for len(ch) > 0 {
		seen = append(seen, (<-ch).Status)
	}
	if strings.Join(seen, ",") != "queued,sending,sent" {
		t.Errorf("progress %v", seen)
	}
	if strings.Contains(tr.sent[0].Text, "Since the last report") {
		t.Error("the first report claims a previous one")
	}
	v := 4.0
	s.Update(ctx, "t", func(tx *store.Tx) error {
		_, err := tx.SetKPI(ctx, "JADA", "revenue", portfolio.KPIUpdate{Value: &v})
		return err
	})
	batch, _, _ = svc.Enqueue(ctx, []portfolio.ReportRole{portfolio.RoleCEO}, "manual")
	svc.Drain(ctx, batch)
	if !strings.Contains(tr.sent[1].Text, "Missing KPIs: 9 → 8 (better)") {
		t.Errorf("the second report does not say what changed:\n%s", tr.sent[1].Text[:600])
	}
}

func TestAlertGoesToTheAdmin(t *testing.T) {
	tr := &fakeTransport{}
	svc, _, _ := setup(t, tr)
	ctx := context.Background()
	if err := svc.Alert(ctx, "opsdeck: the scheduled CFO report failed", "quota"); err != nil {
		t.Fatal(err)
	}
	svc.Drain(ctx, 1)
	if len(tr.sent) != 1 || tr.sent[0].To[0] != "owner@example.com" || tr.sent[0].Headers["X-Opsdeck-Report"] != "alert" {
		t.Errorf("alert: %+v", tr.sent)
	}
}
