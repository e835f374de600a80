package tui

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"opsdeck/mail"
	"opsdeck/portfolio"
	"opsdeck/reports"
	"opsdeck/schedule"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// flaky fails its first sends permanently, then delivers.
type flaky struct {
	mu    sync.Mutex
	fails int
	sent  int
}

func (f *flaky) Name() string { return "test transport" }

func (f *flaky) Send(context.Context, *mail.Message) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		return "", &mail.SendError{Code: "MessageRejected", Err: errors.New("Email address is not verified.")}
	}
	f.sent++
	return "provider-id", nil
}

// roleQueue adapts the mail service to the scheduler.
type roleQueue struct{ *mail.Service }

func (q roleQueue) Prepare(ctx context.Context, role portfolio.ReportRole, reason string) (schedule.Batch, error) {
	p, err := q.Service.Prepare(ctx, []portfolio.ReportRole{role}, reason)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// mailFor makes a mail service and runs its worker in the background under
// the lease, as the console's command does.
func mailFor(t *testing.T, s *store.Store, tr mail.Transport) *mail.Service {
	t.Helper()
	eng, _ := reports.New(reports.Options{})
	svc, err := mail.NewService(s, eng, tr, mail.Config{From: "reports@example.com", Bcc: "audit@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		schedule.Background(s, roleQueue{svc}, svc, svc, schedule.BackgroundOptions{Holder: schedule.Holder("console"),
			Logger: slog.New(slog.DiscardHandler), MaxCatchUp: time.Hour})(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return svc
}

func TestSendFromReportsAndRetryFromOutbox(t *testing.T) {
	st := storetest.Demo(t, nil)
	tr := &flaky{fails: 1}
	s := start(t, newConsole(t, st, Options{Poll: time.Hour, Mail: mailFor(t, st, tr)}))
	s.waitFor("Break-even JADA")
	s.keys("5")
	s.waitFor("CEO report: Queen of San Diego")
	s.keys("s")
	s.waitFor("Send to owner@example.com, audit@example.com (bcc) via test transport?")
	s.keys("left", "enter")
	s.waitFor("batch 1: 0 sent, 1 failed", "⚠ 1 needs attention (Outbox, Schedules)")
	s.keys("6")
	s.waitFor("1 failed", "MessageRejected: Email address is not v")
	s.keys("r")
	s.waitFor("1 sent", "provider-id")
	if tr.sent != 1 {
		t.Errorf("%d sent", tr.sent)
	}
	rows, _ := st.Outbox(context.Background(), store.OutboxFilter{})
	if len(rows) != 1 || rows[0].Status != store.OutboxSent || rows[0].Attempts != 1 {
		t.Errorf("outbox: %+v", rows)
	}
}

// A file-transport send from the console writes the .eml file.
func TestSendWritesFile(t *testing.T) {
	st := storetest.Demo(t, nil)
	dir := t.TempDir()
	svc := mailFor(t, st, &mail.FileTransport{Dir: dir})
	s := start(t, newConsole(t, st, Options{Poll: time.Hour, Mail: svc}))
	s.waitFor("Break-even JADA")
	s.keys("5", "right", "right", "right") // CFO
	s.waitFor("CFO report: Queen of San Diego")
	s.keys("s")
	s.waitFor("Send to owner@example.com")
	s.keys("left", "enter")
	s.waitFor("batch 1: 1 sent, 0 failed")
	if files, _ := filepath.Glob(filepath.Join(dir, "*-cfo-*.eml")); len(files) != 1 {
		t.Errorf("%d CFO .eml files", len(files))
	}
}

// The end-of-batch line counts the outbox rows: the batch can be over
// before its last progress message reaches the console.
func TestBatchSummaryCountsRowsNotProgress(t *testing.T) {
	s := &sender{batch: 7, total: 3, running: true}
	s.update(progressMsg{mail.Progress{BatchID: 7, Status: store.OutboxSent}})
	cmd, ok := s.update(batchDoneMsg{batch: 7, sent: 2, failed: 1})
	if !ok || cmd == nil {
		t.Fatal("batchDoneMsg not handled")
	}
	var got []string
	for _, c := range cmd().(tea.BatchMsg) {
		if m, isStatus := c().(StatusMsg); isStatus {
			got = append(got, m.Text)
		}
	}
	if len(got) != 1 || got[0] != "batch 7: 2 sent, 1 failed" {
		t.Errorf("summary %q, want batch 7: 2 sent, 1 failed", got)
	}
}

// s on a report nobody receives says who to add, and queues nothing that
// could only fail.
func TestSendWithoutRecipientsSaysWhoToAdd(t *testing.T) {
	st := storetest.Open(t, nil)
	s := start(t, newConsole(t, st, Options{Poll: time.Hour, Mail: mailFor(t, st, &flaky{})}))
	s.keys("5")
	s.waitFor("CEO report: Portfolio")
	s.keys("s")
	s.waitFor("nobody receives the CEO report: add it to a person's reports on Records (8)")
	if rows, _ := st.Outbox(context.Background(), store.OutboxFilter{}); len(rows) != 0 {
		t.Errorf("queued: %+v", rows)
	}
}
