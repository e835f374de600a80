package cli

import (
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// At a terminal rm asks before it removes, listing what goes with the
// record and the references it empties.
func TestRemovalQuestion(t *testing.T) {
	person := portfolio.MustKind("person")
	action, _ := portfolio.MustKind("action").Field("person")
	crew := portfolio.MustKind("crew")
	goes := []store.Dependent{{Kind: crew, Key: "sunset/lee@example.com", Goes: true}}
	clears := []clearing{{kind: portfolio.MustKind("action"), field: action, keys: []string{"fix-the-site", "call-the-bank"}}}
	for _, tc := range []struct {
		name   string
		goes   []store.Dependent
		clears []clearing
		want   string
	}{
		{"both", goes, clears, "Removing person lee@example.com also removes:\n  crew sunset/lee@example.com\n" +
			"and clears:\n  person on 2 actions: fix-the-site, call-the-bank\nGo ahead? [y/N] "},
		{"clears only", nil, clears, "Removing person lee@example.com\n" +
			"and clears:\n  person on 2 actions: fix-the-site, call-the-bank\nGo ahead? [y/N] "},
		{"goes only", goes, nil, "Removing person lee@example.com also removes:\n  crew sunset/lee@example.com\nGo ahead? [y/N] "},
	} {
		if got := removalQuestion(person, "lee@example.com", tc.goes, tc.clears); got != tc.want {
			t.Errorf("%s:\n%s\nwant\n%s", tc.name, got, tc.want)
		}
	}
	many := clearing{kind: portfolio.MustKind("action"), field: action, keys: []string{"a", "b", "c", "d", "e", "f", "g"}}
	if got, want := many.String(), "person on 7 actions: a, b, c, d, e, and 2 more"; got != want {
		t.Errorf("seven cleared: %q, want %q", got, want)
	}
}
