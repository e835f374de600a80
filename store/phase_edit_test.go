package store_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

func TestPhaseEditing(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	names := func() []string {
		ev, err := s.Event(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ev.Phases {
			out = append(out, p.Name)
		}
		return out
	}
	update := func(fn func(tx *store.Tx) error) error { return s.Update(ctx, "t", fn) }
	var id int64
	if err := update(func(tx *store.Tx) (err error) { id, err = tx.AddPhase(ctx, 1, "Provisioning"); return err }); err != nil {
		t.Fatal(err)
	}
	want := []string{"Pre-departure", "Boarding", "Underway", "Return and turnaround", "Provisioning"}
	if got := names(); !slices.Equal(got, want) {
		t.Fatalf("after add: %v", got)
	}
	for _, bad := range []struct {
		name string
		fn   func(tx *store.Tx) error
		code string
	}{
		{"a blank name", func(tx *store.Tx) error { _, err := tx.AddPhase(ctx, 1, " "); return err }, portfolio.EINVALID},
		{"a duplicate name", func(tx *store.Tx) error { _, err := tx.AddPhase(ctx, 1, "Boarding"); return err }, portfolio.ECONFLICT},
		{"a missing event", func(tx *store.Tx) error { _, err := tx.AddPhase(ctx, 999, "X"); return err }, portfolio.EINVALID},
		{"renaming to a taken name", func(tx *store.Tx) error { return tx.RenamePhase(ctx, id, "Underway") }, portfolio.ECONFLICT},
		{"renaming a missing phase", func(tx *store.Tx) error { return tx.RenamePhase(ctx, 999, "X") }, portfolio.ENOTFOUND},
		{"a two-place move", func(tx *store.Tx) error { return tx.MovePhase(ctx, id, -2) }, portfolio.EINVALID},
		{"deleting a missing phase", func(tx *store.Tx) error { return tx.DeletePhase(ctx, 999) }, portfolio.ENOTFOUND},
	} {
		if err := update(bad.fn); portfolio.ErrorCode(err) != bad.code {
			t.Errorf("%s: got %v, want %s", bad.name, err, bad.code)
		}
	}
	if got := names(); !slices.Equal(got, want) {
		t.Fatalf("a refused change changed the phases: %v", got)
	}
	if err := update(func(tx *store.Tx) error { return tx.RenamePhase(ctx, id, "Provisions") }); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := update(func(tx *store.Tx) error { return tx.MovePhase(ctx, id, -1) }); err != nil {
			t.Fatal(err)
		}
	}
	if err := update(func(tx *store.Tx) error { return tx.MovePhase(ctx, id, 1) }); err != nil {
		t.Fatal(err)
	}
	want = []string{"Pre-departure", "Boarding", "Underway", "Provisions", "Return and turnaround"}
	if got := names(); !slices.Equal(got, want) {
		t.Errorf("after rename and moves: %v, want %v", got, want)
	}
	ev, _ := s.Event(ctx, 1)
	first := ev.Phases[0]
	if err := update(func(tx *store.Tx) error { return tx.MovePhase(ctx, first.ID, -1) }); err != nil {
		t.Errorf("moving the first phase up should be a no-op: %v", err)
	}
	if err := update(func(tx *store.Tx) error { return tx.DeletePhase(ctx, first.ID) }); err != nil {
		t.Fatal(err)
	}
	if got := names(); !slices.Equal(got, want[1:]) {
		t.Errorf("after delete: %v", got)
	}
	var orphans int
	s.View(ctx, func(tx *sql.Tx) error {
		return tx.QueryRow("SELECT count(*) FROM checklist_items WHERE phase_id = ?", first.ID).Scan(&orphans)
	})
	if orphans != 0 {
		t.Errorf("%d items of the deleted phase remain", orphans)
	}
	audit, _ := s.Audit(ctx, 1)
	if audit[0].Action != "delete" || audit[0].SubjectType != "checklist_phase" ||
		audit[0].Details != `{"event_id":1,"items":5,"name":"Pre-departure"}` {
		t.Errorf("audit of the delete: %+v", audit[0])
	}
}
