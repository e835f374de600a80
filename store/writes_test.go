package store_test

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

func TestSetKPIRecordsReadingTargetAndAudit(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	v, target := 5.0, 5.0
	var got portfolio.KPI
	err := s.Update(ctx, "tester", func(tx *store.Tx) (err error) {
		got, err = tx.SetKPI(ctx, "jada", "CHARTERS", portfolio.KPIUpdate{Value: &v, Target: &target, Note: "busy month"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Latest == nil || got.Latest.Value != 5 || got.Target != 5 || got.Status() != portfolio.StatusOnTarget {
		t.Errorf("after set: %+v", got)
	}
	if !got.Latest.TakenAt.Equal(storetest.Now) || got.Latest.Note != "busy month" {
		t.Errorf("reading stamped %v with note %q, want the store clock and the note", got.Latest.TakenAt, got.Latest.Note)
	}
	entries, _ := s.Audit(ctx, 1)
	if len(entries) != 1 || entries[0].Action != "set" || entries[0].SubjectID != got.ID || entries[0].Actor != "tester" {
		t.Fatalf("audit = %+v", entries)
	}
	var details struct {
		Entity, Key, Note string
		Changes           map[string]store.Change
	}
	if err := json.Unmarshal([]byte(entries[0].Details), &details); err != nil {
		t.Fatal(err)
	}
	if details.Changes["value"] != (store.Change{Before: "2", After: "5"}) || details.Changes["target"] != (store.Change{Before: "6", After: "5"}) ||
		details.Note != "busy month" || details.Entity != "JADA" {
		t.Errorf("audit details = %s", entries[0].Details)
	}
}

func TestSetKPIRejectsBadInputAndWritesNothing(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	neg, nan, inf, frac, ok := -1.0, math.NaN(), math.Inf(1), 2.5, 3.0
	for _, tc := range []struct {
		name, entity, key string
		u                 portfolio.KPIUpdate
		code              string
	}{
		{"negative count", "JADA", "charters", portfolio.KPIUpdate{Value: &neg}, portfolio.EINVALID},
		{"NaN", "JADA", "charters", portfolio.KPIUpdate{Value: &nan}, portfolio.EINVALID},
		{"Inf target", "JADA", "charters", portfolio.KPIUpdate{Value: &ok, Target: &inf}, portfolio.EINVALID},
		{"fractional count", "JADA", "charters", portfolio.KPIUpdate{Value: &frac}, portfolio.EINVALID},
		{"nothing to set", "JADA", "charters", portfolio.KPIUpdate{}, portfolio.EINVALID},
		{"unknown entity", "NOPE", "charters", portfolio.KPIUpdate{Value: &ok}, portfolio.ENOTFOUND},
		{"unknown KPI", "JADA", "nope", portfolio.KPIUpdate{Value: &ok}, portfolio.ENOTFOUND},
	} {
		err := s.Update(ctx, "test", func(tx *store.Tx) error {
			_, err := tx.SetKPI(ctx, tc.entity, tc.key, tc.u)
			return err
		})
		if portfolio.ErrorCode(err) != tc.code {
			t.Errorf("%s: error %v, want code %s", tc.name, err, tc.code)
		}
	}
	k := mustKPI(t, s, "JADA", "charters")
	if k.Latest.Value != 2 || k.Target != 6 {
		t.Errorf("after rejected input: value %v target %v", k.Latest.Value, k.Target)
	}
	if entries, _ := s.Audit(ctx, 10); len(entries) != 1 {
		t.Errorf("rejected input wrote %d audit entries", len(entries)-1)
	}
}

func TestShortfallLifecycle(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	sf := portfolio.Shortfall{Title: "<img src=x onerror=alert(1)>", OwnerRole: portfolio.RoleCEO, Severity: portfolio.SeverityHigh,
		MonthlyImpact: portfolio.Dollars(500), EffortDays: 1}
	if err := s.Update(ctx, "t", func(tx *store.Tx) error { return tx.CreateShortfall(ctx, &sf) }); err != nil {
		t.Fatal(err)
	}
	got, err := s.Shortfall(ctx, sf.ID)
	if err != nil || got.Title != sf.Title || got.Status != portfolio.ShortfallOpen || got.OpenedOn != portfolio.DateOf(storetest.Now) {
		t.Fatalf("created shortfall = %+v, %v", got, err)
	}
	if err := s.Update(ctx, "t", func(tx *store.Tx) error { return tx.ResolveShortfall(ctx, sf.ID) }); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Shortfall(ctx, sf.ID)
	if got.IsOpen() || got.ResolvedOn != portfolio.DateOf(storetest.Now) {
		t.Errorf("after resolve: %+v", got)
	}
	if err := s.Update(ctx, "t", func(tx *store.Tx) error { return tx.ResolveShortfall(ctx, sf.ID) }); portfolio.ErrorCode(err) != portfolio.ECONFLICT {
		t.Errorf("resolving twice = %v, want conflict", err)
	}
	if err := s.Update(ctx, "t", func(tx *store.Tx) error { return tx.ReopenShortfall(ctx, sf.ID) }); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Shortfall(ctx, sf.ID)
	if !got.IsOpen() || !got.ResolvedOn.IsZero() {
		t.Errorf("after reopen: %+v", got)
	}
	if err := s.Update(ctx, "t", func(tx *store.Tx) error { return tx.ResolveShortfall(ctx, 99999) }); portfolio.ErrorCode(err) != portfolio.ENOTFOUND {
		t.Errorf("resolving a missing shortfall = %v, want not found", err)
	}
}

func TestCreateConflictsAreApplicationErrors(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	err := s.Update(ctx, "t", func(tx *store.Tx) error {
		_, err := tx.PutRecord(ctx, portfolio.MustKind("entity"), "", &portfolio.Entity{Code: "jada", Name: "dup", Kind: portfolio.KindOperating})
		return err
	})
	if portfolio.ErrorCode(err) != portfolio.ECONFLICT {
		t.Errorf("duplicate entity code (other case) = %v, want conflict", err)
	}
	err = s.Update(ctx, "t", func(tx *store.Tx) error {
		return tx.CreateKPI(ctx, &portfolio.KPI{EntityID: 9999, Key: "k", Name: "n", Unit: "count", Direction: portfolio.HigherIsBetter, OwnerRole: portfolio.RoleCEO})
	})
	if portfolio.ErrorCode(err) != portfolio.EINVALID {
		t.Errorf("KPI for a missing entity = %v, want invalid", err)
	}
}
