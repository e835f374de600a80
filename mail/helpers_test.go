package mail

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/reports"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// fakeTransport records what it is asked to send and answers from a script
// of errors (nil means success).
type fakeTransport struct {
	mu     sync.Mutex
	sent   []*Message
	script []error
	quota  *Quota
}

func (f *fakeTransport) Name() string { return "fake" }

func (f *fakeTransport) Send(_ context.Context, m *Message) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.script) > 0 {
		err := f.script[0]
		f.script = f.script[1:]
		if err != nil {
			return "", err
		}
	}
	f.sent = append(f.sent, m)
	return "fake-" + m.ID, nil
}

type fakeQuotaTransport struct{ *fakeTransport }

func (f fakeQuotaTransport) Quota(context.Context) (Quota, error) {
	if f.quota == nil {
		return Quota{}, errors.New("no quota")
	}
	return *f.quota, nil
}

// setup returns a demo store (clock shared with the service) and a service
// over transport t.
func setup(t *testing.T, tr Transport) (*Service, *store.Store, *storetest.Clock) {
	t.Helper()
	// Waits pass at once: throttling and backoff without sleeping.
	clock := storetest.NewAutoClock(storetest.Now)
	s := storetest.Demo(t, clock)
	eng, err := reports.New(reports.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := NewService(s, eng, tr, Config{From: "Opsdeck Reports <reports@example.com>", Bcc: "audit@example.com",
		AdminEmail: "owner@example.com", Rate: 100})
	if err != nil {
		t.Fatal(err)
	}
	svc.Clock = clock
	return svc, s, clock
}

// batchRows returns a batch's messages in the order they were queued.
func batchRows(t *testing.T, s *store.Store, batch int64) []store.OutboxMessage {
	t.Helper()
	rows, err := s.Outbox(context.Background(), store.OutboxFilter{BatchID: batch, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(rows)
	return rows
}

// statuses returns a batch's recipient messages keyed by role, for roles
// with one recipient each (the demo's CEO and CFO), or the role's last.
func statuses(t *testing.T, s *store.Store, batch int64) map[portfolio.ReportRole]store.OutboxMessage {
	t.Helper()
	out := map[portfolio.ReportRole]store.OutboxMessage{}
	for _, r := range batchRows(t, s, batch) {
		if r.Purpose == store.PurposeRecipient {
			out[r.Role] = r
		}
	}
	return out
}

// noAudit turns the audit copy off, so a role's messages are its
// recipients' alone.
func noAudit(svc *Service) *Service {
	svc.Config.Bcc = ""
	return svc
}
