package tui

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"

	"opsdeck/mail"
	"opsdeck/portfolio"
	"opsdeck/store"
)

// workerLease is the lease whose holder runs the outbox worker.
const workerLease = "worker"

// sender runs one batch at a time for the console and reports progress.
type sender struct {
	c       *Context
	batch   int64
	total   int
	done    int
	failed  int
	running bool
	bar     progress.Model
	updates <-chan mail.Progress
	stop    func()
}

type (
	// batchQueuedMsg: the batch is in the outbox.
	batchQueuedMsg struct {
		batch int64
		total int
		err   error
	}
	// progressMsg carries one message's delivery change.
	progressMsg struct{ p mail.Progress }
	// batchDoneMsg: the worker finished the batch (or left it to another
	// process).
	batchDoneMsg struct {
		batch        int64
		sent, failed int // from the outbox rows, which progress may trail
		err          error
		elsewhr      string
	}
)

func newSender(c *Context) *sender {
	return &sender{c: c, bar: progress.New(progress.WithDefaultBlend(), progress.WithWidth(30))}
}

// enqueue queues roles' reports in a Cmd.
func (s *sender) enqueue(roles []portfolio.ReportRole) tea.Cmd {
	svc := s.c.Mail
	if svc == nil {
		return status("sending is not configured", true)
	}
	ctx := s.c.Ctx
	return func() tea.Msg {
		batch, msgs, err := svc.Enqueue(ctx, roles, "console")
		queued := 0
		for _, m := range msgs {
			if m.Status == store.OutboxQueued {
				queued++
			}
		}
		return batchQueuedMsg{batch: batch, total: queued, err: err}
	}
}

// start follows a queued batch. The console never sends by itself: the
// outbox worker does, in this process if it holds the worker lease (the
// console runs one in the background), else in the process that does
// (opsdeck serve). Two workers in one process would mistake each other's
// sends for a crash's.
func (s *sender) start(msg batchQueuedMsg) tea.Cmd {
	s.batch, s.total, s.done, s.failed, s.running = msg.batch, msg.total, 0, 0, true
	svc := s.c.Mail
	s.updates, s.stop = svc.Subscribe()
	svc.Wake()
	ctx, st := s.c.Ctx, s.c.Store
	batch := msg.batch
	watch := func() tea.Msg {
		// Report who sends, then wait (polling the store, which also sees
		// sends made by another process) until nothing of the batch waits.
		for {
			rows, err := st.Outbox(ctx, store.OutboxFilter{BatchID: batch})
			if err != nil {
				return batchDoneMsg{batch: batch, err: err}
			}
			pending, sent, failed := 0, 0, 0
			for _, r := range rows {
				switch r.Status {
				case store.OutboxQueued, store.OutboxSending:
					pending++
				case store.OutboxSent:
					sent++
				case store.OutboxFailed:
					failed++
				}
			}
			if pending == 0 {
				return batchDoneMsg{batch: batch, sent: sent, failed: failed}
			}
			if l, live, err := st.LeaseHolder(ctx, workerLease); err == nil && live && !strings.HasPrefix(l.Holder, "console:"+strconv.Itoa(os.Getpid())+"@") {
				return batchDoneMsg{batch: batch, elsewhr: l.Holder}
			}
			select {
			case <-ctx.Done():
				return batchDoneMsg{batch: batch, err: ctx.Err()}
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	return tea.Batch(watch, s.listen())
}

// listen waits for the next progress update.
func (s *sender) listen() tea.Cmd {
	ch := s.updates
	return func() tea.Msg {
		p, ok := <-ch
		if !ok {
			return nil
		}
		return progressMsg{p}
	}
}

// update handles the sender's messages; it returns a command and whether
// the message was the sender's.
func (s *sender) update(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case batchQueuedMsg:
		if msg.err != nil {
			return status("not queued: "+portfolio.ErrorMessage(msg.err), true), true
		}
		if msg.total == 0 {
			return status("nothing to send: every message failed its checks (see the Outbox page)", true), true
		}
		return s.start(msg), true
	case progressMsg:
		if msg.p.BatchID == s.batch {
			switch msg.p.Status {
			case store.OutboxSent:
				s.done++
			case store.OutboxFailed:
				s.failed++
			}
		}
		if s.running {
			return s.listen(), true
		}
		return nil, true
	case batchDoneMsg:
		if msg.batch != s.batch {
			return nil, true
		}
		s.running = false
		if s.stop != nil {
			s.stop()
			s.stop = nil
		}
		// The summary counts the rows, not the progress messages: a
		// batch can finish before its last progress message arrives.
		if msg.err == nil && msg.elsewhr == "" {
			s.done, s.failed = msg.sent, msg.failed
		}
		text := fmt.Sprintf("batch %d: %d sent, %d failed", msg.batch, s.done, s.failed)
		isErr := s.failed > 0
		switch {
		case msg.err != nil:
			text, isErr = fmt.Sprintf("batch %d stopped: %v", msg.batch, msg.err), true
		case msg.elsewhr != "":
			text = fmt.Sprintf("batch %d queued; %s runs the outbox worker and will send it", msg.batch, msg.elsewhr)
		}
		return tea.Batch(status(text, isErr), func() tea.Msg { return outsideChangeMsg{} }), true
	}
	return nil, false
}

// view is the progress line while a batch runs.
func (s *sender) view() string {
	if !s.running || s.total == 0 {
		return ""
	}
	return fmt.Sprintf(" Sending batch %d  %s  %d/%d sent", s.batch, s.bar.ViewAs(float64(s.done+s.failed)/float64(s.total)), s.done, s.total)
}

// outsideChangeMsg asks the console to reload (the worker wrote).
type outsideChangeMsg struct{}
