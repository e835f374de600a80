package mail

import (
	"context"
	"errors"
	"fmt"
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
	// One message per recipient (1+2+2+1+2) and one audit copy per report.
	if len(msgs) != 13 || len(tr.sent) != 0 {
		t.Fatalf("%d messages queued, %d sent before the worker ran", len(msgs), len(tr.sent))
	}
	rows := batchRows(t, s, batch)
	var accounting []string
	audits := 0
	for _, r := range rows {
		if r.Status != store.OutboxQueued || len(r.To) != 1 || len(r.Bcc) != 0 || !strings.HasPrefix(r.MessageID, "<opsdeck.") ||
			!strings.Contains(r.To[0], r.Recipient) {
			t.Errorf("%s to %q: %+v", r.Role, r.Recipient, r)
		}
		switch {
		case r.Purpose == store.PurposeAudit:
			audits++
			if r.To[0] != "audit@example.com" {
				t.Errorf("%s audit copy to %v", r.Role, r.To)
			}
		case r.Role == portfolio.RoleAccounting:
			accounting = append(accounting, r.Recipient)
		}
	}
	if audits != 5 || strings.Join(accounting, ",") != "owner@example.com,books@example.com" {
		t.Errorf("%d audit copies; accounting to %v", audits, accounting)
	}
	if err := svc.Drain(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if len(tr.sent) != 13 {
		t.Fatalf("%d sent", len(tr.sent))
	}
	for _, m := range tr.sent {
		if len(m.Recipients()) != 1 {
			t.Errorf("%q went to %v: every message has one recipient", m.Subject, m.Recipients())
		}
	}
	for _, r := range batchRows(t, s, batch) {
		if r.Status != store.OutboxSent || r.ProviderID != "fake-"+r.MessageID || r.Attempts != 1 || r.SentAt.IsZero() {
			t.Errorf("%s to %s after drain: %+v", r.Role, r.Recipient, r)
		}
	}
	m := tr.sent[0]
	if m.Headers["X-Opsdeck-Report"] != "ceo" || !strings.Contains(m.Subject, "CEO report") || !strings.Contains(m.HTML, "<!DOCTYPE html>") ||
		!strings.Contains(m.Text, "CEO REPORT") {
		t.Errorf("first message: %s %v", m.Subject, m.Headers)
	}
}

// Two hundred recipients are two hundred messages of one address each,
// plus one audit copy: no recipient sees another's address, and SES's
// limit of 50 recipients a message never comes into it.
func TestManyRecipientsOneMessageEach(t *testing.T) {
	tr := &fakeTransport{}
	svc, s, _ := setup(t, tr)
	ctx := context.Background()
	if err := s.Update(ctx, "t", func(tx *store.Tx) error {
		for i := range 199 {
			if _, _, err := tx.AddRecipientByEmail(ctx, portfolio.RoleCEO, fmt.Sprintf("exec%03d@example.com", i), fmt.Sprintf("Exec %d", i)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	batch, msgs, err := svc.Enqueue(ctx, []portfolio.ReportRole{portfolio.RoleCEO}, "manual")
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 201 {
		t.Fatalf("%d messages for 200 recipients and an audit copy", len(msgs))
	}
	if err := svc.Drain(ctx, batch); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, m := range tr.sent {
		if len(m.Recipients()) != 1 {
			t.Fatalf("a message to %d addresses", len(m.Recipients()))
		}
		seen[m.To[0]]++
	}
	if len(seen) != 201 {
		t.Errorf("%d distinct addresses got a copy, want 201", len(seen))
	}
}

// One bad address fails its message with the reason; every other
// recipient's message goes, including the other recipients of that role.
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
	failed, cmoSent := 0, 0
	for _, r := range batchRows(t, s, batch) {
		switch {
		case r.Status == store.OutboxFailed:
			failed++
			if r.Role != portfolio.RoleCMO || !strings.Contains(r.LastError, "newhire at example dot com") {
				t.Errorf("failed: %s %q", r.Role, r.LastError)
			}
		case r.Role == portfolio.RoleCMO && r.Status == store.OutboxSent:
			cmoSent++
		}
	}
	if failed != 1 || cmoSent != 3 || len(tr.sent) != 13 {
		t.Errorf("%d failed, %d CMO copies sent (want 2 recipients and the audit copy), %d sent in all (want 13)", failed, cmoSent, len(tr.sent))
	}
}

// An address on the suppression list is skipped, said so on its row, and
// costs nothing from the quota; the others go.
func TestSuppressedAddressIsSkipped(t *testing.T) {
	tr := &fakeTransport{}
	svc, s, _ := setup(t, tr)
	ctx := context.Background()
	if err := s.Update(ctx, "t", func(tx *store.Tx) error {
		_, err := tx.Suppress(ctx, "Chris.Novak@example.com", store.SuppressedBounce, "550 5.1.1 user unknown", 0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	p, err := svc.Prepare(ctx, []portfolio.ReportRole{portfolio.RoleCTO}, "manual")
	if err != nil {
		t.Fatal(err)
	}
	if p.Count(store.OutboxSuppressed) != 1 || p.Recipients() != 2 || p.Problem() != nil {
		t.Fatalf("%d suppressed, %d recipients, problem %v", p.Count(store.OutboxSuppressed), p.Recipients(), p.Problem())
	}
	if err := p.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	svc.Drain(ctx, p.BatchID)
	for _, r := range batchRows(t, s, p.BatchID) {
		if r.Recipient == "chris.novak@example.com" {
			if r.Status != store.OutboxSuppressed || r.Attempts != 0 || !strings.Contains(r.LastError, "550 5.1.1 user unknown") ||
				!strings.Contains(r.LastError, "opsdeck suppression remove chris.novak@example.com") {
				t.Errorf("suppressed row: %s after %d attempts, %q", r.Status, r.Attempts, r.LastError)
			}
		} else if r.Status != store.OutboxSent {
			t.Errorf("%s: %s", r.Recipient, r.Status)
		}
	}
	if len(tr.sent) != 2 {
		t.Errorf("%d sent, want owner and the audit copy", len(tr.sent))
	}
}

// A test send goes to one address that is no recipient, marked as a test,
// with no audit copy, and is no "last report" for what-changed.
func TestTestSendGoesToOneAddress(t *testing.T) {
	tr := &fakeTransport{}
	svc, s, _ := setup(t, tr)
	ctx := context.Background()
	p, err := svc.PrepareTest(ctx, portfolio.RoleCFO, "Ops Desk <ops@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := svc.Drain(ctx, p.BatchID); err != nil {
		t.Fatal(err)
	}
	rows := batchRows(t, s, p.BatchID)
	if len(rows) != 1 || rows[0].Purpose != store.PurposeTest || rows[0].Recipient != "ops@example.com" || rows[0].Status != store.OutboxSent {
		t.Fatalf("test send rows: %+v", rows)
	}
	if len(tr.sent) != 1 || !strings.HasPrefix(tr.sent[0].Subject, "[test] ") || tr.sent[0].Headers["X-Opsdeck-Test"] != "1" {
		t.Errorf("sent %+v", tr.sent)
	}
	if _, ok, _ := s.LastSentFigures(ctx, portfolio.RoleCFO); ok {
		t.Error("a test copy counts as the last CFO report sent")
	}
	if _, err := svc.PrepareTest(ctx, portfolio.RoleCFO, "not an address"); portfolio.ErrorCode(err) != portfolio.EINVALID {
		t.Errorf("a bad --to: %v", err)
	}
}

func TestNoRecipientsFailsClearly(t *testing.T) {
	svc, s, _ := setup(t, &fakeTransport{})
	ctx := context.Background()
	if err := s.Update(ctx, "t", func(tx *store.Tx) error { return tx.RemoveRecipient(ctx, portfolio.RoleCFO, "owner@example.com") }); err != nil {
		t.Fatal(err)
	}
	p, err := svc.Prepare(ctx, []portfolio.ReportRole{portfolio.RoleCFO}, "schedule")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Problem(); err == nil || !strings.Contains(err.Error(), "has no recipients (opsdeck recipients add cfo EMAIL)") || p.Recipients() != 0 {
		t.Errorf("Problem = %v, %d recipients", err, p.Recipients())
	}
}

func TestQuotaRefusesTheBatch(t *testing.T) {
	tr := fakeQuotaTransport{&fakeTransport{quota: &Quota{MaxSendRate: 14, Max24HourSend: 200, SentLast24Hours: 190}}}
	svc, s, _ := setup(t, tr)
	// 1+2+2+1+2 recipients plus an audit copy per report = 13 > 10.
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

// Mail queued and not yet sent counts against what remains today: two
// batches that each fit cannot both be queued against one remainder.
func TestQuotaCountsWhatIsQueued(t *testing.T) {
	tr := fakeQuotaTransport{&fakeTransport{quota: &Quota{MaxSendRate: 14, Max24HourSend: 200, SentLast24Hours: 190}}}
	svc, s, _ := setup(t, tr)
	ctx := context.Background()
	roles := []portfolio.ReportRole{portfolio.RoleCTO, portfolio.RoleCMO} // 2+2 recipients, 2 audit copies
	if _, _, err := svc.Enqueue(ctx, roles, "manual"); err != nil {
		t.Fatal(err)
	}
	_, _, err := svc.Enqueue(ctx, roles, "manual")
	var qe *QuotaError
	if !errors.As(err, &qe) || qe.Need != 6 || qe.Pending != 6 || qe.Remaining != 10 || !strings.Contains(err.Error(), "6 recipients are already queued") {
		t.Fatalf("second batch: %v", err)
	}
	if rows, _ := s.Outbox(ctx, store.OutboxFilter{}); len(rows) != 6 {
		t.Errorf("%d messages queued, want the first batch's 6", len(rows))
	}
}

// When the quota cannot be read the batch is still queued, and the
// Prepared batch says why there was no daily check.
func TestQuotaUnknownIsSaid(t *testing.T) {
	tr := fakeQuotaTransport{&fakeTransport{}} // Quota answers "no quota"
	svc, _, _ := setup(t, tr)
	p, err := svc.Prepare(context.Background(), []portfolio.ReportRole{portfolio.RoleCEO}, "manual")
	if err != nil {
		t.Fatal(err)
	}
	if p.Quota != nil || p.QuotaErr == nil {
		t.Fatalf("quota %v, error %v", p.Quota, p.QuotaErr)
	}
	if err := p.Commit(context.Background()); err != nil {
		t.Errorf("queue with the quota unknown: %v", err)
	}
}

// Throttling is never a failure: transient errors retry with growing
// backoff until the send goes through.
func TestTransientErrorsRetry(t *testing.T) {
	throttled := transient("TooManyRequestsException", errors.New("Maximum sending rate exceeded."))
	tr := &fakeTransport{script: []error{throttled, throttled, transient("InternalFailure", errors.New("oops"))}}
	svc, s, clock := setup(t, tr)
	noAudit(svc)
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
	noAudit(svc)
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
	noAudit(svc)
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
	noAudit(svc)
	ctx := context.Background()
	batch, _, _ := svc.Enqueue(ctx, []portfolio.ReportRole{portfolio.RoleCEO}, "manual")
	if _, ok, err := s.ClaimNextDue(ctx); !ok || err != nil { // a worker took it, then died
		t.Fatal(ok, err)
	}
	if err := svc.Drain(ctx, batch); err != nil {
		t.Fatal(err)
	}
	r := statuses(t, s, batch)[portfolio.RoleCEO]
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
	if r := statuses(t, s, batch)[portfolio.RoleCEO]; r.Status != store.OutboxSent || len(tr.sent) != 1 {
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
	noAudit(svc)
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
	if err := svc.Store.Update(ctx, "scheduler", func(tx *store.Tx) error {
		return svc.QueueAlert(ctx, tx, "opsdeck: the scheduled CFO report failed", "quota")
	}); err != nil {
		t.Fatal(err)
	}
	svc.Drain(ctx, 1)
	if len(tr.sent) != 1 || tr.sent[0].To[0] != "owner@example.com" || tr.sent[0].Headers["X-Opsdeck-Report"] != "alert" {
		t.Errorf("alert: %+v", tr.sent)
	}
	if rows := batchRows(t, svc.Store, 1); len(rows) != 1 || rows[0].Recipient != "owner@example.com" {
		t.Errorf("alert row: %+v", rows)
	}
}
