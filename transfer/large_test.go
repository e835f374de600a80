package transfer_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
	"opsdeck/transfer"
)

// scaled is the demo portfolio times n: the demo, and n-1 copies of every
// record with its key (and the keys it refers to) renamed, as a portfolio
// file. The five schedules, one per role, are not copied.
func scaled(t testing.TB, n int) []byte {
	t.Helper()
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	name, recs, err := s.Portfolio(ctx)
	if err != nil {
		t.Fatal(err)
	}
	demo := map[string][]portfolio.Record{}
	for k, rs := range recs {
		demo[k] = rs
	}
	for c := 2; c <= n; c++ {
		for _, k := range portfolio.Kinds {
			if k.Name == "schedule" {
				continue
			}
			for _, r := range demo[k.Name] {
				recs[k.Name] = append(recs[k.Name], copyRecord(k, r, c))
			}
		}
	}
	file := storetest.Open(t, nil)
	if err := file.Update(ctx, "bench", func(tx *store.Tx) error {
		if err := tx.SetMeta(ctx, "portfolio_name", name); err != nil {
			return err
		}
		for _, k := range portfolio.Kinds {
			for _, r := range recs[k.Name] {
				if _, err := tx.PutRecord(ctx, k, "", r); err != nil {
					return fmt.Errorf("%s %s: %w", k.Name, k.Key(r), err)
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := transfer.Export(ctx, file, &b, transfer.YAML); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// copyRecord is r for copy c: its own key and every key it refers to
// renamed the same way, so the copies refer to one another.
func copyRecord(k *portfolio.Kind, r portfolio.Record, c int) portfolio.Record {
	out := k.Copy(r)
	if id := k.ID(out); id != nil {
		*id = 0
	}
	for i := range k.Fields {
		f := &k.Fields[i]
		text := f.Text(out)
		switch {
		case text == "":
		case f.Type == portfolio.RefField:
			_ = f.Parse(out, renamed(f.Ref, text, c))
		case len(k.KeyFields) == 1 && k.KeyFields[0] == f.Name:
			_ = f.Parse(out, renamed(k.Name, text, c))
		}
	}
	return out
}

// renamed is key of a record of kind as copy c names it.
func renamed(kind, key string, c int) string {
	switch kind {
	case "entity":
		return fmt.Sprintf("%sC%d", key, c)
	case "person":
		return fmt.Sprintf("c%d.%s", c, key)
	case "account":
		return fmt.Sprintf("%s.%d", key, c)
	case "kpi", "channel", "phase":
		parent := map[string]string{"kpi": "entity", "channel": "entity", "phase": "event"}[kind]
		own, rest, _ := strings.Cut(key, "/")
		return renamed(parent, own, c) + "/" + rest
	}
	return fmt.Sprintf("%s-c%d", key, c)
}

var (
	bigOnce sync.Once
	bigFile []byte
)

// A generated portfolio ten times the demo's size exports, imports into
// an empty database and exports again byte for byte the same.
func TestRoundTripLarge(t *testing.T) {
	ctx := context.Background()
	file := scaled(t, 10)
	copy := storetest.Open(t, nil)
	if _, err := transfer.Import(ctx, copy, "test", "large.yaml", file, transfer.Options{}); err != nil {
		t.Fatal(err)
	}
	if again := export(t, copy, transfer.YAML); again != string(file) {
		t.Errorf("the large portfolio exports differently:\n%s", firstDifference(string(file), again))
	}
	n := 0
	for _, k := range portfolio.Kinds {
		recs, _ := copy.Records(ctx, k)
		n += len(recs)
	}
	if n < 2500 {
		t.Errorf("%d records in the large portfolio, want ten times the demo's", n)
	}
	// What an export allocates grows with the portfolio, not faster: the
	// YAML emitter, given the whole file as one document, used 144 times
	// the demo's memory for a hundred demos. Bytes allocated are counted,
	// not timed, so the machine's load does not matter.
	demo := storetest.Demo(t, nil)
	small, large := exportAlloc(t, demo), exportAlloc(t, copy)
	ratio := float64(large) / float64(small)
	t.Logf("export of ten demos allocates %.1f times the demo's", ratio)
	if ratio > 11 {
		t.Errorf("exporting ten times the demo allocates %.1f times as much (%d bytes against %d)", ratio, large, small)
	}
}

// exportAlloc is the bytes one export of s allocates.
func exportAlloc(t *testing.T, s *store.Store) uint64 {
	var before, after runtime.MemStats
	var buf bytes.Buffer
	runtime.GC()
	runtime.ReadMemStats(&before)
	if err := transfer.Export(context.Background(), s, &buf, transfer.YAML); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// BenchmarkImport and BenchmarkExport measure the demo's file and one a
// hundred times its size; bench/run prints the second as a multiple of
// the first (linear would be 100x).
func BenchmarkImport(b *testing.B) {
	bigOnce.Do(func() { bigFile = scaled(b, 100) })
	for _, tc := range []struct {
		name string
		file func() []byte
	}{
		{"demo", func() []byte { return []byte(export(b, storetest.Demo(b, nil), transfer.YAML)) }},
		{"x100", func() []byte { return bigFile }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			file := tc.file()
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				s := storetest.Open(b, nil)
				b.StartTimer()
				if _, err := transfer.Import(ctx, s, "bench", "bench.yaml", file, transfer.Options{}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				s.Close()
				b.StartTimer()
			}
		})
	}
}

func BenchmarkExport(b *testing.B) {
	bigOnce.Do(func() { bigFile = scaled(b, 100) })
	big := storetest.Open(b, nil)
	if _, err := transfer.Import(context.Background(), big, "bench", "big.yaml", bigFile, transfer.Options{}); err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		s    *store.Store
	}{{"demo", storetest.Demo(b, nil)}, {"x100", big}} {
		b.Run(tc.name, func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := transfer.Export(context.Background(), tc.s, &buf, transfer.YAML); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
