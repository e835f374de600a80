package portfolio_test

import (
	"context"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store/storetest"
)

// copyOf makes a new record of kind k from the text of r's fields, as the
// portfolio file and the CLI do.
func copyOf(t *testing.T, k *portfolio.Kind, r portfolio.Record) portfolio.Record {
	t.Helper()
	c := k.New()
	for i := range k.Fields {
		f := &k.Fields[i]
		if err := f.Parse(c, f.Text(r)); err != nil {
			t.Fatalf("%s %s: %q does not parse back: %v", k.Name, f.Name, f.Text(r), err)
		}
	}
	return c
}

// Each kind's declaration against its records: every field's text parses
// back to the same value, and Validate refuses a record whose required
// field is empty (a field that is not required may still be needed by
// another's value: a resolved shortfall's date).
func TestKindDeclarations(t *testing.T) {
	s := storetest.Demo(t, nil)
	for _, k := range portfolio.Kinds {
		recs, err := s.Records(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			t.Errorf("%s: the demo has none to check against", k.Name)
			continue
		}
		r := recs[len(recs)-1]
		c := copyOf(t, k, r)
		for i := range k.Fields {
			f := &k.Fields[i]
			if !f.Same(c, r) {
				t.Errorf("%s %s: %q comes back as %q", k.Name, f.Name, f.Text(r), f.Text(c))
			}
			if f.Type == portfolio.RefField && f.Ref == "" || f.Type == portfolio.ChoiceField && len(f.Choices) == 0 {
				t.Errorf("%s %s: a %s field without its kind or choices", k.Name, f.Name, f.Type)
			}
			blank := copyOf(t, k, r)
			if err := f.Parse(blank, ""); err != nil {
				t.Fatalf("%s %s: cannot be emptied: %v", k.Name, f.Name, err)
			}
			if f.Required && blank.Validate() == nil && f.Type != portfolio.RefField {
				t.Errorf("%s %s is required, but Validate accepts it empty", k.Name, f.Name)
			}
		}
		for _, name := range k.KeyFields {
			if _, ok := k.Field(name); !ok {
				t.Errorf("%s: key field %s is not a field", k.Name, name)
			}
		}
	}
}
