package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

func kind(t testing.TB, name string) *portfolio.Kind {
	t.Helper()
	k, err := portfolio.KindNamed(name)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Every kind lists the demo's records, each found again by its key.
func TestRecordsOfEveryKind(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	counts := map[string]int{}
	for _, k := range portfolio.Kinds {
		recs, err := s.Records(ctx, k)
		if err != nil {
			t.Fatalf("%s: %v", k.Name, err)
		}
		counts[k.Name] = len(recs)
		seen := map[string]bool{}
		for _, r := range recs {
			key := k.Key(r)
			if seen[strings.ToLower(key)] {
				t.Errorf("%s: key %q twice", k.Name, key)
			}
			seen[strings.ToLower(key)] = true
			found, err := s.Record(ctx, k, key)
			if err != nil || k.Key(found) != key {
				t.Errorf("%s %q: found %v, %v", k.Name, key, found, err)
			}
			if err := r.Validate(); err != nil {
				t.Errorf("%s %q as read does not validate: %v", k.Name, key, err)
			}
		}
	}
	for name, want := range map[string]int{"entity": 7, "kpi": 22, "shortfall": 11, "event": 2, "schedule": 5, "phase": 8, "item": 28} {
		if counts[name] != want {
			t.Errorf("%d %s records, want %d", counts[name], name, want)
		}
	}
	kpi, _ := s.Record(ctx, kind(t, "kpi"), "jada/charters")
	if k := kpi.(*portfolio.KPI); k.EntityCode != "JADA" || k.EntityID == 0 || k.Target != 6 {
		t.Errorf("kpi jada/charters = %+v", k)
	}
	reading, err := s.Records(ctx, kind(t, "reading"))
	if err != nil || reading[0].(*portfolio.Reading).KPIKey == "" {
		t.Errorf("a reading does not name its KPI: %v %v", reading, err)
	}
}

// Adding, changing and removing records through their kind: keys made
// from titles, references by key, refusals that name what refers.
func TestPutAndRemoveRecords(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	entity, costLine, kpi := kind(t, "entity"), kind(t, "cost-line"), kind(t, "kpi")
	update := func(fn func(tx *store.Tx) error) error { return s.Update(ctx, "tester", fn) }

	// A new entity and a cost line for it, by the entity's key.
	e := entity.New()
	for name, v := range map[string]string{"code": "BAKE", "name": "Harbor Bakery", "kind": "operating"} {
		f, _ := entity.Field(name)
		if err := f.Parse(e, v); err != nil {
			t.Fatal(err)
		}
	}
	c := costLine.New().(*portfolio.CostLine)
	c.EntityCode, c.Category, c.Vendor, c.Low, c.High = "bake", "rent", "Harbor Properties", portfolio.Dollars(1800), portfolio.Dollars(1800)
	if err := update(func(tx *store.Tx) error {
		if created, err := tx.PutRecord(ctx, entity, "", e); err != nil || !created {
			return errors.Join(err, errors.New("entity not created"))
		}
		_, err := tx.PutRecord(ctx, costLine, "", c)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if c.Key != "harbor-properties-rent" || c.EntityCode != "BAKE" || c.EntityID == 0 {
		t.Errorf("cost line after create: key %q, entity %q #%d", c.Key, c.EntityCode, c.EntityID)
	}
	snap, _ := s.Snapshot(ctx)
	if burn := snap.Burn(); burn.High != portfolio.Dollars(8696+1800) {
		t.Errorf("burn after the new cost line: %s", burn.High)
	}

	// A second line from the same vendor gets a key of its own.
	c2 := costLine.New().(*portfolio.CostLine)
	c2.Category, c2.Vendor = "rent", "Harbor Properties"
	if err := update(func(tx *store.Tx) error { _, err := tx.PutRecord(ctx, costLine, "", c2); return err }); err != nil || c2.Key != "harbor-properties-rent-2" {
		t.Errorf("second key %q, %v", c2.Key, err)
	}

	// A change by key; the key may change too.
	if err := update(func(tx *store.Tx) error {
		r, err := tx.Record(ctx, costLine, "harbor-properties-rent-2")
		if err != nil {
			return err
		}
		line := r.(*portfolio.CostLine)
		line.Key, line.High = "bakery-power", portfolio.Dollars(90)
		_, err = tx.PutRecord(ctx, costLine, "harbor-properties-rent-2", line)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Record(ctx, costLine, "bakery-power"); err != nil || r.(*portfolio.CostLine).High != portfolio.Dollars(90) {
		t.Errorf("after the change: %+v %v", r, err)
	}

	// Bad input is refused and writes nothing.
	bad := []struct {
		name string
		fn   func(tx *store.Tx) error
		code string
		want string
	}{
		{"unknown reference", func(tx *store.Tx) error {
			line := costLine.New().(*portfolio.CostLine)
			line.EntityCode, line.Category, line.Vendor = "NOPE", "x", "y"
			_, err := tx.PutRecord(ctx, costLine, "", line)
			return err
		}, portfolio.EINVALID, `entity: no entity "NOPE"`},
		{"invalid record", func(tx *store.Tx) error {
			line := costLine.New().(*portfolio.CostLine)
			line.Category, line.Vendor, line.Low, line.High = "x", "y", 10, 5
			_, err := tx.PutRecord(ctx, costLine, "", line)
			return err
		}, portfolio.EINVALID, "high"},
		{"duplicate key", func(tx *store.Tx) error {
			_, err := tx.PutRecord(ctx, entity, "", &portfolio.Entity{Code: "jada", Name: "Again", Kind: portfolio.KindOperating})
			return err
		}, portfolio.ECONFLICT, "already exists"},
		{"unknown key", func(tx *store.Tx) error {
			_, err := tx.PutRecord(ctx, costLine, "nope", costLine.New())
			return err
		}, portfolio.ENOTFOUND, `no cost-line "nope"`},
		{"refused removal", func(tx *store.Tx) error { _, err := tx.RemoveRecord(ctx, entity, "BAKE", true); return err },
			portfolio.ECONFLICT, `entity "BAKE" is still referred to by cost-line harbor-properties-rent`},
		{"cascade not agreed", func(tx *store.Tx) error { _, err := tx.RemoveRecord(ctx, kpi, "JADA/charters", false); return err },
			portfolio.ECONFLICT, `removing kpi "JADA/charters" also removes reading JADA/charters/`},
	}
	for _, tc := range bad {
		err := update(tc.fn)
		if portfolio.ErrorCode(err) != tc.code || !strings.Contains(portfolio.ErrorMessage(err), tc.want) {
			t.Errorf("%s: %v (%s), want %s containing %q", tc.name, err, portfolio.ErrorCode(err), tc.code, tc.want)
		}
	}

	// A KPI goes with its readings once that is agreed to.
	var gone []store.Dependent
	if err := update(func(tx *store.Tx) (err error) { gone, err = tx.RemoveRecord(ctx, kpi, "JADA/charters", true); return }); err != nil {
		t.Fatal(err)
	}
	if len(gone) != 4 {
		t.Errorf("removed with the KPI: %v, want its 4 readings", gone)
	}
	if _, err := s.Record(ctx, kpi, "JADA/charters"); portfolio.ErrorCode(err) != portfolio.ENOTFOUND {
		t.Errorf("the KPI is still there: %v", err)
	}
	entries, _ := s.Audit(ctx, 6)
	if entries[0].Action != "delete" || entries[0].SubjectType != "kpi" || entries[0].Actor != "tester" || entries[1].SubjectType != "reading" {
		t.Errorf("audit after the removal: %+v", entries[:2])
	}
}

// A person's reports are part of the person: set with them, read with
// them.
func TestPersonReports(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	person := kind(t, "person")
	p := &portfolio.Person{Name: "Riley Moss", Email: "riley@example.com", Role: portfolio.AccessGuest,
		Reports: []portfolio.ReportRole{portfolio.RoleCFO, portfolio.RoleAccounting}}
	if err := s.Update(ctx, "t", func(tx *store.Tx) error { _, err := tx.PutRecord(ctx, person, "", p); return err }); err != nil {
		t.Fatal(err)
	}
	rs, _ := s.Recipients(ctx)
	n := 0
	for _, r := range rs {
		if r.Person.Email == "riley@example.com" {
			n++
		}
	}
	got, _ := s.Record(ctx, person, "RILEY@example.com")
	if n != 2 || got == nil || len(got.(*portfolio.Person).Reports) != 2 {
		t.Errorf("recipients %d, person %+v", n, got)
	}
}

// What a removal empties rather than removes or is refused by is listed
// too: the records that keep going without the one removed, by field.
func TestDependentsListWhatIsCleared(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	person := kind(t, "person")
	deps, err := s.Dependents(ctx, person, "morgan.reyes@example.com")
	if err != nil {
		t.Fatal(err)
	}
	var cleared, goes, refuse []string
	for _, d := range deps {
		switch {
		case d.Cleared:
			cleared = append(cleared, d.Kind.Name+"."+d.Field)
		case d.Goes:
			goes = append(goes, d.Kind.Name)
		default:
			refuse = append(refuse, d.String())
		}
	}
	if !slices.Contains(cleared, "item.claimed_by") || !slices.Contains(cleared, "item.done_by") || !slices.Contains(goes, "crew") || len(refuse) > 0 {
		t.Errorf("Morgan's dependents: cleared %v, goes %v, refuse %v", cleared, goes, refuse)
	}
	// The removal is not refused by them, and the items stay, emptied.
	if err := s.Update(ctx, "tester", func(tx *store.Tx) error {
		_, err := tx.RemoveRecord(ctx, person, "morgan.reyes@example.com", true)
		return err
	}); err != nil {
		t.Fatalf("removing Morgan: %v", err)
	}
	items, _ := s.Records(ctx, kind(t, "item"))
	for _, r := range items {
		if it := r.(*portfolio.ChecklistItem); it.ClaimedEmail == "morgan.reyes@example.com" || it.DoneEmail == "morgan.reyes@example.com" {
			t.Errorf("an item still names Morgan: %+v", it)
		}
	}
}
