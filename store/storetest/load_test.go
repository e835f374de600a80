package storetest_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"opsdeck/store"
	"opsdeck/store/storetest"
)

func TestGenerateLoad(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	count := func(table string) int {
		var n int
		if err := s.View(ctx, func(tx *sql.Tx) error { return tx.QueryRow("SELECT count(*) FROM " + table).Scan(&n) }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	baseItems, baseReadings := count("checklist_items"), count("kpi_readings")
	if err := storetest.GenerateLoad(ctx, s, storetest.LoadSpec{Events: 40, Items: 403, Readings: 500, KPIs: 8}); err != nil {
		t.Fatal(err)
	}
	items, readings := count("checklist_items"), count("kpi_readings")
	if count("events") != 42 || items != baseItems+403 || readings != baseReadings+500 || count("kpis") != 30 {
		t.Errorf("after the load: %d events, %d items, %d readings, %d KPIs", count("events"), items, readings, count("kpis"))
	}
	sums, _ := s.EventSummaries(ctx)
	total := 0
	for _, e := range sums {
		total += e.Total
	}
	if total != items {
		t.Errorf("summaries count %d items", total)
	}
}

// The generated events spread over a year either side of now, in order,
// however many there are (a big count once overflowed the spacing).
func TestGenerateLoadSpreadsEvents(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	const n = 10_000
	if err := storetest.GenerateLoad(ctx, s, storetest.LoadSpec{Events: n, Items: n, Readings: 10, KPIs: 1}); err != nil {
		t.Fatal(err)
	}
	var departures []string
	if err := s.View(ctx, func(tx *sql.Tx) error {
		rows, err := tx.Query("SELECT departs_at FROM events WHERE title LIKE 'Generated%' ORDER BY id")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var at string
			if err := rows.Scan(&at); err != nil {
				return err
			}
			departures = append(departures, at)
		}
		return rows.Err()
	}); err != nil {
		t.Fatal(err)
	}
	var prev time.Time
	var first, last time.Time
	for _, at := range departures {
		d, err := time.Parse(store.TimeLayout, at)
		if err != nil {
			t.Fatal(err)
		}
		if !prev.IsZero() && !d.After(prev) {
			t.Fatalf("generated departures go backwards: %v after %v", d, prev)
		}
		if first.IsZero() {
			first = d
		}
		prev, last = d, d
	}
	now := s.Now()
	if got := now.Sub(first); got < 360*24*time.Hour || got > 366*24*time.Hour {
		t.Errorf("first generated event is %v before now, want about a year", got)
	}
	if got := last.Sub(now); got < 360*24*time.Hour || got > 366*24*time.Hour {
		t.Errorf("last generated event is %v after now, want about a year", got)
	}
}
