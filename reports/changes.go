package reports

import (
	"fmt"
	"math"

	"opsdeck/portfolio"
)

// Figure is one headline number of a report, kept with each send so the
// next report can say what changed.
type Figure struct {
	Label string  `json:"label"`
	Value float64 `json:"value"`
	// Money values are in dollars and shown as money.
	Money bool `json:"money,omitempty"`
	// LowerIsBetter says which way is an improvement.
	LowerIsBetter bool `json:"lower_is_better,omitempty"`
}

// Figures are a report's headline numbers, in display order.
type Figures []Figure

func (f Figure) format(v float64) string {
	if f.Money {
		return portfolio.Money(math.Round(v * 100)).String()
	}
	return fmt.Sprintf("%g", v)
}

// Changes lists, in cur's order, every figure whose value differs from
// prev, as "Open shortfalls: 10 → 9 (better)". Figures new since prev are
// reported as new.
func Changes(prev, cur Figures) []string {
	old := make(map[string]Figure, len(prev))
	for _, f := range prev {
		old[f.Label] = f
	}
	var out []string
	for _, f := range cur {
		p, ok := old[f.Label]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s: %s (new)", f.Label, f.format(f.Value)))
		case p.Value != f.Value:
			better := f.Value > p.Value
			if f.LowerIsBetter {
				better = !better
			}
			word := "worse"
			if better {
				word = "better"
			}
			out = append(out, fmt.Sprintf("%s: %s → %s (%s)", f.Label, f.format(p.Value), f.format(f.Value), word))
		}
	}
	return out
}
