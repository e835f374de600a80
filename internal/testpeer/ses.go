package testpeer

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"
	"testing"
	"time"
)

// SESEmulator is a running aws-ses-v2-local (the npm SES v2 emulator) on
// 127.0.0.1. The test that starts it stops it.
type SESEmulator struct {
	// Endpoint is the base URL to give the SES client.
	Endpoint string
}

// repoRoot finds the module root from this source file; the npm peers
// live under tools/.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// StartSESEmulator starts the emulator on a free loopback port. account,
// if not empty, is the JSON GetAccount returns (the SendQuota the tests
// want the service to read).
func StartSESEmulator(t testing.TB, account string) *SESEmulator {
	t.Helper()
	node := LookPath(t, "node")
	cli := filepath.Join(repoRoot(), "tools", "ses-emulator", "node_modules", "aws-ses-v2-local", "dist", "cli.js")
	if _, err := os.Stat(cli); err != nil {
		Missing(t, "aws-ses-v2-local", "not installed in tools/ses-emulator (npm ci there)")
	}
	// Port 0: the emulator picks a free port and says which in its log.
	cmd := exec.Command(node, cli, "--host", "127.0.0.1", "--port", "0")
	cmd.Env = append(os.Environ(), "AWS_SES_ACCOUNT="+account)
	log := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the SES emulator: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	var port string
	deadline := time.Now().Add(30 * time.Second)
	for port == "" {
		if m := runningAt.FindStringSubmatch(log.String()); m != nil {
			port = m[1]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the SES emulator did not say where it listens:\n%s", log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	e := &SESEmulator{Endpoint: "http://127.0.0.1:" + port}
	for {
		resp, err := http.Get(e.Endpoint + "/health-check")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return e
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the SES emulator did not come up: %v\n%s", err, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runningAt matches the emulator's start-up line.
var runningAt = regexp.MustCompile(`server running at http://[^:]+:(\d+)`)

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
