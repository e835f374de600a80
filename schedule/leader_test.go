package schedule

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"opsdeck/store"
)

// Two processes contend for the lease: one works; when it stops, the other
// takes over.
func TestLeaderHandsOver(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	open := func() *store.Store {
		s, err := store.Open(context.Background(), path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	var mu sync.Mutex
	working, maxWorking := 0, 0
	work := func(ctx context.Context) error {
		mu.Lock()
		working++
		maxWorking = max(maxWorking, working)
		mu.Unlock()
		<-ctx.Done()
		mu.Lock()
		working--
		mu.Unlock()
		return nil
	}
	var heldA, heldB atomic.Bool
	ctxA, stopA := context.WithCancel(context.Background())
	ctxB, stopB := context.WithCancel(context.Background())
	defer stopB()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		(&Leader{Store: a, Name: "worker", Holder: "a", TTL: 1500 * time.Millisecond, Held: heldA.Store}).Run(ctxA, work)
	}()
	waitUntil(t, heldA.Load, "a never took the free lease")
	go func() {
		defer wg.Done()
		(&Leader{Store: b, Name: "worker", Holder: "b", TTL: 1500 * time.Millisecond, Held: heldB.Store}).Run(ctxB, work)
	}()
	time.Sleep(1200 * time.Millisecond) // b tries three times while a renews
	if heldB.Load() {
		t.Fatal("b took a lease a holds")
	}
	stopA() // a shuts down and releases
	waitUntil(t, heldB.Load, "b did not take over after a stopped")
	stopB()
	wg.Wait()
	if maxWorking != 1 {
		t.Errorf("%d workers ran at once, want 1", maxWorking)
	}
}

func waitUntil(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
