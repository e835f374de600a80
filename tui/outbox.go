package tui

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// outboxPage is the delivery log: a row per message (one per recipient,
// and a report's audit copy), with its status, attempts and the
// provider's last word. enter opens a message with everything known of
// it; p keeps the problems, b one batch, / searches. Failed messages can
// be retried; uncertain ones (a crash mid-send) are settled by the
// operator, never resent on their own. S shows the suppression list,
// where an address can be added or taken off.
type outboxPage struct {
	c    *Context
	list *List
	// all is the newest messages (Data.Outbox); batchRows the whole of
	// batch, once read; rows those the list shows, in its order.
	all, batchRows []store.OutboxMessage
	rows           []store.OutboxMessage
	batch          int64 // 0: every batch
	problems       bool  // only the messages that need a look
	filter         textinput.Model
	filtering      bool
	form           *pageForm
	mode           outboxMode
	detail         store.OutboxMessage // the message open in the detail view
	detailLines    []string
	detailOff      int
	// events is what SES said of the open message, newest first, once
	// read (eventsOf is the message they are of).
	events    []store.SESEvent
	eventsOf  int64
	eventsErr error
	// attempts is what the audit log says of the open message: each
	// attempt, its error, and what the operator did, newest first.
	attempts      []store.AuditEntry
	attemptsErr   error
	supp          []store.Suppression
	suppList      *List
	width, height int
	keys          struct {
		retry, retryAll, wasSent, resend, problems, batch, suppressions, unsuppress, suppress, history key.Binding
	}
}

type outboxMode int

const (
	outboxList outboxMode = iota
	outboxDetail
	outboxSuppressions
)

// outboxBatchMsg answers loadBatch: every message of one batch.
type outboxBatchMsg struct {
	batch int64
	rows  []store.OutboxMessage
	err   error
}

// sesEventsMsg answers loadEvents: the SES events of message id.
type sesEventsMsg struct {
	id     int64
	events []store.SESEvent
	err    error
	// attempts is the message's audit entries, read with its events.
	attempts    []store.AuditEntry
	attemptsErr error
}

// sesEventsShown is how many of a message's SES events the detail lists.
const sesEventsShown = 50

// wholeBatch caps the read of one batch: far more than any batch has.
const wholeBatch = 100_000

func newOutboxPage(c *Context) *outboxPage {
	p := &outboxPage{c: c, list: NewList(c.Styles), suppList: NewList(c.Styles), filter: textinput.New()}
	p.filter.Prompt = "/ "
	p.filter.Placeholder = "search recipient, status, report or error"
	p.keys.retry = binding("r", "retry failed")
	p.keys.retryAll = binding("R", "retry every failed")
	p.keys.wasSent = binding("y", "uncertain: it was sent")
	p.keys.resend = binding("n", "uncertain: send again")
	p.keys.problems = binding("p", "problems only")
	p.keys.batch = binding("b", "this batch only")
	p.keys.suppressions = binding("S", "suppression list")
	p.keys.unsuppress = binding("d", "remove from the list")
	p.keys.suppress = binding("a", "add an address")
	p.keys.history = binding("h", "history")
	p.suppList.SetEmpty("No address is suppressed: a hard bounce or a complaint puts one here; a adds one by hand.")
	return p
}

func (p *outboxPage) Title() string   { return "Outbox" }
func (p *outboxPage) Capturing() bool { return p.form != nil || p.filtering }

func (p *outboxPage) SetSize(w, h int) {
	p.width, p.height = w, h
	// Three lines above the list: the counts, and two of what to do.
	p.list.SetSize(w, h-3)
	p.suppList.SetSize(w, h-2)
	p.renderRows()
	p.renderSuppressions()
	p.renderDetail()
}

func (p *outboxPage) SetData(d *Data) tea.Cmd {
	if !d.touched(store.AreaOutbox, store.AreaSuppression) {
		return nil
	}
	p.all, p.supp = d.Outbox, d.Suppressions
	p.filter.SetStyles(textinput.DefaultStyles(p.c.Styles.Dark))
	// The cursor stays on its message when newer ones arrive above it.
	id := p.selectedID()
	p.renderRows()
	p.selectID(id)
	p.renderSuppressions()
	var cmds []tea.Cmd
	if p.mode == outboxDetail {
		p.refreshDetail()
		cmds = append(cmds, p.loadEvents(p.detail.ID))
	}
	if p.batch != 0 {
		cmds = append(cmds, p.loadBatch(p.batch))
	}
	return tea.Batch(cmds...)
}

