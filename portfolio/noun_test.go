package portfolio_test

import (
	"testing"

	"opsdeck/portfolio"
)

// Every kind has a plain-language noun, one and many, and says it with
// the right article.
func TestKindNouns(t *testing.T) {
	for _, k := range portfolio.Kinds {
		if k.Noun() == "" || k.Nouns() == "" {
			t.Errorf("%s: no noun (%q) or plural noun (%q)", k.Name, k.Noun(), k.Nouns())
		}
		if k.Noun() == k.Nouns() {
			t.Errorf("%s: one and many are both %q", k.Name, k.Noun())
		}
	}
	for _, c := range []struct{ kind, a, one, three string }{
		{"cost-line", "a cost line", "1 cost line", "3 cost lines"},
		{"entity", "an entity", "1 entity", "3 entities"},
		{"kpi", "a KPI", "1 KPI", "3 KPIs"},
		{"reading", "a KPI reading", "1 KPI reading", "3 KPI readings"},
		{"person", "a person", "1 person", "3 people"},
		{"action", "an action", "1 action", "3 actions"},
		{"event", "an event", "1 event", "3 events"},
		{"item", "a checklist item", "1 checklist item", "3 checklist items"},
		{"unit-economics", "a unit economics entry", "1 unit economics entry", "3 unit economics entries"},
		{"crew", "a crew member", "1 crew member", "3 crew members"},
	} {
		k := portfolio.MustKind(c.kind)
		if got := k.A(); got != c.a {
			t.Errorf("%s: A() = %q, want %q", c.kind, got, c.a)
		}
		if got := k.Count(1); got != c.one {
			t.Errorf("%s: Count(1) = %q, want %q", c.kind, got, c.one)
		}
		if got := k.Count(3); got != c.three {
			t.Errorf("%s: Count(3) = %q, want %q", c.kind, got, c.three)
		}
	}
	if got := portfolio.MustKind("person").Count(0); got != "0 people" {
		t.Errorf("Count(0) = %q, want 0 people", got)
	}
	for phrase, want := range map[string]string{"FAQ": "an", "KPI": "a", "unit": "a", "owner": "an", "": "a", "MRI scan": "an", "I": "an"} {
		if got := portfolio.Article(phrase); got != want {
			t.Errorf("Article(%q) = %q, want %q", phrase, got, want)
		}
	}
}
