package snstest

import (
	"fmt"
	"strings"
)

// The SES events SESEvent writes, as event publishing names them; a
// SoftBounce is a Bounce of type Transient.
const (
	Delivery      = "Delivery"
	HardBounce    = "Bounce"
	SoftBounce    = "SoftBounce"
	Complaint     = "Complaint"
	Reject        = "Reject"
	DeliveryDelay = "DeliveryDelay"
	Open          = "Open"
)

// SESEvent is the Message of a notification from a configuration set's
// event destination: an event of kind for the message SES knows as
// messageID, sent to recipient, shaped as in SES's documentation.
func SESEvent(kind, messageID, recipient string) string {
	return sesJSON("eventType", kind, messageID, recipient, "")
}

// SESEventWithHeader is SESEvent for a message that carried opsdeck's
// X-Opsdeck-Message-Id header with opsdeckID, listed among the original
// headers as SES does.
func SESEventWithHeader(kind, messageID, recipient, opsdeckID string) string {
	return sesJSON("eventType", kind, messageID, recipient, opsdeckID)
}

// SESNotification is the same event as an identity's feedback
// notification (notificationType; only Delivery, Bounce and Complaint).
func SESNotification(kind, messageID, recipient string) string {
	return sesJSON("notificationType", kind, messageID, recipient, "")
}

func sesJSON(typeField, kind, messageID, recipient, opsdeckID string) string {
	headers := fmt.Sprintf(`[{"name":"From","value":"reports@example.com"},{"name":"To","value":%q}`, recipient)
	if opsdeckID != "" {
		headers += fmt.Sprintf(`,{"name":"X-Opsdeck-Message-Id","value":%q}`, opsdeckID)
	}
	headers += "]"
	mail := fmt.Sprintf(`"mail":{"timestamp":"2026-11-26T18:59:58.000Z","source":"reports@example.com","sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/example.com",
 "sendingAccountId":"123456789012","messageId":%q,"destination":[%q],"headersTruncated":false,"headers":%s,
 "commonHeaders":{"from":["reports@example.com"],"to":[%q],"subject":"CEO report"},"tags":{"ses:configuration-set":["opsdeck"]}}`,
		messageID, recipient, headers, recipient)
	name := kind
	var part string
	switch kind {
	case Delivery:
		part = fmt.Sprintf(`"delivery":{"timestamp":"2026-11-26T19:00:01.250Z","processingTimeMillis":1250,"recipients":[%q],
 "smtpResponse":"250 2.6.0 Message received","reportingMTA":"a8-70.smtp-out.amazonses.com"}`, recipient)
	case HardBounce, SoftBounce:
		name = "Bounce"
		typ, sub, status, code := "Permanent", "General", "5.1.1", "smtp; 550 5.1.1 user unknown"
		if kind == SoftBounce {
			typ, sub, status, code = "Transient", "MailboxFull", "4.2.2", "smtp; 452 4.2.2 mailbox full"
		}
		part = fmt.Sprintf(`"bounce":{"feedbackId":"0100017-bounce","bounceType":%q,"bounceSubType":%q,
 "bouncedRecipients":[{"emailAddress":%q,"action":"failed","status":%q,"diagnosticCode":%q}],
 "timestamp":"2026-11-26T19:00:02.000Z","reportingMTA":"dsn; a8-70.smtp-out.amazonses.com"}`, typ, sub, recipient, status, code)
	case Complaint:
		part = fmt.Sprintf(`"complaint":{"feedbackId":"0100017-complaint","complaintSubType":null,
 "complainedRecipients":[{"emailAddress":%q}],"timestamp":"2026-11-26T19:05:00.000Z","userAgent":"ExampleCorp Feedback Loop (V0.01)",
 "complaintFeedbackType":"abuse","arrivalDate":"2026-11-26T19:04:00.000Z"}`, recipient)
	case Reject:
		part = `"reject":{"reason":"Bad content"}`
	case DeliveryDelay:
		part = fmt.Sprintf(`"deliveryDelay":{"timestamp":"2026-11-26T19:10:00.000Z","delayType":"TransientCommunicationFailure",
 "expirationTime":"2026-11-27T19:00:00.000Z","delayedRecipients":[{"emailAddress":%q,"status":"4.4.1",
 "diagnosticCode":"smtp; 421 4.4.1 Unable to connect to the remote host"}]}`, recipient)
	case Open:
		part = `"open":{"ipAddress":"192.0.2.1","timestamp":"2026-11-26T19:20:00.000Z","userAgent":"Mozilla/5.0"}`
	default:
		panic("snstest: unknown SES event kind " + kind)
	}
	return strings.ReplaceAll(fmt.Sprintf(`{%q:%q,%s,%s}`, typeField, name, mail, part), "\n", "")
}
