package mail

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// A message waiting for the rate limit is still queued: it becomes
// sending only just before its request, so a process stopped during the
// wait leaves nothing uncertain.
func TestSendingOnlyAroundTheProviderCall(t *testing.T) {
	tr := &fakeTransport{}
	svc, s, clock := setup(t, tr)
	noAudit(svc)
	svc.Config.Rate = 1
	clock.Auto = false
	ctx, cancel := context.WithCancel(context.Background())
	batch, _, err := svc.Enqueue(ctx, []portfolio.ReportRole{portfolio.RoleCTO}, "manual") // two recipients
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Drain(ctx, batch) }()
	deadline := time.Now().Add(10 * time.Second)
	for clock.Waiting() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the second message never waited for the rate")
		}
		time.Sleep(5 * time.Millisecond)
	}
	rows := batchRows(t, s, batch)
	if rows[0].Status != store.OutboxSent || rows[1].Status != store.OutboxQueued || rows[1].Attempts != 0 {
		t.Errorf("while the second waits for the rate: %s, %s after %d attempts", rows[0].Status, rows[1].Status, rows[1].Attempts)
	}
	cancel() // the process is told to stop during the wait
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Drain = %v", err)
	}
	rows = batchRows(t, s, batch)
	if rows[1].Status != store.OutboxQueued || rows[1].Attempts != 0 || len(tr.sent) != 1 {
		t.Errorf("after stopping in the wait: %s after %d attempts, %d sent", rows[1].Status, rows[1].Attempts, len(tr.sent))
	}
	if n, err := s.MarkStaleSending(context.Background()); err != nil || n != 0 {
		t.Errorf("%d messages left sending (%v)", n, err)
	}
}

// A provider that cannot be connected to stops a drain at once, saying
// when the message is tried again, instead of sitting through every
// backoff.
func TestUnreachableProviderFailsFast(t *testing.T) {
	tr := &fakeTransport{script: []error{unreachable("NetworkError", errors.New("connect to 127.0.0.1:1: connection refused"))}}
	svc, s, clock := setup(t, tr)
	noAudit(svc)
	ctx := context.Background()
	batch, _, _ := svc.Enqueue(ctx, []portfolio.ReportRole{portfolio.RoleCEO}, "manual")
	err := svc.Drain(ctx, batch)
	var ue *UnreachableError
	if !errors.As(err, &ue) || ue.RetryAt.Before(clock.Now()) {
		t.Fatalf("Drain = %v", err)
	}
	if clock.Waited() != 0 {
		t.Errorf("waited %v for a provider that refuses connections", clock.Waited())
	}
	r := statuses(t, s, batch)[portfolio.RoleCEO]
	if r.Status != store.OutboxQueued || r.Attempts != 1 || !r.NextAttemptAt.Equal(ue.RetryAt) {
		t.Errorf("left %s after %d attempts, next at %v (error says %v)", r.Status, r.Attempts, r.NextAttemptAt, ue.RetryAt)
	}
}

// A send that went through after an attempt cut off once the provider may
// have had it is a possible duplicate: in the progress, on the row and in
// the outbox filter.
func TestPossibleDuplicateIsVisible(t *testing.T) {
	tr := &fakeTransport{script: []error{cutOff("NetworkError", errors.New("connection reset after the request was written")), nil}}
	svc, s, _ := setup(t, tr)
	noAudit(svc)
	ctx := context.Background()
	ch, stop := svc.Subscribe()
	defer stop()
	batch, _, _ := svc.Enqueue(ctx, []portfolio.ReportRole{portfolio.RoleCEO}, "manual")
	if err := svc.Drain(ctx, batch); err != nil {
		t.Fatal(err)
	}
	dup := false
	for len(ch) > 0 {
		if p := <-ch; p.Status == store.OutboxSent {
			dup = p.Duplicate
		}
	}
	r := statuses(t, s, batch)[portfolio.RoleCEO]
	if !dup || !r.PossibleDuplicate() {
		t.Errorf("progress said duplicate %v; row %s maybe=%v", dup, r.Status, r.MaybeDelivered)
	}
	rows, err := s.Outbox(ctx, store.OutboxFilter{Duplicates: true})
	if err != nil || len(rows) != 1 || rows[0].ID != r.ID {
		t.Errorf("--duplicates lists %d rows (%v)", len(rows), err)
	}
}

// Writing .eml files keeps to no provider's rate.
func TestFileTransportIsUnthrottled(t *testing.T) {
	svc, _, clock := setup(t, &FileTransport{Dir: t.TempDir()})
	svc.Config.Rate = 1
	ctx := context.Background()
	batch, _, err := svc.Enqueue(ctx, portfolio.ReportRoles, "manual")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Drain(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if clock.Waited() != 0 {
		t.Errorf("13 files at OPSDECK_SES_RATE=1 waited %v, want none", clock.Waited())
	}
}

// closingTransport takes the message, then the database goes away before
// the send can be recorded (a disk that filled, a file removed).
type closingTransport struct {
	fakeTransport
	s *store.Store
}

func (c *closingTransport) Send(ctx context.Context, m *Message) (string, error) {
	id, err := c.fakeTransport.Send(ctx, m)
	c.s.Close()
	return id, err
}

// A message the provider took but the outbox could not record is never
// reported sent: the progress says uncertain with both facts, and the
// drain fails.
func TestSentButNotRecordedIsNotSent(t *testing.T) {
	tr := &closingTransport{}
	svc, s, _ := setup(t, tr)
	noAudit(svc)
	tr.s = s
	ctx := context.Background()
	ch, stop := svc.Subscribe()
	defer stop()
	batch, _, _ := svc.Enqueue(ctx, []portfolio.ReportRole{portfolio.RoleCEO}, "manual")
	err := svc.Drain(ctx, batch)
	if err == nil || !strings.Contains(err.Error(), "record message") {
		t.Errorf("Drain = %v, want the failure to record the send", err)
	}
	var last Progress
	for len(ch) > 0 {
		last = <-ch
	}
	if last.Status != store.OutboxUncertain || !strings.Contains(last.Error, "the provider accepted it (id fake-") {
		t.Errorf("last progress %s %q, want uncertain", last.Status, last.Error)
	}
}

// An SMTP server that refuses connections fails a drain at once, with the
// time of the next try, rather than after every backoff.
func TestSMTPConnectionRefusedFailsFast(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens there now
	svc, s, clock := setup(t, &SMTPTransport{Host: "127.0.0.1", Port: port, AllowPlain: true})
	noAudit(svc)
	ctx := context.Background()
	batch, _, _ := svc.Enqueue(ctx, []portfolio.ReportRole{portfolio.RoleCEO}, "manual")
	err = svc.Drain(ctx, batch)
	var ue *UnreachableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), "tried again at") {
		t.Fatalf("Drain = %v", err)
	}
	if clock.Waited() != 0 {
		t.Errorf("waited %v on a server that refuses connections", clock.Waited())
	}
	if r := statuses(t, s, batch)[portfolio.RoleCEO]; r.Status != store.OutboxQueued || r.Attempts != 1 {
		t.Errorf("left %s after %d attempts", r.Status, r.Attempts)
	}
}
