package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"opsdeck/portfolio"
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

func TestSchedulePrevious(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	sc := portfolio.Schedule{Role: portfolio.RoleCFO, Cron: "0 7 * * 1", TimeZone: "America/Los_Angeles"} // Mondays 07:00
	now := time.Date(2026, 12, 9, 12, 0, 0, 0, la)                                                        // Wednesday
	prev, err := sc.Previous(now, now.AddDate(0, 0, -30))
	if err != nil || !prev.Equal(time.Date(2026, 12, 7, 7, 0, 0, 0, la)) {
		t.Errorf("Previous = %v, %v; want Monday 7 December 07:00", prev, err)
	}
	if prev, _ := sc.Previous(now, now.AddDate(0, 0, -1)); !prev.IsZero() {
		t.Errorf("no Monday in the last day, got %v", prev)
	}
}
