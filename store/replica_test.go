package store_test

import (
	"context"
	"testing"

	"opsdeck/store/storetest"
)

func TestLeaveCheckpointsToReplication(t *testing.T) {
	s := storetest.Open(t, nil)
	ctx := context.Background()
	if n, err := s.WALAutocheckpoint(ctx); err != nil || n != 1000 {
		t.Fatalf("autocheckpoint before: %d %v, want SQLite's 1000", n, err)
	}
	if err := s.LeaveCheckpointsToReplication(ctx); err != nil {
		t.Fatal(err)
	}
	// The setting is the writer's, so it must hold for later writes.
	storetest.LoadDemo(t, s)
	if n, err := s.WALAutocheckpoint(ctx); err != nil || n != 10000 {
		t.Errorf("autocheckpoint after: %d %v, want 10000", n, err)
	}
}