func (p *outboxPage) loadEvents(id int64) tea.Cmd {
	st, ctx := p.c.Store, p.c.Ctx
	return func() tea.Msg {
		evs, err := st.SESEvents(ctx, id, sesEventsShown)
		attempts, aerr := st.AuditFor(ctx, "outbox", id, historyShown)
		return sesEventsMsg{id: id, events: evs, err: err, attempts: attempts, attemptsErr: aerr}
	}
}

// refreshDetail puts the open message's latest state in the detail view.
func (p *outboxPage) refreshDetail() {
	for _, rows := range [][]store.OutboxMessage{p.batchRows, p.all} {
		for _, m := range rows {
			if m.ID == p.detail.ID {
				p.detail = m
				p.renderDetail()
				return
			}
		}
	}
}

func (p *outboxPage) loadBatch(id int64) tea.Cmd {
	st, ctx := p.c.Store, p.c.Ctx
	return func() tea.Msg {
		rows, err := st.Outbox(ctx, store.OutboxFilter{BatchID: id, Limit: wholeBatch})
		return outboxBatchMsg{batch: id, rows: rows, err: err}
	}
}

// scope is the messages the page is about: one batch, or the newest of
// all. Until a batch's own read arrives, its messages among the newest
// stand in.
func (p *outboxPage) scope() []store.OutboxMessage {
	if p.batch == 0 {
		return p.all
	}
	if len(p.batchRows) > 0 && p.batchRows[0].BatchID == p.batch {
		return p.batchRows
	}
	var rows []store.OutboxMessage
	for _, m := range p.all {
		if m.BatchID == p.batch {
			rows = append(rows, m)
		}
	}
	return rows
}

// problem reports a message the operator should look at.
func problem(m store.OutboxMessage) bool {
	switch m.Status {
	case store.OutboxFailed, store.OutboxUncertain, store.OutboxBounced, store.OutboxComplained, store.OutboxSuppressed:
		return true
	}
	return m.PossibleDuplicate()
}

// outbox column widths for the page's width.
type outboxCols struct {
	rcpt, detail, updated int
	tries                 bool
	dateFmt               string
}

const (
	outboxReportW = 10 // "Accounting"
	outboxStatusW = 16 // "delivered ⚠ dup?"
)

// cols lays the list out: the recipient and what happened to the message
// first; when it was updated from 110 columns, the attempts from 120 (the
// detail view has both).
func (p *outboxPage) cols() outboxCols {
	var c outboxCols
	fixed := 1 + 5 + 2 + outboxReportW + 1 + outboxStatusW + 1
	switch {
	case p.width >= 120:
		c.tries, c.updated, c.dateFmt = true, 16, "2006-01-02 15:04"
		fixed += 7 + c.updated + 1
	case p.width >= 110:
		c.updated, c.dateFmt = 12, "02 Jan 15:04"
		fixed += c.updated + 1
	}
	rest := max(30, p.width-fixed)
	c.rcpt = min(36, max(20, rest*9/20))
	c.detail = rest - c.rcpt
	return c
}

// recipientLabel is who a message goes to, with its purpose when it is
// not a recipient's own copy; for messages from before one per recipient,
// the first of its addresses and how many more.
func recipientLabel(m store.OutboxMessage) string {
	who := m.Recipient
	if who == "" && len(m.To) > 0 {
		who = m.To[0]
		if len(m.To) > 1 {
			who += fmt.Sprintf(" +%d", len(m.To)-1)
		}
	}
	who = cmp.Or(safe(who), "(nobody)")
	if m.Purpose == store.PurposeAudit || m.Purpose == store.PurposeTest {
		who = "(" + m.Purpose + ") " + who
	}
	return who
}

// statusLabel is a message's status, marked when it may have gone twice.
func statusLabel(m store.OutboxMessage) string {
	if m.PossibleDuplicate() {
		return m.Status + " ⚠ dup?"
	}
	return m.Status
}

// statusStyle styles a message's status: errors red, what needs a look
// amber, what went out green, what waits subtle.
func statusStyle(s *Styles, m store.OutboxMessage) lipgloss.Style {
	switch {
	case m.Status == store.OutboxFailed, m.Status == store.OutboxBounced, m.Status == store.OutboxComplained:
		return s.StatusErr
	case m.Status == store.OutboxUncertain, m.Status == store.OutboxSuppressed, m.PossibleDuplicate():
		return s.Warn
	case m.Status == store.OutboxQueued, m.Status == store.OutboxSending:
		return s.Subtle
	}
	return s.StatusOK
}

