package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"opsdeck/internal/testpeer"
)

// TestConsoleInTmux builds the real binary, runs it in tmux on a temporary
// database, edits a KPI through the form by keyboard, quits, and checks
// with `opsdeck kpi list` that the value changed.
func TestConsoleInTmux(t *testing.T) {
	tmux := testpeer.LookPath(t, "tmux")
	dir := t.TempDir()
	bin := testBinary(t)
	db := filepath.Join(dir, "opsdeck.db")
	if out, err := exec.Command(bin, "--db", db, "init").CombinedOutput(); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	socket := filepath.Join(dir, "tmux.sock")
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tmux, append([]string{"-S", socket}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v %s", args, err, out)
		}
		return string(out)
	}
	t.Cleanup(func() { exec.Command(tmux, "-S", socket, "kill-server").Run() })
	exitFile := filepath.Join(dir, "exit")
	// The pane runs a shell command so the test can see the exit status.
	run("new-session", "-d", "-s", "od", "-x", "100", "-y", "30",
		"env TERM=xterm-256color OPSDECK_WEB_ADDR=127.0.0.1:0 "+bin+" --db "+db+"; echo $? > "+exitFile)
	screen := func(want string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		var pane string
		for time.Now().Before(deadline) {
			pane = run("capture-pane", "-p", "-t", "od")
			if strings.Contains(pane, want) {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("the console never showed %q:\n%s", want, pane)
	}
	keys := func(k ...string) { run(append([]string{"send-keys", "-t", "od"}, k...)...) }

	screen("Break-even JADA")
	keys("2")
	screen("Charters per month")
	keys("e")
	screen("┃ New reading")
	keys("7", "Enter")
	screen("┃ Target")
	keys("Enter")
	screen("┃ Note")
	keys("-l", "from the tmux test")
	keys("Enter")
	screen("JADA Charters per month saved")
	keys("q")
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, err := os.ReadFile(exitFile)
		if err == nil {
			if code := strings.TrimSpace(string(b)); code != "0" {
				t.Fatalf("opsdeck exited with %s", code)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("opsdeck did not quit on q")
		}
		time.Sleep(50 * time.Millisecond)
	}

	out, err := exec.Command(bin, "--db", db, "kpi", "list", "--entity", "JADA", "--json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var kpis []kpiRow
	if err := json.Unmarshal(out, &kpis); err != nil {
		t.Fatal(err)
	}
	if kpis[0].Key != "charters" || kpis[0].Latest == nil || kpis[0].Latest.Value != 7 || kpis[0].Latest.Note != "from the tmux test" {
		t.Errorf("after the console edit: %+v", kpis[0].Latest)
	}
}
