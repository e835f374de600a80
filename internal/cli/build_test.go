package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binOut  []byte
)

// testBinary builds opsdeck once per test run for tests that drive the
// real program as a user (or a service manager) would.
func testBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "opsdeck-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "opsdeck")
		binOut, binErr = exec.Command("go", "build", "-o", binPath, "opsdeck").CombinedOutput()
	})
	if binErr != nil {
		t.Fatalf("build: %v\n%s", binErr, binOut)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}
