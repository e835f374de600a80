package replica_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/replica"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// bigLoad is the big database (tui's benchmarks use the same): on
// top of the demo, 10,000 events with 100,000 checklist items and 50,000
// KPI readings.
var bigLoad = storetest.LoadSpec{Events: 10_000, Items: 100_000, Readings: 50_000, KPIs: 200}

// BenchmarkRestore is `opsdeck restore` from a file:// replica: the plan,
// the replay and SQLite's integrity check over every page, for the demo
// database and for the big one (generating it takes a while, so it runs
// only with OPSDECK_BENCH_SLOW=1, as bench/run does). The replica is what
// a server leaves after starting on the database and a few changes: its
// first, whole-database file and the small ones after it.
func BenchmarkRestore(b *testing.B) {
	for _, size := range []string{"demo", "big"} {
		b.Run(size, func(b *testing.B) {
			if size == "big" && os.Getenv("OPSDECK_BENCH_SLOW") != "1" {
				b.Skip("generating the big database takes a while: bench/run runs it with OPSDECK_BENCH_SLOW=1")
			}
			ctx := context.Background()
			dir := b.TempDir()
			s := storetest.OpenPath(b, filepath.Join(dir, "opsdeck.db"), nil)
			storetest.LoadDemo(b, s)
			if size == "big" {
				if err := storetest.GenerateLoad(ctx, s, bigLoad); err != nil {
					b.Fatal(err)
				}
			}
			url := "file://" + filepath.Join(dir, "replica")
			if err := s.LeaveCheckpointsToReplication(ctx); err != nil {
				b.Fatal(err)
			}
			r, err := replica.Start(ctx, s.Path(), replica.Options{URL: url, SyncInterval: time.Hour})
			if err != nil {
				b.Fatal(err)
			}
			for i := range 3 {
				if err := s.Update(ctx, "bench", func(tx *store.Tx) error {
					v := float64(i)
					_, err := tx.SetKPI(ctx, "JADA", "charters", portfolio.KPIUpdate{Value: &v, Note: fmt.Sprintf("bench %d", i)})
					return err
				}); err != nil {
					b.Fatal(err)
				}
				if err := r.Sync(ctx); err != nil {
					b.Fatal(err)
				}
			}
			if err := r.Stop(ctx); err != nil {
				b.Fatal(err)
			}
			var last replica.Restored
			b.ResetTimer()
			for i := range b.N {
				out := filepath.Join(dir, fmt.Sprintf("restore-%d.db", i))
				if last, err = replica.Restore(ctx, url, replica.Access{}, out, time.Time{}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				os.Remove(out)
				b.StartTimer()
			}
			b.ReportMetric(float64(last.Bytes)/(1<<20), "db-MB")
			b.ReportMetric(float64(last.Files), "files")
		})
	}
}
