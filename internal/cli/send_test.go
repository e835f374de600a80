package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"opsdeck/internal/testpeer"
	"opsdeck/store"
)

func TestSendWritesEmlFilesByDefault(t *testing.T) {
	path := demoDB(t)
	stdout, stderr, code := cli(t, nil, "--db", path, "send", "--all", "--dry-run")
	if code != 0 || !strings.Contains(stderr, "transport: file (") || !strings.Contains(stdout, "dry run: 8 messages to 8 recipients") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(path), "outbox")); err == nil {
		t.Error("a dry run wrote files")
	}
	if _, stderr, code := cli(t, nil, "--db", path, "send", "cfo"); code != 2 || !strings.Contains(stderr, "add --yes") {
		t.Errorf("no terminal, no --yes: exit %d %s", code, stderr)
	}
	stdout, stderr, code = cli(t, nil, "--db", path, "send", "cfo", "--yes")
	if code != 0 || !strings.Contains(stdout, "sent     CFO") || !strings.Contains(stdout, "1 sent, 0 failed") {
		t.Fatalf("send cfo: exit %d\n%s\n%s", code, stdout, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "outbox", "*-cfo-*.eml"))
	if len(files) != 1 {
		t.Fatalf("%d .eml files for the CFO report", len(files))
	}
	raw, _ := os.ReadFile(files[0])
	if !strings.Contains(string(raw), "To: \"Casey Brooks\" <owner@example.com>") || !strings.Contains(string(raw), "X-Opsdeck-Report: cfo") {
		t.Errorf("eml:\n%.600s", raw)
	}
	out, _, _ := cli(t, nil, "--db", path, "outbox", "--json")
	var rows []store.OutboxMessage
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 1 || rows[0].Status != "sent" || rows[0].ProviderID != files[0] {
		t.Errorf("outbox: %v %+v", err, rows)
	}
}

func TestRecipientsCommands(t *testing.T) {
	path := demoDB(t)
	stdout, _, code := cli(t, nil, "--db", path, "recipients", "add", "cfo", "lender@example.com", "--name", "Pat Lender")
	if code != 0 || !strings.Contains(stdout, "Pat Lender <lender@example.com> now receives the CFO report (added as a new person)") {
		t.Errorf("add: %d %s", code, stdout)
	}
	if _, stderr, code := cli(t, nil, "--db", path, "recipients", "add", "cfo", "lender@example.com"); code != 1 || !strings.Contains(stderr, "already receives") {
		t.Errorf("add twice: %d %s", code, stderr)
	}
	if _, stderr, code := cli(t, nil, "--db", path, "recipients", "add", "cfo", "not an address"); code != 2 || !strings.Contains(stderr, "not a valid email") {
		t.Errorf("bad address: %d %s", code, stderr)
	}
	if _, stderr, code := cli(t, nil, "--db", path, "recipients", "add", "chef", "x@example.com"); code != 2 || !strings.Contains(stderr, `unknown role "chef"`) {
		t.Errorf("bad role: %d %s", code, stderr)
	}
	stdout, _, _ = cli(t, nil, "--db", path, "recipients", "list")
	if !strings.Contains(stdout, "Pat Lender      lender@example.com") {
		t.Errorf("list:\n%s", stdout)
	}
	if _, _, code := cli(t, nil, "--db", path, "recipients", "remove", "cfo", "lender@example.com"); code != 0 {
		t.Error("remove failed")
	}
	if _, stderr, code := cli(t, nil, "--db", path, "recipients", "remove", "cfo", "lender@example.com"); code != 2 || !strings.Contains(stderr, "does not receive") {
		t.Errorf("remove twice: %d %s", code, stderr)
	}
}

// The CLI sends through SES v2 to the npm emulator when configured to.
func TestSendThroughSESEmulator(t *testing.T) {
	emu := testpeer.StartSESEmulator(t, "")
	path := demoDB(t)
	env := map[string]string{"OPSDECK_MAIL_TRANSPORT": "ses", "OPSDECK_SES_ENDPOINT": emu.Endpoint, "AWS_REGION": "us-west-2",
		"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "not-a-secret", "OPSDECK_MAIL_FROM": "reports@example.com",
		"OPSDECK_SES_RATE": "50"}
	stdout, stderr, code := cli(t, env, "--db", path, "send", "--all", "--yes")
	if code != 0 || !strings.Contains(stderr, "transport: ses") || !strings.Contains(stdout, "8 sent, 0 failed") {
		t.Fatalf("send --all via SES: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// This emulator has no account set up, so GetAccount fails: the send
	// goes on at OPSDECK_SES_RATE, and says so first.
	if !strings.Contains(stderr, "warning: the 24-hour sending quota could not be read (") ||
		!strings.Contains(stderr, "queuing with no daily check, sending at OPSDECK_SES_RATE (50 a second)") {
		t.Errorf("no word of the unread quota:\n%s", stderr)
	}
	out, _, _ := cli(t, nil, "--db", path, "outbox", "--status", "sent", "--json")
	var rows []store.OutboxMessage
	json.Unmarshal([]byte(out), &rows)
	if len(rows) != 8 || rows[0].ProviderID == "" {
		t.Errorf("outbox after SES send: %+v", rows)
	}
	if _, stderr, code := cli(t, nil, "--db", path, "outbox", "--status", "lost"); code != 2 || !strings.Contains(stderr, `unknown status "lost"`) {
		t.Errorf("bad status filter: %d %s", code, stderr)
	}
}

func TestOutboxRetryAndResolve(t *testing.T) {
	path := demoDB(t)
	// A file where the outbox directory should be: the CFO message fails.
	blocker := filepath.Join(t.TempDir(), "blocker")
	if err := os.WriteFile(blocker, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, _, code := cli(t, map[string]string{"OPSDECK_OUTBOX_DIR": filepath.Join(blocker, "outbox")}, "--db", path, "send", "cfo", "--yes")
	if code != 1 {
		t.Fatalf("a send with a failed message exits %d, want 1\n%s", code, stdout)
	}
	stdout, stderr, code := cli(t, nil, "--db", path, "outbox", "retry", "--failed")
	if code != 0 || !strings.Contains(stdout, "1 queued again") || !strings.Contains(stdout, "1 sent, 0 failed") {
		t.Errorf("retry --failed: %d\n%s\n%s", code, stdout, stderr)
	}
	if _, stderr, code := cli(t, nil, "--db", path, "outbox", "resolve", "1", "--sent"); code != 1 || !strings.Contains(stderr, "is sent, not uncertain") {
		t.Errorf("resolving a sent message: %d %s", code, stderr)
	}
	if _, stderr, code := cli(t, nil, "--db", path, "outbox", "resolve", "1"); code != 2 || !strings.Contains(stderr, "--sent or --not-sent") {
		t.Errorf("resolve without a verdict: %d %s", code, stderr)
	}
}
