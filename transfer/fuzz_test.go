package transfer_test

import (
	"context"
	"errors"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
	"opsdeck/transfer"
)

// No file makes the importer panic or write part of it: it is refused
// and the database stays empty, or it is taken whole, and then what was
// taken exports and imports again to the same file. The seeds are in
// testdata/fuzz/FuzzImport; go test -fuzz FuzzImport ./transfer looks for
// more.
func FuzzImport(f *testing.F) {
	f.Add([]byte("opsdeck_portfolio: 1\nentities:\n  - code: BAKE\n    name: Harbor Bakery\n"))
	f.Add([]byte(`{"opsdeck_portfolio": 1, "people": [{"email": "a@example.com", "name": "A", "reports": ["ceo"]}]}`))
	// Two databases for the whole run, emptied before each input: opening
	// one (and migrating it) for every input made the fuzzer manage a
	// handful of inputs a minute.
	ctx := context.Background()
	s, again := storetest.Open(f, nil), storetest.Open(f, nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, db := range []*store.Store{s, again} {
			if err := db.Update(ctx, "fuzz", func(tx *store.Tx) error { return tx.Reset(ctx) }); err != nil {
				t.Fatal(err)
			}
		}
		_, err := transfer.Import(ctx, s, "fuzz", "fuzz.yaml", data, transfer.Options{})
		if err != nil {
			var probs *transfer.Problems
			if !errors.As(err, &probs) && portfolio.ErrorCode(err) == portfolio.EINTERNAL {
				t.Fatalf("not a mistake in the file but %v", err)
			}
			if empty(t, s) != true {
				t.Fatalf("a refused file left records behind: %v", err)
			}
			return
		}
		first := export(t, s, transfer.YAML)
		if _, err := transfer.Import(ctx, again, "fuzz", "again.yaml", []byte(first), transfer.Options{}); err != nil {
			t.Fatalf("an export does not import: %v\n%s", err, first)
		}
		if second := export(t, again, transfer.YAML); second != first {
			t.Fatalf("export, import, export differ:\n%s", firstDifference(first, second))
		}
	})
}

// FuzzImportCSV: no spreadsheet makes the importer panic or write part of
// it.
func FuzzImportCSV(f *testing.F) {
	f.Add([]byte("entity,kpi,date,value\nJADA,charters,2026-11-30,5\n"), "")
	f.Add([]byte("vendor,category,monthly\nPier Power,utilities,$120\n"), "")
	f.Add([]byte("entity,month,target,actual\nQDN,2026-12,6500,\n"), "revenue-month")
	f.Fuzz(func(t *testing.T, data []byte, kind string) {
		ctx := context.Background()
		s := storetest.Demo(t, nil)
		before := export(t, s, transfer.YAML)
		if _, err := transfer.ImportCSV(ctx, s, "fuzz", "fuzz.csv", data, kind, transfer.Options{}); err != nil {
			if portfolio.ErrorCode(err) == portfolio.EINTERNAL {
				t.Fatalf("not a mistake in the sheet but %v", err)
			}
			if export(t, s, transfer.YAML) != before {
				t.Fatalf("a refused sheet changed the portfolio: %v", err)
			}
		}
	})
}

func empty(t *testing.T, s interface {
	Records(context.Context, *portfolio.Kind) ([]portfolio.Record, error)
}) bool {
	for _, k := range portfolio.Kinds {
		recs, err := s.Records(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) > 0 {
			return false
		}
	}
	return true
}
