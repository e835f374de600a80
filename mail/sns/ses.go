package sns

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The SES events opsdeck acts on, as SES names them in eventType (event
// publishing through a configuration set) or notificationType (an
// identity's feedback notifications).
const (
	SESDelivery      = "Delivery"
	SESBounce        = "Bounce"
	SESComplaint     = "Complaint"
	SESReject        = "Reject"
	SESDeliveryDelay = "DeliveryDelay"
)

// SESEvent is what an SES event in a notification's Message says about a
// message opsdeck sent.
type SESEvent struct {
	// Type is the eventType or notificationType: one of the SES*
	// constants when Handled, else what SES called it (Send, Open,
	// Click, Rendering Failure, Subscription, AmazonSnsSubscriptionSucceeded).
	Type string
	// Handled is false for the kinds of event opsdeck records and
	// otherwise ignores.
	Handled bool
	// MessageID is mail.messageId: the id SES gave the message when it
	// took it, kept as the outbox row's provider id.
	MessageID string
	// Recipients are the addresses the event is about: those bounced,
	// complained, delayed or delivered (for a reject, every destination).
	Recipients []string
	// Detail is the diagnostic a person reads: the bounce's type and
	// subtype with each recipient's status and diagnostic code, the
	// complaint's feedback type, the delay's type, the reject's reason,
	// the receiving server's answer to a delivery.
	Detail string
	// OpsdeckID is the X-Opsdeck-Message-Id header the message carried,
	// when SES lists the original headers: it finds the outbox row even
	// when the answer with SES's message id never came back.
	OpsdeckID string
	// Permanent marks a hard bounce (bounceType Permanent).
	Permanent bool
	// At is when it happened, by SES (the mail's timestamp when the
	// event has none of its own).
	At time.Time
}

// OpsdeckIDHeader is the header every message opsdeck sends carries with
// its outbox Message-ID.
const OpsdeckIDHeader = "X-Opsdeck-Message-Id"

// maxDetail bounds Detail: a diagnostic code can be a whole SMTP dialogue.
const maxDetail = 2000

type sesRecipient struct {
	EmailAddress   string `json:"emailAddress"`
	Action         string `json:"action"`
	Status         string `json:"status"`
	DiagnosticCode string `json:"diagnosticCode"`
}

type sesPayload struct {
	EventType        string `json:"eventType"`
	NotificationType string `json:"notificationType"`
	Mail             *struct {
		MessageID   string   `json:"messageId"`
		Timestamp   string   `json:"timestamp"`
		Destination []string `json:"destination"`
		Headers     []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"headers"`
	} `json:"mail"`
	Bounce *struct {
		BounceType        string         `json:"bounceType"`
		BounceSubType     string         `json:"bounceSubType"`
		BouncedRecipients []sesRecipient `json:"bouncedRecipients"`
		Timestamp         string         `json:"timestamp"`
	} `json:"bounce"`
	Complaint *struct {
		ComplainedRecipients  []sesRecipient `json:"complainedRecipients"`
		ComplaintFeedbackType string         `json:"complaintFeedbackType"`
		ComplaintSubType      string         `json:"complaintSubType"`
		Timestamp             string         `json:"timestamp"`
	} `json:"complaint"`
	Delivery *struct {
		Recipients   []string `json:"recipients"`
		SMTPResponse string   `json:"smtpResponse"`
		Timestamp    string   `json:"timestamp"`
	} `json:"delivery"`
	Reject *struct {
		Reason string `json:"reason"`
	} `json:"reject"`
	DeliveryDelay *struct {
		DelayType         string         `json:"delayType"`
		ExpirationTime    string         `json:"expirationTime"`
		DelayedRecipients []sesRecipient `json:"delayedRecipients"`
		Timestamp         string         `json:"timestamp"`
	} `json:"deliveryDelay"`
}

// ParseSESEvent reads the Message of a notification from an SES event
// destination or identity notification topic. An event of a kind opsdeck
// does not act on comes back with Handled false and no error; an error
// means the message is not an SES event, or one of a kind opsdeck acts on
// that lacks what it must have.
func ParseSESEvent(message string) (SESEvent, error) {
	var p sesPayload
	if err := json.Unmarshal([]byte(message), &p); err != nil {
		return SESEvent{}, fmt.Errorf("not an SES event: %v", err)
	}
	ev := SESEvent{Type: p.EventType}
	if ev.Type == "" {
		ev.Type = p.NotificationType
	}
	if ev.Type == "" {
		return SESEvent{}, fmt.Errorf("not an SES event: no eventType or notificationType")
	}
	if p.Mail != nil {
		ev.MessageID = p.Mail.MessageID
		ev.At = parseSESTime(p.Mail.Timestamp)
		for _, h := range p.Mail.Headers {
			if strings.EqualFold(h.Name, OpsdeckIDHeader) {
				ev.OpsdeckID = truncate(strings.TrimSpace(h.Value), 998)
			}
		}
	}
	var detail string
	var eventAt string
	missing := func(part string) (SESEvent, error) {
		return SESEvent{}, fmt.Errorf("SES %s event without its %q part", ev.Type, part)
	}
	switch ev.Type {
	case SESBounce:
		b := p.Bounce
		if b == nil {
			return missing("bounce")
		}
		ev.Permanent = b.BounceType == "Permanent"
		detail = strings.TrimSpace(fmt.Sprintf("%s bounce (%s)", orUnknown(b.BounceType), orUnknown(b.BounceSubType)))
		detail += recipientDetails(b.BouncedRecipients, &ev.Recipients)
		eventAt = b.Timestamp
	case SESComplaint:
		c := p.Complaint
		if c == nil {
			return missing("complaint")
		}
		detail = "complaint"
		if c.ComplaintFeedbackType != "" {
			detail += " (" + c.ComplaintFeedbackType + ")"
		}
		if c.ComplaintSubType != "" {
			detail += " [" + c.ComplaintSubType + "]"
		}
		detail += recipientDetails(c.ComplainedRecipients, &ev.Recipients)
		eventAt = c.Timestamp
	case SESDelivery:
		d := p.Delivery
		if d == nil {
			return missing("delivery")
		}
		ev.Recipients = cleanAddresses(d.Recipients)
		detail = "delivered"
		if d.SMTPResponse != "" {
			detail += ": " + d.SMTPResponse
		}
		eventAt = d.Timestamp
	case SESReject:
		r := p.Reject
		if r == nil {
			return missing("reject")
		}
		detail = "rejected by SES: " + orUnknown(r.Reason)
		if p.Mail != nil {
			ev.Recipients = cleanAddresses(p.Mail.Destination)
		}
	case SESDeliveryDelay:
		d := p.DeliveryDelay
		if d == nil {
			return missing("deliveryDelay")
		}
		detail = "delayed (" + orUnknown(d.DelayType) + ")"
		if d.ExpirationTime != "" {
			detail += ", SES keeps trying until " + d.ExpirationTime
		}
		detail += recipientDetails(d.DelayedRecipients, &ev.Recipients)
		eventAt = d.Timestamp
	default:
		// Send, Open, Click, Rendering Failure, Subscription, and the
		// notice that an identity's topic was subscribed.
		return ev, nil
	}
	if ev.MessageID == "" {
		return SESEvent{}, fmt.Errorf("SES %s event without mail.messageId", ev.Type)
	}
	ev.Handled = true
	ev.Detail = truncate(detail, maxDetail)
	if t := parseSESTime(eventAt); !t.IsZero() {
		ev.At = t
	}
	return ev, nil
}

// recipientDetails appends each recipient's address, status and
// diagnostic code to the detail, and the address to addrs.
func recipientDetails(rs []sesRecipient, addrs *[]string) string {
	var b strings.Builder
	for _, r := range rs {
		addr := strings.TrimSpace(r.EmailAddress)
		if addr == "" {
			continue
		}
		*addrs = append(*addrs, addr)
		b.WriteString("; ")
		b.WriteString(addr)
		for _, part := range []string{r.Status, r.DiagnosticCode} {
			if part = strings.TrimSpace(part); part != "" {
				b.WriteString(" ")
				b.WriteString(part)
			}
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return ":" + strings.TrimPrefix(b.String(), ";")
}

func cleanAddresses(in []string) []string {
	var out []string
	for _, a := range in {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func parseSESTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
