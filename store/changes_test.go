package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"opsdeck/portfolio"
)

// Every table is either watched by the three triggers of its declared
// area or left out on purpose: a table a later migration adds, or
// rebuilds (which drops its triggers), fails here until it is one or the
// other.
func TestEveryTableIsWatchedOrLeftOut(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "w.db"))
	ctx := context.Background()
	tables, err := queryAll(ctx, s.read, scanString, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		triggers, err := queryAll(ctx, s.read, scanString,
			"SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ? AND name LIKE '%_changed_%' ORDER BY name", table)
		if err != nil {
			t.Fatal(err)
		}
		_, watched := changeAreas[table]
		left := slices.Contains(unwatchedTables, table)
		want := []string{table + "_changed_delete", table + "_changed_insert", table + "_changed_update"}
		switch {
		case watched && left:
			t.Errorf("%s is both watched and left out", table)
		case watched && !slices.Equal(triggers, want):
			t.Errorf("%s is watched, but has the triggers %v, want %v", table, triggers, want)
		case left && len(triggers) > 0:
			t.Errorf("%s is left out, but has the triggers %v", table, triggers)
		case !watched && !left:
			t.Errorf("%s is neither watched (changeAreas) nor left out (unwatchedTables): a reader would miss its writes or read again for nothing", table)
		}
	}
	for table := range changeAreas {
		if !slices.Contains(tables, table) {
			t.Errorf("changeAreas names %s, which the schema does not have", table)
		}
	}
}

func scanString(row interface{ Scan(...any) error }) (string, error) {
	var s string
	return s, row.Scan(&s)
}

// Each kind of write is noted under its own area, and under the event or
// KPI it touched; a lease renewal is noted nowhere.
func TestChangesNameWhatWasWritten(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "c.db"))
	ctx := context.Background()
	if err := s.Update(ctx, "t", func(tx *Tx) error {
		if err := tx.SetMeta(ctx, "portfolio_name", "Test"); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, "INSERT INTO entities (code, name, kind) VALUES ('ACME', 'Acme', 'operating')"); err != nil {
			return err
		}
		return tx.CreateKPI(ctx, &portfolio.KPI{EntityID: 1, Key: "rev", Name: "Revenue", Unit: "count",
			Direction: portfolio.HigherIsBetter, Target: 10, Tolerance: 0.1, OwnerRole: portfolio.RoleCEO})
	}); err != nil {
		t.Fatal(err)
	}
	since := func(seq int64) Changes {
		t.Helper()
		c, err := s.ChangesSince(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	all := since(0)
	for _, a := range []Area{AreaPortfolio, AreaEntity, AreaKPI} {
		if !all.Has(a) {
			t.Errorf("after the first writes the log has %v, want %s among them", all.Keys, a)
		}
	}
	seq := all.Seq
	if head, err := s.ChangeSeq(ctx); err != nil || head != seq {
		t.Fatalf("ChangeSeq = %d, %v; ChangesSince read up to %d", head, err, seq)
	}

	// A reading: the KPI, by its id; nothing else.
	v := 12.0
	if err := s.Update(ctx, "t", func(tx *Tx) error {
		_, err := tx.SetKPI(ctx, "ACME", "rev", portfolio.KPIUpdate{Value: &v})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	c := since(seq)
	if !slices.Equal(c.Keys[AreaKPI], []int64{1}) || len(c.Keys) != 1 || c.Seq <= seq {
		t.Errorf("after a reading: %+v, want KPI 1 alone, under a newer position than %d", c, seq)
	}
	seq = c.Seq

	// The lease serve renews every few seconds moves SQLite's data
	// version but is noted nowhere.
	if _, err := s.AcquireLease(ctx, "serve", "host:1", time.Minute); err != nil {
		t.Fatal(err)
	}
	if c := since(seq); c.Any() || c.Seq != seq {
		t.Errorf("after a lease renewal: %+v, want nothing", c)
	}

	// Serve's replication report is its own area, apart from the
	// portfolio's settings.
	if err := s.Update(ctx, "t", func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('replica_status', '{}')")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if c := since(seq); !slices.Equal(keysOf(c), []Area{AreaReplica}) {
		t.Errorf("after serve's replication report: %v, want only %s", c.Keys, AreaReplica)
	} else {
		seq = c.Seq
	}

	// An event and its checklist are noted under the event; an item, which
	// names only its phase, too; and its removal with the event.
	var eventID, phaseID, itemID int64
	if err := s.Update(ctx, "t", func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `INSERT INTO events (entity_id, kind, title, departs_at, time_zone, duration_minutes, status)
			VALUES (1, 'charter', 'Sunset', '2026-12-20T18:00:00Z', 'UTC', 120, 'planned')`)
		if err != nil {
			return err
		}
		eventID, _ = res.LastInsertId()
		if phaseID, err = tx.AddPhase(ctx, eventID, "Before"); err != nil {
			return err
		}
		itemID, err = tx.AddItem(ctx, phaseID, portfolio.ItemInput{Title: "Fuel", RequiredRole: portfolio.AccessCrew})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	seq = since(seq).Seq
	if err := s.Update(ctx, "t", func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, "UPDATE checklist_items SET note = 'full tank' WHERE id = ?", itemID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if c := since(seq); !slices.Equal(c.Keys[AreaEvent], []int64{eventID}) || len(c.Keys) != 1 {
		t.Errorf("after an item's change: %v, want event %d alone", c.Keys, eventID)
	} else {
		seq = c.Seq
	}
	if err := s.Update(ctx, "t", func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, "DELETE FROM events WHERE id = ?", eventID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if c := since(seq); !slices.Equal(c.Keys[AreaEvent], []int64{eventID}) {
		t.Errorf("after the event's removal: %v, want event %d", c.Keys, eventID)
	}

	// The log keeps one row per area and key, however often each is
	// written.
	for range 50 {
		if err := s.Update(ctx, "t", func(tx *Tx) error {
			_, err := tx.SetKPI(ctx, "ACME", "rev", portfolio.KPIUpdate{Value: &v})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	var rows int
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM changes").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows > 10 {
		t.Errorf("the change log has %d rows after 50 readings of one KPI, want one per area and key", rows)
	}
}

func keysOf(c Changes) []Area {
	var out []Area
	for a := range c.Keys {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Every kind the Records page lists has an area, so the page can tell
// whether a write concerns the kind it shows.
func TestEveryKindHasAnArea(t *testing.T) {
	for _, k := range portfolio.Kinds {
		if _, err := KindArea(k.Name); err != nil {
			t.Error(err)
		}
	}
}

// A database serve has run on, with nothing in it but what serve records
// of itself, is still empty: init fills it without --force.
func TestServeRecordsLeaveTheDatabaseEmpty(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "e.db"))
	ctx := context.Background()
	if err := s.SetCrewServerURL(ctx, "serve", "https://crew.example.com"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetReplicaStatus(ctx, "serve", ReplicaReport{URL: "file:///backup/opsdeck", State: ReplicaRunning}); err != nil {
		t.Fatal(err)
	}
	if empty, err := s.IsEmpty(ctx); err != nil || !empty {
		t.Errorf("IsEmpty = %v, %v after serve recorded its address and replica; want empty", empty, err)
	}
	if err := s.Update(ctx, "t", func(tx *Tx) error { return tx.SetMeta(ctx, "portfolio_name", "Mine") }); err != nil {
		t.Fatal(err)
	}
	if empty, _ := s.IsEmpty(ctx); empty {
		t.Error("a named portfolio counts as empty")
	}
}
