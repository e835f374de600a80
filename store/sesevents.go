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

// The SES events that change an outbox row, as SES names them (eventType
// in event publishing, notificationType in identity notifications).
const (
	SESDelivery      = "Delivery"
	SESBounce        = "Bounce"
	SESComplaint     = "Complaint"
	SESReject        = "Reject"
	SESDeliveryDelay = "DeliveryDelay"
)

// The types of SNS message a subscription receives.
const (
	SNSNotification             = "Notification"
	SNSSubscriptionConfirmation = "SubscriptionConfirmation"
	SNSUnsubscribeConfirmation  = "UnsubscribeConfirmation"
)

// SESEventsActor is who the audit log says applied SES's events.
const SESEventsActor = "ses-events"

// ErrSNSMessageSeen is returned (wrapped) by ApplySESEvent for an SNS
// message already recorded: a replay, or SNS delivering it twice. Nothing
// is changed. errors.Is finds it; its code is ECONFLICT.
var ErrSNSMessageSeen = portfolio.Errorf(portfolio.ECONFLICT, "this SNS message was processed before")

// SESEvent is one SNS message from the SES event topic and what opsdeck
// did with it: a row of ses_events.
//
// To ApplySESEvent the caller gives the fields up to Raw; the store fills
// in ID, OutboxID, Outcome and ReceivedAt.
type SESEvent struct {
	ID int64 `json:"id"`
	// SNSMessageID is SNS's MessageId, unique per message.
	SNSMessageID string `json:"sns_message_id"`
	TopicARN     string `json:"topic_arn"`
	// SNSType is Notification, SubscriptionConfirmation or
	// UnsubscribeConfirmation.
	SNSType string `json:"sns_type"`
	// Type is the SES event's type: SESDelivery, SESBounce, SESComplaint,
	// SESReject or SESDeliveryDelay change the outbox; any other (Open,
	// Click, Send, ...) is recorded and ignored. "" for a subscription's
	// own messages and for a notification that was no SES event.
	Type string `json:"type,omitempty"`
	// SESMessageID is mail.messageId: the provider id SES returned when
	// it took the message, which finds the outbox row.
	SESMessageID string `json:"ses_message_id,omitempty"`
	// Recipients are the addresses the event names (bare, lower-cased
	// when they parse).
	Recipients []string `json:"recipients"`
	// OpsdeckMessageID is the X-Opsdeck-Message-Id header SES listed among
	// the message's headers: it finds the row whose answer from SES (and
	// so whose provider id) was lost. Not kept apart from Raw.
	OpsdeckMessageID string `json:"opsdeck_message_id,omitempty"`
	// HardBounce marks a bounce of type Permanent.
	HardBounce bool `json:"hard_bounce,omitempty"`
	// Detail is the diagnostic: bounce type and subtype with each
	// recipient's status and diagnostic code, the complaint's feedback
	// type, the delay's type, the reject's reason; for a message that was
	// no SES event, why.
	Detail string `json:"detail,omitempty"`
	// OccurredAt is when it happened, by SES (zero when SES did not say).
	OccurredAt time.Time `json:"occurred_at,omitzero"`
	// Raw is the notification's Message as SNS carried it.
	Raw string `json:"-"`

	// OutboxID is the outbox row the event was matched to; 0 when no
	// message of ours has its SES message id.
	OutboxID int64 `json:"outbox_id,omitempty"`
	// Outcome says in words what opsdeck did: "sent → delivered",
	// "delivered → bounced; ada@example.com suppressed", "unchanged: the
	// message is already complained", "no outbox message has this SES
	// message id", "ignored: ...", "subscription confirmed".
	Outcome    string    `json:"outcome"`
	ReceivedAt time.Time `json:"received_at"`
}

// sesTransition is what an SES event does to an outbox row: the statuses
// it applies to and the status it leaves.
type sesTransition struct {
	from []string
	to   string
}

var sesTransitions = map[string]sesTransition{
	SESDelivery:      {[]string{OutboxSent}, OutboxDelivered},
	SESBounce:        {[]string{OutboxSent, OutboxDelivered}, OutboxBounced},
	SESComplaint:     {[]string{OutboxSent, OutboxDelivered, OutboxBounced}, OutboxComplained},
	SESReject:        {[]string{OutboxSent}, OutboxFailed},
	SESDeliveryDelay: {[]string{OutboxSent}, OutboxSent}, // still on its way: only the detail changes
}

