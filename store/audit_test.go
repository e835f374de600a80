package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// lastChanges is the "changes" of the newest audit entry, which must be
// an update of subjectType.
func lastChanges(t *testing.T, s *store.Store, subjectType string) (store.AuditEntry, map[string]store.Change) {
	t.Helper()
	entries, err := s.Audit(context.Background(), 1)
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit = %v, %v", entries, err)
	}
	e := entries[0]
	if e.Action != "update" || e.SubjectType != subjectType {
		t.Fatalf("newest entry = %+v, want an update of a %s", e, subjectType)
	}
	var d struct{ Changes map[string]store.Change }
	if err := json.Unmarshal([]byte(e.Details), &d); err != nil {
		t.Fatal(err)
	}
	return e, d.Changes
}

func TestRecordUpdateAuditsBeforeAndAfter(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	k := portfolio.MustKind("shortfall")
	sfs, _ := s.Shortfalls(ctx)
	recs, err := s.Records(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	rec := k.Copy(recs[0])
	old := *rec.(*portfolio.Shortfall)
	key := k.Key(rec)
	sf := rec.(*portfolio.Shortfall)
	sf.Title, sf.MonthlyImpact = "Renamed shortfall", old.MonthlyImpact+123
	if err := s.Update(ctx, "ann", func(tx *store.Tx) error { _, err := tx.PutRecord(ctx, k, key, rec); return err }); err != nil {
		t.Fatal(err)
	}
	e, changes := lastChanges(t, s, "shortfall")
	want := map[string]store.Change{
		"title":          {Before: old.Title, After: "Renamed shortfall"},
		"monthly_impact": {Before: old.MonthlyImpact.Plain(), After: (old.MonthlyImpact + 123).Plain()},
	}
	if fmt.Sprint(changes) != fmt.Sprint(want) {
		t.Errorf("changes = %v, want %v (only what changed)", changes, want)
	}
	if e.Actor != "ann" || e.Name() != "Renamed shortfall" || e.SubjectID != sfs[0].ID {
		t.Errorf("entry = %+v named %q", e, e.Name())
	}
	fields := e.Fields()
	if len(fields) < 2 || !fields[0].Changed || fields[0].Name != "monthly_impact" || fields[1].Name != "title" || fields[1].Before != old.Title {
		t.Errorf("fields = %+v, want the changes first, by name", fields)
	}
}

func TestTypedUpdatesAuditBeforeAndAfter(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	// A shortfall resolved: its status and resolution date change.
	sfs, _ := s.Shortfalls(ctx)
	if err := s.Update(ctx, "t", func(tx *store.Tx) error { return tx.ResolveShortfall(ctx, sfs[0].ID) }); err != nil {
		t.Fatal(err)
	}
	_, ch := lastChanges(t, s, "shortfall")
	if ch["status"] != (store.Change{Before: string(sfs[0].Status), After: "resolved"}) || ch["resolved_on"].After != portfolio.DateOf(storetest.Now).String() || len(ch) != 2 {
		t.Errorf("resolve changes = %v", ch)
	}
	// A KPI's definition.
	k := mustKPI(t, s, "JADA", "charters")
	k.Name, k.EntityCode = "Charters a month", ""
	if err := s.Update(ctx, "t", func(tx *store.Tx) error { return tx.UpdateKPI(ctx, &k) }); err != nil {
		t.Fatal(err)
	}
	_, ch = lastChanges(t, s, "kpi")
	if len(ch) != 1 || ch["name"].Before != "Charters per month" || ch["name"].After != "Charters a month" {
		t.Errorf("KPI changes = %v (an entity known only by id is no change)", ch)
	}
	// An event, and a checklist item.
	ev, err := s.Event(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	oldGuests := ev.Guests
	ev.Guests = oldGuests + 3
	if err := s.Update(ctx, "t", func(tx *store.Tx) error { return tx.UpdateEvent(ctx, &ev) }); err != nil {
		t.Fatal(err)
	}
	_, ch = lastChanges(t, s, "event")
	if len(ch) != 1 || ch["guests"] != (store.Change{Before: fmt.Sprint(oldGuests), After: fmt.Sprint(oldGuests + 3)}) {
		t.Errorf("event changes = %v", ch)
	}
	item := ev.Phases[0].Items[0]
	if err := s.Update(ctx, "t", func(tx *store.Tx) error {
		return tx.UpdateItem(ctx, item.ID, portfolio.ItemInput{Title: item.Title, RequiredRole: item.RequiredRole, Mandatory: item.Mandatory, Note: "bring spares"})
	}); err != nil {
		t.Fatal(err)
	}
	_, ch = lastChanges(t, s, "checklist_item")
	if len(ch) != 1 || ch["note"] != (store.Change{Before: item.Note, After: "bring spares"}) {
		t.Errorf("item changes = %v", ch)
	}
}

func TestAuditForAndPages(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	sfs, _ := s.Shortfalls(ctx)
	a, b := sfs[0], sfs[1]
	for i := range 3 {
		for _, sf := range []portfolio.Shortfall{a, b} {
			sf.EffortDays = float64(i + 10)
			if err := s.Update(ctx, "t", func(tx *store.Tx) error { return tx.UpdateShortfall(ctx, &sf) }); err != nil {
				t.Fatal(err)
			}
		}
	}
	got, err := s.AuditFor(ctx, "shortfall", a.ID, 10)
	if err != nil || len(got) != 3 {
		t.Fatalf("AuditFor = %d entries, %v; want a's 3", len(got), err)
	}
	for i, e := range got {
		if e.SubjectID != a.ID || i > 0 && e.ID >= got[i-1].ID {
			t.Errorf("entry %d = %+v: not a's, or not newest first", i, e)
		}
	}
	// Two subjects at once, paged two at a time by id.
	q := store.AuditQuery{Subjects: []store.AuditSubject{{Type: "shortfall", ID: a.ID}, {Type: "shortfall", ID: b.ID}}, Limit: 2}
	var all []store.AuditEntry
	for {
		page, err := s.AuditPage(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < q.Limit {
			break
		}
		q.Before = page[len(page)-1].ID
	}
	if len(all) != 6 {
		t.Errorf("paged through %d entries of a and b, want 6", len(all))
	}
	every, _ := s.Audit(ctx, 0)
	if len(every) < 6 {
		t.Errorf("Audit with no limit = %d entries", len(every))
	}
}

func TestOldAuditDetailsReadAsValues(t *testing.T) {
	for _, tc := range []struct{ details, want string }{
		{`{"title":"Cruise","departs_at":"2026-01-02T10:00:00Z","status":"planned"}`, "[departs_at=2026-01-02T10:00:00Z status=planned title=Cruise]"},
		{`{"kpi":{"name":"Charters"},"readings":3}`, "[kpi.name=Charters readings=3]"},
		{`null`, "[]"},
		{`not json`, "[details=not json]"},
	} {
		var got []string
		for _, f := range (store.AuditEntry{Details: tc.details}).Fields() {
			if f.Changed {
				t.Errorf("%s: %s read as a change", tc.details, f.Name)
			}
			got = append(got, f.Name+"="+f.After)
		}
		if "["+strings.Join(got, " ")+"]" != tc.want {
			t.Errorf("%s read as %v, want %s", tc.details, got, tc.want)
		}
	}
}
