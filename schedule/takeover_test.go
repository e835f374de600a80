package schedule

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"opsdeck/store"
)

// child starts a process that stands in for a holder on this machine.
func child(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start a child process: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// holderOf is the Holder string pid's process would have written.
func holderOf(t *testing.T, pid int) string {
	t.Helper()
	host, _ := os.Hostname()
	ns, _ := self()
	st, err := procStat(pid)
	if err != nil || ns == "" {
		t.Skipf("no /proc to read: %v", err)
	}
	return fmt.Sprintf("serve:%d@%s pidns=%s start=%s", pid, host, ns, st.start)
}

func openStores(t *testing.T, n int) []*store.Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "l.db")
	var out []*store.Store
	for range n {
		s, err := store.Open(context.Background(), path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out = append(out, s)
	}
	return out
}

// standby runs a Leader until the test ends and returns when it held the
// lease (zero while it has not).
func standby(t *testing.T, s *store.Store, holder string) func() time.Time {
	t.Helper()
	var mu sync.Mutex
	var at time.Time
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		(&Leader{Store: s, Name: "worker", Holder: holder, TTL: 30 * time.Second, Held: func(h bool) {
			mu.Lock()
			defer mu.Unlock()
			if h && at.IsZero() {
				at = time.Now()
			}
		}}).Run(ctx, func(ctx context.Context) error { <-ctx.Done(); return nil })
	}()
	t.Cleanup(func() { cancel(); <-done })
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return at
	}
}

func take(t *testing.T, s *store.Store, holder string, ttl time.Duration) {
	t.Helper()
	if ok, err := s.AcquireLease(context.Background(), "worker", holder, ttl); err != nil || !ok {
		t.Fatalf("take the lease for %s: %v %v", holder, ok, err)
	}
}

// leaseExpiry is when the lease expires as the store has it: a time taken
// after take would be later than the store's by however long take took,
// and a takeover right at expiry would look early.
func leaseExpiry(t *testing.T, s *store.Store) time.Time {
	t.Helper()
	l, _, err := s.LeaseHolder(context.Background(), "worker")
	if err != nil {
		t.Fatal(err)
	}
	return l.ExpiresAt
}

func leaseHolder(t *testing.T, s *store.Store) string {
	t.Helper()
	l, _, err := s.LeaseHolder(context.Background(), "worker")
	if err != nil {
		t.Fatal(err)
	}
	return l.Holder
}

// A standby on the holder's machine leaves a live holder alone and takes
// the lease over within a second of its death, long before the lease's
// 30 s expire, whether or not the dead process has been reaped yet.
func TestStandbyTakesOverFromADeadLocalHolder(t *testing.T) {
	for _, reaped := range []bool{true, false} {
		t.Run(fmt.Sprintf("reaped=%v", reaped), func(t *testing.T) {
			s := openStores(t, 1)[0]
			c := child(t)
			dead := holderOf(t, c.Process.Pid)
			take(t, s, dead, 30*time.Second)
			held := standby(t, s, Holder("console"))
			time.Sleep(1500 * time.Millisecond) // three looks at a live holder
			if !held().IsZero() {
				t.Fatal("the standby took the lease from a live holder")
			}
			c.Process.Kill()
			killed := time.Now()
			if reaped {
				c.Wait()
			}
			waitUntil(t, func() bool { return !held().IsZero() }, "the standby never took over")
			took := held().Sub(killed)
			t.Logf("took over %v after the holder's death", took)
			if took > 2*time.Second {
				t.Errorf("took over %v after the holder's death, want under 2 s", took)
			}
			if got := leaseHolder(t, s); got != Holder("console") {
				t.Errorf("the lease names %q", got)
			}
		})
	}
}

// The holder's pid now belongs to another process (it started at another
// time): the holder is gone, and the lease is taken over at once.
func TestReusedPidIsNotTheHolder(t *testing.T) {
	s := openStores(t, 1)[0]
	c := child(t)
	host, _ := os.Hostname()
	holderOf(t, c.Process.Pid) // or skip
	ns, _ := self()
	// A start time the process at that pid does not have.
	take(t, s, fmt.Sprintf("serve:%d@%s pidns=%s start=1", c.Process.Pid, host, ns), 30*time.Second)
	held := standby(t, s, Holder("console"))
	waitUntil(t, func() bool { return !held().IsZero() }, "a reused pid kept the lease")
}