// ApplySESEvent records an SNS message from the SES event topic and, for
// an SES event about one of our messages, applies it, all in this
// transaction:
//
//   - the outbox row whose provider id is the event's SES message id
//     moves: Delivery sent → delivered; Bounce sent|delivered → bounced;
//     Complaint sent|delivered|bounced → complained; Reject sent → failed
//     (the reason in last_error); DeliveryDelay leaves it sent. Each sets
//     the row's event_detail and event_at. A row in any other status is
//     left as it is (the outcome says so).
//   - a hard bounce or a complaint puts each address the event names on
//     the suppression list, with the row's id (a bounce never replaces a
//     complaint already there).
//   - an event for an SES message id no row has, an event of a kind
//     opsdeck ignores, and the subscription's own messages are recorded
//     and change nothing else.
//
// An SNS message recorded before is refused with ErrSNSMessageSeen. It
// returns the event as recorded.
func (tx *Tx) ApplySESEvent(ctx context.Context, ev SESEvent) (SESEvent, error) {
	switch ev.SNSType {
	case SNSNotification, SNSSubscriptionConfirmation, SNSUnsubscribeConfirmation:
	default:
		return ev, portfolio.Errorf(portfolio.EINVALID, "SNS message type %q must be Notification, SubscriptionConfirmation or UnsubscribeConfirmation", ev.SNSType)
	}
	if ev.SNSMessageID == "" || ev.TopicARN == "" {
		return ev, portfolio.Errorf(portfolio.EINVALID, "an SNS message needs its MessageId and TopicArn")
	}
	var seen bool
	if err := tx.tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM ses_events WHERE sns_message_id = ?)", ev.SNSMessageID).Scan(&seen); err != nil {
		return ev, fmt.Errorf("look up SNS message %s: %w", ev.SNSMessageID, err)
	}
	if seen {
		return ev, fmt.Errorf("SNS message %s: %w", ev.SNSMessageID, ErrSNSMessageSeen)
	}
	ev.ReceivedAt, ev.OutboxID = tx.now, 0
	ev.Recipients = append([]string(nil), ev.Recipients...)
	for i, r := range ev.Recipients {
		if norm, err := NormalizeAddress(r); err == nil {
			ev.Recipients[i] = norm
		}
	}
	tr, acts := sesTransitions[ev.Type]
	var from string
	switch {
	case ev.SNSType == SNSSubscriptionConfirmation:
		ev.Outcome = "subscription confirmed"
	case ev.SNSType == SNSUnsubscribeConfirmation:
		ev.Outcome = "subscription ended"
	case ev.Type == "":
		ev.Outcome = "ignored: not an SES event"
	case !acts:
		ev.Outcome = "ignored: opsdeck does not act on " + ev.Type + " events"
	case ev.SESMessageID == "":
		ev.Outcome = "ignored: the event names no SES message id"
	default:
		var err error
		if from, err = tx.applySESTransition(ctx, &ev, tr); err != nil {
			return ev, err
		}
	}

	recipients, _ := json.Marshal(nonNil(ev.Recipients))
	id, err := tx.insert(ctx, "SES event", ev.SNSMessageID, `INSERT INTO ses_events (sns_message_id, topic_arn, sns_type, event_type,
		ses_message_id, recipients, hard_bounce, outbox_id, detail, outcome, occurred_at, received_at, raw)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ev.SNSMessageID, ev.TopicARN, ev.SNSType, ev.Type, ev.SESMessageID, string(recipients), ev.HardBounce, nullID(ev.OutboxID),
		ev.Detail, ev.Outcome, timeColumn(ev.OccurredAt), formatTime(tx.now), ev.Raw)
	if err != nil {
		return ev, err
	}
	ev.ID = id
	details := map[string]any{"sns_message_id": ev.SNSMessageID, "topic_arn": ev.TopicARN, "outcome": ev.Outcome}
	if ev.Type != "" {
		details["event_type"] = ev.Type
	}
	if ev.SESMessageID != "" {
		details["ses_message_id"] = ev.SESMessageID
	}
	if ev.OutboxID != 0 {
		details["ses_event_id"], details["from"], details["detail"] = id, from, ev.Detail
		return ev, tx.audit(ctx, "ses_"+strings.ToLower(ev.Type), "outbox", ev.OutboxID, details)
	}
	details["sns_type"] = ev.SNSType
	return ev, tx.audit(ctx, "ses_event", "ses_event", id, details)
}

// applySESTransition matches ev to its outbox row and applies it,
// returning the row's status before.
func (tx *Tx) applySESTransition(ctx context.Context, ev *SESEvent, tr sesTransition) (string, error) {
	var id int64
	var status, providerID string
	var maybe, byHeader bool
	err := tx.tx.QueryRowContext(ctx, "SELECT id, status FROM outbox WHERE provider_id = ? ORDER BY id LIMIT 1", ev.SESMessageID).Scan(&id, &status)
	if errors.Is(err, sql.ErrNoRows) && ev.OpsdeckMessageID != "" {
		// No row knows SES's id: an attempt whose answer was lost, found
		// by the header every message carries.
		err = tx.tx.QueryRowContext(ctx, "SELECT id, status, maybe_delivered, provider_id FROM outbox WHERE message_id = ?",
			ev.OpsdeckMessageID).Scan(&id, &status, &maybe, &providerID)
		byHeader = err == nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		ev.Outcome = "no outbox message has this SES message id"
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find the outbox message SES calls %s: %w", ev.SESMessageID, err)
	}
	ev.OutboxID = id
	at := ev.OccurredAt
	if at.IsZero() {
		at = tx.now
	}
	set, args := "status = ?, event_detail = ?, event_at = ?", []any{tr.to, ev.Detail, formatTime(at)}
	if ev.Type == SESReject {
		set, args = set+", last_error = ?", append(args, ev.Detail)
	}
	if byHeader {
		switch {
		case status == OutboxUncertain || (status == OutboxQueued && maybe):
			// SES had the message all along: the event settles an
			// uncertain row, and keeps a retry from sending a second copy.
			tr.from = []string{status}
			note := fmt.Sprintf("settled by SES's %s event: an attempt whose answer was lost had reached SES", ev.Type)
			if ev.Type == SESReject {
				note = ev.Detail
			}
			set += ", provider_id = ?, sent_at = coalesce(sent_at, ?), last_error = ?"
			args = append(args, ev.SESMessageID, formatTime(at), note)
			if ev.Type != SESReject {
				// "uncertain → delivered", with the reason after it.
				defer func() { ev.Outcome += "; " + note }()
			}
		case WentOut(status) && providerID != ev.SESMessageID:
			// The message went out under another id: SES took two
			// copies, and the recipient has both.
			note := fmt.Sprintf("duplicate confirmed: SES also took an earlier attempt (id %s), so the recipient has two copies", ev.SESMessageID)
			if _, err := tx.tx.ExecContext(ctx, "UPDATE outbox SET maybe_delivered = 1, last_error = ?, updated_at = ? WHERE id = ?",
				note, formatTime(tx.now), id); err != nil {
				return "", fmt.Errorf("outbox %d: %w", id, err)
			}
			ev.Outcome = "duplicate confirmed: an earlier attempt of a message sent as " + providerID + " reached SES too"
			return status, tx.suppressFor(ctx, ev, id)
		}
	}
	q := "UPDATE outbox SET " + set + ", updated_at = ? WHERE id = ? AND status IN (" + strings.TrimSuffix(strings.Repeat("?,", len(tr.from)), ",") + ")"
	res, err := tx.tx.ExecContext(ctx, q, append(append(args, formatTime(tx.now), id), toAny(tr.from)...)...)
	if err != nil {
		return "", fmt.Errorf("outbox %d: %w", id, err)
	}
	switch n, _ := res.RowsAffected(); {
	case n == 0:
		ev.Outcome = "unchanged: the message is already " + status
	case tr.to == status:
		ev.Outcome = "still " + status + ": delay noted"
	default:
		ev.Outcome = status + " → " + tr.to
	}

	return status, tx.suppressFor(ctx, ev, id)
}

// suppressFor puts the addresses a hard bounce or a complaint names on the
// suppression list, with outbox row id, saying so in the event's outcome.
func (tx *Tx) suppressFor(ctx context.Context, ev *SESEvent, id int64) error {
	reason := ""
	switch {
	case ev.Type == SESComplaint:
		reason = SuppressedComplaint
	case ev.Type == SESBounce && ev.HardBounce:
		reason = SuppressedBounce
	}
	if reason == "" {
		return nil
	}
	for _, addr := range ev.Recipients {
		norm, err := NormalizeAddress(addr)
		if err != nil {
			ev.Outcome += fmt.Sprintf("; %q is no address to suppress", addr)
			continue
		}
		var existing string
		err = tx.tx.QueryRowContext(ctx, "SELECT reason FROM suppressions WHERE address = ?", norm).Scan(&existing)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("look up suppression of %s: %w", norm, err)
		}
		if existing == SuppressedComplaint && reason == SuppressedBounce {
			ev.Outcome += "; " + norm + " already suppressed after a complaint"
			continue
		}
		added, err := tx.Suppress(ctx, norm, reason, ev.Detail, id)
		if err != nil {
			return err
		}
		switch {
		case added:
			ev.Outcome += "; " + norm + " suppressed"
		case existing == reason:
			ev.Outcome += "; " + norm + " already suppressed"
		default:
			ev.Outcome += "; " + norm + " suppressed for a " + reason + " (was " + existing + ")"
		}
	}
	return nil
}

// ApplySESEvent applies ev (see Tx.ApplySESEvent) in a transaction of its
// own, on behalf of SESEventsActor.
func (s *Store) ApplySESEvent(ctx context.Context, ev SESEvent) (SESEvent, error) {
	var out SESEvent
	err := s.Update(ctx, SESEventsActor, func(tx *Tx) (err error) {
		out, err = tx.ApplySESEvent(ctx, ev)
		return err
	})
	return out, err
}

// SNSMessageSeen reports whether an SNS message is recorded already, so a
// replay can be refused before anything is done for it (such as
// confirming a subscription). ApplySESEvent checks again, in its
// transaction.
func (s *Store) SNSMessageSeen(ctx context.Context, snsMessageID string) (bool, error) {
	var seen bool
	err := s.read.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM ses_events WHERE sns_message_id = ?)", snsMessageID).Scan(&seen)
	return seen, err
}

const sesEventSelect = `SELECT id, sns_message_id, topic_arn, sns_type, event_type, ses_message_id, recipients, hard_bounce,
	outbox_id, detail, outcome, occurred_at, received_at, raw FROM ses_events`

func scanSESEvent(row interface{ Scan(...any) error }) (SESEvent, error) {
	var ev SESEvent
	var recipients, received string
	var outbox sql.NullInt64
	var occurred *string
	if err := row.Scan(&ev.ID, &ev.SNSMessageID, &ev.TopicARN, &ev.SNSType, &ev.Type, &ev.SESMessageID, &recipients, &ev.HardBounce,
		&outbox, &ev.Detail, &ev.Outcome, &occurred, &received, &ev.Raw); err != nil {
		return ev, err
	}
	ev.OutboxID = outbox.Int64
	if err := json.Unmarshal([]byte(recipients), &ev.Recipients); err != nil {
		return ev, fmt.Errorf("SES event %d recipients: %w", ev.ID, err)
	}
	var err error
	if ev.OccurredAt, err = scanTime(occurred); err != nil {
		return ev, err
	}
	ev.ReceivedAt, err = parseTime(received)
	return ev, err
}

// SESEvents lists recorded SNS messages from the SES event topic, newest
// first, at most limit of them (50 when limit <= 0): those matched to the
// outbox message outboxID, or every one for outboxID 0 (unmatched and
// ignored ones too). The console's Outbox page shows a message's events
// with it.
func (s *Store) SESEvents(ctx context.Context, outboxID int64, limit int) ([]SESEvent, error) {
	if limit <= 0 {
		limit = 50
	}
	if outboxID != 0 {
		return queryAll(ctx, s.read, scanSESEvent, sesEventSelect+" WHERE outbox_id = ? ORDER BY id DESC LIMIT ?", outboxID, limit)
	}
	return queryAll(ctx, s.read, scanSESEvent, sesEventSelect+" ORDER BY id DESC LIMIT ?", limit)
}
