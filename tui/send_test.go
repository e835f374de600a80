package tui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"opsdeck/mail"
	"opsdeck/portfolio"
	"opsdeck/reports"
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

// mailFor makes a mail service and runs its outbox worker in the
// background, as the console's command does (there under the worker lease,
// with the scheduler: the console follows a batch the same way whether
// this process holds the lease or nobody does).
func mailFor(t *testing.T, s *store.Store, tr mail.Transport) *mail.Service {
	t.Helper()
	return mailAt(t, s, tr, 0)
}

// mailAt is mailFor sending rate messages a second (0: the default).
func mailAt(t *testing.T, s *store.Store, tr mail.Transport, rate float64) *mail.Service {
	t.Helper()
	eng, _ := reports.New(reports.Options{})
	svc, err := mail.NewService(s, eng, tr, mail.Config{From: "reports@example.com", Bcc: "audit@example.com", Rate: rate})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		svc.Run(ctx)
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
	s.waitFor("Send to owner@example.com and an audit copy to audit@example.com via", "test transport?")
	s.keys("left", "enter")
	// One message to the owner (the one that fails), one audit copy.
	s.waitFor("batch 1: 1 sent, 1 failed", "⚠ outbox: 1 failed")
	s.keys("6")
	s.waitFor("1 failed · 1 sent", "owner@example.com", "(audit) audit@example.com", "MessageRejected: Email")
	s.keys("p") // problems only: the failed one
	s.waitFor("problems only (p): 1 failed", "Failed: fix what the error says, then r sends it again")
	s.keys("r")
	s.waitFor("2 sent", "No problems among these messages", "✓ batch 1: 2 sent, 0 failed")
	s.waitGone("⚠ outbox")
	s.keys("p")
	s.waitFor("owner@example.com", "provider-id")
	if tr.sent != 2 {
		t.Errorf("%d sent", tr.sent)
	}
	rows, _ := st.Outbox(context.Background(), store.OutboxFilter{})
	if len(rows) != 2 || rows[0].Status != store.OutboxSent || rows[1].Status != store.OutboxSent || rows[1].Attempts != 1 {
		t.Errorf("outbox: %+v", rows)
	}
}

// A file-transport send from the console writes the .eml files: the
// recipient's and the audit copy.
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
	s.waitFor("batch 1: 2 sent, 0 failed")
	if files, _ := filepath.Glob(filepath.Join(dir, "*-cfo-*.eml")); len(files) != 2 {
		t.Errorf("%d CFO .eml files", len(files))
	}
}

// The end-of-batch line counts the outbox rows, by status: the batch can
// be over before its last progress message reaches the console, and a
// batch of two hundred recipients is said in one line.
func TestBatchSummaryCountsRowsNotProgress(t *testing.T) {
	s := &sender{batch: 7, gen: 1, running: true, msgs: map[int64]sendState{}}
	s.update(progressMsg{mail.Progress{MessageID: 1, BatchID: 7, Status: store.OutboxSent}})
	s.update(progressMsg{mail.Progress{MessageID: 9, BatchID: 8, Status: store.OutboxFailed}}) // another batch's
	if got := ansi.Strip(s.view()); !strings.Contains(got, "1/1 done: 1 sent") {
		t.Errorf("progress line %q", got)
	}
	summary := func(rows ...store.OutboxMessage) (string, bool) {
		t.Helper()
		s.running = true
		cmd, ok := s.update(batchPollMsg{batch: 7, gen: 1, done: true, rows: rows})
		if !ok || cmd == nil {
			t.Fatal("batchPollMsg not handled")
		}
		var got []StatusMsg
		for _, c := range cmd().(tea.BatchMsg) {
			if m, isStatus := c().(StatusMsg); isStatus {
				got = append(got, m)
			}
		}
		if len(got) != 1 {
			t.Fatalf("status messages %+v", got)
		}
		return got[0].Text, got[0].Err
	}
	row := func(id int64, status string, maybe bool) store.OutboxMessage {
		return store.OutboxMessage{ID: id, BatchID: 7, Status: status, MaybeDelivered: maybe}
	}
	if got, isErr := summary(row(1, store.OutboxSent, false), row(2, store.OutboxSent, false), row(3, store.OutboxFailed, false)); got != "batch 7: 2 sent, 1 failed" || !isErr {
		t.Errorf("summary %q (error %v), want batch 7: 2 sent, 1 failed, as an error", got, isErr)
	}
	got, isErr := summary(row(1, store.OutboxSent, false), row(2, store.OutboxDelivered, true), row(3, store.OutboxBounced, false),
		row(4, store.OutboxSuppressed, false), row(5, store.OutboxSuppressed, false), row(6, store.OutboxUncertain, true))
	if want := "batch 7: 3 sent, 0 failed, 1 uncertain, 1 possible duplicate, 2 suppressed, 1 bounced"; got != want || !isErr {
		t.Errorf("summary %q (error %v), want %q, as an error", got, isErr, want)
	}
	if got, isErr := summary(row(1, store.OutboxSent, false), row(2, store.OutboxSuppressed, false)); got != "batch 7: 1 sent, 0 failed, 1 suppressed" || isErr {
		t.Errorf("summary %q (error %v): a suppressed address is skipped on purpose, no error", got, isErr)
	}
}

