package sns_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"opsdeck/mail/sns"
	"opsdeck/mail/sns/snstest"
)

func newVerifier(f *snstest.SNS) *sns.Verifier {
	return sns.NewVerifier(sns.Options{Client: f.Client, Roots: f.Roots, Now: time.Now})
}

// roundTrip is what the hook does first: the body as posted, parsed.
func roundTrip(t *testing.T, m *sns.Message) *sns.Message {
	t.Helper()
	got, err := sns.Parse(snstest.Body(m))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return got
}

func TestVerifyEachTypeAndVersion(t *testing.T) {
	f := snstest.New(t, "ses-events")
	v := newVerifier(f)
	ctx := context.Background()
	subject := "Amazon SES Email Event Notification"
	for _, version := range []string{"1", "2"} {
		withSubject := f.Notification(`{"eventType":"Delivery"}`)
		withSubject.Subject = &subject
		emptySubject := f.Notification(`{"eventType":"Delivery"}`)
		empty := ""
		emptySubject.Subject = &empty
		for name, m := range map[string]*sns.Message{
			"notification":                f.Notification(`{"eventType":"Delivery"}`),
			"notification with subject":   withSubject,
			"notification, empty subject": emptySubject,
			"subscription confirmation":   f.SubscriptionConfirmation(),
			"unsubscribe confirmation":    f.UnsubscribeConfirmation(),
		} {
			m.SignatureVersion = version
			f.Sign(m)
			if err := v.Verify(ctx, roundTrip(t, m)); err != nil {
				t.Errorf("version %s, %s: %v", version, name, err)
			}
		}
	}
	// The certificate was fetched once, then served from the cache; its
	// issuer came from the URL inside it.
	if n := f.Fetches(snstest.CertPath); n != 1 {
		t.Errorf("certificate fetched %d times, want once", n)
	}
	if n := f.Fetches(snstest.IssuerPath); n != 1 {
		t.Errorf("issuer fetched %d times, want once", n)
	}
}

func TestVerifyChainInTheFile(t *testing.T) {
	f := snstest.New(t, "ses-events")
	v := newVerifier(f)
	m := f.Notification("{}")
	m.SigningCertURL = "https://" + snstest.Host + snstest.ChainPath
	f.Sign(m)
	if err := v.Verify(context.Background(), roundTrip(t, m)); err != nil {
		t.Fatal(err)
	}
	if n := f.Fetches(snstest.IssuerPath); n != 0 {
		t.Errorf("issuer fetched %d times though the file had it", n)
	}
}

