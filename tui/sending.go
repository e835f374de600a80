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

// sender follows one batch at a time for the console and shows its
// progress. A batch is a message per recipient (and a report's audit
// copy), so it may be a thousand messages: the progress line and the
// summary count them by status rather than list them.
type sender struct {
	c     *Context
	batch int64
	// msgs is the state of every message of the batch, by id: from the
	// store at each poll, and from the worker's progress between polls.
	msgs    map[int64]sendState
	running bool
	gen     int // counts starts: a poll for an earlier start is dropped
	bar     progress.Model
	updates <-chan mail.Progress
	stop    func()
	// warning is said with the batch's progress and its summary: the
	// provider's 24-hour quota could not be read, so it went unchecked.
	warning string
}

// sendState is where one message of the batch stands.
type sendState struct {
	status   string
	dup      bool // went out after an attempt that may already have delivered it
	retrying bool // queued again after a failed attempt
}

type (
	// batchQueuedMsg: the batch is in the outbox; msgs is what was
	// queued, when the console queued it (a retry sends none).
	batchQueuedMsg struct {
		batch   int64
		total   int // messages queued to be sent
		msgs    []store.OutboxMessage
		err     error
		warning string
	}
	// progressMsg carries one message's delivery change.
	progressMsg struct{ p mail.Progress }
	// batchPollMsg is the batch as the outbox has it: done when nothing
	// of it waits, elsewhr when another process runs the worker.
	batchPollMsg struct {
		batch   int64
		gen     int
		rows    []store.OutboxMessage
		done    bool
		err     error
		elsewhr string
	}
)

// pollEvery is how often the sender reads the batch's rows.
const pollEvery = 200 * time.Millisecond

func newSender(c *Context) *sender {
	return &sender{c: c, bar: progress.New(progress.WithDefaultBlend(), progress.WithWidth(20))}
}

// enqueue queues roles' reports in a Cmd.
func (s *sender) enqueue(roles []portfolio.ReportRole) tea.Cmd {
	svc := s.c.Mail
	if svc == nil {
		return status("sending is not configured", true)
	}
	ctx := s.c.Ctx
	return func() tea.Msg {
		p, err := svc.Prepare(ctx, roles, "console")
		if err == nil {
			err = p.Commit(ctx)
		}
		if err != nil {
			return batchQueuedMsg{err: err}
		}
		msg := batchQueuedMsg{batch: p.BatchID, total: p.Count(store.OutboxQueued), msgs: p.Messages}
		if p.QuotaErr != nil {
			msg.warning = fmt.Sprintf("the 24-hour quota could not be read (%v): no daily check, sending at OPSDECK_SES_RATE", p.QuotaErr)
		}
		return msg
	}
}

// start follows a queued batch. The console never sends by itself: the
// outbox worker does, in this process if it holds the worker lease (the
// console runs one in the background), else in the process that does
// (opsdeck serve). Two workers in one process would mistake each other's
// sends for a crash's.
func (s *sender) start(msg batchQueuedMsg) tea.Cmd {
	if s.stop != nil {
		s.stop()
	}
	s.gen++
	s.batch, s.running, s.warning = msg.batch, true, safe(msg.warning)
	s.msgs = map[int64]sendState{}
	for _, m := range msg.msgs {
		s.msgs[m.ID] = sendState{status: m.Status}
	}
	svc := s.c.Mail
	if svc == nil {
		// Sending is off in this console (its mail settings are wrong):
		// the batch is queued, and whoever runs the outbox worker
		// (opsdeck serve) sends it; the store shows how it goes.
		s.updates, s.stop = nil, nil
		return s.poll(msg.batch, 0)
	}
	s.updates, s.stop = svc.Subscribe()
	svc.Wake()
	return tea.Batch(s.poll(msg.batch, 0), s.listen())
}