// While a batch runs, the line above the page counts its messages by
// status, with what needs the operator.
func TestProgressLineCountsByStatus(t *testing.T) {
	s := &sender{batch: 3, gen: 1, running: true, msgs: map[int64]sendState{}, bar: newSender(nil).bar}
	statuses := []string{store.OutboxSent, store.OutboxSent, store.OutboxSent, store.OutboxFailed, store.OutboxSuppressed,
		store.OutboxQueued, store.OutboxQueued, store.OutboxSending}
	for i, st := range statuses {
		s.msgs[int64(i+1)] = sendState{status: st, dup: i == 0, retrying: i == 5}
	}
	got := ansi.Strip(s.view())
	for _, want := range []string{"Sending batch 3", "5/8 done: 3 sent, 1 failed, 1 possible duplicate, 1 suppressed, 1 to retry"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress line %q lacks %q", got, want)
		}
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

// A report to many recipients is asked about in one line, skips who is
// on the suppression list, and is summed up by status.
func TestSendToManyRecipients(t *testing.T) {
	st := storetest.Demo(t, nil)
	ctx := context.Background()
	if err := st.Update(ctx, "test", func(tx *store.Tx) error {
		for i := 1; i <= 6; i++ {
			addr := fmt.Sprintf("r%02d@example.com", i)
			if _, _, err := tx.AddRecipientByEmail(ctx, portfolio.RoleCEO, addr, fmt.Sprintf("Reader %d", i)); err != nil {
				return err
			}
		}
		_, err := tx.Suppress(ctx, "R03@example.com", store.SuppressedComplaint, "abuse", 0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	tr := &flaky{fails: 1}
	s := start(t, newConsole(t, st, Options{Poll: time.Hour, Mail: mailAt(t, st, tr, 5)}))
	s.waitFor("Break-even JADA")
	s.keys("5")
	s.waitFor("CEO report: Queen of San Diego")
	s.keys("s")
	s.waitForFlat("Send to 6 recipients, one message each (owner@example.com, r01@example.com, r02@example.com and 3 more) " +
		"and an audit copy to audit@example.com via test transport?")
	s.waitForFlat("Skipped, on the suppression list (Outbox page, S): r03@example.com.")
	s.keys("left", "enter")
	// Eight messages: six recipients, r03 suppressed, the audit copy.
	s.waitFor("Sending batch 1", "/8 done:", "1 suppressed")
	s.waitFor("batch 1: 6 sent, 1 failed, 1 suppressed", "⚠ outbox: 1 failed")
	if tr.sent != 6 {
		t.Errorf("%d sent", tr.sent)
	}
	s.keys("6")
	screen := s.waitFor("1 failed · 1 suppressed · 6 sent")
	if row := rowWith(screen, "r03@example.com"); !strings.Contains(row, "suppressed") {
		t.Errorf("r03's row: %q", row)
	}
}

// unreadQuota is a file transport that, like SES with GetAccount
// failing, has a quota it cannot read.
type unreadQuota struct{ *mail.FileTransport }

func (unreadQuota) Quota(context.Context) (mail.Quota, error) {
	return mail.Quota{}, errors.New("GetAccount: AccessDenied")
}

// A send whose provider quota could not be read goes, and says so in its
// summary, not silently.
func TestSendSaysTheQuotaWentUnchecked(t *testing.T) {
	st := storetest.Demo(t, nil)
	svc := mailFor(t, st, unreadQuota{&mail.FileTransport{Dir: t.TempDir()}})
	s := start(t, newConsole(t, st, Options{Poll: time.Hour, Mail: svc}))
	s.waitFor("Break-even JADA")
	s.keys("5", "right", "right", "right") // CFO
	s.waitFor("CFO report: Queen of San Diego")
	s.keys("s")
	s.waitFor("Send to owner@example.com")
	s.keys("left", "enter")
	s.waitFor("batch 1: 2 sent, 0 failed", "the 24-hour quota could not be read (GetAccount: AccessDenied)")
}
