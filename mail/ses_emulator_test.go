package mail

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"opsdeck/internal/testpeer"
	"opsdeck/portfolio"
	"opsdeck/store"
)

// emulatorAccount is what the emulator's GetAccount returns: a sandbox-like
// quota the service must read and obey.
const emulatorAccount = `{"DedicatedIpAutoWarmupEnabled":false,"Details":{"AdditionalContactEmailAddresses":[],"ContactLanguage":"EN",
"MailType":"TRANSACTIONAL","ReviewDetails":{"CaseId":"1","Status":"GRANTED"},"UseCaseDescription":"reports","WebsiteURL":"https://example.com"},
"EnforcementStatus":"HEALTHY","ProductionAccessEnabled":true,"SendingEnabled":true,
"SendQuota":{"Max24HourSend":200,"MaxSendRate":14,"SentLast24Hours":3},"SuppressionAttributes":{"SuppressedReasons":[]}}`

// emulatorEmail is one message as the emulator's /store lists it.
type emulatorEmail struct {
	MessageID   string `json:"messageId"`
	From        string `json:"from"`
	Destination struct {
		To  []string `json:"to"`
		Bcc []string `json:"bcc"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		Text string `json:"text"`
		HTML string `json:"html"`
	} `json:"body"`
	Headers []struct{ Name, Value string } `json:"headers"`
}

func emulatorStore(t *testing.T, endpoint string) []emulatorEmail {
	t.Helper()
	resp, err := http.Get(endpoint + "/store")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct{ Emails []emulatorEmail }
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st.Emails
}

// TestSendThroughTheSESEmulator sends all five reports through the real
// SES v2 client to the npm emulator and reads back what it received.
func TestSendThroughTheSESEmulator(t *testing.T) {
	emu := testpeer.StartSESEmulator(t, emulatorAccount)
	settings := map[string]string{
		"OPSDECK_MAIL_TRANSPORT": "ses", "OPSDECK_SES_ENDPOINT": emu.Endpoint, "AWS_REGION": "us-west-2",
		"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "not-a-real-secret",
		"OPSDECK_MAIL_FROM": "Opsdeck <reports@example.com>", "OPSDECK_MAIL_BCC": "audit@example.com",
	}
	ctx := context.Background()
	setupResult, err := Configure(ctx, func(k string) string { return settings[k] }, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if setupResult.Transport.Name() != "ses" {
		t.Fatalf("transport %s (%s)", setupResult.Transport.Name(), setupResult.Why)
	}
	svc, s, _ := setup(t, setupResult.Transport)
	svc.Config = setupResult.Config.withDefaults()
	q, has, err := svc.quota(ctx)
	if !has || err != nil || q.MaxSendRate != 14 || q.Remaining() != 197 {
		t.Fatalf("quota %+v (read %v, %v)", q, has, err)
	}
	batch, _, err := svc.Enqueue(ctx, portfolio.ReportRoles, "manual")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Drain(ctx, batch); err != nil {
		t.Fatal(err)
	}
	got := emulatorStore(t, emu.Endpoint)
	if len(got) != 13 {
		t.Fatalf("the emulator received %d messages, want 13: one per recipient and an audit copy per report", len(got))
	}
	rows := statuses(t, s, batch)
	byID := map[string]emulatorEmail{}
	for _, e := range got {
		byID[e.MessageID] = e
	}
	for _, role := range portfolio.ReportRoles {
		r := rows[role]
		e, ok := byID[r.ProviderID]
		if r.Status != store.OutboxSent || !ok {
			t.Errorf("%s: %s, provider id %q not among the emulator's", role, r.Status, r.ProviderID)
			continue
		}
		if e.From != "Opsdeck <reports@example.com>" || len(e.Destination.Bcc) != 0 || len(e.Destination.To) != 1 {
			t.Errorf("%s: from %q to %v bcc %v", role, e.From, e.Destination.To, e.Destination.Bcc)
		}
		if !strings.Contains(e.Subject, role.Title()+" report") || !strings.Contains(e.Body.HTML, "<!DOCTYPE html>") ||
			!strings.Contains(e.Body.Text, strings.ToUpper(role.Title())+" REPORT") {
			t.Errorf("%s: subject %q, parts %d/%d bytes", role, e.Subject, len(e.Body.Text), len(e.Body.HTML))
		}
		headers := map[string]string{}
		for _, h := range e.Headers {
			headers[h.Name] = h.Value
		}
		if headers["X-Opsdeck-Report"] != string(role) || headers["X-Opsdeck-Message-Id"] != r.MessageID {
			t.Errorf("%s: headers %v", role, headers)
		}
		if role == portfolio.RoleAccounting && !strings.Contains(e.Destination.To[0], "books@example.com") {
			t.Errorf("the last accounting message to %v", e.Destination.To)
		}
	}
}