// rowDetail is the list's last column: the provider's id for what went
// out, else why the message is where it is.
func rowDetail(m store.OutboxMessage) string {
	switch m.Status {
	case store.OutboxSent, store.OutboxDelivered:
		if m.PossibleDuplicate() {
			return "may have gone twice: do not resend (enter)"
		}
		return cmp.Or(m.EventDetail, m.ProviderID)
	case store.OutboxBounced, store.OutboxComplained:
		return cmp.Or(m.EventDetail, m.LastError)
	case store.OutboxUncertain:
		return "check the provider, then y or n: " + m.LastError
	}
	return m.LastError
}

// roleLabel is the report a message carries, or alert.
func roleLabel(m store.OutboxMessage) string {
	if m.Kind == "alert" || m.Role == "" {
		return cmp.Or(m.Kind, "report")
	}
	return m.Role.Title()
}

func (p *outboxPage) renderRows() {
	s := p.c.Styles
	c := p.cols()
	tries := ""
	if c.tries {
		tries = rcell("TRIES", 5) + "  "
	}
	updated := ""
	if c.updated > 0 {
		updated = cell("UPDATED", c.updated+1)
	}
	p.list.SetHeader(s.Subtle.Render(" " + rcell("ID", 5) + "  " + cell("REPORT", outboxReportW) + cell("RECIPIENT", c.rcpt) + " " +
		cell("STATUS", outboxStatusW) + " " + tries + updated + cell("DETAIL", c.detail)))
	p.rows = p.rows[:0]
	for _, m := range p.scope() {
		if !p.problems || problem(m) {
			p.rows = append(p.rows, m)
		}
	}
	switch {
	case p.problems && p.batch != 0:
		p.list.SetEmpty(fmt.Sprintf("No problems in batch %d (p shows every message, b every batch).", p.batch))
	case p.problems:
		p.list.SetEmpty("No problems among these messages (p shows them all).")
	default:
		p.list.SetEmpty("")
	}
	rows, loc := p.rows, p.c.Now().Location()
	p.list.SetRowFunc(len(rows), func(i int) string {
		m := rows[i]
		line := " " + rcell(strconv.FormatInt(m.ID, 10), 5) + "  " + cell(roleLabel(m), outboxReportW) + cell(recipientLabel(m), c.rcpt) + " " +
			statusStyle(s, m).Render(cell(statusLabel(m), outboxStatusW)) + " "
		if c.tries {
			line += rcell(strconv.Itoa(m.Attempts), 5) + "  "
		}
		if c.updated > 0 {
			line += cell(m.UpdatedAt.In(loc).Format(c.dateFmt), c.updated+1)
		}
		return line + cell(cmp.Or(safe(rowDetail(m)), "—"), c.detail)
	}, func(i int) string {
		m := rows[i]
		words := []string{strconv.FormatInt(m.ID, 10), roleLabel(m), m.Purpose, m.Recipient, strings.Join(m.To, " "), m.Status,
			m.LastError, m.EventDetail, m.ProviderID}
		if m.PossibleDuplicate() {
			words = append(words, "dup? duplicate")
		}
		if problem(m) {
			words = append(words, "problem")
		}
		return strings.ToLower(safe(strings.Join(words, " ")))
	})
}

func (p *outboxPage) renderSuppressions() {
	s := p.c.Styles
	sinceW, fmtSince := 12, "02 Jan 15:04"
	if p.width >= 100 {
		sinceW, fmtSince = 16, "2006-01-02 15:04"
	}
	aw := min(40, max(20, (p.width-sinceW-28)/2))
	dw := max(10, p.width-aw-sinceW-28)
	p.suppList.SetHeader(s.Subtle.Render(" " + cell("ADDRESS", aw) + " " + cell("REASON", 10) + cell("SINCE", sinceW+1) + cell("BY", 14) + cell("DETAIL", dw)))
	lines := make([]string, len(p.supp))
	search := make([]string, len(p.supp))
	loc := p.c.Now().Location()
	for i, sp := range p.supp {
		st := s.Warn
		if sp.Reason == store.SuppressedComplaint || sp.Reason == store.SuppressedBounce {
			st = s.Error
		}
		lines[i] = " " + cell(safe(sp.Address), aw) + " " + st.Render(cell(sp.Reason, 10)) + cell(sp.CreatedAt.In(loc).Format(fmtSince), sinceW+1) +
			cell(safe(sp.CreatedBy), 14) + cell(cmp.Or(safe(sp.Detail), "—"), dw)
		search[i] = strings.ToLower(safe(sp.Address + " " + sp.Reason + " " + sp.Detail + " " + sp.CreatedBy))
	}
	p.suppList.SetRows(lines, search)
}