func TestVerifyRefuses(t *testing.T) {
	f := snstest.New(t, "ses-events")
	ctx := context.Background()
	signed := func(edit func(m *sns.Message)) *sns.Message {
		m := f.Notification(`{"eventType":"Bounce"}`)
		edit(m)
		f.Sign(m)
		return m
	}
	subject := "hello"
	cases := []struct {
		name string
		m    *sns.Message
		want error
		text string
	}{
		{"tampered message", func() *sns.Message {
			m := f.Notification(`{"eventType":"Delivery"}`)
			m.Message = `{"eventType":"Complaint"}`
			return m
		}(),
			sns.ErrSignature, "does not match"},
		{"tampered message id", func() *sns.Message { m := f.Notification("{}"); m.MessageID += "x"; return m }(), sns.ErrSignature, "does not match"},
		{"subject added", func() *sns.Message { m := f.Notification("{}"); m.Subject = &subject; return m }(), sns.ErrSignature, "does not match"},
		{"tampered type", func() *sns.Message {
			m := f.SubscriptionConfirmation()
			m.Type = sns.TypeUnsubscribeConfirmation
			return m
		}(), sns.ErrSignature, "does not match"},
		{"tampered subscribe URL", func() *sns.Message {
			m := f.SubscriptionConfirmation()
			m.SubscribeURL += "&x=1"
			return m
		}(), sns.ErrSignature, "does not match"},
		{"version 1 signature called version 2", func() *sns.Message { m := f.Notification("{}"); m.SignatureVersion = "2"; return m }(),
			sns.ErrSignature, "does not match"},
		{"unsigned", func() *sns.Message { m := f.Notification("{}"); m.Signature, m.SignatureVersion = "", ""; return m }(),
			sns.ErrSignature, "not signed"},
		{"no signature", func() *sns.Message { m := f.Notification("{}"); m.Signature = ""; return m }(), sns.ErrSignature, "not signed"},
		{"unknown version", func() *sns.Message { m := f.Notification("{}"); m.SignatureVersion = "3"; return m }(), sns.ErrSignature, "SignatureVersion"},
		{"signature not base64", func() *sns.Message { m := f.Notification("{}"); m.Signature = "%%%"; return m }(), sns.ErrSignature, "base64"},
		{"http certificate URL", signed(func(m *sns.Message) { m.SigningCertURL = "http://" + snstest.Host + snstest.CertPath }), sns.ErrCertURL, "not https"},
		{"other host", signed(func(m *sns.Message) { m.SigningCertURL = "https://example.com" + snstest.CertPath }), sns.ErrCertURL, "is not " + snstest.Host},
		{"look-alike host", signed(func(m *sns.Message) {
			m.SigningCertURL = "https://" + snstest.Host + ".evil.example" + snstest.CertPath
		}),
			sns.ErrCertURL, "is not " + snstest.Host},
		{"other region", signed(func(m *sns.Message) { m.SigningCertURL = "https://sns.eu-west-1.amazonaws.com" + snstest.CertPath }),
			sns.ErrCertURL, "is not " + snstest.Host},
		{"a port", signed(func(m *sns.Message) { m.SigningCertURL = "https://" + snstest.Host + ":8443" + snstest.CertPath }), sns.ErrCertURL, "is not"},
		{"user in URL", signed(func(m *sns.Message) { m.SigningCertURL = "https://me@" + snstest.Host + snstest.CertPath }), sns.ErrCertURL, "plain"},
		{"not a .pem", signed(func(m *sns.Message) { m.SigningCertURL = "https://" + snstest.Host + "/cert.txt" }), sns.ErrCertURL, ".pem"},
		{"no certificate there", signed(func(m *sns.Message) { m.SigningCertURL = "https://" + snstest.Host + "/missing.pem" }), sns.ErrCertificate, "404"},
		{"unknown chain", signed(func(m *sns.Message) { m.SigningCertURL = "https://" + snstest.Host + snstest.UntrustedPath }),
			sns.ErrCertificate, "trusted root"},
		{"stale", signed(func(m *sns.Message) { m.Timestamp = time.Now().Add(-61 * time.Minute).UTC().Format(time.RFC3339) }), sns.ErrTimestamp, "old"},
		{"future", signed(func(m *sns.Message) { m.Timestamp = time.Now().Add(6 * time.Minute).UTC().Format(time.RFC3339) }), sns.ErrTimestamp, "future"},
		{"bad timestamp", signed(func(m *sns.Message) { m.Timestamp = "yesterday" }), sns.ErrTimestamp, "RFC 3339"},
		{"foreign topic ARN", signed(func(m *sns.Message) { m.TopicARN = "arn:aws:s3:::bucket" }), sns.ErrSignature, "not an SNS topic ARN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := newVerifier(f).Verify(ctx, roundTrip(t, c.m))
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
				t.Fatalf("got %v, want %v mentioning %q", err, c.want, c.text)
			}
			if errors.Is(err, sns.ErrUnavailable) || errors.Is(err, sns.ErrMalformed) {
				t.Fatalf("%v is no refusal", err)
			}
		})
	}
}

func TestVerifyTimestampLimits(t *testing.T) {
	f := snstest.New(t, "ses-events")
	now := time.Date(2026, 11, 26, 19, 0, 0, 0, time.UTC)
	v := sns.NewVerifier(sns.Options{Client: f.Client, Roots: f.Roots, Now: func() time.Time { return now }})
	for _, d := range []time.Duration{-59 * time.Minute, 4 * time.Minute, 0} {
		f.Now = func() time.Time { return now.Add(d) }
		if err := v.Verify(context.Background(), roundTrip(t, f.Notification("{}"))); err != nil {
			t.Errorf("a message %s from now: %v", d, err)
		}
	}
}

