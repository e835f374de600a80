// Package safefiletest gives tests a file system with no room left, to see
// what a write does when the disk fills up. Nothing outside tests imports
// it.
package safefiletest

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Filler is the name of the file that fills the disk FullDisk returns;
// anything else found there afterwards is debris of the test's write.
const Filler = "filler"

// FullDisk mounts a small tmpfs in a directory of the test's own, fills
// it to the last byte and returns the directory; the test's end unmounts
// it. Where it cannot be mounted (not Linux, not root, no CAP_SYS_ADMIN
// in a container) the test is skipped, saying why: this is a kernel
// facility, not a test peer that scripts/install-peers provides, so
// OPSDECK_REQUIRE_PEERS does not turn the skip into a failure.
func FullDisk(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "full")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := mountTmpfs(dir, "size=64k"); err != nil {
		t.Skipf("no small file system to fill: mount -t tmpfs %s: %v (needs Linux and root)", dir, err)
	}
	t.Cleanup(func() {
		if err := unmount(dir); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	f, err := os.Create(filepath.Join(dir, Filler))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v", dir, err)
			}
			break
		}
	}
	// Down to the last byte: the write that failed may have left part
	// of a block free.
	for {
		if _, err := f.Write(block[:1]); err != nil {
			break
		}
	}
	return dir
}

// Debris lists what is in dir besides the filler.
func Debris(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() != Filler {
			names = append(names, e.Name())
		}
	}
	return names
}
