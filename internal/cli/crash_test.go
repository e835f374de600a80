package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"opsdeck/internal/testpeer"
	"opsdeck/store"
)

const crashAccount = `{"DedicatedIpAutoWarmupEnabled":false,"Details":{"AdditionalContactEmailAddresses":[],"ContactLanguage":"EN",
"MailType":"TRANSACTIONAL","ReviewDetails":{"CaseId":"1","Status":"GRANTED"},"UseCaseDescription":"reports","WebsiteURL":"https://example.com"},
"EnforcementStatus":"HEALTHY","ProductionAccessEnabled":true,"SendingEnabled":true,
"SendQuota":{"Max24HourSend":50000,"MaxSendRate":50,"SentLast24Hours":0},"SuppressionAttributes":{"SuppressedReasons":[]}}`

// TestCrashMidBatch kills `opsdeck outbox send` with SIGKILL halfway
// through a 200-message batch. After a restart and the operator settling
// the uncertain messages, every recipient has exactly the message meant for
// them: none lost, none doubled, and the uncertain ones are exactly those
// that were in flight at the kill.
func TestCrashMidBatch(t *testing.T) {
	emu := testpeer.StartSESEmulator(t, crashAccount)
	bin, db := demoBinary(t)
	const n = 200
	queue200(t, db, n)

	env := append(os.Environ(), "OPSDECK_MAIL_TRANSPORT=ses", "OPSDECK_SES_ENDPOINT="+emu.Endpoint, "AWS_REGION=us-west-2",
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=not-a-secret", "OPSDECK_MAIL_FROM=reports@example.com")
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"--db", db}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return string(out)
	}

	sender := exec.Command(bin, "--db", db, "outbox", "send")
	sender.Env = env
	if err := sender.Start(); err != nil {
		t.Fatal(err)
	}
	watcher, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		counts, err := watcher.OutboxCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.OutboxSent] >= n/3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sender made no progress: %v", counts)
		}
		time.Sleep(10 * time.Millisecond)
	}
	sender.Process.Signal(syscall.SIGKILL)
	sender.Wait()

	inFlight := map[int64]bool{}
	rows, _ := watcher.Outbox(context.Background(), store.OutboxFilter{Status: store.OutboxSending, Limit: n})
	for _, r := range rows {
		inFlight[r.ID] = true
	}
	counts, _ := watcher.OutboxCounts(context.Background())
	watcher.Close()
	if counts[store.OutboxSent] == 0 || counts[store.OutboxQueued] == 0 {
		t.Fatalf("the kill was not midway: %v", counts)
	}
	t.Logf("killed with %v", counts)

	// Restart: whatever was mid-send becomes uncertain; the rest goes.
	out := run("outbox", "send")
	if !strings.Contains(out, fmt.Sprintf("%d uncertain", len(inFlight))) && len(inFlight) > 0 {
		t.Errorf("restart output does not report %d uncertain:\n%s", len(inFlight), out)
	}
	var uncertain []store.OutboxMessage
	json.Unmarshal([]byte(run("outbox", "--status", "uncertain", "--json", "--limit", "500")), &uncertain)
	if len(uncertain) != len(inFlight) {
		t.Errorf("%d uncertain rows, %d in flight at the kill", len(uncertain), len(inFlight))
	}
	// The operator checks each with the provider and settles it.
	received := emulatorHeaders(t, emu.Endpoint)
	for _, u := range uncertain {
		if !inFlight[u.ID] {
			t.Errorf("message %d is uncertain but was not in flight", u.ID)
		}
		verdict := "--not-sent"
		if received[u.MessageID] > 0 {
			verdict = "--sent"
		}
		run("outbox", "resolve", fmt.Sprint(u.ID), verdict)
	}

	perRecipient := map[string]int{}
	for _, e := range emulatorEmails(t, emu.Endpoint) {
		for _, to := range e {
			perRecipient[to]++
		}
	}
	for i := range n {
		if got := perRecipient[fmt.Sprintf("r%03d@example.com", i)]; got != 1 {
			t.Errorf("r%03d@example.com received %d messages, want exactly 1", i, got)
		}
	}
	var final []store.OutboxMessage
	json.Unmarshal([]byte(run("outbox", "--json", "--limit", "500")), &final)
	sent := 0
	for _, r := range final {
		if r.Status == store.OutboxSent {
			sent++
		}
	}
	if sent != n {
		t.Errorf("%d of %d messages are marked sent", sent, n)
	}
}

// queue200 writes a batch of n messages, one per recipient, as a report
// batch would be written.
func queue200(t *testing.T, db string, n int) {
	t.Helper()
	s, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var msgs []store.OutboxMessage
	for i := range n {
		msgs = append(msgs, store.OutboxMessage{Kind: "alert", MessageID: fmt.Sprintf("<crash.%03d@example.com>", i),
			From: "reports@example.com", To: []string{fmt.Sprintf("r%03d@example.com", i)}, Subject: fmt.Sprintf("message %d", i),
			Text: "one of two hundred"})
	}
	if err := s.Update(context.Background(), "test", func(tx *store.Tx) error {
		return tx.CreateBatch(context.Background(), &store.OutboxBatch{Reason: "crash test", Transport: "ses"}, msgs)
	}); err != nil {
		t.Fatal(err)
	}
}

type storedEmail struct {
	Destination struct{ To []string } `json:"destination"`
	Headers     []struct{ Name, Value string }
}

func emulatorAll(t *testing.T, endpoint string) []storedEmail {
	t.Helper()
	resp, err := http.Get(endpoint + "/store")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct{ Emails []storedEmail }
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st.Emails
}

// emulatorHeaders counts received messages by our Message-ID header.
func emulatorHeaders(t *testing.T, endpoint string) map[string]int {
	out := map[string]int{}
	for _, e := range emulatorAll(t, endpoint) {
		for _, h := range e.Headers {
			if h.Name == "X-Opsdeck-Message-Id" {
				out[h.Value]++
			}
		}
	}
	return out
}

func emulatorEmails(t *testing.T, endpoint string) [][]string {
	var out [][]string
	for _, e := range emulatorAll(t, endpoint) {
		out = append(out, e.Destination.To)
	}
	return out
}