// action says what the operator should do about a message, or "" when
// nothing needs doing.
func action(m store.OutboxMessage) string {
	who := cmp.Or(safe(m.Recipient), "the recipient")
	switch {
	case m.Status == store.OutboxUncertain:
		return "Uncertain: it may have gone out. Check the provider's log for this message, then press y if it was sent or n to send it again."
	case m.PossibleDuplicate():
		return "Possible duplicate: sent after an attempt that may already have delivered it, so " + who +
			" may have two copies. Nothing to resend; tell them if it matters."
	case m.Status == store.OutboxFailed:
		return "Failed: fix what the error says, then r sends it again (R: every failed message)."
	case m.Status == store.OutboxBounced:
		return "Bounced: check " + who + " on Records; a hard bounce puts the address on the suppression list (S)."
	case m.Status == store.OutboxComplained:
		return "Complaint: " + who + " marked it as spam and is on the suppression list (S): ask them before mailing them again."
	case m.Status == store.OutboxSuppressed:
		return "Suppressed: not sent, " + who + " is on the suppression list; S shows it, where d takes it off; then r sends this one."
	}
	return ""
}

func (p *outboxPage) current() (store.OutboxMessage, bool) {
	if p.mode == outboxDetail {
		return p.detail, true
	}
	return Selected(p.list, p.rows)
}

func (p *outboxPage) Update(msg tea.Msg) tea.Cmd {
	// Reads the page asked for land even while a form is open.
	if m, ok := msg.(outboxBatchMsg); ok {
		if m.batch != p.batch {
			return nil
		}
		if m.err != nil {
			return status("could not read batch "+strconv.FormatInt(m.batch, 10)+": "+portfolio.ErrorMessage(m.err), true)
		}
		keep := p.list.Index()
		id := int64(0)
		if keep >= 0 && keep < len(p.rows) {
			id = p.rows[keep].ID
		}
		p.batchRows = m.rows
		p.renderRows()
		p.selectID(id)
		if p.mode == outboxDetail {
			p.refreshDetail()
		}
		return nil
	}
	if m, ok := msg.(sesEventsMsg); ok {
		if p.mode == outboxDetail && m.id == p.detail.ID {
			p.events, p.eventsOf, p.eventsErr = m.events, m.id, m.err
			p.attempts, p.attemptsErr = m.attempts, m.attemptsErr
			p.renderDetail()
		}
		return nil
	}
	if cmd, open := updateForm(&p.form, msg); open {
		return cmd
	}
	if p.filtering {
		return typeFilter(&p.filter, &p.filtering, p.activeList(), msg)
	}
	switch p.mode {
	case outboxDetail:
		return p.updateDetail(msg)
	case outboxSuppressions:
		return p.updateSuppressions(msg)
	}
	msg = clickList(p.list, msg, p.View)
	k, ok := p.list.Key(msg, p.c.Keys)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, p.c.Keys.Enter):
		if row, ok := Selected(p.list, p.rows); ok {
			p.mode, p.detail, p.detailOff = outboxDetail, row, 0
			p.events, p.eventsOf, p.eventsErr = nil, 0, nil
			p.attempts, p.attemptsErr = nil, nil
			p.renderDetail()
			return p.loadEvents(row.ID)
		}
		return nil
	case key.Matches(k, p.c.Keys.Filter):
		p.filtering = true
		return p.filter.Focus()
	case key.Matches(k, p.c.Keys.Back):
		switch {
		case p.list.Filter() != "":
			p.clearFilter()
		case p.problems || p.batch != 0:
			p.problems, p.batch, p.batchRows = false, 0, nil
			p.renderRows()
		}
		return nil
	case key.Matches(k, p.keys.problems):
		id := p.selectedID()
		p.problems = !p.problems
		p.renderRows()
		p.selectID(id)
		return nil
	case key.Matches(k, p.keys.batch):
		if p.batch != 0 {
			id := p.selectedID()
			p.batch, p.batchRows = 0, nil
			p.renderRows()
			p.selectID(id)
			return nil
		}
		row, ok := Selected(p.list, p.rows)
		if !ok {
			return nil
		}
		p.batch = row.BatchID
		p.renderRows()
		p.selectID(row.ID)
		return p.loadBatch(row.BatchID)
	case key.Matches(k, p.keys.suppressions):
		p.clearFilter()
		p.mode = outboxSuppressions
		return nil
	}
	return p.act(k)
}

func (p *outboxPage) selectedID() int64 {
	if row, ok := Selected(p.list, p.rows); ok {
		return row.ID
	}
	return 0
}

// selectID puts the cursor back on message id when it is still listed.
func (p *outboxPage) selectID(id int64) {
	for i, m := range p.rows {
		if m.ID == id {
			p.list.Select(i)
			return
		}
	}
}

func (p *outboxPage) activeList() *List {
	if p.mode == outboxSuppressions {
		return p.suppList
	}
	return p.list
}

