package mail

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/reports"
	"opsdeck/store"
)

var testNow = time.Date(2026, time.November, 26, 19, 0, 0, 0, time.UTC)

// fakeClock advances by itself whenever someone waits on it, and records
// how long they waited in all: throttling and backoff without sleeping.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	waited time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.waited += d
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

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
func setup(t *testing.T, tr Transport) (*Service, *store.Store, *fakeClock) {
	t.Helper()
	clock := &fakeClock{now: testNow}
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "opsdeck.db"), store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Update(context.Background(), "test", func(tx *store.Tx) error { return tx.LoadDemo(context.Background()) }); err != nil {
		t.Fatal(err)
	}
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

func statuses(t *testing.T, s *store.Store, batch int64) map[portfolio.ReportRole]store.OutboxMessage {
	t.Helper()
	rows, err := s.Outbox(context.Background(), store.OutboxFilter{BatchID: batch})
	if err != nil {
		t.Fatal(err)
	}
	out := map[portfolio.ReportRole]store.OutboxMessage{}
	for _, r := range rows {
		out[r.Role] = r
	}
	return out
}
