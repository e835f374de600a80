package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// dump reads every row of every table but the audit log, with row ids,
// straight from the file, so a restore is compared with what the delete
// found as SQLite holds it. The audit log and the change log are left
// out: a restore adds to both.
func dump(t *testing.T, s *store.Store) map[string][]string {
	t.Helper()
	db, err := sql.Open("sqlite", s.Path()+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('audit_log', 'changes')")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	out := map[string][]string{}
	for _, n := range names {
		rs, err := db.Query(`SELECT rowid, * FROM "` + n + `" ORDER BY rowid`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rs.Columns()
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out[n] = append(out[n], fmt.Sprintf("%#v", vals))
		}
		rs.Close()
	}
	return out
}

// diff names the tables whose rows differ between a and b.
func diff(a, b map[string][]string) []string {
	var out []string
	for t := range a {
		if strings.Join(a[t], "\n") != strings.Join(b[t], "\n") {
			out = append(out, fmt.Sprintf("%s (%d rows, then %d)", t, len(a[t]), len(b[t])))
		}
	}
	for t := range b {
		if _, ok := a[t]; !ok && len(b[t]) > 0 {
			out = append(out, t+" (new rows)")
		}
	}
	return out
}

func lastAudit(t *testing.T, s *store.Store) store.AuditEntry {
	t.Helper()
	entries, err := s.Audit(context.Background(), 1)
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit: %v %v", entries, err)
	}
	return entries[0]
}

