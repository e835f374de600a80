package testpeer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Tmux is a program running in a real terminal: one session of a private
// tmux server (its own socket), killed when the test ends. Tests type into
// it and read its screen as a person at that terminal would.
type Tmux struct {
	t        testing.TB
	bin      string
	socket   string
	session  string
	exitFile string
}

// screenWait is how long WaitFor and Wait give the program.
const screenWait = 20 * time.Second

// StartTmux runs command (a shell command line) in a width×height
// terminal, or calls Missing when tmux is not installed.
func StartTmux(t testing.TB, width, height int, command string) *Tmux {
	t.Helper()
	dir := t.TempDir()
	tm := &Tmux{t: t, bin: LookPath(t, "tmux"), socket: filepath.Join(dir, "tmux.sock"), session: "test",
		exitFile: filepath.Join(dir, "exit")}
	t.Cleanup(func() { exec.Command(tm.bin, "-S", tm.socket, "kill-server").Run() })
	// The pane runs a shell command so the test can see the exit status.
	tm.Run("new-session", "-d", "-s", tm.session, "-x", strconv.Itoa(width), "-y", strconv.Itoa(height),
		fmt.Sprintf("%s; echo $? > %s", command, tm.exitFile))
	return tm
}

// Run runs a tmux command on the private server and returns its output.
func (tm *Tmux) Run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command(tm.bin, append([]string{"-S", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v %s", args, err, out)
	}
	return string(out)
}

// Keys types keys, in tmux's send-keys words ("Enter", "Down", "-l" text).
func (tm *Tmux) Keys(keys ...string) {
	tm.t.Helper()
	tm.Run(append([]string{"send-keys", "-t", tm.session}, keys...)...)
}

// Screen is the text on the screen now, wrapped lines joined.
func (tm *Tmux) Screen() string {
	tm.t.Helper()
	return tm.Run("capture-pane", "-p", "-J", "-t", tm.session)
}

// Escaped is the screen with its escape sequences (colours, bold).
func (tm *Tmux) Escaped() string {
	tm.t.Helper()
	return tm.Run("capture-pane", "-e", "-p", "-t", tm.session)
}

// WaitFor waits until the screen shows want and returns the screen; the
// test fails if it never does.
func (tm *Tmux) WaitFor(want string) string {
	tm.t.Helper()
	var screen string
	for deadline := time.Now().Add(screenWait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if screen = tm.Screen(); strings.Contains(screen, want) {
			return screen
		}
	}
	tm.t.Fatalf("the screen never showed %q:\n%s", want, screen)
	return ""
}

// Wait waits for the program to end and returns its exit status.
func (tm *Tmux) Wait() int {
	tm.t.Helper()
	for deadline := time.Now().Add(screenWait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		b, err := os.ReadFile(tm.exitFile)
		if err != nil {
			continue
		}
		code, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err == nil {
			return code
		}
	}
	tm.t.Fatal("the program in tmux did not end")
	return -1
}
