package cli

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"opsdeck/internal/testpeer"
	"opsdeck/store"
)

type lockedLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func waitLog(t *testing.T, log *lockedLog, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(log.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the server never logged %q:\n%s", want, log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestServe runs `opsdeck serve` as a service manager would: the console
// over SSH with the real OpenSSH client in tmux, a report queued by the CLI
// sent by the server (which holds the worker lease), and a clean stop on
// SIGTERM.
func TestServe(t *testing.T) {
	sshBin := testpeer.LookPath(t, "ssh")
	testpeer.LookPath(t, "tmux")
	keygen := testpeer.LookPath(t, "ssh-keygen")
	bin, db := demoBinary(t)
	dir := filepath.Dir(db)
	key := filepath.Join(dir, "id_owner")
	if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	pub, _ := os.ReadFile(key + ".pub")
	os.WriteFile(filepath.Join(dir, "authorized_keys"), pub, 0o600)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	sshAddr := l.Addr().String()
	l.Close()

	srv := exec.Command(bin, "--db", db, "serve", "--ssh-addr", sshAddr, "--addr", "127.0.0.1:0", "--log-format", "json")
	var log lockedLog
	srv.Stdout, srv.Stderr = &log, &log
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			srv.Process.Kill()
			srv.Wait()
		}
	})
	waitLog(t, &log, `"msg":"ssh console listening"`)
	waitLog(t, &log, `"msg":"took the lease`)
	waitLog(t, &log, `"msg":"crew server listening"`)
	crewURL := regexp.MustCompile(`"url":"(http://127\.0\.0\.1:\d+)"`).FindStringSubmatch(log.String())[1]

	// /healthz: the store answers and this server runs the worker.
	resp, err := http.Get(crewURL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var health struct {
		Status  string
		Details struct{ Worker struct{ Here, Live bool } }
	}
	json.NewDecoder(resp.Body).Decode(&health)
	resp.Body.Close()
	if resp.StatusCode != 200 || health.Status != "ok" || !health.Details.Worker.Here || !health.Details.Worker.Live {
		t.Errorf("healthz: %d %+v", resp.StatusCode, health)
	}

	// The console over SSH, in a real terminal.
	host, port, _ := net.SplitHostPort(sshAddr)
	tm := testpeer.StartTmux(t, 100, 30, fmt.Sprintf("%s -tt -i %s -p %s -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o BatchMode=yes -o LogLevel=ERROR casey@%s",
		sshBin, key, port, host))
	tm.WaitFor("Break-even JADA")
	tm.Keys("3")
	tm.WaitFor("10 open, ranked by return on effort")
	tm.Keys("q")
	if code := tm.Wait(); code != 0 {
		t.Errorf("ssh exited with %d", code)
	}
	waitLog(t, &log, `"msg":"ssh login","user":"casey"`)

	// A report queued from the CLI is sent by the server, which holds the
	// worker lease.
	out, err := exec.Command(bin, "--db", db, "send", "cfo", "--yes").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "runs the outbox worker and will send it") {
		t.Fatalf("send while serving: %v\n%s", err, out)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		raw, _ := exec.Command(bin, "--db", db, "outbox", "--json").Output()
		var rows []store.OutboxMessage
		json.Unmarshal(raw, &rows)
		if len(rows) == 1 && rows[0].Status == store.OutboxSent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not send the queued report: %s", raw)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// SIGTERM: a clean stop.
	srv.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- srv.Wait() }()
	select {
	case err := <-done:
		stopped = true
		if err != nil {
			t.Errorf("serve exited with %v:\n%s", err, log.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
	if !strings.Contains(log.String(), `"msg":"opsdeck stopped"`) {
		t.Errorf("no clean-stop line:\n%s", log.String())
	}
	if _, err := os.Stat(db + "-wal"); err == nil {
		t.Error("the database was not closed cleanly (WAL left behind)")
	}
}

// A serve that cannot start (its SSH port is taken) says why and exits
// before anything runs, so nothing is left half-started against a closed
// database.
func TestServeRefusesATakenPort(t *testing.T) {
	bin := testBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "opsdeck.db")
	if out, err := exec.Command(bin, "--db", db, "init").CombinedOutput(); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	keys := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(keys, gossh.MarshalAuthorizedKey(sshPub), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--db", db, "serve", "--addr", "127.0.0.1:0", "--ssh-addr", taken.Addr().String(),
		"--authorized-keys", keys, "--host-key", filepath.Join(dir, "host_key"))
	cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+dir)
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 {
		t.Fatalf("serve on a taken SSH port: exit %d, %v\n%s", code, err, out)
	}
	if !strings.Contains(string(out), "address already in use") {
		t.Errorf("serve does not say the port is taken:\n%s", out)
	}
	for _, noise := range []string{"database is closed", "crew server listening", "opsdeck serving"} {
		if strings.Contains(string(out), noise) {
			t.Errorf("serve started or failed half-way (%q):\n%s", noise, out)
		}
	}
}