func TestVerifyCertificateUnavailable(t *testing.T) {
	f := snstest.New(t, "ses-events")
	// A client that reaches nothing: a network failure is worth a retry,
	// not a refusal.
	v := sns.NewVerifier(sns.Options{Client: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return nil, errors.New("network unreachable (test)")
		}}}, Roots: f.Roots})
	err := v.Verify(context.Background(), roundTrip(t, f.Notification("{}")))
	if !errors.Is(err, sns.ErrUnavailable) {
		t.Fatalf("got %v, want ErrUnavailable", err)
	}
}

func TestParse(t *testing.T) {
	for _, body := range []string{
		``, `[]`, `{}`, `{"Type":"Notification"}`, `{"Type":"Gossip","MessageId":"1","TopicArn":"t","Timestamp":"x"}`,
		`{"Type":"SubscriptionConfirmation","MessageId":"1","TopicArn":"t","Timestamp":"x"}`,
		`{"Type":"Notification","MessageId":"1","TopicArn":"t","Timestamp":"x"} {}`,
	} {
		if _, err := sns.Parse([]byte(body)); !errors.Is(err, sns.ErrMalformed) {
			t.Errorf("Parse(%q) = %v, want ErrMalformed", body, err)
		}
	}
}

func TestStringToSign(t *testing.T) {
	subject := "Hi"
	m := &sns.Message{Type: sns.TypeNotification, MessageID: "id", TopicARN: "arn", Message: "body\nline", Timestamp: "ts", Subject: &subject}
	got, _ := m.StringToSign()
	want := "Message\nbody\nline\nMessageId\nid\nSubject\nHi\nTimestamp\nts\nTopicArn\narn\nType\nNotification\n"
	if got != want {
		t.Errorf("notification:\n%q\nwant\n%q", got, want)
	}
	m.Subject = nil
	got, _ = m.StringToSign()
	if want := "Message\nbody\nline\nMessageId\nid\nTimestamp\nts\nTopicArn\narn\nType\nNotification\n"; got != want {
		t.Errorf("without subject:\n%q", got)
	}
	c := &sns.Message{Type: sns.TypeSubscriptionConfirmation, MessageID: "id", Token: "tok", TopicARN: "arn", Message: "m",
		SubscribeURL: "https://s", Timestamp: "ts", Subject: &subject}
	got, _ = c.StringToSign()
	if want := "Message\nm\nMessageId\nid\nSubscribeURL\nhttps://s\nTimestamp\nts\nToken\ntok\nTopicArn\narn\nType\nSubscriptionConfirmation\n"; got != want {
		t.Errorf("confirmation:\n%q", got)
	}
}

func TestTopicARN(t *testing.T) {
	for arn, host := range map[string]string{
		"arn:aws:sns:us-east-1:123456789012:ses-events":        "sns.us-east-1.amazonaws.com",
		"arn:aws:sns:eu-central-1:123456789012:a_b-c.fifo":     "sns.eu-central-1.amazonaws.com",
		"arn:aws-us-gov:sns:us-gov-west-1:123456789012:events": "sns.us-gov-west-1.amazonaws.com",
		"arn:aws-cn:sns:cn-north-1:123456789012:events":        "sns.cn-north-1.amazonaws.com.cn",
	} {
		a, err := sns.ParseTopicARN(arn)
		if err != nil || a.Host() != host || a.String() != arn {
			t.Errorf("%s: %+v %v, want host %s", arn, a, err, host)
		}
	}
	for _, arn := range []string{
		"", "arn:aws:sqs:us-east-1:123456789012:q", "arn:aws:sns:us-east-1:123:t", "arn:aws:sns:evil.example/x:123456789012:t",
		"arn:aws:sns:us-east-1:123456789012:", "arn:aws-cn:sns:us-east-1:123456789012:t", "arn:aws:sns:cn-north-1:123456789012:t",
		"arn:other:sns:us-east-1:123456789012:t", "arn:aws:sns:us-east-1:123456789012:t:extra",
	} {
		if _, err := sns.ParseTopicARN(arn); err == nil {
			t.Errorf("%q accepted", arn)
		}
	}
	got, err := sns.ParseTopics(" arn:aws:sns:us-east-1:123456789012:a, ,arn:aws:sns:us-east-1:123456789012:b,arn:aws:sns:us-east-1:123456789012:a")
	if err != nil || len(got) != 2 {
		t.Errorf("ParseTopics: %v %v", got, err)
	}
	if _, err := sns.ParseTopics("arn:aws:sns:us-east-1:123456789012:a,nope"); err == nil {
		t.Error("ParseTopics took a bad ARN")
	}
}

