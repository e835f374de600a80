package sshconsole

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"opsdeck/internal/testpeer"
)

// pageModel is a two-page stand-in for the console: tab switches, q quits.
type pageModel struct {
	user string
	page int
	w, h int
}

func (m pageModel) Init() tea.Cmd { return nil }

func (m pageModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
	case tea.KeyPressMsg:
		switch msg.String() {
		case "tab":
			m.page = 1 - m.page
		case "q":
			return m, tea.Quit
		}
	}
	return m, nil
}

func (m pageModel) View() tea.View {
	return tea.NewView(fmt.Sprintf("hello %s: page %d of 2 at %dx%d", m.user, m.page+1, m.w, m.h))
}

// syncBuffer collects the client's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// keypair makes an ed25519 key with ssh-keygen and returns its private key
// path and public key line.
func keypair(t *testing.T, dir, name string) (string, string) {
	t.Helper()
	key := filepath.Join(dir, name)
	if out, err := exec.Command(testpeer.LookPath(t, "ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return key, string(pub)
}

// start runs a server on a free loopback port and stops it at the end.
func start(t *testing.T, dir, authorized string, logs io.Writer) string {
	t.Helper()
	addr, _ := startWith(t, dir, authorized, logs, Limits{})
	return addr
}

// startWith is start with limits other than the defaults.
func startWith(t *testing.T, dir, authorized string, logs io.Writer, limits Limits) (string, *Server) {
	t.Helper()
	keys := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(keys, []byte(authorized), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{
		Addr: l.Addr().String(), HostKeyPath: filepath.Join(dir, "host_ed25519"), AuthorizedKeysPath: keys,
		Logger: slog.New(slog.NewTextHandler(logs, nil)), Limits: limits,
		NewModel: func(_ context.Context, user string) (tea.Model, error) {
			return pageModel{user: user}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return l.Addr().String(), srv
}

func sshArgs(addr, key string, extra ...string) []string {
	host, port, _ := net.SplitHostPort(addr)
	args := []string{"-i", key, "-p", port, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10"}
	return append(append(args, extra...), "casey@"+host)
}

func TestOpenSSHClientUsesTheConsole(t *testing.T) {
	sshBin := testpeer.LookPath(t, "ssh")
	dir := t.TempDir()
	key, pub := keypair(t, dir, "id_owner")
	var logs syncBuffer
	addr := start(t, dir, "# the owner's laptop\n"+pub, &logs)

	// A real terminal of 100x30 columns, as a person's would be; the pane
	// stays after ssh exits so the test can see how it ended.
	tm := testpeer.StartTmux(t, 100, 30, sshBin+" "+strings.Join(sshArgs(addr, key, "-tt"), " "))
	tm.WaitFor("hello casey: page 1 of 2 at 100x30")
	tm.Keys("Tab")
	tm.WaitFor("page 2 of 2")
	tm.Keys("q")
	if code := tm.Wait(); code != 0 {
		t.Errorf("ssh exited with status %d", code)
	}
	for _, want := range []string{"ssh login", "user=casey", "SHA256:", "ssh logout"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("server logs lack %q:\n%s", want, logs.String())
		}
	}

	// The host key was made on first start, private to its owner.
	if st, err := os.Stat(filepath.Join(dir, "host_ed25519")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("host key: %v mode %v", err, st.Mode().Perm())
	}
}

// A client with no terminal of its own (ssh -tt from a script) gets the
// console at 80x24 rather than a blank screen.
func TestClientWithoutLocalTerminal(t *testing.T) {
	sshBin := testpeer.LookPath(t, "ssh")
	dir := t.TempDir()
	key, pub := keypair(t, dir, "id_owner")
	var logs syncBuffer
	addr := start(t, dir, pub, &logs)
	cmd := exec.Command(sshBin, sshArgs(addr, key, "-tt")...)
	stdin, _ := cmd.StdinPipe()
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "page 1 of 2 at 80x24") {
		if time.Now().After(deadline) {
			t.Fatalf("no first frame at 80x24: %q", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	io.WriteString(stdin, "q")
}

func TestUnknownKeyAndNoPTYRefused(t *testing.T) {
	sshBin := testpeer.LookPath(t, "ssh")
	dir := t.TempDir()
	key, pub := keypair(t, dir, "id_owner")
	stranger, _ := keypair(t, dir, "id_stranger")
	var logs syncBuffer
	addr := start(t, dir, pub, &logs)

	out, err := exec.Command(sshBin, sshArgs(addr, stranger, "-tt")...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Permission denied") {
		t.Errorf("an unknown key got in: %v %s", err, out)
	}
	if !strings.Contains(logs.String(), "unknown key") {
		t.Errorf("the refused login was not logged:\n%s", logs.String())
	}

	// -T: no terminal. The console needs one, so the session is refused.
	out, err = exec.Command(sshBin, sshArgs(addr, key, "-T")...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Requires an active PTY") {
		t.Errorf("a session without a PTY was not refused: %v %q", err, out)
	}
}