func (p *outboxPage) clearFilter() {
	p.filtering = false
	p.filter.SetValue("")
	p.filter.Blur()
	p.list.SetFilter("")
	p.suppList.SetFilter("")
}

// act handles the keys that change a message: retries and settling an
// uncertain one, from the list or the detail view.
func (p *outboxPage) act(k tea.KeyPressMsg) tea.Cmd {
	row, selected := p.current()
	send := func(batch int64, label string, fn func(ctx context.Context, tx *store.Tx) error) tea.Cmd {
		// Write, then send what the write queued, here if we can take the
		// worker lease.
		return tea.Sequence(write(p.c, label, fn), func() tea.Msg { return batchQueuedMsg{batch: batch, total: 1} })
	}
	switch {
	case key.Matches(k, p.keys.retry) && selected:
		switch row.Status {
		case store.OutboxFailed:
		case store.OutboxSuppressed:
			// Sent once the address is off the list (the store checks
			// again when it queues it).
			for _, sp := range p.supp {
				if sp.Address == row.Recipient {
					return status(fmt.Sprintf("message %d was not sent: %s is on the suppression list (S takes it off; then r sends it)",
						row.ID, cmp.Or(safe(row.Recipient), "its address")), true)
				}
			}
		default:
			return status(fmt.Sprintf("message %d is %s; only failed messages are retried", row.ID, row.Status), true)
		}
		id := row.ID
		return send(row.BatchID, fmt.Sprintf("message %d queued again", id), func(ctx context.Context, tx *store.Tx) error { return tx.RetryOutbox(ctx, id) })
	case key.Matches(k, p.keys.retryAll):
		batch := int64(0)
		for _, r := range p.all {
			if r.Status == store.OutboxFailed {
				batch = r.BatchID
			}
		}
		if batch == 0 {
			return status("no failed messages", false)
		}
		return send(batch, "failed messages queued again", func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.RetryFailedOutbox(ctx)
			return err
		})
	case key.Matches(k, p.keys.wasSent, p.keys.resend) && selected:
		if row.Status != store.OutboxUncertain {
			return status(fmt.Sprintf("message %d is %s, not uncertain", row.ID, row.Status), true)
		}
		id, sent := row.ID, key.Matches(k, p.keys.wasSent)
		if sent {
			return write(p.c, fmt.Sprintf("message %d marked sent", id), func(ctx context.Context, tx *store.Tx) error {
				return tx.ResolveUncertain(ctx, id, true)
			})
		}
		return send(row.BatchID, fmt.Sprintf("message %d queued again", id), func(ctx context.Context, tx *store.Tx) error {
			return tx.ResolveUncertain(ctx, id, false)
		})
	}
	return nil
}

// detailLabelW is the width of the detail view's labels.
const detailLabelW = 13

// renderDetail lays the open message out, every field whole: long values
// (an error, the provider's diagnostic) wrap under their label.
func (p *outboxPage) renderDetail() {
	if p.mode != outboxDetail {
		return
	}
	s, m := p.c.Styles, p.detail
	loc := p.c.Now().Location()
	vw := max(20, p.width-detailLabelW-3)
	var lines []string
	field := func(label, value string, st ...lipgloss.Style) {
		if value == "" {
			return
		}
		for i, l := range strings.Split(wrap(safeLines(value), vw), "\n") {
			if len(st) > 0 {
				l = st[0].Render(l)
			}
			if i == 0 {
				lines = append(lines, " "+s.Subtle.Render(cell(label, detailLabelW))+" "+l)
			} else {
				lines = append(lines, " "+strings.Repeat(" ", detailLabelW)+" "+l)
			}
		}
	}
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("Mon 2 Jan 2006 15:04:05 MST")
	}
	state := m.Status
	if m.PossibleDuplicate() {
		state += " ⚠ possible duplicate"
	}
	field("Status", state, statusStyle(s, m))
	if a := action(m); a != "" {
		field("What to do", a, s.Warn)
	}
	lines = append(lines, "")
	field("Batch", strconv.FormatInt(m.BatchID, 10))
	field("Report", roleLabel(m))
	field("Purpose", m.Purpose)
	field("Recipient", cmp.Or(m.Recipient, "(one message to several, from before one per recipient)"))
	field("To", strings.Join(m.To, ", "))
	field("Bcc", strings.Join(m.Bcc, ", "))
	field("From", m.From)
	field("Subject", m.Subject)
	field("Message-ID", m.MessageID)
	lines = append(lines, "")
	field("Attempts", strconv.Itoa(m.Attempts))
	field("Created", when(m.CreatedAt))
	field("Updated", when(m.UpdatedAt))
	field("Sent", when(m.SentAt))
	if m.Status == store.OutboxQueued {
		field("Next attempt", when(m.NextAttemptAt))
	}
	field("Provider id", m.ProviderID)
	errStyle := s.Error
	if m.Status != store.OutboxFailed && m.Status != store.OutboxUncertain {
		errStyle = s.App
	}
	field("Last error", m.LastError, errStyle)
	field("Event", m.EventDetail)
	field("Event at", when(m.EventAt))
	lines = append(lines, "")
	lines = append(lines, p.eventLines(vw)...)
	b := &detailLines{s: s, width: p.width}
	b.history("Attempts and changes", p.attempts, p.attemptsErr, p.eventsOf == m.ID, loc, "h")
	lines = append(lines, b.lines...)
	p.detailLines = lines
	p.detailOff = min(p.detailOff, max(0, len(lines)-p.detailHeight()))
}

