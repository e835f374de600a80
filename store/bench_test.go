package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// BenchmarkOpen measures opening an existing, up-to-date database: the
// start-up cost every CLI command pays.
func BenchmarkOpen(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.db")
	s := storetest.OpenPath(b, path, nil)
	storetest.LoadDemo(b, s)
	s.Close()
	b.ResetTimer()
	for b.Loop() {
		s, err := store.Open(context.Background(), path, store.Options{})
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
	s := storetest.Demo(b, nil)
	ctx := context.Background()
	v := 3.0
	b.ResetTimer()
	for b.Loop() {
		if err := s.Update(ctx, "bench", func(tx *store.Tx) error {
			_, err := tx.SetKPI(ctx, "JADA", "charters", portfolio.KPIUpdate{Value: &v})
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSnapshot measures reading the whole demo portfolio, which every
// status, report and console refresh starts from.
func BenchmarkSnapshot(b *testing.B) {
	s := storetest.Demo(b, nil)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Snapshot(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
