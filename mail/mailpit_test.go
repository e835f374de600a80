package mail

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"opsdeck/internal/testpeer"
	"opsdeck/portfolio"
	"opsdeck/store"
)

type mailpitMessage struct {
	ID      string
	From    struct{ Address string }
	To      []struct{ Address string }
	Bcc     []struct{ Address string }
	Subject string
}

func mailpitList(t *testing.T, mp *testpeer.Mailpit) []mailpitMessage {
	t.Helper()
	resp, err := http.Get(mp.API + "/api/v1/messages")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Messages []mailpitMessage }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

func mailpitBodies(t *testing.T, mp *testpeer.Mailpit, id string) (text, html string) {
	t.Helper()
	resp, err := http.Get(mp.API + "/api/v1/message/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct{ Text, HTML string }
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m.Text, m.HTML
}

func mailpitSettings(mp *testpeer.Mailpit) map[string]string {
	return map[string]string{
		"OPSDECK_SMTP_HOST": mp.Host, "OPSDECK_SMTP_PORT": strconv.Itoa(mp.Port), "OPSDECK_SMTP_USERNAME": mp.Username,
		"OPSDECK_SMTP_PASSWORD": mp.Password, "OPSDECK_SMTP_CA_FILE": mp.CAFile, "OPSDECK_MAIL_FROM": "reports@example.com",
		"OPSDECK_MAIL_BCC": "audit@example.com",
	}
}

// TestSMTPThroughMailpit sends the five reports through Mailpit with
// STARTTLS and AUTH, then reads them back from its API.
func TestSMTPThroughMailpit(t *testing.T) {
	mp := testpeer.StartMailpit(t)
	settings := mailpitSettings(mp)
	st, err := Configure(context.Background(), func(k string) string { return settings[k] }, "")
	if err != nil {
		t.Fatal(err)
	}
	svc, s, _ := setup(t, st.Transport)
	svc.Config = st.Config.withDefaults()
	ctx := context.Background()
	batch, _, err := svc.Enqueue(ctx, portfolio.ReportRoles, "manual")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Drain(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for role, r := range statuses(t, s, batch) {
		if r.Status != store.OutboxSent {
			t.Errorf("%s: %s %q", role, r.Status, r.LastError)
		}
	}
	// One message per recipient (8) and an audit copy per report (5).
	got := mailpitList(t, mp)
	if len(got) != 13 {
		t.Fatalf("mailpit has %d messages, want 13", len(got))
	}
	var accounting []string
	for _, m := range got {
		if m.From.Address != "reports@example.com" || len(m.Bcc) != 0 || len(m.To) != 1 {
			t.Errorf("%q: from %s to %v bcc %v", m.Subject, m.From.Address, m.To, m.Bcc)
			continue
		}
		if strings.Contains(m.Subject, "Accounting") {
			accounting = append(accounting, m.To[0].Address)
			text, html := mailpitBodies(t, mp, m.ID)
			if !strings.Contains(text, "ACCOUNTING REPORT") || !strings.Contains(html, "Chart of accounts") {
				t.Errorf("accounting bodies: %d/%d bytes", len(text), len(html))
			}
		}
	}
	slices.Sort(accounting)
	if strings.Join(accounting, ",") != "audit@example.com,books@example.com,owner@example.com" {
		t.Errorf("the accounting report went to %v", accounting)
	}
}

// TestMailpitChaos451: Mailpit's chaos mode answers RCPT with 451; the
// message stays queued for a retry and goes once the server recovers.
func TestMailpitChaos451(t *testing.T) {
	mp := testpeer.StartMailpit(t)
	settings := mailpitSettings(mp)
	st, err := Configure(context.Background(), func(k string) string { return settings[k] }, "")
	if err != nil {
		t.Fatal(err)
	}
	svc, s, _ := setup(t, st.Transport)
	svc.Config = st.Config.withDefaults()
	noAudit(svc)
	ctx := context.Background()
	mp.SetChaos(t, 451, 100)
	batch, _, _ := svc.Enqueue(ctx, []portfolio.ReportRole{portfolio.RoleCFO}, "manual")
	if err := svc.start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.sendOne(ctx); err != nil {
		t.Fatal(err)
	}
	r := statuses(t, s, batch)[portfolio.RoleCFO]
	if r.Status != store.OutboxQueued || !strings.HasPrefix(r.LastError, "SMTP451") {
		t.Fatalf("after a 451: %s %q", r.Status, r.LastError)
	}
	mp.SetChaos(t, 451, 0)
	if err := svc.Drain(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if r := statuses(t, s, batch)[portfolio.RoleCFO]; r.Status != store.OutboxSent || r.Attempts != 2 {
		t.Errorf("after the server recovered: %s after %d attempts", r.Status, r.Attempts)
	}
	if n := len(mailpitList(t, mp)); n != 1 {
		t.Errorf("mailpit has %d messages", n)
	}
}
