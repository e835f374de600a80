package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"opsdeck/store/storetest"
)

func TestLeaseOneHolderAtATime(t *testing.T) {
	clock := storetest.NewClock(storetest.Now)
	path := filepath.Join(t.TempDir(), "l.db")
	a := storetest.OpenPath(t, path, clock)
	b := storetest.OpenPath(t, path, clock)
	ctx := context.Background()
	must := func(ok bool, err error) bool {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !must(a.AcquireLease(ctx, "worker", "serve@host", 30*time.Second)) {
		t.Fatal("first holder did not get a free lease")
	}
	if must(b.AcquireLease(ctx, "worker", "console@host", 30*time.Second)) {
		t.Fatal("a second holder took a live lease")
	}
	clock.Advance(20 * time.Second)
	if !must(a.AcquireLease(ctx, "worker", "serve@host", 30*time.Second)) {
		t.Fatal("the holder could not renew")
	}
	clock.Advance(25 * time.Second) // renewed until +50 s: still held
	if must(b.AcquireLease(ctx, "worker", "console@host", 30*time.Second)) {
		t.Fatal("renewal did not extend the lease")
	}
	l, live, _ := b.LeaseHolder(ctx, "worker")
	if !live || l.Holder != "serve@host" {
		t.Errorf("holder = %+v live=%v", l, live)
	}
	clock.Advance(10 * time.Second) // +55 s: expired
	if !must(b.AcquireLease(ctx, "worker", "console@host", 30*time.Second)) {
		t.Fatal("an expired lease was not taken over")
	}
	if err := b.ReleaseLease(ctx, "worker", "console@host"); err != nil {
		t.Fatal(err)
	}
	if !must(a.AcquireLease(ctx, "worker", "serve@host", 30*time.Second)) {
		t.Fatal("a released lease was not free")
	}
	if entries, _ := a.Audit(ctx, 10); len(entries) != 0 {
		t.Errorf("lease renewals wrote %d audit entries; they are not changes to the portfolio", len(entries))
	}
}
