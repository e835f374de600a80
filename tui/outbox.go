package tui

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// outboxPage is the delivery log: every message with its status, attempts,
// error and provider id. Failed messages can be retried; uncertain ones
// (a crash mid-send) are settled by the operator, never resent on their own.
type outboxPage struct {
	c     *Context
	list  *List
	rows  []store.OutboxMessage
	width int
	keys  struct{ retry, retryAll, wasSent, resend key.Binding }
}

func newOutboxPage(c *Context) *outboxPage {
	p := &outboxPage{c: c, list: NewList(c.Styles)}
	p.keys.retry = binding("r", "retry failed")
	p.keys.retryAll = binding("R", "retry every failed")
	p.keys.wasSent = binding("y", "uncertain: it was sent")
	p.keys.resend = binding("n", "uncertain: send again")
	return p
}

func (p *outboxPage) Title() string   { return "Outbox" }
func (p *outboxPage) Capturing() bool { return false }

func (p *outboxPage) SetSize(w, h int) {
	p.width = w
	p.list.SetSize(w, h-2)
	p.renderRows()
}

func (p *outboxPage) SetData(d *Data) tea.Cmd {
	p.rows = d.Outbox
	p.renderRows()
	return nil
}

func (p *outboxPage) renderRows() {
	s := p.c.Styles
	dw := max(20, p.width-60)
	p.list.SetHeader(s.Subtle.Render(" " + rcell("ID", 5) + "  " + cell("REPORT", 11) + cell("STATUS", 10) + rcell("TRIES", 5) + "  " +
		cell("UPDATED", 17) + cell("PROVIDER ID / ERROR", dw)))
	lines := make([]string, len(p.rows))
	search := make([]string, len(p.rows))
	for i, r := range p.rows {
		what := r.Role.Title()
		if r.Kind == "alert" {
			what = "alert"
		}
		detail := r.ProviderID
		st := s.StatusOK
		switch r.Status {
		case store.OutboxFailed:
			detail, st = r.LastError, s.StatusErr
		case store.OutboxUncertain:
			detail, st = r.LastError, s.Severity(portfolio.SeverityMedium)
		case store.OutboxQueued, store.OutboxSending:
			detail, st = r.LastError, s.Subtle
		}
		lines[i] = " " + rcell(strconv.FormatInt(r.ID, 10), 5) + "  " + cell(what, 11) + st.Render(cell(r.Status, 10)) + rcell(strconv.Itoa(r.Attempts), 5) + "  " +
			cell(r.UpdatedAt.In(p.c.Now().Location()).Format("2006-01-02 15:04"), 17) + cell(cmp.Or(detail, "—"), dw)
		search[i] = strings.ToLower(what + " " + r.Status + " " + detail)
	}
	p.list.SetRows(lines, search)
}

func (p *outboxPage) Update(msg tea.Msg) tea.Cmd {
	k, ok := p.list.Key(msg, p.c.Keys)
	if !ok {
		return nil
	}
	row, selected := Selected(p.list, p.rows)
	send := func(batch int64, label string, fn func(ctx context.Context, tx *store.Tx) error) tea.Cmd {
		// Write, then send what the write queued, here if we can take the
		// worker lease.
		return tea.Sequence(write(p.c, label, fn), func() tea.Msg { return batchQueuedMsg{batch: batch, total: 1} })
	}
	switch {
	case key.Matches(k, p.keys.retry) && selected:
		if row.Status != store.OutboxFailed {
			return status(fmt.Sprintf("message %d is %s; only failed messages are retried", row.ID, row.Status), true)
		}
		id := row.ID
		return send(row.BatchID, fmt.Sprintf("message %d queued again", id), func(ctx context.Context, tx *store.Tx) error { return tx.RetryOutbox(ctx, id) })
	case key.Matches(k, p.keys.retryAll):
		batch := int64(0)
		for _, r := range p.rows {
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

func (p *outboxPage) View() string {
	if len(p.rows) == 0 {
		return p.c.Styles.Subtle.Render(" The outbox is empty: reports sent from the Reports page (s) or with opsdeck send appear here.")
	}
	counts := map[string]int{}
	for _, r := range p.rows {
		counts[r.Status]++
	}
	var parts []string
	for _, st := range store.OutboxStatuses {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	head := " " + cmp.Or(strings.Join(parts, " · "), "—")
	if p.c.Mail != nil {
		head += p.c.Styles.Subtle.Render("   via " + p.c.Mail.Transport.Name())
	}
	if counts[store.OutboxUncertain] > 0 {
		head += "\n" + p.c.Styles.Severity(portfolio.SeverityMedium).Render(" Uncertain messages were mid-send when opsdeck stopped: check the provider, then y (sent) or n (send again).")
	} else {
		head += "\n"
	}
	return head + "\n" + p.list.View()
}

func (p *outboxPage) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.retry, p.keys.retryAll, p.keys.wasSent, p.keys.resend}
}

func (p *outboxPage) FullHelp() [][]key.Binding {
	k := p.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {p.keys.retry, p.keys.retryAll, p.keys.wasSent, p.keys.resend}}
}