// eventLines lists what SES said of the open message, newest first: when,
// what, what opsdeck did with it, and SES's diagnostic.
func (p *outboxPage) eventLines(vw int) []string {
	s, loc := p.c.Styles, p.c.Now().Location()
	head := " " + s.Subtle.Render(cell("SES events", detailLabelW)) + " "
	switch {
	case p.eventsOf != p.detail.ID:
		return []string{head + s.Subtle.Render("reading…")}
	case p.eventsErr != nil:
		return []string{head + s.Error.Render("could not be read: "+safe(portfolio.ErrorMessage(p.eventsErr)))}
	case len(p.events) == 0:
		return []string{head + s.Subtle.Render("none recorded for this message")}
	}
	lines := []string{head + s.Subtle.Render(fmt.Sprintf("%s, newest first", countOf(len(p.events), "event")))}
	indent := strings.Repeat(" ", detailLabelW+2)
	for _, ev := range p.events {
		at := cmp.Or(ev.OccurredAt, ev.ReceivedAt).In(loc).Format("2 Jan 15:04:05")
		st := s.App
		switch ev.Type {
		case store.SESBounce, store.SESComplaint, store.SESReject:
			st = s.Error
		case store.SESDeliveryDelay:
			st = s.Warn
		case store.SESDelivery:
			st = s.StatusOK
		}
		text := st.Render(cmp.Or(safe(ev.Type), ev.SNSType)) + "  " + safe(ev.Outcome)
		for i, l := range strings.Split(wrap(text, max(20, vw-16)), "\n") {
			if i == 0 {
				lines = append(lines, indent+s.Subtle.Render(cell(at, 16))+l)
			} else {
				lines = append(lines, indent+strings.Repeat(" ", 16)+l)
			}
		}
		if ev.Detail != "" {
			for _, l := range strings.Split(wrap(safeLines(ev.Detail), max(20, vw-16)), "\n") {
				lines = append(lines, indent+strings.Repeat(" ", 16)+s.Subtle.Render(l))
			}
		}
	}
	return lines
}

func (p *outboxPage) detailHeight() int { return max(1, p.height-2) }

func (p *outboxPage) updateDetail(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		if w, ok := msg.(tea.MouseWheelMsg); ok {
			switch w.Button {
			case tea.MouseWheelUp:
				p.scrollDetail(-3)
			case tea.MouseWheelDown:
				p.scrollDetail(3)
			}
		}
		return nil
	}
	keys, h := p.c.Keys, p.detailHeight()
	switch {
	case key.Matches(k, keys.Back):
		p.mode = outboxList
		p.selectID(p.detail.ID)
		return nil
	case key.Matches(k, keys.Up):
		p.scrollDetail(-1)
	case key.Matches(k, keys.Down):
		p.scrollDetail(1)
	case key.Matches(k, keys.PageUp):
		p.scrollDetail(-h)
	case key.Matches(k, keys.PageDown):
		p.scrollDetail(h)
	case key.Matches(k, keys.Home):
		p.detailOff = 0
	case key.Matches(k, keys.End):
		p.scrollDetail(len(p.detailLines))
	case key.Matches(k, p.keys.history):
		return showHistory(fmt.Sprintf("outbox message %d", p.detail.ID), []store.AuditSubject{{Type: "outbox", ID: p.detail.ID}})
	default:
		return p.act(k)
	}
	return nil
}

func (p *outboxPage) scrollDetail(n int) {
	p.detailOff = max(0, min(p.detailOff+n, len(p.detailLines)-p.detailHeight()))
}

