package cli

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// /healthz lists the runs an older opsdeck left running and the latest
// skipped slots, with why.
func TestHealthzListsStuckAndSkippedRuns(t *testing.T) {
	s := storetest.Open(t, nil)
	ctx := context.Background()
	slot := storetest.Now.Add(-time.Hour).Truncate(time.Hour)
	if err := s.Update(ctx, "t", func(tx *store.Tx) error {
		if _, _, err := tx.ClaimRun(ctx, portfolio.RoleCFO, slot, "schedule"); err != nil {
			return err
		}
		id, _, err := tx.ClaimRun(ctx, portfolio.RoleCEO, slot, "catch_up")
		if err != nil {
			return err
		}
		return tx.FinishRun(ctx, id, "skipped", 0, "older than the catch-up limit")
	}); err != nil {
		t.Fatal(err)
	}
	var leading atomic.Bool
	got, _ := workerHealth(s, &leading)(ctx)
	details := got.(map[string]any)
	stuck, _ := details["stuck_runs"].([]string)
	skipped, _ := details["skipped_runs"].([]string)
	at := slot.Format(time.RFC3339)
	if len(stuck) != 1 || !strings.HasPrefix(stuck[0], "cfo at "+at+": running since ") {
		t.Errorf("stuck_runs = %q", stuck)
	}
	if len(skipped) != 1 || skipped[0] != "ceo at "+at+": older than the catch-up limit" {
		t.Errorf("skipped_runs = %q", skipped)
	}
}
