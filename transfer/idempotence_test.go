package transfer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
	"opsdeck/transfer"
)

// owner is a small portfolio as an owner writes it by hand: no positions,
// no opened dates, times written in their own zone.
const owner = `opsdeck_portfolio: 1
name: Harbor Holdings
entities:
  - code: HARBOR
    name: Harbor Tours
  - code: FERRY
    name: Island Ferry
kpis:
  - entity: HARBOR
    key: tours
    name: Tours a week
    unit: count
    target: 10
readings:
  - kpi: HARBOR/tours
    taken_at: 2026-11-20T04:00:00-08:00
    value: 6
  - kpi: HARBOR/tours
    taken_at: 2026-11-27 09:30:00-08:00
    value: 7
shortfalls:
  - title: Leaky hull
    effort_days: 2
revenue_months:
  - entity: HARBOR
    month: 2026-10
    target: 12000
    actual: 9900
`

func importText(t *testing.T, s *store.Store, name, file string) (transfer.Result, error) {
	t.Helper()
	if transfer.IsCSV(name) {
		return transfer.ImportCSV(context.Background(), s, "test", name, []byte(file), "", transfer.Options{})
	}
	return transfer.Import(context.Background(), s, "test", name, []byte(file), transfer.Options{})
}

// A file an owner wrote, leaving to the store what it fills (positions,
// an opened date) and writing times with an offset, imports once and then
// changes nothing, however many times it comes back; exported and
// imported elsewhere it comes out the same.
func TestHandWrittenFileImportsOnce(t *testing.T) {
	s := storetest.Open(t, nil)
	res, err := importText(t, s, "harbor.yaml", owner)
	if err != nil {
		t.Fatalf("first import: %v", err)
	}
	if want := "name: changed\nentities: 2 added\nkpis: 1 added\nreadings: 2 added\nshortfalls: 1 added\nrevenue_months: 1 added"; res.String() != want {
		t.Errorf("first import:\n%s\nwant\n%s", res, want)
	}
	for i := range 3 {
		res, err := importText(t, s, "harbor.yaml", owner)
		if err != nil || !res.Empty() {
			t.Fatalf("import %d: %q, %v; want nothing to change", i+2, res, err)
		}
	}
	file := export(t, s, transfer.YAML)
	if !strings.Contains(file, "taken_at: \"2026-11-20T12:00:00Z\"") && !strings.Contains(file, "taken_at: 2026-11-20T12:00:00Z") {
		t.Errorf("the reading's time is not written as the instant in UTC:\n%s", file)
	}
	copy := storetest.Open(t, nil)
	if _, err := importText(t, copy, "export.yaml", file); err != nil {
		t.Fatal(err)
	}
	if again := export(t, copy, transfer.YAML); again != file {
		t.Errorf("the copy exports differently:\n%s", firstDifference(file, again))
	}
	if res, err := importText(t, copy, "export.yaml", file); err != nil || !res.Empty() {
		t.Errorf("the export again: %q, %v", res, err)
	}
}

// One key is one record: a reading at a moment already recorded, however
// its time is written, is refused and not kept twice.
func TestOneRecordPerKey(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, nil)
	if _, err := importText(t, s, "harbor.yaml", owner); err != nil {
		t.Fatal(err)
	}
	reading := portfolio.MustKind("reading")
	for _, at := range []string{"2026-11-20T12:00:00Z", "2026-11-20T04:00:00-08:00", "2026-11-20 12:00Z"} {
		r := reading.New()
		for name, v := range map[string]string{"kpi": "HARBOR/tours", "taken_at": at, "value": "9"} {
			f, _ := reading.Field(name)
			if err := f.Parse(r, v); err != nil {
				t.Fatal(err)
			}
		}
		err := s.Update(ctx, "test", func(tx *store.Tx) error {
			_, err := tx.PutRecord(ctx, reading, "", r)
			return err
		})
		if portfolio.ErrorCode(err) != portfolio.ECONFLICT || !strings.Contains(err.Error(), `reading "HARBOR/tours/2026-11-20T12:00:00Z" already exists`) {
			t.Errorf("a second reading at %s: %v, want a conflict", at, err)
		}
	}
	// The reading is found by its time in any zone.
	got, err := s.Record(ctx, reading, "harbor/tours/2026-11-20T04:00:00-08:00")
	if err != nil || got.(*portfolio.Reading).Value != 6 {
		t.Errorf("finding the reading by its local time: %v, %v", got, err)
	}
	recs, _ := s.Records(ctx, reading)
	if len(recs) != 2 {
		t.Errorf("%d readings, want 2", len(recs))
	}
}

// A file that gives a record twice says which lines, and nothing is
// written: which of the two was meant cannot be told.
func TestRepeatedRecordIsAMistake(t *testing.T) {
	s := storetest.Open(t, nil)
	for _, tc := range []struct{ name, file, want string }{
		{"twice.yaml", "opsdeck_portfolio: 1\nentities:\n  - code: HARBOR\n    name: Harbor Tours\n  - code: harbor\n    name: Harbour Tours\n",
			"twice.yaml:5: entity harbor is given twice (first on line 3)"},
		{"twice.csv", "entity,month,target\nHARBOR,2026-10,100\nFERRY,2026-10,5\nHARBOR,2026-10,200\n",
			"twice.csv:4: revenue-month HARBOR/2026-10 is given twice (first on line 2)"},
	} {
		if tc.name == "twice.csv" {
			if _, err := importText(t, s, "e.yaml", "opsdeck_portfolio: 1\nentities:\n  - {code: HARBOR, name: H}\n  - {code: FERRY, name: F}\n"); err != nil {
				t.Fatal(err)
			}
		}
		before := export(t, s, transfer.YAML)
		_, err := importText(t, s, tc.name, tc.file)
		var probs *transfer.Problems
		if !errors.As(err, &probs) || !strings.Contains(probs.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
		if after := export(t, s, transfer.YAML); after != before {
			t.Errorf("%s: a refused file changed the portfolio", tc.name)
		}
	}
}

// A spreadsheet that leaves a column out leaves that field alone: a
// sheet of actuals keeps the targets, a sheet of notes keeps the values.
func TestSpreadsheetKeepsColumnsItLacks(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, nil)
	if _, err := importText(t, s, "harbor.yaml", owner); err != nil {
		t.Fatal(err)
	}
	res, err := importText(t, s, "actuals.csv", "entity,month,actual\nHARBOR,2026-10,\"$10,250\"\n")
	if err != nil || res.String() != "revenue_months: 1 changed" {
		t.Fatalf("actuals: %q, %v", res, err)
	}
	m, err := s.Record(ctx, portfolio.MustKind("revenue-month"), "HARBOR/2026-10")
	if err != nil {
		t.Fatal(err)
	}
	if rm := m.(*portfolio.RevenueMonth); rm.Target != portfolio.Dollars(12000) || rm.Actual == nil || *rm.Actual != portfolio.Dollars(10250) {
		t.Errorf("the month after a sheet of actuals: target %s, actual %v", rm.Target, rm.Actual)
	}
	if _, err := importText(t, s, "notes.csv", "kpi,taken_at,note\nHARBOR/tours,2026-11-20T12:00:00Z,rainy week\n"); err != nil {
		t.Fatal(err)
	}
	r, _ := s.Record(ctx, portfolio.MustKind("reading"), "HARBOR/tours/2026-11-20T12:00:00Z")
	if rd := r.(*portfolio.Reading); rd.Value != 6 || rd.Note != "rainy week" {
		t.Errorf("the reading after a sheet of notes: %+v", rd)
	}
}