// poll reads the batch's rows after wait (the store also sees sends made
// by another process), and who runs the worker while some of it waits.
func (s *sender) poll(batch int64, wait time.Duration) tea.Cmd {
	ctx, st, gen := s.c.Ctx, s.c.Store, s.gen
	return func() tea.Msg {
		if wait > 0 {
			select {
			case <-ctx.Done():
				return batchPollMsg{batch: batch, gen: gen, err: ctx.Err()}
			case <-time.After(wait):
			}
		}
		rows, err := st.Outbox(ctx, store.OutboxFilter{BatchID: batch, Limit: wholeBatch})
		if err != nil {
			return batchPollMsg{batch: batch, gen: gen, err: err}
		}
		msg := batchPollMsg{batch: batch, gen: gen, rows: rows, done: true}
		for _, r := range rows {
			if r.Status == store.OutboxQueued || r.Status == store.OutboxSending {
				msg.done = false
				break
			}
		}
		if !msg.done {
			if l, live, err := st.LeaseHolder(ctx, workerLease); err == nil && live && !strings.HasPrefix(l.Holder, "console:"+strconv.Itoa(os.Getpid())+"@") {
				msg.elsewhr = l.Holder
			}
		}
		return msg
	}
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

// tally is a batch's messages counted by where they stand. Sent counts
// every message the provider took, bounced and complained included.
type tally struct {
	total, pending, retrying, sent, failed, uncertain, suppressed, bounced, complained, dups int
}

func (s *sender) tally() tally {
	var t tally
	for _, m := range s.msgs {
		t.total++
		switch m.status {
		case store.OutboxQueued, store.OutboxSending:
			t.pending++
			if m.retrying {
				t.retrying++
			}
		case store.OutboxFailed:
			t.failed++
		case store.OutboxUncertain:
			t.uncertain++
		case store.OutboxSuppressed:
			t.suppressed++
		}
		if store.WentOut(m.status) {
			t.sent++
		}
		switch m.status {
		case store.OutboxBounced:
			t.bounced++
		case store.OutboxComplained:
			t.complained++
		}
		if m.dup && store.WentOut(m.status) {
			t.dups++
		}
	}
	return t
}

// problems lists what went wrong in t, for the progress line and the
// summary: "2 suppressed, 1 uncertain, 1 possible duplicate".
func (t tally) problems() []string {
	var out []string
	add := func(n int, text string) {
		if n > 0 {
			out = append(out, text)
		}
	}
	add(t.uncertain, fmt.Sprintf("%d uncertain", t.uncertain))
	add(t.dups, portfolio.Plural(int64(t.dups), "possible duplicate", "possible duplicates"))
	add(t.suppressed, fmt.Sprintf("%d suppressed", t.suppressed))
	add(t.bounced, fmt.Sprintf("%d bounced", t.bounced))
	add(t.complained, portfolio.Plural(int64(t.complained), "complaint", "complaints"))
	return out
}

// setRows replaces the batch's state with the store's.
func (s *sender) setRows(rows []store.OutboxMessage) {
	s.msgs = make(map[int64]sendState, len(rows))
	for _, r := range rows {
		s.msgs[r.ID] = sendState{status: r.Status, dup: r.MaybeDelivered, retrying: r.Status == store.OutboxQueued && r.Attempts > 0}
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
			failed, suppressed := 0, 0
			for _, m := range msg.msgs {
				switch m.Status {
				case store.OutboxFailed:
					failed++
				case store.OutboxSuppressed:
					suppressed++
				}
			}
			why := "every message failed its checks"
			switch {
			case suppressed > 0 && failed > 0:
				why = fmt.Sprintf("%d failed their checks and %d %s on the suppression list", failed, suppressed,
					map[bool]string{true: "is", false: "are"}[suppressed == 1])
			case suppressed > 0:
				why = "every recipient is on the suppression list"
			}
			return status("nothing to send: "+why+" (see the Outbox page)", true), true
		}
		return s.start(msg), true
	case progressMsg:
		if p := msg.p; p.BatchID == s.batch && s.running {
			prev := s.msgs[p.MessageID]
			s.msgs[p.MessageID] = sendState{status: p.Status, dup: prev.dup, retrying: p.Status == store.OutboxQueued && p.Error != ""}
		}
		if s.running {
			return s.listen(), true
		}
		return nil, true
	case batchPollMsg:
		if msg.batch != s.batch || msg.gen != s.gen || !s.running {
			return nil, true
		}
		if msg.err == nil {
			s.setRows(msg.rows)
		}
		if msg.err == nil && !msg.done && msg.elsewhr == "" {
			return s.poll(msg.batch, pollEvery), true
		}
		s.running = false
		if s.stop != nil {
			s.stop()
			s.stop = nil
		}
		return tea.Batch(s.finish(msg), func() tea.Msg { return outsideChangeMsg{} }), true
	}
	return nil, false
}

// finish is the status line at the end of a batch. It counts the rows,
// not the progress messages: a batch can finish before its last progress
// message arrives.
func (s *sender) finish(msg batchPollMsg) tea.Cmd {
	t := s.tally()
	switch {
	case msg.err != nil:
		return status(fmt.Sprintf("batch %d stopped: %v", msg.batch, msg.err), true)
	case msg.elsewhr != "":
		return status(fmt.Sprintf("batch %d queued; %s runs the outbox worker and will send it", msg.batch, msg.elsewhr), false)
	}
	text := strings.Join(append([]string{fmt.Sprintf("batch %d: %d sent", msg.batch, t.sent), fmt.Sprintf("%d failed", t.failed)},
		t.problems()...), ", ")
	if s.warning != "" {
		text += "; " + s.warning
	}
	return status(text, t.failed+t.uncertain+t.dups+t.bounced+t.complained > 0 || s.warning != "")
}

// view is the progress line while a batch runs: how far it is, and how
// its messages stand.
func (s *sender) view() string {
	if !s.running {
		return ""
	}
	t := s.tally()
	if t.total == 0 {
		return fmt.Sprintf(" Sending batch %d…", s.batch)
	}
	parts := []string{fmt.Sprintf("%d sent", t.sent)}
	if t.failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", t.failed))
	}
	parts = append(parts, t.problems()...)
	if t.retrying > 0 {
		parts = append(parts, fmt.Sprintf("%d to retry", t.retrying))
	}
	done := t.total - t.pending
	line := fmt.Sprintf(" Sending batch %d  %s  %d/%d done: %s", s.batch, s.bar.ViewAs(float64(done)/float64(t.total)), done, t.total,
		strings.Join(parts, ", "))
	if s.warning != "" {
		line += " · no daily quota check"
	}
	return line
}

// outsideChangeMsg asks the console to reload (the worker wrote).
type outsideChangeMsg struct{}
