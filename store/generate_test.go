package store

import (
	"context"
	"testing"
)

func TestGenerateLoad(t *testing.T) {
	s := newDemo(t)
	ctx := context.Background()
	count := func(table string) int {
		var n int
		if err := s.read.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	baseItems, baseReadings := count("checklist_items"), count("kpi_readings")
	if err := s.Update(ctx, "t", func(tx *Tx) error {
		return tx.GenerateLoad(ctx, LoadSpec{Events: 40, Items: 403, Readings: 500, KPIs: 8})
	}); err != nil {
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