// A holder with this host's name but another pid namespace (another
// container) cannot be seen, so it is never judged dead: the standby waits
// for the lease to expire and takes it within a poll of that.
func TestHolderInAnotherPidNamespaceIsLeftToExpire(t *testing.T) {
	s := openStores(t, 1)[0]
	host, _ := os.Hostname()
	// A pid no process here has.
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Skip(err)
	}
	other := fmt.Sprintf("serve:%d@%s pidns=1 start=1", c.Process.Pid, host)
	take(t, s, other, 1500*time.Millisecond)
	expires := leaseExpiry(t, s)
	held := standby(t, s, Holder("console"))
	waitUntil(t, func() bool { return !held().IsZero() }, "the standby never took the expired lease")
	if at := held(); at.Before(expires) {
		t.Errorf("took the lease %v before it expired", expires.Sub(at))
	} else if late := at.Sub(expires); late > time.Second {
		t.Errorf("took the lease %v after it expired, want within a second", late)
	} else {
		t.Logf("took the expired lease %v after its expiry", late)
	}
}

// A holder elsewhere is waited out: the standby takes the lease as soon as
// it expires.
func TestRemoteHolderIsTakenOverAtExpiry(t *testing.T) {
	s := openStores(t, 1)[0]
	take(t, s, "serve:1@elsewhere.example", 1200*time.Millisecond)
	expires := leaseExpiry(t, s)
	held := standby(t, s, Holder("console"))
	waitUntil(t, func() bool { return !held().IsZero() }, "the standby never took the expired lease")
	late := held().Sub(expires)
	t.Logf("took the expired lease %v after its expiry", late)
	if late < 0 || late > time.Second {
		t.Errorf("took the lease %v after it expired, want within a second", late)
	}
}

// Two standbys on the dead holder's machine race for its lease: one wins,
// the other stands by, and never do both work.
func TestTwoStandbysRaceForADeadHolder(t *testing.T) {
	stores := openStores(t, 2)
	c := child(t)
	take(t, stores[0], holderOf(t, c.Process.Pid), 30*time.Second)
	var working, maxWorking atomic.Int32
	var mu sync.Mutex
	var holds []string
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i, kind := range []string{"console", "serve"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			holder := Holder(kind)
			(&Leader{Store: stores[i], Name: "worker", Holder: holder, TTL: 30 * time.Second}).Run(ctx, func(ctx context.Context) error {
				n := working.Add(1)
				for m := maxWorking.Load(); n > m && !maxWorking.CompareAndSwap(m, n); m = maxWorking.Load() {
				}
				mu.Lock()
				holds = append(holds, holder)
				mu.Unlock()
				<-ctx.Done()
				working.Add(-1)
				return nil
			})
		}()
	}
	time.Sleep(700 * time.Millisecond)
	c.Process.Kill()
	c.Wait()
	waitUntil(t, func() bool { return working.Load() == 1 }, "nobody took over")
	time.Sleep(1500 * time.Millisecond) // the loser looks three times more
	cancel()
	wg.Wait()
	if maxWorking.Load() != 1 || len(holds) != 1 {
		t.Errorf("%d worked at once; the lease was taken by %v", maxWorking.Load(), holds)
	}
}

func TestParseHolder(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want holderID
		ok   bool
	}{
		{"serve:42@web1", holderID{pid: 42, host: "web1"}, true},
		{"serve:42@web1 pidns=4026531836 start=881234", holderID{pid: 42, host: "web1", ns: "4026531836", start: "881234"}, true},
		{"a", holderID{}, false},
		{"serve@host", holderID{}, false},
		{"serve:x@host", holderID{}, false},
		{"serve:0@host", holderID{}, false},
	} {
		got, ok := parseHolder(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseHolder(%q) = %+v, %v", tc.in, got, ok)
		}
	}
	if id, ok := parseHolder(Holder("serve")); !ok || id.pid != os.Getpid() || !local(id) {
		t.Errorf("our own holder %q reads as %+v", Holder("serve"), id)
	}
	if gone(Holder("serve")) {
		t.Error("we are gone")
	}
}
