package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"opsdeck/portfolio"
)

// Outbox statuses. A message moves queued → sending → sent or failed; one
// found 'sending' after a crash becomes uncertain until the operator says
// whether it went out. The provider's events then move a sent message to
// delivered, bounced or complained. A suppressed message was never tried.
const (
	OutboxQueued     = "queued"
	OutboxSending    = "sending"
	OutboxSent       = "sent"
	OutboxFailed     = "failed"
	OutboxUncertain  = "uncertain"
	OutboxDelivered  = "delivered"
	OutboxBounced    = "bounced"
	OutboxComplained = "complained"
	OutboxSuppressed = "suppressed"
)

// OutboxStatuses lists every status, in lifecycle order.
var OutboxStatuses = []string{OutboxQueued, OutboxSending, OutboxSent, OutboxFailed, OutboxUncertain,
	OutboxDelivered, OutboxBounced, OutboxComplained, OutboxSuppressed}

// wentOut is the SQL list of statuses of a message the provider accepted.
const wentOut = "('sent', 'delivered', 'bounced', 'complained')"

// WentOut reports whether a message in status was accepted by the provider.
func WentOut(status string) bool {
	switch status {
	case OutboxSent, OutboxDelivered, OutboxBounced, OutboxComplained:
		return true
	}
	return false
}

// Why a message is in a batch.
const (
	PurposeRecipient = "recipient" // a recipient of the role's report
	PurposeAudit     = "audit"     // the BCC audit copy, once per report per batch
	PurposeTest      = "test"      // a copy to an address that is no recipient
)

// OutboxBatch is one send: a role's report, or all five.
type OutboxBatch struct {
	ID        int64     `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	Reason    string    `json:"reason"`
	Transport string    `json:"transport"`
}

// OutboxMessage is one email in the outbox, with everything needed to send
// it again exactly as it was.
type OutboxMessage struct {
	ID      int64                `json:"id"`
	BatchID int64                `json:"batch_id"`
	Kind    string               `json:"kind"` // report or alert
	Role    portfolio.ReportRole `json:"role,omitempty"`
	// Purpose is recipient, audit or test.
	Purpose string `json:"purpose"`
	// Recipient is the bare, lower-cased address the message goes to; ""
	// on messages from before one message per recipient.
	Recipient string   `json:"recipient,omitempty"`
	MessageID string   `json:"message_id"`
	From      string   `json:"from"`
	To        []string `json:"to"`
	Bcc       []string `json:"bcc"`
	Subject   string   `json:"subject"`
	Text      string   `json:"-"`
	HTML      string   `json:"-"`
	Figures   string   `json:"-"`
	Status    string   `json:"status"`
	Attempts  int      `json:"attempts"`
	// MaybeDelivered: an attempt was cut off after the provider may have
	// taken the message.
	MaybeDelivered bool      `json:"maybe_delivered,omitempty"`
	NextAttemptAt  time.Time `json:"next_attempt_at"`
	LastError      string    `json:"last_error,omitempty"`
	ProviderID     string    `json:"provider_id,omitempty"`
	// EventDetail is the provider's last word on the message after it was
	// sent (a bounce's diagnostic, a complaint's feedback type), at EventAt.
	EventDetail string    `json:"event_detail,omitempty"`
	EventAt     time.Time `json:"event_at,omitzero"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	SentAt      time.Time `json:"sent_at,omitzero"`
}

// Recipients counts the addresses SES charges the message for.
func (m OutboxMessage) Recipients() int { return len(m.To) + len(m.Bcc) }

// PossibleDuplicate reports a message that went out after an earlier
// attempt was cut off once the provider may have taken it: the recipient
// may have two copies.
func (m OutboxMessage) PossibleDuplicate() bool { return m.MaybeDelivered && WentOut(m.Status) }

