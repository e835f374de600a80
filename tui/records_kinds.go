package tui

import (
	"strings"

	"opsdeck/portfolio"
)

// How the console names kinds and groups: the Records page's strips, its
// empty tables and questions use the kinds' own nouns (Kind.Noun, Count, A).

// mustKind is a kind portfolio declares; the console is built with them.
func mustKind(name string) *portfolio.Kind {
	k, err := portfolio.KindNamed(name)
	if err != nil {
		panic(err)
	}
	return k
}

// kindsByGroup is every kind, group by group in the groups' order.
func kindsByGroup() []*portfolio.Kind {
	var out []*portfolio.Kind
	for _, g := range portfolio.Groups {
		for _, k := range portfolio.Kinds {
			if k.Group == g {
				out = append(out, k)
			}
		}
	}
	return out
}

func groupIndex(g portfolio.Group) int {
	for i, x := range portfolio.Groups {
		if x == g {
			return i
		}
	}
	return 0
}

// groupLabel names a group as the strip shows it.
func groupLabel(g portfolio.Group, short bool) string {
	if g == portfolio.GroupPortfolio && !short {
		return "Portfolio & people"
	}
	s := string(g)
	return strings.ToUpper(s[:1]) + s[1:]
}
