// Package golden compares what a test produced with a file kept under
// testdata, and rewrites the file when the test runs with -update. Every
// golden file in opsdeck goes through Check, so one flag updates them all.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/aymanbagabas/go-udiff"
	// teatest's golden package declares -update; importing it here makes
	// that the one flag, whether or not a test also uses teatest.
	_ "github.com/charmbracelet/x/exp/golden"
)

// Update reports whether the test binary runs with -update.
func Update() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// Check compares got with the file at path (relative to the package under
// test). With -update it writes got there first.
func Check(t testing.TB, path, got string) {
	t.Helper()
	if Update() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("differs from %s (go test -update rewrites it):\n%s", path, udiff.Unified(path, "got", string(want), got))
	}
}
