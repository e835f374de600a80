package portfolio

import (
	"fmt"
	"math"
	"sort"
)

// KPIStatus is a KPI's health.
type KPIStatus string

// KPI statuses, best first.
const (
	StatusOnTarget  KPIStatus = "on_target"
	StatusAtRisk    KPIStatus = "at_risk"
	StatusOffTarget KPIStatus = "off_target"
	StatusMissing   KPIStatus = "missing"
)

// Label is the status as people say it.
func (s KPIStatus) Label() string {
	switch s {
	case StatusOnTarget:
		return "on target"
	case StatusAtRisk:
		return "at risk"
	case StatusOffTarget:
		return "off target"
	}
	return "missing"
}

// EvaluateKPI grades value against target. A value that meets the target is
// on target; one that misses it by no more than tolerance (a fraction of the
// target) is at risk; anything worse is off target.
func EvaluateKPI(dir Direction, target, tolerance, value float64) KPIStatus {
	band := math.Abs(target) * tolerance
	switch dir {
	case LowerIsBetter:
		switch {
		case value <= target:
			return StatusOnTarget
		case value <= target+band:
			return StatusAtRisk
		}
	default:
		switch {
		case value >= target:
			return StatusOnTarget
		case value >= target-band:
			return StatusAtRisk
		}
	}
	return StatusOffTarget
}

// Attainment is how much of the target a value achieves, from 0 to 1, for
// progress bars. For lower-is-better KPIs it is target/value.
func Attainment(dir Direction, target, value float64) float64 {
	var a float64
	switch {
	case dir == LowerIsBetter && value <= target:
		a = 1
	case dir == LowerIsBetter:
		a = target / value
	case target <= 0:
		a = 1
	default:
		a = value / target
	}
	return math.Max(0, math.Min(1, a))
}

// KPIHealth counts KPIs by status.
type KPIHealth struct {
	OnTarget  int `json:"on_target"`
	AtRisk    int `json:"at_risk"`
	OffTarget int `json:"off_target"`
	Missing   int `json:"missing"`
}

// Total is the number of KPIs counted.
func (h KPIHealth) Total() int { return h.OnTarget + h.AtRisk + h.OffTarget + h.Missing }

// Health counts kpis by status.
func Health(kpis []KPI) KPIHealth {
	var h KPIHealth
	for _, k := range kpis {
		switch k.Status() {
		case StatusOnTarget:
			h.OnTarget++
		case StatusAtRisk:
			h.AtRisk++
		case StatusOffTarget:
			h.OffTarget++
		default:
			h.Missing++
		}
	}
	return h
}

// MissingKPIs returns the KPIs that have never had a reading.
func MissingKPIs(kpis []KPI) []KPI {
	var out []KPI
	for _, k := range kpis {
		if k.Latest == nil {
			out = append(out, k)
		}
	}
	return out
}

// CategoryBurn is the monthly cost of one category.
type CategoryBurn struct {
	Category string `json:"category"`
	Low      Money  `json:"low_cents"`
	High     Money  `json:"high_cents"`
	Lines    int    `json:"lines"`
}

// Burn is the portfolio's monthly cost as a range, in total and by category.
type Burn struct {
	Low        Money          `json:"low_cents"`
	High       Money          `json:"high_cents"`
	ByCategory []CategoryBurn `json:"by_category"`
}

// ComputeBurn sums cost lines; categories come biggest (by high end) first.
func ComputeBurn(lines []CostLine) Burn {
	var b Burn
	idx := map[string]int{}
	for _, c := range lines {
		b.Low += c.Low
		b.High += c.High
		i, ok := idx[c.Category]
		if !ok {
			i = len(b.ByCategory)
			idx[c.Category] = i
			b.ByCategory = append(b.ByCategory, CategoryBurn{Category: c.Category})
		}
		b.ByCategory[i].Low += c.Low
		b.ByCategory[i].High += c.High
		b.ByCategory[i].Lines++
	}
	sort.SliceStable(b.ByCategory, func(i, j int) bool {
		if b.ByCategory[i].High != b.ByCategory[j].High {
			return b.ByCategory[i].High > b.ByCategory[j].High
		}
		return b.ByCategory[i].Category < b.ByCategory[j].Category
	})
	return b
}