func TestConfirm(t *testing.T) {
	f := snstest.New(t, "ses-events")
	v := newVerifier(f)
	ctx := context.Background()
	m := roundTrip(t, f.SubscriptionConfirmation())
	if err := v.Verify(ctx, m); err != nil {
		t.Fatal(err)
	}
	arn, err := v.Confirm(ctx, m)
	if err != nil || !strings.HasPrefix(arn, f.Topic+":") {
		t.Fatalf("confirm: %q %v", arn, err)
	}
	if got := f.Confirmed(); len(got) != 1 || got[0] != m.Token {
		t.Fatalf("confirmed %v", got)
	}

	for name, url := range map[string]string{
		"http":               strings.Replace(m.SubscribeURL, "https://", "http://", 1),
		"other host":         strings.Replace(m.SubscribeURL, snstest.Host, "sns.us-east-1.amazonaws.com.evil.example", 1),
		"not a confirmation": strings.Replace(m.SubscribeURL, "ConfirmSubscription", "Unsubscribe", 1),
		"other topic":        strings.Replace(m.SubscribeURL, "ses-events", "other", 1),
	} {
		bad := *m
		bad.SubscribeURL = url
		_, err := v.Confirm(ctx, &bad)
		if !errors.Is(err, sns.ErrCertURL) {
			t.Errorf("%s: %v, want ErrCertURL", name, err)
		}
		if err != nil && strings.Contains(err.Error(), m.Token) {
			t.Errorf("%s: the error shows the token: %v", name, err)
		}
	}
	// A token SNS does not know: SNS's 4xx is a failure, not a retry.
	bad := *m
	bad.SubscribeURL = strings.Replace(m.SubscribeURL, m.Token, "0000", 1)
	if _, err := v.Confirm(ctx, &bad); err == nil || errors.Is(err, sns.ErrUnavailable) {
		t.Errorf("unknown token: %v", err)
	}
	if got := f.Confirmed(); len(got) != 1 {
		t.Fatalf("confirmed %v", got)
	}
}

// Certificates not in the cache are fetched at a bounded rate: messages
// naming one new certificate path after another cannot make opsdeck
// fetch without end. The cached certificate still verifies at once.
func TestCertificateFetchesAreBounded(t *testing.T) {
	f := snstest.New(t, "ses-events")
	v := sns.NewVerifier(sns.Options{Client: f.Client, Roots: f.Roots, Now: time.Now, FetchEvery: time.Hour})
	good := roundTrip(t, f.Notification("{}"))
	if err := v.Verify(context.Background(), good); err != nil {
		t.Fatal(err)
	}
	var last error
	for i := range 6 {
		m := f.Notification("{}")
		m.SigningCertURL = strings.TrimSuffix(f.CertURL, ".pem") + fmt.Sprintf("-%d.pem", i)
		f.Sign(m)
		last = v.Verify(context.Background(), roundTrip(t, m))
	}
	if !errors.Is(last, sns.ErrUnavailable) || !strings.Contains(last.Error(), "too many signing certificates") {
		t.Errorf("the sixth new certificate path: %v", last)
	}
	if err := v.Verify(context.Background(), roundTrip(t, f.Notification("{}"))); err != nil {
		t.Errorf("the cached certificate after the bound: %v", err)
	}
}
