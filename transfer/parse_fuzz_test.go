package transfer

import (
	"bytes"
	"testing"
)

// FuzzParse runs the reading half of an import, which needs no database,
// on any bytes: it never panics, and what it reads as records writes out
// again as a file that reads back to the same records. (FuzzImport in
// fuzz_test.go covers the writing half; a database under coverage makes
// it slow to fuzz, so this is the one to run for long.)
func FuzzParse(f *testing.F) {
	f.Add([]byte("opsdeck_portfolio: 1\nentities:\n  - code: BAKE\n    name: Harbor Bakery\n"))
	f.Add([]byte("opsdeck_portfolio: 1\ncost_lines:\n  - vendor: Pier Power\n    category: power\n    low: $1,200\n"))
	f.Add([]byte(`{"opsdeck_portfolio": 1, "people": [{"email": "a@example.com", "name": "A", "reports": ["ceo"]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, probs := parse("fuzz.yaml", data)
		if doc == nil {
			if probs == nil || len(probs.List) == 0 {
				t.Fatal("refused without saying why")
			}
			return
		}
		assignKeys(doc)
		var secs []section
		for _, p := range doc.records {
			if len(secs) == 0 || secs[len(secs)-1].kind != p.kind {
				secs = append(secs, section{kind: p.kind})
			}
			secs[len(secs)-1].records = append(secs[len(secs)-1].records, p.rec)
		}
		var b bytes.Buffer
		if err := writeYAML(&b, doc.name, secs); err != nil {
			t.Fatal(err)
		}
		again, probs := parse("again.yaml", b.Bytes())
		if again == nil || len(probs.List) > 0 || len(again.records) != len(doc.records) {
			t.Fatalf("a file written from what was read does not read back: %v\n%s", probs, b.String())
		}
		for i, p := range doc.records {
			q := again.records[i]
			for j := range p.kind.Fields {
				f := &p.kind.Fields[j]
				if f.Text(p.rec) != f.Text(q.rec) {
					t.Fatalf("%s %s: %q reads back as %q", p.kind.Name, f.Name, f.Text(p.rec), f.Text(q.rec))
				}
			}
		}
	})
}