// BreakEvenUnits is ceil(fixed / (price − variable)): the units a month
// that cover fixed costs. ok is false when each unit loses money (or makes
// none), so no volume breaks even.
func BreakEvenUnits(fixed, price, variable Money) (units int64, ok bool) {
	margin := price - variable
	if margin <= 0 {
		return 0, false
	}
	if fixed <= 0 {
		return 0, true
	}
	return int64((fixed + margin - 1) / margin), true
}

// BreakEven is an entity's break-even volume at both ends of its fixed-cost
// range.
type BreakEven struct {
	EntityCode string         `json:"entity"`
	Unit       string         `json:"unit"`
	Basis      FixedCostBasis `json:"fixed_cost_basis"`
	Price      Money          `json:"price_cents"`
	Variable   Money          `json:"variable_cost_cents"`
	Margin     Money          `json:"margin_cents"`
	FixedLow   Money          `json:"fixed_low_cents"`
	FixedHigh  Money          `json:"fixed_high_cents"`
	UnitsLow   int64          `json:"units_low"`  // at the low end of fixed cost
	UnitsHigh  int64          `json:"units_high"` // at the high end: the figure to plan on
	Reachable  bool           `json:"reachable"`
}

// Sentence says the break-even volume as the status summary and the
// console write it: "6 charters a month (5 at low burn)", or "never (each
// charter loses $50)".
func (b BreakEven) Sentence() string {
	if !b.Reachable {
		return fmt.Sprintf("never (each %s loses %s)", b.Unit, -b.Margin)
	}
	return fmt.Sprintf("%s a month (%d at low burn)", Plural(b.UnitsHigh, b.Unit, ""), b.UnitsLow)
}

// ComputeBreakEven works out break-even for u against the cost lines: all
// of them for a portfolio basis, the entity's own for an entity basis.
func ComputeBreakEven(u UnitEconomics, lines []CostLine) BreakEven {
	var fixed []CostLine
	for _, c := range lines {
		if u.Basis == BasisPortfolio || c.EntityID == u.EntityID {
			fixed = append(fixed, c)
		}
	}
	burn := ComputeBurn(fixed)
	be := BreakEven{EntityCode: u.EntityCode, Unit: u.Unit, Basis: u.Basis, Price: u.Price, Variable: u.VariableCost,
		Margin: u.Price - u.VariableCost, FixedLow: burn.Low, FixedHigh: burn.High}
	be.UnitsLow, _ = BreakEvenUnits(burn.Low, u.Price, u.VariableCost)
	be.UnitsHigh, be.Reachable = BreakEvenUnits(burn.High, u.Price, u.VariableCost)
	return be
}

// RankShortfalls returns the open shortfalls ordered by ROI (monthly impact
// per day of effort), then severity, then id so the order is stable.
func RankShortfalls(all []Shortfall) []Shortfall {
	var open []Shortfall
	for _, s := range all {
		if s.IsOpen() {
			open = append(open, s)
		}
	}
	sort.SliceStable(open, func(i, j int) bool {
		a, b := open[i], open[j]
		if ra, rb := a.ROI(), b.ROI(); ra != rb {
			return ra > rb
		}
		if a.Severity.Rank() != b.Severity.Rank() {
			return a.Severity.Rank() < b.Severity.Rank()
		}
		return a.ID < b.ID
	})
	return open
}

// OpenSavings totals the monthly savings of findings not yet fixed.
func OpenSavings(findings []Finding) Money {
	var total Money
	for _, f := range findings {
		if f.Status != "fixed" {
			total += f.MonthlySaving
		}
	}
	return total
}

// MonthRevenue is the portfolio's revenue target and actual for one month.
type MonthRevenue struct {
	Month  string `json:"month"`
	Target Money  `json:"target_cents"`
	// Actual sums the entities that recorded one; Recorded says how many
	// did out of Entities, so an unrecorded month is not mistaken for $0.
	Actual   Money `json:"actual_cents"`
	Recorded int   `json:"recorded"`
	Entities int   `json:"entities"`
}

// RevenueByMonth rolls entity months up to portfolio months, in order.
func RevenueByMonth(rows []RevenueMonth) []MonthRevenue {
	idx := map[string]int{}
	var out []MonthRevenue
	for _, r := range rows {
		i, ok := idx[r.Month]
		if !ok {
			i = len(out)
			idx[r.Month] = i
			out = append(out, MonthRevenue{Month: r.Month})
		}
		out[i].Target += r.Target
		out[i].Entities++
		if r.Actual != nil {
			out[i].Actual += *r.Actual
			out[i].Recorded++
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Month < out[j].Month })
	return out
}