// deleteIn runs fn in a transaction as "alice" and returns what it deleted.
func deleteIn(t *testing.T, s *store.Store, fn func(ctx context.Context, tx *store.Tx) error) *store.Deleted {
	t.Helper()
	ctx := context.Background()
	var d *store.Deleted
	if err := s.Update(ctx, "alice", func(tx *store.Tx) error {
		if err := fn(ctx, tx); err != nil {
			return err
		}
		d = tx.Deleted()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if d == nil {
		t.Fatal("the delete captured nothing to undo")
	}
	return d
}

// A KPI deleted with its readings comes back, row for row, with the same
// ids; the restore is audited under the actor who asked for it.
func TestRestoreKPIWithReadings(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	snap, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var kpi portfolio.KPI
	var readings int
	for _, k := range snap.KPIs {
		h, _ := s.Readings(ctx, k.ID, 1000)
		if len(h) > readings {
			kpi, readings = k, len(h)
		}
	}
	if readings < 2 {
		t.Fatalf("the demo has no KPI with readings")
	}
	before := dump(t, s)
	d := deleteIn(t, s, func(ctx context.Context, tx *store.Tx) error { return tx.DeleteKPI(ctx, kpi.ID) })
	if got := diff(before, dump(t, s)); len(got) == 0 {
		t.Fatal("the delete changed nothing")
	}
	want := fmt.Sprintf("KPI %s/%s and %d KPI readings", kpi.EntityCode, kpi.Key, readings)
	if d.Summary() != want {
		t.Errorf("summary %q, want %q", d.Summary(), want)
	}
	if err := s.Restore(ctx, "console:bob", d); err != nil {
		t.Fatal(err)
	}
	if got := diff(before, dump(t, s)); len(got) > 0 {
		t.Errorf("after the restore these differ: %v", got)
	}
	a := lastAudit(t, s)
	if a.Action != "restore" || a.Actor != "console:bob" || a.SubjectType != "kpi" || a.SubjectID != kpi.ID || !strings.Contains(a.Details, want) {
		t.Errorf("audit row %+v", a)
	}
}

// An event removed through the Records page takes its phases, items,
// crew, links and checklist log; a person clears the references of the
// items and actions that stay. A restore gives back every
// row, and the references, as they were.
func TestRestoreRecordWithCascade(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	// The demo's checklist has a log, and a crew link, so there is
	// machinery to bring back too.
	events, err := s.Events(ctx, s.Now())
	if err != nil || len(events) == 0 {
		t.Fatal(err)
	}
	ev := events[0]
	if len(ev.Crew) == 0 || len(ev.Phases) == 0 {
		t.Fatalf("the demo's first event has no crew or checklist: %+v", ev)
	}
	claimer := ev.Crew[0].PersonID
	if err := s.Update(ctx, "alice", func(tx *store.Tx) error {
		if _, err := tx.ClaimItem(ctx, ev.ID, ev.Phases[0].Items[0].ID, claimer, claimer); err != nil {
			return err
		}
		return tx.CreateCrewLink(ctx, &store.CrewLink{PersonID: ev.Crew[0].PersonID, EventID: ev.ID, Role: portfolio.AccessCrew,
			ExpiresAt: s.Now().Add(24 * time.Hour)}, make([]byte, 32))
	}); err != nil {
		t.Fatal(err)
	}
	evKind, _ := portfolio.KindNamed("event")
	recs, _ := s.Records(ctx, evKind)
	var key string
	for _, r := range recs {
		if r.(*portfolio.Event).ID == ev.ID {
			key = evKind.Key(r)
		}
	}
	before := dump(t, s)
	d := deleteIn(t, s, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.RemoveRecord(ctx, evKind, key, true)
		return err
	})
	after := dump(t, s)
	for _, table := range []string{"events", "checklist_phases", "checklist_items", "event_crew", "crew_links", "checklist_log"} {
		if len(after[table]) >= len(before[table]) {
			t.Errorf("%s: %d rows before the removal, %d after", table, len(before[table]), len(after[table]))
		}
	}
	if !strings.Contains(d.Summary(), "checklist items") || !strings.Contains(d.Summary(), "crew link") {
		t.Errorf("summary %q", d.Summary())
	}
	if err := s.Restore(ctx, "bob", d); err != nil {
		t.Fatal(err)
	}
	if got := diff(before, dump(t, s)); len(got) > 0 {
		t.Errorf("after the restore these differ: %v", got)
	}

	// A person whose removal takes their crew places and clears the items
	// they claimed or ticked.
	entity, _ := portfolio.KindNamed("person")
	ents, _ := s.Records(ctx, entity)
	var removed *store.Deleted
	for _, e := range ents {
		before = dump(t, s)
		err := s.Update(ctx, "alice", func(tx *store.Tx) error {
			deps, err := tx.Dependents(ctx, entity, entity.Key(e))
			cleared := false
			for _, d := range deps {
				cleared = cleared || d.Cleared
			}
			if err == nil && !cleared {
				return fmt.Errorf("clears nothing")
			}
			if _, err := tx.RemoveRecord(ctx, entity, entity.Key(e), true); err != nil {
				return err
			}
			removed = tx.Deleted()
			return nil
		})
		if err == nil {
			break
		}
		t.Logf("%s: %v", entity.Key(e), err)
		removed = nil
	}
	if removed == nil {
		t.Fatal("no demo person can be removed with references to clear")
	}
	changed := strings.Join(diff(before, dump(t, s)), " ")
	if !strings.Contains(changed, "checklist_items") && !strings.Contains(changed, "actions") {
		t.Errorf("removing %s cleared no reference: %s", removed.What, changed)
	}
	t.Logf("removed %s: %s", removed.Summary(), changed)
	if err := s.Restore(ctx, "bob", removed); err != nil {
		t.Fatal(err)
	}
	if got := diff(before, dump(t, s)); len(got) > 0 {
		t.Errorf("after restoring %s these differ: %v", removed.What, got)
	}
}

// A restore that would clash is refused and changes nothing: a KPI added
// since under the same key, an item whose phase has gone since.
func TestRestoreRefusesConflicts(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	snap, _ := s.Snapshot(ctx)
	kpi := snap.KPIs[0]
	d := deleteIn(t, s, func(ctx context.Context, tx *store.Tx) error { return tx.DeleteKPI(ctx, kpi.ID) })
	if err := s.Update(ctx, "alice", func(tx *store.Tx) error {
		return tx.CreateKPI(ctx, &portfolio.KPI{EntityID: kpi.EntityID, Key: kpi.Key, Name: "Again", Unit: kpi.Unit,
			Direction: kpi.Direction, Target: 1, Tolerance: 0.1, OwnerRole: kpi.OwnerRole})
	}); err != nil {
		t.Fatal(err)
	}
	before := dump(t, s)
	audits := len(mustAudit(t, s))
	err := s.Restore(ctx, "bob", d)
	if portfolio.ErrorCode(err) != portfolio.ECONFLICT || !strings.Contains(portfolio.ErrorMessage(err), "cannot restore KPI "+kpi.EntityCode+"/"+kpi.Key) {
		t.Errorf("restore over a new KPI with the key: %v", err)
	}
	if got := diff(before, dump(t, s)); len(got) > 0 || len(mustAudit(t, s)) != audits {
		t.Errorf("a refused restore changed %v", got)
	}

	// An item, then its phase: the item cannot come back alone, but in
	// turn (the phase first) both do.
	events, _ := s.Events(ctx, s.Now())
	ph := events[0].Phases[0]
	item := ph.Items[0]
	before = dump(t, s)
	di := deleteIn(t, s, func(ctx context.Context, tx *store.Tx) error { return tx.DeleteItem(ctx, item.ID) })
	dp := deleteIn(t, s, func(ctx context.Context, tx *store.Tx) error { return tx.DeletePhase(ctx, ph.ID) })
	err = s.Restore(ctx, "bob", di)
	if portfolio.ErrorCode(err) != portfolio.ECONFLICT || !strings.Contains(err.Error(), "is gone") {
		t.Errorf("restore of an item without its phase: %v", err)
	}
	if err := s.Restore(ctx, "bob", dp); err != nil {
		t.Fatal(err)
	}
	if err := s.Restore(ctx, "bob", di); err != nil {
		t.Fatal(err)
	}
	if got := diff(before, dump(t, s)); len(got) > 0 {
		t.Errorf("after both restores these differ: %v", got)
	}
}

func mustAudit(t *testing.T, s *store.Store) []store.AuditEntry {
	t.Helper()
	a, err := s.Audit(context.Background(), 100000)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// BenchmarkDeleteRestoreKPI deletes a KPI with a few thousand readings
// and restores it: what u costs after a large delete.
func BenchmarkDeleteRestoreKPI(b *testing.B) {
	s := storetest.Demo(b, nil)
	ctx := context.Background()
	if err := storetest.GenerateLoad(ctx, s, storetest.LoadSpec{Readings: 50000, KPIs: 10}); err != nil {
		b.Fatal(err)
	}
	kpis, _ := s.KPIs(ctx, "")
	var id int64
	most := 0
	for _, k := range kpis {
		if r, _ := s.Readings(ctx, k.ID, 100000); len(r) > most {
			id, most = k.ID, len(r)
		}
	}
	b.ResetTimer()
	for range b.N {
		var d *store.Deleted
		if err := s.Update(ctx, "bench", func(tx *store.Tx) error {
			if err := tx.DeleteKPI(ctx, id); err != nil {
				return err
			}
			d = tx.Deleted()
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		if err := s.Restore(ctx, "bench", d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(most), "readings")
}
