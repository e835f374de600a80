package store_test

import (
	"context"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

func TestChecklistEditing(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	ev, err := s.Event(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	phase := ev.Phases[0]
	var id int64
	err = s.Update(ctx, "t", func(tx *store.Tx) (err error) {
		id, err = tx.AddItem(ctx, phase.ID, portfolio.ItemInput{Title: "Stow the fenders", Mandatory: true})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	titles := func() []string {
		ev, _ := s.Event(ctx, 1)
		var out []string
		for _, it := range ev.Phases[0].Items {
			out = append(out, it.Title)
		}
		return out
	}
	got := titles()
	if got[len(got)-1] != "Stow the fenders" {
		t.Fatalf("added item not last: %v", got)
	}
	if err := s.Update(ctx, "t", func(tx *store.Tx) error { return tx.MoveItem(ctx, id, -1) }); err != nil {
		t.Fatal(err)
	}
	got = titles()
	if got[len(got)-2] != "Stow the fenders" {
		t.Errorf("move up: %v", got)
	}
	first := ev.Phases[0].Items[0].ID
	if err := s.Update(ctx, "t", func(tx *store.Tx) error { return tx.MoveItem(ctx, first, -1) }); err != nil {
		t.Errorf("moving the first item up should be a no-op: %v", err)
	}
	if err := s.Update(ctx, "t", func(tx *store.Tx) error {
		return tx.UpdateItem(ctx, id, portfolio.ItemInput{Title: "Stow fenders and lines", RequiredRole: portfolio.AccessCaptain})
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, "t", func(tx *store.Tx) error { return tx.UpdateItem(ctx, id, portfolio.ItemInput{Title: " "}) }); portfolio.ErrorCode(err) != portfolio.EINVALID {
		t.Errorf("blank title accepted: %v", err)
	}
	if err := s.Update(ctx, "t", func(tx *store.Tx) error { return tx.DeleteItem(ctx, id) }); err != nil {
		t.Fatal(err)
	}
	if len(titles()) != len(ev.Phases[0].Items) {
		t.Error("delete did not remove the item")
	}
	ev.Title = "Sunset cruise, party of twelve"
	ev.Guests = 12
	if err := s.Update(ctx, "t", func(tx *store.Tx) error { return tx.UpdateEvent(ctx, &ev) }); err != nil {
		t.Fatal(err)
	}
	sums, _ := s.EventSummaries(ctx)
	if sums[0].Title != "Sunset cruise, party of twelve" || sums[0].Total != 14 || sums[0].Done != 2 || sums[0].Crew != 3 {
		t.Errorf("summary after edits: %+v", sums[0])
	}
}

func TestKPIEditAndDelete(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	k := mustKPI(t, s, "JADA", "charters")
	k.Target = 8
	k.Name = "Charters a month"
	if err := s.Update(ctx, "t", func(tx *store.Tx) error { return tx.UpdateKPI(ctx, &k) }); err != nil {
		t.Fatal(err)
	}
	if got := mustKPI(t, s, "JADA", "charters"); got.Target != 8 || got.Name != "Charters a month" || got.Latest.Value != 2 {
		t.Errorf("after update: %+v", got)
	}
	if err := s.Update(ctx, "t", func(tx *store.Tx) error { return tx.DeleteKPI(ctx, k.ID) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.KPI(ctx, "JADA", "charters"); portfolio.ErrorCode(err) != portfolio.ENOTFOUND {
		t.Errorf("deleted KPI still found: %v", err)
	}
	rr, _ := s.RecentReadings(ctx, 3)
	if _, ok := rr[k.ID]; ok {
		t.Error("readings of a deleted KPI remain")
	}
	if got := rr[mustKPI(t, s, "QOS", "subscribers").ID]; len(got) != 3 || got[2] != 3676 {
		t.Errorf("recent readings = %v, want the last three, oldest first", got)
	}
}