// CreateBatch writes a batch and all its messages in the caller's
// transaction, so either the whole batch is queued or none of it is.
// Messages that arrive with status failed (a bad address) are kept as
// failed, with their reason, for the operator to see.
func (tx *Tx) CreateBatch(ctx context.Context, b *OutboxBatch, msgs []OutboxMessage) error {
	b.CreatedAt, b.CreatedBy = tx.now, tx.actor
	id, err := tx.insert(ctx, "outbox batch", "", "INSERT INTO outbox_batches (created_at, created_by, reason, transport) VALUES (?, ?, ?, ?)",
		formatTime(b.CreatedAt), b.CreatedBy, b.Reason, b.Transport)
	if err != nil {
		return err
	}
	b.ID = id
	// Messages of one report share their bodies: one row for them all.
	type bodies struct{ text, html string }
	bodyIDs := map[bodies]int64{}
	for i := range msgs {
		m := &msgs[i]
		if m.Status == "" {
			m.Status = OutboxQueued
		}
		if m.Status != OutboxQueued && m.Status != OutboxFailed && m.Status != OutboxSuppressed {
			return portfolio.Errorf(portfolio.EINVALID, "a new message is queued, failed or suppressed, not %s", m.Status)
		}
		if m.Kind == "" {
			m.Kind = "report"
		}
		if m.Purpose == "" {
			m.Purpose = PurposeRecipient
		}
		to, _ := json.Marshal(nonNil(m.To))
		bcc, _ := json.Marshal(nonNil(m.Bcc))
		if m.Figures == "" {
			m.Figures = "[]"
		}
		var role any
		if m.Role != "" {
			role = m.Role
		}
		m.BatchID, m.CreatedAt, m.UpdatedAt, m.NextAttemptAt = id, tx.now, tx.now, tx.now
		key := bodies{m.Text, m.HTML}
		bodyID, ok := bodyIDs[key]
		if !ok {
			if bodyID, err = tx.insert(ctx, "outbox body", m.MessageID, "INSERT INTO outbox_bodies (batch_id, body_text, body_html) VALUES (?, ?, ?)",
				id, m.Text, m.HTML); err != nil {
				return err
			}
			bodyIDs[key] = bodyID
		}
		mid, err := tx.insert(ctx, "outbox message", m.MessageID,
			`INSERT INTO outbox (batch_id, kind, report_role, purpose, recipient, message_id, from_addr, to_addrs, bcc_addrs, subject, body_text, body_html,
			body_id, figures, status, attempts, next_attempt_at, last_error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, ?, ?, 0, ?, ?, ?, ?)`,
			id, m.Kind, role, m.Purpose, m.Recipient, m.MessageID, m.From, string(to), string(bcc), m.Subject, bodyID, m.Figures, m.Status,
			formatTime(m.NextAttemptAt), m.LastError, formatTime(tx.now), formatTime(tx.now))
		if err != nil {
			return err
		}
		m.ID = mid
	}
	return tx.audit(ctx, "queue", "outbox_batch", id, map[string]any{"reason": b.Reason, "messages": len(msgs), "transport": b.Transport})
}

// PendingRecipients counts the recipients of messages queued or being
// sent: mail the provider has not counted against today's quota yet.
func (tx *Tx) PendingRecipients(ctx context.Context) (int, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx,
		"SELECT coalesce(sum(json_array_length(to_addrs) + json_array_length(bcc_addrs)), 0) FROM outbox WHERE status IN ('queued', 'sending')").Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count queued recipients: %w", err)
	}
	return n, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const outboxColumns = `id, batch_id, kind, coalesce(report_role, ''), purpose, recipient, message_id, from_addr, to_addrs, bcc_addrs, subject, %s,
	status, attempts, maybe_delivered, next_attempt_at, last_error, provider_id, event_detail, event_at, created_at, updated_at, sent_at`

func outboxSelect(withBodies bool) string {
	bodies := "'', '', figures"
	if withBodies {
		// A message's bodies are its report's row in outbox_bodies, or its
		// own columns when it is from before 0008.
		bodies = `coalesce((SELECT b.body_text FROM outbox_bodies b WHERE b.id = outbox.body_id), body_text),
		coalesce((SELECT b.body_html FROM outbox_bodies b WHERE b.id = outbox.body_id), body_html), figures`
	}
	return "SELECT " + fmt.Sprintf(outboxColumns, bodies) + " FROM outbox"
}

