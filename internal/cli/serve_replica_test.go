package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeReplicatesAndStopsAfterAFinalSync runs serve --replica as a
// service manager would and stops it with SIGTERM before its (hourly)
// timed sync: a write made just before must still reach the replica, by
// the final sync, and the restored copy must have it.
func TestServeReplicatesAndStopsAfterAFinalSync(t *testing.T) {
	bin, db := demoBinary(t)
	url := "file://" + filepath.Join(t.TempDir(), "replica")
	srv := exec.Command(bin, "--db", db, "serve", "--ssh-addr", "", "--addr", "127.0.0.1:0", "--log-format", "json", "--replica", url)
	srv.Env = append(os.Environ(), "OPSDECK_MAIL_TRANSPORT=file", "OPSDECK_REPLICA_SYNC_INTERVAL=1h")
	var log lockedLog
	srv.Stdout, srv.Stderr = &log, &log
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			srv.Process.Kill()
			srv.Wait()
		}
	})
	waitLog(t, &log, `"msg":"replicating"`)
	waitLog(t, &log, `"msg":"opsdeck serving"`)
	if out, err := exec.Command(bin, "--db", db, "kpi", "set", "JADA", "charters", "17").CombinedOutput(); err != nil {
		t.Fatalf("kpi set: %v\n%s", err, out)
	}
	// Another process reads serve's replica report from the database.
	if out, err := exec.Command(bin, "--db", db, "status").CombinedOutput(); err != nil ||
		!strings.Contains(string(out), "\nreplication: "+url+", last synced ") {
		t.Errorf("status beside a replicating serve: %v\n%s", err, out)
	}

	srv.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- srv.Wait() }()
	select {
	case err := <-done:
		stopped = true
		if err != nil {
			t.Errorf("serve exited with %v:\n%s", err, log.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
	if !strings.Contains(log.String(), `"msg":"replication stopped after a final sync"`) {
		t.Errorf("no final-sync line:\n%s", log.String())
	}
	if _, err := os.Stat(db + "-wal"); err == nil {
		t.Error("the database was not closed cleanly (WAL left behind)")
	}
	if out, err := exec.Command(bin, "--db", db, "status").CombinedOutput(); err != nil ||
		!strings.Contains(string(out), "\nreplication: stopped at ") || !strings.Contains(string(out), "(serve not running)\n") {
		t.Errorf("status after serve stopped: %v\n%s", err, out)
	}

	restored := filepath.Join(t.TempDir(), "restored.db")
	if out, err := exec.Command(bin, "restore", "--from", url, restored).CombinedOutput(); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--db", restored, "kpi", "list", "--entity", "JADA", "--json").CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"value": 17,`) {
		t.Errorf("the write before SIGTERM is not in the restore: %v\n%s", err, out)
	}
}
