//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A FIFO named like a template in the overrides directory makes report
// fail at once, saying what is wrong, instead of waiting on it for ever.
func TestReportRefusesAFIFOTemplate(t *testing.T) {
	path := demoDB(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "ceo.md.tmpl")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	type result struct {
		stdout, stderr string
		code           int
	}
	done := make(chan result, 1)
	go func() {
		stdout, stderr, code := cli(t, nil, "--db", path, "report", "ceo", "--templates", dir)
		done <- result{stdout, stderr, code}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Error("report is still waiting on the FIFO after 10 s")
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		r = <-done
	}
	if r.code == 0 || r.stdout != "" || !strings.Contains(r.stderr, fifo+" is a named pipe (FIFO), not a regular file") {
		t.Errorf("report with a FIFO template: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
