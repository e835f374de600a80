package store

import (
	"context"
	"path/filepath"
	"testing"

	"opsdeck/portfolio"
)

// BenchmarkOpen measures opening an existing, up-to-date database: the
// start-up cost every CLI command pays.
func BenchmarkOpen(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.db")
	s := openTest(b, path)
	if err := s.Update(context.Background(), "bench", func(tx *Tx) error { return tx.LoadDemo(context.Background()) }); err != nil {
		b.Fatal(err)
	}
	s.Close()
	b.ResetTimer()
	for b.Loop() {
		s, err := Open(context.Background(), path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		// Open is lazy about connections; make it do the real work.
		if _, err := s.Entities(context.Background()); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// BenchmarkSetKPI measures one KPI write as the CLI and console make it:
// look-up, validation, reading, audit entry, durable commit.
func BenchmarkSetKPI(b *testing.B) {
	s := newDemo(b)
	ctx := context.Background()
	v := 3.0
	b.ResetTimer()
	for b.Loop() {
		if err := s.Update(ctx, "bench", func(tx *Tx) error {
			_, err := tx.SetKPI(ctx, "JADA", "charters", portfolio.KPIUpdate{Value: &v})
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawInsert is the floor for BenchmarkSetKPI: one bare INSERT in
// its own durable transaction on the same connection. bench/run prints
// SetKPI as a multiple of it.
func BenchmarkRawInsert(b *testing.B) {
	s := newDemo(b)
	ctx := context.Background()
	k := mustKPIB(b, s)
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.write.ExecContext(ctx, "INSERT INTO kpi_readings (kpi_id, value, taken_at) VALUES (?, 3, 'x')", k); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSnapshot measures reading the whole demo portfolio, which every
// status, report and console refresh starts from.
func BenchmarkSnapshot(b *testing.B) {
	s := newDemo(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Snapshot(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func mustKPIB(b *testing.B, s *Store) int64 {
	k, err := s.KPI(context.Background(), "JADA", "charters")
	if err != nil {
		b.Fatal(err)
	}
	return k.ID
}
