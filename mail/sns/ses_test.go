package sns_test

import (
	"strings"
	"testing"
	"time"

	"opsdeck/mail/sns"
	"opsdeck/mail/sns/snstest"
)

func TestParseSESEvent(t *testing.T) {
	const id, to = "0100018c-ses-message-id", "ada@example.com"
	cases := []struct {
		kind      string
		want      string
		permanent bool
		detail    string
		at        string
	}{
		{snstest.Delivery, sns.SESDelivery, false, "delivered: 250 2.6.0 Message received", "2026-11-26T19:00:01.25Z"},
		{snstest.HardBounce, sns.SESBounce, true, "Permanent bounce (General): ada@example.com 5.1.1 smtp; 550 5.1.1 user unknown", "2026-11-26T19:00:02Z"},
		{snstest.SoftBounce, sns.SESBounce, false, "Transient bounce (MailboxFull): ada@example.com 4.2.2 smtp; 452 4.2.2 mailbox full", "2026-11-26T19:00:02Z"},
		{snstest.Complaint, sns.SESComplaint, false, "complaint (abuse): ada@example.com", "2026-11-26T19:05:00Z"},
		{snstest.Reject, sns.SESReject, false, "rejected by SES: Bad content", "2026-11-26T18:59:58Z"},
		{snstest.DeliveryDelay, sns.SESDeliveryDelay, false,
			"delayed (TransientCommunicationFailure), SES keeps trying until 2026-11-27T19:00:00.000Z: ada@example.com 4.4.1 smtp; 421 4.4.1 Unable to connect to the remote host",
			"2026-11-26T19:10:00Z"},
	}
	for _, c := range cases {
		for _, msg := range []string{snstest.SESEvent(c.kind, id, to), snstest.SESNotification(c.kind, id, to)} {
			if strings.Contains(msg, "notificationType") && (c.kind == snstest.Reject || c.kind == snstest.DeliveryDelay) {
				continue // identity notifications have only deliveries, bounces and complaints
			}
			ev, err := sns.ParseSESEvent(msg)
			if err != nil {
				t.Fatalf("%s: %v", c.kind, err)
			}
			at, _ := time.Parse(time.RFC3339Nano, c.at)
			if ev.Type != c.want || !ev.Handled || ev.MessageID != id || len(ev.Recipients) != 1 || ev.Recipients[0] != to ||
				ev.Permanent != c.permanent || ev.Detail != c.detail || !ev.At.Equal(at) {
				t.Errorf("%s:\n got %+v\nwant type %s permanent %v detail %q at %s", c.kind, ev, c.want, c.permanent, c.detail, at)
			}
		}
	}

	// Events opsdeck does not act on are no mistake.
	for _, msg := range []string{
		snstest.SESEvent(snstest.Open, id, to),
		`{"eventType":"Send","mail":{"messageId":"x"},"send":{}}`,
		`{"eventType":"Rendering Failure","mail":{"messageId":"x"},"failure":{"errorMessage":"no template"}}`,
		`{"notificationType":"AmazonSnsSubscriptionSucceeded","message":"You have successfully subscribed your Amazon SNS topic"}`,
	} {
		ev, err := sns.ParseSESEvent(msg)
		if err != nil || ev.Handled || ev.Type == "" {
			t.Errorf("%s: %+v %v, want ignored", msg, ev, err)
		}
	}

	// What is not an SES event, or an event without what it must have.
	for _, msg := range []string{
		`not json`, `{}`, `{"eventType":"Bounce","mail":{"messageId":"x"}}`,
		`{"eventType":"Delivery","mail":{},"delivery":{"recipients":["a@example.com"]}}`,
	} {
		if _, err := sns.ParseSESEvent(msg); err == nil {
			t.Errorf("%s: accepted", msg)
		}
	}

	// A long diagnostic is cut.
	long := strings.Replace(snstest.SESEvent(snstest.HardBounce, id, to), "user unknown", strings.Repeat("é", 3000), 1)
	ev, err := sns.ParseSESEvent(long)
	if err != nil || len(ev.Detail) > 2010 || !strings.HasSuffix(ev.Detail, "…") {
		t.Errorf("long detail: %d bytes, %v", len(ev.Detail), err)
	}
}

// The X-Opsdeck-Message-Id header SES lists among the original headers is
// read, whatever its case, so an event can find a row that never learnt
// SES's id.
func TestParseSESEventReadsTheOpsdeckHeader(t *testing.T) {
	ev, err := sns.ParseSESEvent(snstest.SESEventWithHeader(snstest.Delivery, "ses-1", "ada@example.com", "<opsdeck.1.2@example.com>"))
	if err != nil || ev.OpsdeckID != "<opsdeck.1.2@example.com>" {
		t.Errorf("header: %q, %v", ev.OpsdeckID, err)
	}
	lower := strings.Replace(snstest.SESEventWithHeader(snstest.HardBounce, "ses-1", "ada@example.com", "<x@example.com>"), "X-Opsdeck-Message-Id", "x-opsdeck-message-id", 1)
	if ev, err := sns.ParseSESEvent(lower); err != nil || ev.OpsdeckID != "<x@example.com>" {
		t.Errorf("lower-case header: %q, %v", ev.OpsdeckID, err)
	}
	if ev, _ := sns.ParseSESEvent(snstest.SESEvent(snstest.Delivery, "ses-1", "ada@example.com")); ev.OpsdeckID != "" {
		t.Errorf("no header, yet %q", ev.OpsdeckID)
	}
}
