package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"opsdeck/store"
)

// TestStandbyServeTakesOverAfterSIGKILL runs two `opsdeck serve` (the
// built program) on one database on this machine, kills the one holding
// the worker lease with SIGKILL and measures how long the standby takes to
// hold it: under two seconds (it checks every 500 ms whether the holder's
// process still runs), where waiting for the lease to expire would take
// up to 30 s.
func TestStandbyServeTakesOverAfterSIGKILL(t *testing.T) {
	bin, db := demoBinary(t)
	start := func() *server {
		cmd := exec.Command(bin, "--db", db, "serve", "--addr", "127.0.0.1:0", "--ssh-addr=", "--log-format", "json")
		s := &server{cmd: cmd, log: &lockedLog{}, done: make(chan error, 1)}
		cmd.Stdout, cmd.Stderr = s.log, s.log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Reaped as soon as it exits, as a service manager would.
		go func() { s.done <- cmd.Wait() }()
		t.Cleanup(s.kill)
		return s
	}
	watch, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	holder := func() string {
		l, _, err := watch.LeaseHolder(context.Background(), workerLease)
		if err != nil {
			t.Fatal(err)
		}
		return l.Holder
	}

	a := start()
	waitLog(t, a.log, `"msg":"took the lease`)
	b := start()
	waitLog(t, b.log, `"msg":"opsdeck serving"`)
	// The standby looks at a live holder a few times; the kill falls
	// anywhere in its half-second between looks.
	time.Sleep(1000*time.Millisecond + rand.N(500*time.Millisecond))
	aHolder := fmt.Sprintf("serve:%d@", a.cmd.Process.Pid)
	if h := holder(); !strings.HasPrefix(h, aHolder) {
		t.Fatalf("the lease is held by %q, not the first serve (%s)", h, aHolder)
	}
	if strings.Contains(b.log.String(), "took the lease") {
		t.Fatalf("the standby took a live holder's lease:\n%s", b.log.String())
	}

	a.cmd.Process.Signal(syscall.SIGKILL)
	killed := time.Now()
	bHolder := fmt.Sprintf("serve:%d@", b.cmd.Process.Pid)
	for !strings.HasPrefix(holder(), bHolder) {
		if time.Since(killed) > 40*time.Second {
			t.Fatalf("the standby never took over:\n%s", b.log.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
	took := time.Since(killed)
	t.Logf("takeover after SIGKILL: %v", took.Round(time.Millisecond))
	if took > 2*time.Second {
		t.Errorf("the standby took %v to take over, want under 2 s", took)
	}
	waitLog(t, b.log, `"msg":"took over the lease from a process on this machine that is gone"`)
	waitLog(t, b.log, `"msg":"took the lease: running the scheduler and outbox worker here"`)
	if err := b.stop(t); err != nil {
		t.Errorf("standby serve: %v\n%s", err, b.log.String())
	}
}