func (p *outboxPage) updateSuppressions(msg tea.Msg) tea.Cmd {
	msg = clickList(p.suppList, msg, p.View)
	k, ok := p.suppList.Key(msg, p.c.Keys)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, p.c.Keys.Back):
		if p.suppList.Filter() != "" {
			p.clearFilter()
			return nil
		}
		p.mode = outboxList
	case key.Matches(k, p.c.Keys.Filter):
		p.filtering = true
		return p.filter.Focus()
	case key.Matches(k, p.keys.unsuppress):
		if sp, ok := Selected(p.suppList, p.supp); ok {
			return p.unsuppressForm(sp)
		}
	case key.Matches(k, p.keys.suppress):
		return p.suppressForm()
	}
	return nil
}

// unsuppressForm asks before an address goes off the suppression list.
func (p *outboxPage) unsuppressForm(sp store.Suppression) tea.Cmd {
	yes := false
	addr := sp.Address
	shown := safe(addr)
	why := "It was added by hand."
	switch sp.Reason {
	case store.SuppressedBounce:
		why = "It bounced: mailing a dead address again hurts the sender's reputation, so check it first (SES may keep its own suppression list too)."
	case store.SuppressedComplaint:
		why = "Its owner marked a report as spam: mail them again only if they asked for it."
	}
	submit := func() tea.Cmd {
		if !yes {
			return func() tea.Msg { return savedMsg{label: "kept " + shown + " on the suppression list"} }
		}
		return write(p.c, shown+" taken off the suppression list", func(ctx context.Context, tx *store.Tx) error {
			return tx.Unsuppress(ctx, addr)
		})
	}
	// Wrapped here, narrower than the form's box: huh wraps a description
	// at the form's width and the field's border then breaks it again.
	desc := wrap(why+" Later batches mail it again; messages already suppressed are not resent.", 62)
	f, cmd := newPageForm("Suppression list", submit, func() []*huh.Group {
		return []*huh.Group{huh.NewGroup(huh.NewConfirm().Title("Take " + shown + " off the suppression list?").
			Description(desc).
			Affirmative("Remove").Negative("Keep").Value(&yes))}
	})
	p.form = f
	return cmd
}

// suppressForm puts an address on the suppression list by hand.
func (p *outboxPage) suppressForm() tea.Cmd {
	var addr, detail string
	submit := func() tea.Cmd {
		a, d := strings.TrimSpace(addr), strings.TrimSpace(detail)
		norm, _ := store.NormalizeAddress(a)
		return write(p.c, safe(norm)+" added to the suppression list", func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.Suppress(ctx, a, store.SuppressedManual, d, 0)
			return err
		})
	}
	f, cmd := newPageForm("Suppress an address", submit, func() []*huh.Group {
		return []*huh.Group{huh.NewGroup(
			huh.NewInput().Title("Address").Description("later batches skip it").Value(&addr).Validate(func(s string) error {
				_, err := store.NormalizeAddress(s)
				return err
			}),
			huh.NewInput().Title("Why").Description("optional, kept with it").Value(&detail).CharLimit(500),
		)}
	})
	p.form = f
	return cmd
}

// summary counts the messages in scope by status, problems first, with
// the possible duplicates.
func (p *outboxPage) summary() string {
	s := p.c.Styles
	rows := p.scope()
	counts, dups := map[string]int{}, 0
	for _, m := range rows {
		counts[m.Status]++
		if m.PossibleDuplicate() {
			dups++
		}
	}
	var parts []string
	add := func(n int, text string, st lipgloss.Style) {
		if n > 0 {
			parts = append(parts, st.Render(text))
		}
	}
	add(dups, "⚠ "+portfolio.Plural(int64(dups), "possible duplicate", "possible duplicates"), s.Warn)
	add(counts[store.OutboxFailed], fmt.Sprintf("%d failed", counts[store.OutboxFailed]), s.StatusErr)
	add(counts[store.OutboxUncertain], fmt.Sprintf("%d uncertain", counts[store.OutboxUncertain]), s.Warn)
	add(counts[store.OutboxBounced], fmt.Sprintf("%d bounced", counts[store.OutboxBounced]), s.StatusErr)
	add(counts[store.OutboxComplained], fmt.Sprintf("%d complained", counts[store.OutboxComplained]), s.StatusErr)
	add(counts[store.OutboxSuppressed], fmt.Sprintf("%d suppressed", counts[store.OutboxSuppressed]), s.Warn)
	for _, st := range []string{store.OutboxSent, store.OutboxDelivered, store.OutboxSending, store.OutboxQueued} {
		add(counts[st], fmt.Sprintf("%d %s", counts[st], st), s.App)
	}
	var scope []string
	switch {
	case p.batch != 0:
		scope = append(scope, fmt.Sprintf("batch %d", p.batch))
	case len(p.all) >= outboxRows:
		scope = append(scope, fmt.Sprintf("newest %d", len(p.all)))
	}
	if p.problems {
		scope = append(scope, "problems only (p)")
	}
	head := " "
	if len(scope) > 0 {
		head += s.Bold.Render(strings.Join(scope, ", ")+":") + " "
	}
	head += cmp.Or(strings.Join(parts, " · "), "—")
	if dups > 0 && lipgloss.Width(head) > p.width-2 {
		head = strings.Replace(head, s.Warn.Render("⚠ "+portfolio.Plural(int64(dups), "possible duplicate", "possible duplicates")),
			s.Warn.Render(fmt.Sprintf("⚠ %d dup?", dups)), 1)
	}
	if p.c.Mail != nil {
		head += s.Subtle.Render("   via " + safe(p.c.Mail.Transport.Name()))
	}
	return ansi.Truncate(head, max(1, p.width-1), "…")
}

