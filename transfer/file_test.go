package transfer_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/reports"
	"opsdeck/store"
	"opsdeck/store/storetest"
	"opsdeck/transfer"
)

func export(t testing.TB, s *store.Store, f transfer.Format) string {
	t.Helper()
	var b bytes.Buffer
	if err := transfer.Export(context.Background(), s, &b, f); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func allReports(t *testing.T, s *store.Store) string {
	t.Helper()
	snap, err := s.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	eng, err := reports.New(reports.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := eng.RenderAll(snap, portfolio.ReportRoles, []reports.Format{reports.Markdown}, reports.RenderOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range out {
		b.WriteString(r.Text)
	}
	return b.String()
}

// The demo exported, imported into an empty database and exported again
// comes out byte for byte the same, in both formats, and the five reports
// of the copy are the demo's; importing the same file again changes
// nothing.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	demo := storetest.Demo(t, nil)
	for _, f := range []transfer.Format{transfer.YAML, transfer.JSON} {
		t.Run(string(f), func(t *testing.T) {
			file := export(t, demo, f)
			copy := storetest.Open(t, nil)
			res, err := transfer.Import(ctx, copy, "test", "demo."+string(f), []byte(file), transfer.Options{})
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if res.Empty() {
				t.Fatal("the import added nothing")
			}
			if again := export(t, copy, f); again != file {
				t.Errorf("the copy exports differently:\n%s", firstDifference(file, again))
			}
			if a, b := allReports(t, demo), allReports(t, copy); a != b {
				t.Errorf("the copy's reports differ:\n%s", firstDifference(a, b))
			}
			res, err = transfer.Import(ctx, copy, "test", "demo."+string(f), []byte(file), transfer.Options{})
			if err != nil || !res.Empty() {
				t.Errorf("importing again: %v, %v", res, err)
			}
		})
	}
}

func firstDifference(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			return "line " + strconv.Itoa(i+1) + ":\n  want " + la[i] + "\n  got  " + lb[i]
		}
	}
	return "one is longer"
}

// A file with mistakes names each with its line and changes nothing.
func TestBadFileChangesNothing(t *testing.T) {
	ctx := context.Background()
	s := storetest.Demo(t, nil)
	before := export(t, s, transfer.YAML)
	file := `opsdeck_portfolio: 1
entities:
  - code: BAKE
    name: Harbor Bakery
    colour: blue
  - code: BAD CODE
    name: x
cost_lines:
  - vendor: Harbor Properties
    category: rent
    low: lots
  - vendor: Pier Power
    category: power
    entity: NOWHERE
planets: []
`
	_, err := transfer.Import(ctx, s, "test", "mine.yaml", []byte(file), transfer.Options{})
	var probs *transfer.Problems
	if !errors.As(err, &probs) {
		t.Fatalf("import: %v, want problems", err)
	}
	got := probs.Error()
	for _, want := range []string{
		"mine.yaml:5: entity has no field colour",
		"mine.yaml:11: cost-line low: \"lots\" is not a dollar amount",
		"mine.yaml:15: planets is not a section of a portfolio file",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
	if portfolio.ErrorCode(err) != portfolio.EINVALID {
		t.Errorf("code %s, want invalid", portfolio.ErrorCode(err))
	}
	// The shape is right but the records are not: still nothing written,
	// and every record's mistake is named.
	file = `opsdeck_portfolio: 1
entities:
  - code: BAD CODE
    name: x
cost_lines:
  - vendor: Pier Power
    category: power
    entity: NOWHERE
`
	_, err = transfer.Import(ctx, s, "test", "mine.yaml", []byte(file), transfer.Options{})
	if !errors.As(err, &probs) || len(probs.List) != 2 || probs.List[0].Line != 3 || probs.List[1].Line != 6 ||
		!strings.Contains(probs.List[1].Message, `no entity "NOWHERE"`) {
		t.Errorf("problems: %v", err)
	}
	if after := export(t, s, transfer.YAML); after != before {
		t.Error("a refused import changed the portfolio")
	}
}
