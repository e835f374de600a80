package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
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

// demoBinary builds opsdeck (once) and makes a demo database with it in a
// directory of the test's own.
func demoBinary(t *testing.T) (bin, db string) {
	t.Helper()
	bin = testBinary(t)
	db = filepath.Join(t.TempDir(), "opsdeck.db")
	if out, err := exec.Command(bin, "--db", db, "init").CombinedOutput(); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	return bin, db
}

// TestMain also lets the test binary act as the opsdeck command for the
// scripts (testscript starts it again under that name).
func TestMain(m *testing.M) {
	testscript.Main(cleanup{m}, map[string]func(){"opsdeck": runAsOpsdeck})
}

// cleanup removes the built binary once the tests have run.
type cleanup struct{ m *testing.M }

func (c cleanup) Run() int {
	code := c.m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	return code
}