// hint is the two lines under the counts: what to do about the selected
// message, else about the page.
func (p *outboxPage) hint() []string {
	s := p.c.Styles
	lines := func(st lipgloss.Style, text string) []string {
		ls := strings.Split(wrap(text, max(20, p.width-2)), "\n")
		if len(ls) > 2 {
			ls[1] = ansi.Truncate(ls[1]+" "+ls[2], max(20, p.width-2), "…")
		}
		out := []string{st.Render(" " + ls[0]), ""}
		if len(ls) > 1 {
			out[1] = st.Render(" " + ls[1])
		}
		return out
	}
	if row, ok := Selected(p.list, p.rows); ok {
		if a := action(row); a != "" {
			return lines(s.Warn, a)
		}
	}
	for _, m := range p.scope() {
		if m.Status == store.OutboxUncertain {
			return lines(s.Warn, "Uncertain messages were mid-send when opsdeck stopped: check the provider, then y (it was sent) or n (send it again).")
		}
	}
	return lines(s.Subtle, "enter opens a message · p problems only · b this batch only · / search · S suppression list")
}

func (p *outboxPage) View() string {
	if p.form != nil {
		return p.form.view(p.c.Styles, p.width, p.height)
	}
	s := p.c.Styles
	switch p.mode {
	case outboxDetail:
		m := p.detail
		head := " " + s.Title.Render(fmt.Sprintf("Message %d", m.ID)) + s.Subtle.Render(fmt.Sprintf(" · batch %d · %s · %s", m.BatchID, roleLabel(m), recipientLabel(m)))
		return head + "\n" + s.Subtle.Render(" esc back · ↑/↓ scroll") + "\n" + window(p.detailLines, p.detailOff, p.detailHeight())
	case outboxSuppressions:
		head := " " + s.Title.Render("Suppression list") + s.Subtle.Render(": "+countOf(len(p.supp), "address")+
			" later batches skip; their messages show as suppressed")
		second := s.Subtle.Render(" d takes the selected address off · a adds one · / search · esc back")
		if p.filtering || p.suppList.Filter() != "" {
			second = p.suppList.FilterLine(&p.filter)
		}
		return head + "\n" + second + "\n" + p.suppList.View()
	}
	if len(p.all) == 0 {
		return s.Subtle.Render(" The outbox is empty: reports sent from the Reports page (s) or with opsdeck send appear here.") + "\n" +
			s.Subtle.Render(" S shows the suppression list ("+countOf(len(p.supp), "address")+").")
	}
	hint := p.hint()
	if p.filtering || p.list.Filter() != "" {
		hint = []string{p.list.FilterLine(&p.filter), hint[0]}
	}
	return p.summary() + "\n" + strings.Join(hint, "\n") + "\n" + p.list.View()
}

func (p *outboxPage) ShortHelp() []key.Binding {
	k := p.c.Keys
	switch p.mode {
	case outboxDetail:
		return []key.Binding{k.Back, p.keys.retry, p.keys.wasSent, p.keys.resend, p.keys.history}
	case outboxSuppressions:
		return []key.Binding{k.Back, p.keys.unsuppress, p.keys.suppress, k.Filter}
	}
	return []key.Binding{binding("enter", "details"), p.keys.retry, p.keys.retryAll, p.keys.wasSent, p.keys.resend, p.keys.problems,
		p.keys.batch, p.keys.suppressions}
}

func (p *outboxPage) FullHelp() [][]key.Binding {
	k := p.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, binding("enter", "message details"), p.keys.history, k.Back},
		{p.keys.retry, p.keys.retryAll, p.keys.wasSent, p.keys.resend},
		{p.keys.problems, p.keys.batch, k.Filter, p.keys.suppressions},
		{binding("S then d", "remove from the suppression list"), binding("S then a", "suppress an address")}}
}
