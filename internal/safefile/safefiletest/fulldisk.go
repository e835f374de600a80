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
// it. Where it cannot be mounted the test is skipped (see Tmpfs).
func FullDisk(t testing.TB) string {
	t.Helper()
	dir := Tmpfs(t, "64k")
	f := fill(t, dir, 0)
	defer f.Close()
	// Down to the last byte: the write that failed may have left part
	// of a block free.
	for {
		if _, err := f.Write([]byte{0}); err != nil {
			break
		}
	}
	return dir
}

// Tmpfs mounts a tmpfs of size (as mount's size= option says it) in a
// directory of the test's own and returns it; the test's end unmounts it.
// Where it cannot be mounted (not Linux, not root, no CAP_SYS_ADMIN in a
// container) the test is skipped, saying why: this is a kernel facility,
// not a test peer that scripts/install-peers provides, so
// OPSDECK_REQUIRE_PEERS does not turn the skip into a failure.
func Tmpfs(t testing.TB, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "full")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := mountTmpfs(dir, "size="+size); err != nil {
		t.Skipf("no small file system to fill: mount -t tmpfs %s: %v (needs Linux and root)", dir, err)
	}
	t.Cleanup(func() {
		if err := unmount(dir); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// Fill writes the file Filler into dir until the file system has no room
// left, then gives back leave bytes of it, and returns the file's path.
func Fill(t testing.TB, dir string, leave int64) string {
	t.Helper()
	f := fill(t, dir, leave)
	defer f.Close()
	return f.Name()
}

func fill(t testing.TB, dir string, leave int64) *os.File {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, Filler), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				f.Close()
				t.Fatalf("fill %s: %v", dir, err)
			}
			break
		}
	}
	if leave > 0 {
		st, err := f.Stat()
		if err == nil {
			err = f.Truncate(max(0, st.Size()-leave))
		}
		if err != nil {
			f.Close()
			t.Fatalf("give back %d bytes in %s: %v", leave, dir, err)
		}
	}
	return f
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
