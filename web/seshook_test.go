package web

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"opsdeck/auth"
	"opsdeck/mail/sns"
	"opsdeck/mail/sns/snstest"
	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// hookFixture is a crew server on 127.0.0.1 that takes the SES events of
// a fake SNS topic, over a store of its own.
type hookFixture struct {
	t     *testing.T
	store *store.Store
	sns   *snstest.SNS
	auth  *auth.Service
	url   string
}

func newHookFixture(t *testing.T, configure func(*Options)) *hookFixture {
	t.Helper()
	f := &hookFixture{t: t, store: storetest.Open(t, nil), sns: snstest.New(t, "opsdeck-ses-events")}
	secret := make([]byte, 32)
	rand.Read(secret)
	keys, _ := auth.NewKeyring(secret, nil)
	svc, err := auth.New(auth.Options{Store: f.store, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	f.auth = svc
	opts := Options{Store: f.store, Auth: svc, PollEvery: -1, SESTopics: []string{f.sns.Topic},
		SNS: sns.NewVerifier(sns.Options{Client: f.sns.Client, Roots: f.sns.Roots, Now: time.Now})}
	if configure != nil {
		configure(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	f.url = hs.URL
	return f
}

// sent is a message to one address that SES took and called providerID.
func (f *hookFixture) sent(providerID, to string) int64 {
	f.t.Helper()
	ctx := context.Background()
	msgs := []store.OutboxMessage{{Role: portfolio.RoleCEO, Recipient: to, MessageID: "<" + providerID + "@opsdeck.test>",
		From: "reports@example.com", To: []string{to}, Subject: "CEO report", Text: "figures"}}
	if err := f.store.Update(ctx, "test", func(tx *store.Tx) error {
		return tx.CreateBatch(ctx, &store.OutboxBatch{Reason: "test", Transport: "ses"}, msgs)
	}); err != nil {
		f.t.Fatal(err)
	}
	m, ok, err := f.store.ClaimNextDue(ctx)
	if err != nil || !ok {
		f.t.Fatalf("claim: %v %v", ok, err)
	}
	if err := f.store.MarkSent(ctx, m.ID, providerID); err != nil {
		f.t.Fatal(err)
	}
	return m.ID
}

// post sends body as SNS does, and returns the status and answer.
func (f *hookFixture) post(body []byte, header map[string]string) (int, string) {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.url+"/hooks/ses", bytes.NewReader(body))
	req.Header.Set("Content-Type", "text/plain; charset=UTF-8") // as SNS sends it
	req.Header.Set("User-Agent", "Amazon Simple Notification Service Agent")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (f *hookFixture) postMessage(m *sns.Message) (int, string) {
	f.t.Helper()
	return f.post(snstest.Body(m), map[string]string{"X-Amz-Sns-Message-Type": m.Type, "X-Amz-Sns-Message-Id": m.MessageID,
		"X-Amz-Sns-Topic-Arn": m.TopicARN})
}

// state is everything an event could change: each outbox row's status
// and detail, the recorded events, the suppression list, the audit log.
func (f *hookFixture) state() string {
	f.t.Helper()
	ctx := context.Background()
	rows, err := f.store.Outbox(ctx, store.OutboxFilter{})
	if err != nil {
		f.t.Fatal(err)
	}
	var b strings.Builder
	for _, m := range rows {
		fmt.Fprintf(&b, "outbox %d %s %q %q\n", m.ID, m.Status, m.EventDetail, m.LastError)
	}
	evs, _ := f.store.SESEvents(ctx, 0, 1000)
	sps, _ := f.store.Suppressions(ctx)
	audit, _ := f.store.Audit(ctx, 10000)
	fmt.Fprintf(&b, "%d events, %d suppressed, %d audit rows\n", len(evs), len(sps), len(audit))
	return b.String()
}

func (f *hookFixture) status(id int64) store.OutboxMessage {
	f.t.Helper()
	m, err := f.store.OutboxMessage(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

func TestSESHookAppliesEvents(t *testing.T) {
	f := newHookFixture(t, nil)
	ctx := context.Background()
	cases := []struct {
		kind       string
		identity   bool // as an identity notification, not event publishing
		status     string
		detail     string
		suppressed string
	}{
		{snstest.Delivery, false, store.OutboxDelivered, "delivered: 250 2.6.0 Message received", ""},
		{snstest.HardBounce, false, store.OutboxBounced, "Permanent bounce (General): %s 5.1.1 smtp; 550 5.1.1 user unknown", store.SuppressedBounce},
		{snstest.SoftBounce, false, store.OutboxBounced, "Transient bounce (MailboxFull): %s 4.2.2 smtp; 452 4.2.2 mailbox full", ""},
		{snstest.Complaint, false, store.OutboxComplained, "complaint (abuse): %s", store.SuppressedComplaint},
		{snstest.Reject, false, store.OutboxFailed, "rejected by SES: Bad content", ""},
		{snstest.DeliveryDelay, false, store.OutboxSent,
			"delayed (TransientCommunicationFailure), SES keeps trying until 2026-11-27T19:00:00.000Z: %s 4.4.1 smtp; 421 4.4.1 Unable to connect to the remote host", ""},
		{snstest.HardBounce, true, store.OutboxBounced, "Permanent bounce (General): %s 5.1.1 smtp; 550 5.1.1 user unknown", store.SuppressedBounce},
		{snstest.Complaint, true, store.OutboxComplained, "complaint (abuse): %s", store.SuppressedComplaint},
	}
	for i, c := range cases {
		for _, version := range []string{"1", "2"} {
			name := fmt.Sprintf("%s identity=%v v%s", c.kind, c.identity, version)
			to := fmt.Sprintf("person%d.v%s@example.com", i, version)
			providerID := fmt.Sprintf("0100018c-%d-v%s", i, version)
			id := f.sent(providerID, to)
			msg := snstest.SESEvent(c.kind, providerID, to)
			if c.identity {
				msg = snstest.SESNotification(c.kind, providerID, to)
			}
			m := f.sns.Notification(msg)
			m.SignatureVersion = version
			f.sns.Sign(m)
			code, body := f.postMessage(m)
			if code != http.StatusOK {
				t.Fatalf("%s: %d %s", name, code, body)
			}
			row := f.status(id)
			detail := c.detail
			if strings.Contains(detail, "%s") {
				detail = fmt.Sprintf(detail, to)
			}
			if row.Status != c.status || row.EventDetail != detail {
				t.Errorf("%s: %s %q, want %s %q", name, row.Status, row.EventDetail, c.status, detail)
			}
			if c.kind == snstest.Reject && row.LastError != detail {
				t.Errorf("%s: last error %q", name, row.LastError)
			}
			sp, ok, _ := f.store.Suppression(ctx, to)
			if ok != (c.suppressed != "") || ok && (sp.Reason != c.suppressed || sp.OutboxID != id) {
				t.Errorf("%s: suppression %+v %v, want %q", name, sp, ok, c.suppressed)
			}
			evs, _ := f.store.SESEvents(ctx, id, 10)
			if len(evs) != 1 || evs[0].SNSMessageID != m.MessageID || evs[0].Raw != msg || !strings.Contains(body, evs[0].Outcome) {
				t.Errorf("%s: recorded %+v; answered %s", name, evs, body)
			}
		}
	}

	// An event of a kind opsdeck ignores, and one about a message that is
	// not ours, are taken (200), recorded, and change nothing.
	rowsBefore, _ := f.store.Outbox(ctx, store.OutboxFilter{})
	spsBefore, _ := f.store.Suppressions(ctx)
	for _, msg := range []string{snstest.SESEvent(snstest.Open, "0100018c-0-v1", "person0.v1@example.com"),
		snstest.SESEvent(snstest.Complaint, "someone-else", "stranger@example.com"), `{"unexpected": true}`} {
		if code, body := f.postMessage(f.sns.Notification(msg)); code != http.StatusOK {
			t.Fatalf("%s: %d %s", msg, code, body)
		}
	}
	rowsAfter, _ := f.store.Outbox(ctx, store.OutboxFilter{})
	spsAfter, _ := f.store.Suppressions(ctx)
	if fmt.Sprint(rowsAfter) != fmt.Sprint(rowsBefore) || len(spsAfter) != len(spsBefore) {
		t.Errorf("ignored events changed the outbox or the suppression list")
	}
	evs, _ := f.store.SESEvents(ctx, 0, 3)
	if len(evs) != 3 || evs[0].Outcome != "ignored: not an SES event" || evs[1].Outcome != "no outbox message has this SES message id" ||
		evs[2].Outcome != "ignored: opsdeck does not act on Open events" {
		t.Errorf("recorded %+v", evs)
	}
}

func TestSESHookConfirmsSubscription(t *testing.T) {
	f := newHookFixture(t, nil)
	m := f.sns.SubscriptionConfirmation()
	code, body := f.postMessage(m)
	if code != http.StatusOK || !strings.Contains(body, "subscription confirmed") {
		t.Fatalf("%d %s", code, body)
	}
	if got := f.sns.Confirmed(); len(got) != 1 || got[0] != m.Token {
		t.Fatalf("confirmed %v", got)
	}
	// The same message again is a replay: refused, and not confirmed twice.
	before := f.state()
	if code, body := f.postMessage(m); code != http.StatusForbidden {
		t.Fatalf("replay: %d %s", code, body)
	}
	if got := f.sns.Confirmed(); len(got) != 1 {
		t.Fatalf("confirmed %v after a replay", got)
	}
	if after := f.state(); after != before {
		t.Errorf("a replay changed\n%s\ninto\n%s", before, after)
	}
	// A confirmation whose SubscribeURL leaves SNS's host is refused,
	// signed or not, and nothing is fetched.
	bad := f.sns.SubscriptionConfirmation()
	bad.SubscribeURL = strings.Replace(bad.SubscribeURL, snstest.Host, snstest.Host+".evil.example", 1)
	f.sns.Sign(bad)
	if code, body := f.postMessage(bad); code != http.StatusForbidden || strings.Contains(body, bad.Token) {
		t.Fatalf("foreign subscribe URL: %d %s", code, body)
	}
	if got := f.sns.Confirmed(); len(got) != 1 {
		t.Fatalf("confirmed %v", got)
	}
	// Unsubscribing is noted.
	code, body = f.postMessage(f.sns.UnsubscribeConfirmation())
	if code != http.StatusOK || !strings.Contains(body, "subscription ended") {
		t.Fatalf("unsubscribe: %d %s", code, body)
	}
	evs, _ := f.store.SESEvents(context.Background(), 0, 10)
	if len(evs) != 2 || evs[0].SNSType != store.SNSUnsubscribeConfirmation || evs[1].SNSType != store.SNSSubscriptionConfirmation {
		t.Errorf("recorded %+v", evs)
	}
}

func TestSESHookRefuses(t *testing.T) {
	f := newHookFixture(t, nil)
	id := f.sent("0100018c-ada", "ada@example.com")
	complaint := snstest.SESEvent(snstest.Complaint, "0100018c-ada", "ada@example.com")
	delivered := f.sns.Notification(snstest.SESEvent(snstest.Delivery, "0100018c-ada", "ada@example.com"))
	if code, body := f.postMessage(delivered); code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	other := snstest.New(t, "someone-elses-topic")
	signed := func(edit func(m *sns.Message)) *sns.Message {
		m := f.sns.Notification(complaint)
		edit(m)
		f.sns.Sign(m)
		return m
	}
	cases := []struct {
		name   string
		body   []byte
		header map[string]string
		code   int
	}{
		{"tampered", func() []byte {
			m := f.sns.Notification(snstest.SESEvent(snstest.Delivery, "0100018c-ada", "ada@example.com"))
			m.Message = complaint
			return snstest.Body(m)
		}(), nil, http.StatusForbidden},
		{"replayed", snstest.Body(delivered), nil, http.StatusForbidden},
		{"replayed as a complaint", func() []byte { m := *delivered; m.Message = complaint; f.sns.Sign(&m); return snstest.Body(&m) }(), nil, http.StatusForbidden},
		{"wrong topic", snstest.Body(other.Notification(complaint)), nil, http.StatusForbidden},
		{"wrong topic, our signature", snstest.Body(signed(func(m *sns.Message) { m.TopicARN = other.Topic })), nil, http.StatusForbidden},
		{"unsigned", func() []byte {
			m := f.sns.Notification(complaint)
			m.Signature, m.SignatureVersion = "", ""
			return snstest.Body(m)
		}(), nil, http.StatusForbidden},
		{"topic changed after signing", func() []byte {
			m := other.Notification(complaint)
			m.TopicARN = f.sns.Topic
			return snstest.Body(m)
		}(), nil, http.StatusForbidden},
		{"signed with another key", func() []byte {
			m := f.sns.Notification(complaint)
			key, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			text, _ := m.StringToSign()
			d := sha1.Sum([]byte(text))
			sig, _ := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA1, d[:])
			m.Signature = base64.StdEncoding.EncodeToString(sig)
			return snstest.Body(m)
		}(), nil, http.StatusForbidden},
		{"stale", snstest.Body(signed(func(m *sns.Message) { m.Timestamp = time.Now().Add(-2 * time.Hour).UTC().Format(time.RFC3339) })), nil, http.StatusForbidden},
		{"future", snstest.Body(signed(func(m *sns.Message) { m.Timestamp = time.Now().Add(time.Hour).UTC().Format(time.RFC3339) })), nil, http.StatusForbidden},
		{"certificate elsewhere", snstest.Body(signed(func(m *sns.Message) {
			m.SigningCertURL = "https://" + snstest.Host + ".evil.example" + snstest.CertPath
		})), nil, http.StatusForbidden},
		{"untrusted certificate", snstest.Body(signed(func(m *sns.Message) {
			m.SigningCertURL = "https://" + snstest.Host + snstest.UntrustedPath
		})), nil, http.StatusForbidden},
		{"header disagrees", snstest.Body(f.sns.Notification(complaint)), map[string]string{"X-Amz-Sns-Message-Type": sns.TypeSubscriptionConfirmation},
			http.StatusForbidden},
		{"not JSON", []byte("hello"), nil, http.StatusBadRequest},
		{"no type", []byte(`{"MessageId":"x"}`), nil, http.StatusBadRequest},
		{"too big", bytes.Repeat([]byte(" "), maxHookBody+1), nil, http.StatusRequestEntityTooLarge},
	}
	before := f.state()
	for _, c := range cases {
		code, body := f.post(c.body, c.header)
		if code != c.code {
			t.Errorf("%s: %d %s, want %d", c.name, code, body, c.code)
		}
		if after := f.state(); after != before {
			t.Fatalf("%s changed\n%s\ninto\n%s", c.name, before, after)
		}
	}
	if m := f.status(id); m.Status != store.OutboxDelivered {
		t.Errorf("status %s", m.Status)
	}
	if _, ok, _ := f.store.Suppression(context.Background(), "ada@example.com"); ok {
		t.Error("suppressed by a refused message")
	}
}

// The hook takes SNS's posts whatever they say about origins; every other
// POST stays behind the cross-origin check.
func TestSESHookOutsideCrossOriginProtection(t *testing.T) {
	f := newHookFixture(t, nil)
	cross := map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
	if code, body := f.post(snstest.Body(f.sns.Notification(`{"eventType":"Send","mail":{"messageId":"x"},"send":{}}`)), cross); code != http.StatusOK {
		t.Fatalf("hook: %d %s", code, body)
	}
	req, _ := http.NewRequest(http.MethodPost, f.url+"/logout", nil)
	for k, v := range cross {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin logout: %d", resp.StatusCode)
	}
	// Other routes keep the small body cap.
	resp, err = http.Post(f.url+"/api/auth/refresh", "application/json", bytes.NewReader(bytes.Repeat([]byte(" "), maxBody+1)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Errorf("refresh with a big body: %d", resp.StatusCode)
	}
}

func TestSESHookNotConfigured(t *testing.T) {
	f := newHookFixture(t, func(o *Options) { o.SESTopics = nil })
	code, body := f.postMessage(f.sns.Notification(snstest.SESEvent(snstest.Delivery, "x", "ada@example.com")))
	if code != http.StatusNotFound {
		t.Fatalf("%d %s", code, body)
	}
	var answer map[string]string
	if json.Unmarshal([]byte(body), &answer); answer["error"] != "not_found" {
		t.Errorf("answer %s", body)
	}
	if _, err := New(Options{Store: f.store, Auth: f.auth, SESTopics: []string{"arn:aws:sqs:us-east-1:123456789012:q"}}); portfolio.ErrorCode(err) != portfolio.EINVALID {
		t.Errorf("a bad topic ARN: %v", err)
	}
}

// What may pass is 503, which SNS retries: the certificate out of reach,
// the database failing.
func TestSESHookUnavailable(t *testing.T) {
	unreachable := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, fmt.Errorf("no network (test)")
	}}}
	f := newHookFixture(t, func(o *Options) {
		o.SNS = sns.NewVerifier(sns.Options{Client: unreachable, Roots: nil})
	})
	before := f.state()
	if code, body := f.postMessage(f.sns.Notification(`{}`)); code != http.StatusServiceUnavailable || strings.Contains(body, "no network") {
		t.Errorf("certificate unreachable: %d %s", code, body)
	}
	if after := f.state(); after != before {
		t.Errorf("changed:\n%s", after)
	}

	g := newHookFixture(t, nil)
	m := g.sns.Notification(snstest.SESEvent(snstest.Delivery, "x", "ada@example.com"))
	g.store.Close()
	if code, body := g.postMessage(m); code != http.StatusServiceUnavailable {
		t.Errorf("store closed: %d %s", code, body)
	}
}

// A message whose answer from SES was lost (left uncertain by a crash)
// is settled by its delivery event, found through the header it carried.
func TestSESHookSettlesAnUncertainMessage(t *testing.T) {
	f := newHookFixture(t, nil)
	ctx := context.Background()
	msgs := []store.OutboxMessage{{Role: portfolio.RoleCEO, Recipient: "ada@example.com", MessageID: "<opsdeck.lost@example.com>",
		From: "reports@example.com", To: []string{"ada@example.com"}, Subject: "CEO report", Text: "figures"}}
	if err := f.store.Update(ctx, "test", func(tx *store.Tx) error {
		return tx.CreateBatch(ctx, &store.OutboxBatch{Reason: "test", Transport: "ses"}, msgs)
	}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := f.store.ClaimNextDue(ctx); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if _, err := f.store.MarkStaleSending(ctx); err != nil { // the worker died mid-send
		t.Fatal(err)
	}
	code, body := f.postMessage(f.sns.Notification(snstest.SESEventWithHeader(snstest.Delivery, "0100018c-lost", "ada@example.com", "<opsdeck.lost@example.com>")))
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	if r := f.status(msgs[0].ID); r.Status != store.OutboxDelivered || r.ProviderID != "0100018c-lost" {
		t.Errorf("after its delivery event: %s %q %q", r.Status, r.ProviderID, r.LastError)
	}
}