func scanOutbox(row interface{ Scan(...any) error }) (OutboxMessage, error) {
	var m OutboxMessage
	var to, bcc, next, created, updated string
	var sent, event *string
	if err := row.Scan(&m.ID, &m.BatchID, &m.Kind, &m.Role, &m.Purpose, &m.Recipient, &m.MessageID, &m.From, &to, &bcc, &m.Subject, &m.Text, &m.HTML, &m.Figures,
		&m.Status, &m.Attempts, &m.MaybeDelivered, &next, &m.LastError, &m.ProviderID, &m.EventDetail, &event, &created, &updated, &sent); err != nil {
		return m, err
	}
	if err := json.Unmarshal([]byte(to), &m.To); err != nil {
		return m, fmt.Errorf("outbox %d recipients: %w", m.ID, err)
	}
	if err := json.Unmarshal([]byte(bcc), &m.Bcc); err != nil {
		return m, fmt.Errorf("outbox %d bcc: %w", m.ID, err)
	}
	var err error
	if m.NextAttemptAt, err = parseTime(next); err != nil {
		return m, err
	}
	if m.CreatedAt, err = parseTime(created); err != nil {
		return m, err
	}
	if m.UpdatedAt, err = parseTime(updated); err != nil {
		return m, err
	}
	if m.EventAt, err = scanTime(event); err != nil {
		return m, err
	}
	m.SentAt, err = scanTime(sent)
	return m, err
}

// OutboxFilter narrows an outbox listing.
type OutboxFilter struct {
	Status  string
	BatchID int64
	// Recipient is an address in any form; messages to it.
	Recipient string
	// Duplicates keeps only messages that went out after an attempt that
	// may already have delivered them.
	Duplicates bool
	// Limit caps the listing (default 200); below zero, no cap.
	Limit int
}

