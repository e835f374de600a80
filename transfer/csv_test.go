package transfer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store/storetest"
	"opsdeck/transfer"
)

// The rows people keep in spreadsheets come in by kind, told by their
// header: KPI readings, revenue months and cost lines; the same sheet
// twice changes nothing the second time.
func TestSpreadsheets(t *testing.T) {
	ctx := context.Background()
	s := storetest.Demo(t, nil)
	for _, tc := range []struct {
		name, csv, want string
	}{
		{"readings.csv", "Entity,KPI,Date,Value,Note\nJADA,charters,2026-11-30,5,from the booking sheet\nJADA,avg_price,2026-11-30,\"$2,450\",\n",
			"readings: 2 added"},
		{"revenue.csv", "entity,month,target,actual\nJADA,2026-12,\"$14,400\",\nQDN,2026-12,6500,\"$7,100.50\"\n", "revenue_months: 1 changed"},
		{"costs.csv", "\xef\xbb\xbfvendor,category,monthly,entity\nPier Power,utilities,$120,JADA\n", "cost_lines: 1 added"},
	} {
		res, err := transfer.ImportCSV(ctx, s, "test", tc.name, []byte(tc.csv), "", transfer.Options{})
		if err != nil || res.String() != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.name, res, err, tc.want)
		}
		if res, err := transfer.ImportCSV(ctx, s, "test", tc.name, []byte(tc.csv), "", transfer.Options{}); err != nil || !res.Empty() {
			t.Errorf("%s again: %q, %v", tc.name, res, err)
		}
	}
	k, _ := s.KPI(ctx, "JADA", "avg_price")
	if k.Latest == nil || k.Latest.Value != 2450 || k.Latest.TakenAt.Format("2006-01-02 15:04") != "2026-11-30 12:00" {
		t.Errorf("JADA avg_price latest = %+v", k.Latest)
	}
	snap, _ := s.Snapshot(ctx)
	if burn := snap.Burn(); burn.High != portfolio.Dollars(8696+120) {
		t.Errorf("burn high %s after a $120 line", burn.High)
	}
}

// Bad rows are named with their lines, every one, and nothing is written.
func TestBadSpreadsheetChangesNothing(t *testing.T) {
	ctx := context.Background()
	s := storetest.Demo(t, nil)
	before := export(t, s, transfer.YAML)
	sheet := "entity,kpi,date,value\nJADA,charters,2026-11-31,5\nNOPE,charters,2026-11-30,5\nJADA,charters,2026-11-29,lots\nJADA,charters,2026-11-28,3\n"
	_, err := transfer.ImportCSV(ctx, s, "test", "bad.csv", []byte(sheet), "", transfer.Options{})
	var probs *transfer.Problems
	if !errors.As(err, &probs) || len(probs.List) != 3 {
		t.Fatalf("import: %v", err)
	}
	for i, want := range []string{`bad.csv:2: date: "2026-11-31" is not a date`, `bad.csv:3: reading NOPE/charters/`, `bad.csv:4: value: "lots" is not a number`} {
		if got := strings.Split(probs.Error(), "\n")[i]; !strings.HasPrefix(got, want) {
			t.Errorf("problem %d: %q, want it to start %q", i, got, want)
		}
	}
	for _, tc := range []struct{ kind, csv, want string }{
		{"", "a,b\n1,2\n", "cannot tell what the rows are"},
		{"reading", "kpi,colour\nJADA/charters,blue\n", `column "colour" is not a field of reading`},
		{"entity", "code,name\nX,y\n", "entity records do not come from spreadsheets"},
		{"", "", "the file is empty"},
		{"", "vendor,category\n", "no rows below the header"},
		{"", "vendor,category\n\"Pier,utilities\n", "bad.csv:2:"},
	} {
		_, err := transfer.ImportCSV(ctx, s, "test", "bad.csv", []byte(tc.csv), tc.kind, transfer.Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) || portfolio.ErrorCode(err) != portfolio.EINVALID {
			t.Errorf("%q: %v, want %q", tc.csv, err, tc.want)
		}
	}
	if after := export(t, s, transfer.YAML); after != before {
		t.Error("a refused spreadsheet changed the portfolio")
	}
}
