package tui

import (
	"strings"

	"opsdeck/portfolio"
)

// How the console names kinds and groups: the Records page's strips, its
// empty tables, its questions ("removes 4 KPI readings").

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

// kindOne and kindMany name a kind in a sentence: "cost line", "cost
// lines"; "KPI", "KPIs".
func kindOne(k *portfolio.Kind) string {
	words := strings.Fields(k.Title)
	for i, w := range words {
		if w != strings.ToUpper(w) {
			words[i] = strings.ToLower(w)
		}
	}
	return strings.Join(words, " ")
}

func kindMany(k *portfolio.Kind) string {
	one := kindOne(k)
	i := strings.LastIndex(one, " ") + 1
	last := one[i:]
	plural := k.Plural[strings.LastIndex(k.Plural, "_")+1:]
	switch {
	case last == strings.ToUpper(last):
		plural = last + "s"
	case len(last) < 2 || !strings.HasPrefix(plural, last[:2]):
		// The kind's plural names the collection ("crew"), not a word
		// for many of them.
		plural = last + "s"
	}
	return one[:i] + plural
}

// kindNoun says how many records of a kind: "1 KPI", "4 KPI readings".
func kindNoun(k *portfolio.Kind, n int) string {
	return portfolio.Plural(int64(n), kindOne(k), kindMany(k))
}