// Outbox lists messages, newest first, without their bodies.
func (s *Store) Outbox(ctx context.Context, f OutboxFilter) ([]OutboxMessage, error) {
	var where []string
	var args []any
	if f.Status != "" {
		known := false
		for _, st := range OutboxStatuses {
			known = known || st == f.Status
		}
		if !known {
			return nil, portfolio.Errorf(portfolio.EINVALID, "unknown status %q (want %s)", f.Status, strings.Join(OutboxStatuses, ", "))
		}
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.BatchID != 0 {
		where, args = append(where, "batch_id = ?"), append(args, f.BatchID)
	}
	if f.Recipient != "" {
		norm, err := NormalizeAddress(f.Recipient)
		if err != nil {
			return nil, err
		}
		where, args = append(where, "recipient = ?"), append(args, norm)
	}
	if f.Duplicates {
		where = append(where, "maybe_delivered = 1 AND status IN "+wentOut)
	}
	q := outboxSelect(false)
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Limit == 0 {
		f.Limit = 200
	}
	return queryAll(ctx, s.read, scanOutbox, q+" ORDER BY id DESC LIMIT ?", append(args, f.Limit)...)
}

// OutboxMessage returns one message with its bodies.
func (s *Store) OutboxMessage(ctx context.Context, id int64) (OutboxMessage, error) {
	m, err := scanOutbox(s.read.QueryRowContext(ctx, outboxSelect(true)+" WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, portfolio.Errorf(portfolio.ENOTFOUND, "no outbox message %d", id)
	}
	return m, err
}

// OutboxCounts counts messages by status.
func (s *Store) OutboxCounts(ctx context.Context) (map[string]int, error) {
	return s.BatchCounts(ctx, 0)
}

// BatchCounts counts a batch's messages (every message, batch 0) by status.
func (s *Store) BatchCounts(ctx context.Context, batchID int64) (map[string]int, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT status, count(*) FROM outbox WHERE ? = 0 OR batch_id = ? GROUP BY status", batchID, batchID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// PeekNextDue returns, without claiming it, the oldest queued message whose
// time has come, without its bodies (ClaimMessage reads them). The worker
// waits for the provider's rate before claiming it, so that a message is
// 'sending' only while its request may really be on its way.
func (s *Store) PeekNextDue(ctx context.Context) (OutboxMessage, bool, error) {
	m, err := scanOutbox(s.read.QueryRowContext(ctx, outboxSelect(false)+
		" WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY id LIMIT 1", formatTime(s.now())))
	if errors.Is(err, sql.ErrNoRows) {
		return m, false, nil
	}
	return m, err == nil, err
}

// ClaimMessage marks a queued, due message sending (one more attempt) in
// one conditional update, so two workers could never take the same
// message; false when it is no longer queued or not yet due.
func (s *Store) ClaimMessage(ctx context.Context, id int64) (OutboxMessage, bool, error) {
	var m OutboxMessage
	var ok bool
	err := s.Update(ctx, "outbox", func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, "UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ? AND status = 'queued' AND next_attempt_at <= ?",
			formatTime(tx.now), id, formatTime(tx.now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		m, err = scanOutbox(tx.tx.QueryRowContext(ctx, outboxSelect(true)+" WHERE id = ?", id))
		ok = err == nil
		return err
	})
	return m, ok, err
}

// ClaimNextDue takes the oldest queued message whose time has come and
// marks it sending.
func (s *Store) ClaimNextDue(ctx context.Context) (OutboxMessage, bool, error) {
	for {
		m, ok, err := s.PeekNextDue(ctx)
		if err != nil || !ok {
			return m, false, err
		}
		if m, ok, err := s.ClaimMessage(ctx, m.ID); err != nil || ok {
			return m, ok, err
		}
	}
}

// NextDue is when the earliest queued message may be tried (zero if none).
func (s *Store) NextDue(ctx context.Context) (time.Time, error) {
	var at sql.NullString
	if err := s.read.QueryRowContext(ctx, "SELECT min(next_attempt_at) FROM outbox WHERE status = 'queued'").Scan(&at); err != nil {
		return time.Time{}, err
	}
	if !at.Valid {
		return time.Time{}, nil
	}
	return parseTime(at.String)
}

// outboxTransition changes a message's status only if it is in one of
// from, recording why in the audit log.
func (tx *Tx) outboxTransition(ctx context.Context, id int64, from []string, set string, args []any, action string, details any) error {
	q := "UPDATE outbox SET " + set + ", updated_at = ? WHERE id = ? AND status IN (" + strings.TrimSuffix(strings.Repeat("?,", len(from)), ",") + ")"
	all := append(append(args, formatTime(tx.now), id), toAny(from)...)
	res, err := tx.tx.ExecContext(ctx, q, all...)
	if err != nil {
		return fmt.Errorf("outbox %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var status string
		err := tx.tx.QueryRowContext(ctx, "SELECT status FROM outbox WHERE id = ?", id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return portfolio.Errorf(portfolio.ENOTFOUND, "no outbox message %d", id)
		}
		return portfolio.Errorf(portfolio.ECONFLICT, "outbox message %d is %s, not %s", id, status, strings.Join(from, " or "))
	}
	return tx.audit(ctx, action, "outbox", id, details)
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// duplicateNote is kept on a message sent after an attempt that may
// already have delivered it, so a possible duplicate is never silent.
const duplicateNote = "sent; an earlier attempt was cut off after it may have been delivered, so a duplicate is possible"

// MarkSent records a successful send and the provider's message id.
func (s *Store) MarkSent(ctx context.Context, id int64, providerID string) error {
	return s.Update(ctx, "outbox", func(tx *Tx) error {
		return tx.outboxTransition(ctx, id, []string{OutboxSending},
			"status = 'sent', provider_id = ?, sent_at = ?, last_error = CASE WHEN maybe_delivered = 1 THEN ? ELSE '' END",
			[]any{providerID, formatTime(tx.now), duplicateNote}, "sent", map[string]any{"provider_id": providerID})
	})
}

// MarkRetry puts a message back in the queue after a transient failure;
// maybeDelivered records that the attempt may have reached the provider.
func (s *Store) MarkRetry(ctx context.Context, id int64, next time.Time, reason string, maybeDelivered bool) error {
	return s.Update(ctx, "outbox", func(tx *Tx) error {
		return tx.outboxTransition(ctx, id, []string{OutboxSending},
			"status = 'queued', next_attempt_at = ?, last_error = ?, maybe_delivered = max(maybe_delivered, ?)",
			[]any{formatTime(next), reason, maybeDelivered}, "retry_later",
			map[string]any{"error": reason, "next_attempt_at": next, "maybe_delivered": maybeDelivered})
	})
}

// MarkUncertain gives up on a message one of whose attempts may have been
// delivered: only the operator, checking the provider, can say.
func (s *Store) MarkUncertain(ctx context.Context, id int64, reason string) error {
	return s.Update(ctx, "outbox", func(tx *Tx) error {
		return tx.outboxTransition(ctx, id, []string{OutboxSending}, "status = 'uncertain', maybe_delivered = 1, last_error = ?",
			[]any{reason}, "mark_uncertain", map[string]any{"error": reason})
	})
}

// MarkFailed records a permanent failure with the provider's reason.
func (s *Store) MarkFailed(ctx context.Context, id int64, reason string) error {
	return s.Update(ctx, "outbox", func(tx *Tx) error {
		return tx.outboxTransition(ctx, id, []string{OutboxSending}, "status = 'failed', last_error = ?", []any{reason},
			"failed", map[string]any{"error": reason})
	})
}

// MarkStaleSending turns every 'sending' message into 'uncertain'. Called
// when a worker starts: only a worker that died mid-send leaves one, and
// whether that message went out is unknown.
func (s *Store) MarkStaleSending(ctx context.Context) (int, error) {
	var n int64
	err := s.Update(ctx, "outbox", func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx,
			"UPDATE outbox SET status = 'uncertain', last_error = 'the sending process stopped mid-send: check the provider before resending', updated_at = ? WHERE status = 'sending'",
			formatTime(tx.now))
		if err != nil {
			return err
		}
		if n, _ = res.RowsAffected(); n > 0 {
			return tx.audit(ctx, "mark_uncertain", "outbox", 0, map[string]any{"messages": n})
		}
		return nil
	})
	return int(n), err
}

// RetryOutbox puts a failed message back in the queue, now, with a fresh
// count of attempts; also a suppressed one whose address has since come
// off the suppression list.
func (tx *Tx) RetryOutbox(ctx context.Context, id int64) error {
	var status, recipient string
	err := tx.tx.QueryRowContext(ctx, "SELECT status, recipient FROM outbox WHERE id = ?", id).Scan(&status, &recipient)
	if errors.Is(err, sql.ErrNoRows) {
		return portfolio.Errorf(portfolio.ENOTFOUND, "no outbox message %d", id)
	}
	if err != nil {
		return fmt.Errorf("outbox %d: %w", id, err)
	}
	from := []string{OutboxFailed}
	if status == OutboxSuppressed {
		var still bool
		if err := tx.tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM suppressions WHERE address = ?)", recipient).Scan(&still); err != nil {
			return fmt.Errorf("outbox %d: %w", id, err)
		}
		if still {
			return portfolio.Errorf(portfolio.ECONFLICT, "outbox message %d goes to %s, which is still on the suppression list (opsdeck suppression remove %s first)",
				id, recipient, recipient)
		}
		from = append(from, OutboxSuppressed)
	}
	return tx.outboxTransition(ctx, id, from, "status = 'queued', attempts = 0, last_error = '', next_attempt_at = ?",
		[]any{formatTime(tx.now)}, "operator_retry", nil)
}

// RetryFailedOutbox queues every failed message again and returns how many.
func (tx *Tx) RetryFailedOutbox(ctx context.Context) (int, error) {
	res, err := tx.tx.ExecContext(ctx, "UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE status = 'failed'",
		formatTime(tx.now), formatTime(tx.now))
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), tx.audit(ctx, "operator_retry_failed", "outbox", 0, map[string]any{"messages": n})
}

// ResolveUncertain settles a message the operator has checked: sent marks
// it sent; not sent queues it to go again.
func (tx *Tx) ResolveUncertain(ctx context.Context, id int64, sent bool) error {
	if sent {
		return tx.outboxTransition(ctx, id, []string{OutboxUncertain}, "status = 'sent', sent_at = ?, provider_id = 'confirmed by operator'",
			[]any{formatTime(tx.now)}, "resolve_sent", nil)
	}
	return tx.outboxTransition(ctx, id, []string{OutboxUncertain}, "status = 'queued', attempts = 0, next_attempt_at = ?",
		[]any{formatTime(tx.now)}, "resolve_not_sent", nil)
}

// LastSentFigures returns the headline figures (JSON) of the last report
// sent for role, and whether there was one.
func (s *Store) LastSentFigures(ctx context.Context, role portfolio.ReportRole) (string, bool, error) {
	var figs string
	err := s.read.QueryRowContext(ctx,
		"SELECT figures FROM outbox WHERE kind = 'report' AND report_role = ? AND purpose = 'recipient' AND status IN "+wentOut+" ORDER BY sent_at DESC, id DESC LIMIT 1",
		role).Scan(&figs)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return figs, err == nil, err
}
