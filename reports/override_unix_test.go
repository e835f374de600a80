//go:build unix

package reports

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// newWithin runs New on dir and fails the test if it takes longer than
// d; a read blocked on a FIFO is let go by opening its other end.
func newWithin(t *testing.T, dir string, d time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := New(Options{TemplatesDir: dir})
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Errorf("New on %s still running after %v", dir, d)
		fifos, _ := filepath.Glob(filepath.Join(dir, "*.tmpl"))
		for _, p := range fifos {
			if w, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				w.Close()
			}
		}
		return <-done
	}
}

// A template override must be a regular file: a FIFO named like one (it
// would wait for a writer for ever, and report with it), a device (an
// endless /dev/zero), a directory or a socket is refused at once, naming
// the file and what it is.
func TestOverridesMustBeRegularFiles(t *testing.T) {
	for _, c := range []struct {
		name string
		make func(path string) error
		want string
	}{
		{"fifo", func(p string) error { return syscall.Mkfifo(p, 0o644) }, "is a named pipe (FIFO), not a regular file"},
		{"device", func(p string) error { return os.Symlink("/dev/zero", p) }, "is a device, not a regular file"},
		{"directory", func(p string) error { return os.Mkdir(p, 0o755) }, "is a directory, not a regular file"},
		{"link to a fifo", func(p string) error {
			fifo := filepath.Join(filepath.Dir(p), "pipe")
			if err := syscall.Mkfifo(fifo, 0o644); err != nil {
				return err
			}
			return os.Symlink(fifo, p)
		}, "is a named pipe (FIFO), not a regular file"},
		{"socket", func(p string) error {
			fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
			if err != nil {
				return err
			}
			defer syscall.Close(fd)
			return syscall.Bind(fd, &syscall.SockaddrUnix{Name: p})
		}, "is a socket, not a regular file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if len(dir)+len("/ceo.md.tmpl") > 100 && c.name == "socket" {
				t.Skip("temporary directory too long for a socket path")
			}
			path := filepath.Join(dir, "ceo.md.tmpl")
			if err := c.make(path); err != nil {
				t.Skip(err)
			}
			start := time.Now()
			err := newWithin(t, dir, 5*time.Second)
			if err == nil || !strings.Contains(err.Error(), path+" "+c.want) {
				t.Errorf("New with %s as ceo.md.tmpl: %v, want it refused: %q", c.name, err, path+" "+c.want)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("refusing took %v", d)
			}
		})
	}
	// A regular file reached through a symbolic link is fine, and an
	// override that is too large is refused rather than read.
	dir := t.TempDir()
	real := filepath.Join(t.TempDir(), "cfo.md.tmpl")
	os.WriteFile(real, []byte("# CFO\n"), 0o644)
	os.Symlink(real, filepath.Join(dir, "cfo.md.tmpl"))
	if err := newWithin(t, dir, 5*time.Second); err != nil {
		t.Errorf("an override that is a link to a file: %v", err)
	}
	big := filepath.Join(dir, "ceo.md.tmpl")
	os.WriteFile(big, make([]byte, maxTemplateBytes+1), 0o644)
	if err := newWithin(t, dir, 5*time.Second); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("an override over the size bound: %v", err)
	}
}
