package store_test

import (
	"context"
	"slices"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// The two ways of counting checklists (grouped for the full list, through
// the indexes for the snapshot's short one) agree, and the batched trend
// query returns what a KPI's own readings say.
func TestSummariesAgree(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	if err := storetest.GenerateLoad(ctx, s, storetest.LoadSpec{Events: 300, Items: 2000, Readings: 900, KPIs: 10}); err != nil {
		t.Fatal(err)
	}
	all, err := s.EventSummaries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]portfolio.EventSummary{}
	for _, e := range all {
		byID[e.ID] = e
	}
	snap, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Events) != store.SnapshotEvents {
		t.Fatalf("snapshot has %d upcoming events, want %d", len(snap.Events), store.SnapshotEvents)
	}
	for _, e := range snap.Events {
		if byID[e.ID] != e {
			t.Errorf("event %d: snapshot %+v, full list %+v", e.ID, e, byID[e.ID])
		}
		full, err := s.Event(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if done, total := full.Progress(); done != e.Done || total != e.Total {
			t.Errorf("event %d: summary %d/%d, checklist %d/%d", e.ID, e.Done, e.Total, done, total)
		}
	}

	trends, err := s.RecentReadings(ctx, 12)
	if err != nil {
		t.Fatal(err)
	}
	kpis, err := s.KPIs(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range kpis {
		rs, err := s.Readings(ctx, k.ID, 12)
		if err != nil {
			t.Fatal(err)
		}
		var want []float64
		for _, r := range rs {
			want = append(want, r.Value)
		}
		if !slices.Equal(trends[k.ID], want) {
			t.Errorf("KPI %s/%s: trend %v, readings %v", k.EntityCode, k.Key, trends[k.ID], want)
		}
	}
}
