package testpeer

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// SESEmulator is a running aws-ses-v2-local (the npm SES v2 emulator) on
// 127.0.0.1. The test that starts it stops it.
type SESEmulator struct {
	// Endpoint is the base URL to give the SES client.
	Endpoint string
}

// repoRoot finds the module root from this source file, where
// scripts/install-peers puts the npm peers (.peers/).
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
	cli := filepath.Join(repoRoot(), ".peers", "node_modules", "aws-ses-v2-local", "dist", "cli.js")
	if _, err := os.Stat(cli); err != nil {
		Missing(t, "aws-ses-v2-local", "not installed in .peers/")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(node, cli, "--host", "127.0.0.1", "--port", strconv.Itoa(port))
	cmd.Env = append(os.Environ(), "AWS_SES_ACCOUNT="+account)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the SES emulator: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	e := &SESEmulator{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port)}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(e.Endpoint + "/health-check")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return e
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the SES emulator did not come up: %v\n%s", err, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
