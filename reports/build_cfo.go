package reports

import (
	"fmt"
	"time"

	"opsdeck/portfolio"
)

// CFOSection is the burn, the capital-deployment framework, break-even per
// entity, revenue against target and the financial rules.
type CFOSection struct {
	Burn        string
	BurnLow     string
	BurnHigh    string
	Categories  []CategoryRow
	Tiers       []TierRow
	BreakEven   []BreakEvenRow
	Revenue     []RevenueRow
	Horizon     string
	TargetTotal string
	ActualTotal string
	Unrecorded  int
	Rules       []RuleRow
}

// CategoryRow is one category of the burn.
type CategoryRow struct {
	Category, Low, High, Share string
	Lines                      int
}

// TierRow is a rung of the capital-deployment framework.
type TierRow struct {
	Position                                 int
	Name, Policy, Cap, Description, Examples string
}

// BreakEvenRow is an entity's break-even volume.
type BreakEvenRow struct {
	Entity, Unit, Price, Variable, Margin, Fixed, Basis string
	// Volume is Units with the unit, as a sentence says it: "6 charters".
	Volume          string
	Units, UnitsLow int64
	Reachable       bool
}

// RevenueRow is one month's portfolio revenue against target.
type RevenueRow struct {
	Month, Target, Actual, Variance, Bar, Recorded string
}

// RuleRow is a numbered financial rule.
type RuleRow struct {
	N               int
	Rule, Rationale string
}

func buildCFO(snap *portfolio.Snapshot) (*CFOSection, Figures) {
	burn := snap.Burn()
	c := &CFOSection{Burn: moneyRange(burn.Low, burn.High), BurnLow: burn.Low.String(), BurnHigh: burn.High.String()}
	for _, cat := range burn.ByCategory {
		c.Categories = append(c.Categories, CategoryRow{Category: esc(cat.Category), Low: cat.Low.String(), High: cat.High.String(),
			Share: percent(cat.High, burn.High), Lines: cat.Lines})
	}
	for _, t := range snap.CapitalTiers {
		// Cap says what the tier may spend, as the sentence after its name.
		row := TierRow{Position: t.Position, Name: esc(t.Name), Policy: "Deploy", Cap: "no spending cap set",
			Description: esc(t.Description), Examples: esc(t.Examples)}
		if t.Policy == portfolio.PolicyDoNotDeploy {
			row.Policy, row.Cap = "Do not deploy", "spend nothing"
		} else if t.Max != nil {
			row.Cap = "spend up to " + t.Max.String() + "/mo"
			if *t.Max == 0 {
				row.Cap = "time only, no spend"
			}
		}
		c.Tiers = append(c.Tiers, row)
	}
	figs := Figures{
		{Label: "Monthly burn, low", Value: dollars(burn.Low), Money: true, LowerIsBetter: true},
		{Label: "Monthly burn, high", Value: dollars(burn.High), Money: true, LowerIsBetter: true},
	}
	for _, be := range snap.BreakEvens() {
		row := BreakEvenRow{Entity: esc(be.EntityCode), Unit: esc(be.Unit), Price: be.Price.String(), Variable: be.Variable.String(),
			Margin: be.Margin.String(), Fixed: moneyRange(be.FixedLow, be.FixedHigh), Units: be.UnitsHigh, UnitsLow: be.UnitsLow,
			Reachable: be.Reachable, Basis: "own costs", Volume: esc(portfolio.Plural(be.UnitsHigh, be.Unit, ""))}
		if be.Basis == portfolio.BasisPortfolio {
			row.Basis = "whole portfolio"
		}
		c.BreakEven = append(c.BreakEven, row)
		if be.Reachable {
			figs = append(figs, Figure{Label: "Break-even " + be.EntityCode + " (" + be.Unit + "s a month)",
				Value: float64(be.UnitsHigh), LowerIsBetter: true})
		}
	}

	var target, actual portfolio.Money
	for _, m := range portfolio.RevenueByMonth(snap.RevenueMonths) {
		t, _ := time.Parse("2006-01", m.Month)
		row := RevenueRow{Month: t.Format("Jan 2006"), Target: m.Target.String(), Actual: "not recorded", Variance: "—",
			Recorded: fmt.Sprintf("%d of %d", m.Recorded, m.Entities)}
		target += m.Target
		if m.Recorded == 0 {
			c.Unrecorded++
			row.Bar = barToken(0, portfolio.StatusMissing)
		} else {
			actual += m.Actual
			row.Actual = m.Actual.String()
			row.Variance = signed(m.Actual - m.Target)
			status := portfolio.EvaluateKPI(portfolio.HigherIsBetter, dollars(m.Target), 0.1, dollars(m.Actual))
			row.Bar = barToken(portfolio.Attainment(portfolio.HigherIsBetter, dollars(m.Target), dollars(m.Actual)), status)
		}
		c.Revenue = append(c.Revenue, row)
		c.Horizon = row.Month
	}
	c.TargetTotal, c.ActualTotal = target.String(), actual.String()
	figs = append(figs, Figure{Label: "Months with no revenue recorded", Value: float64(c.Unrecorded), LowerIsBetter: true},
		Figure{Label: "Revenue recorded to date", Value: dollars(actual), Money: true})

	for i, r := range snap.FinancialRules {
		c.Rules = append(c.Rules, RuleRow{N: i + 1, Rule: esc(r.Rule), Rationale: esc(r.Rationale)})
	}
	return c, figs
}

func signed(m portfolio.Money) string {
	if m > 0 {
		return "+" + m.String()
	}
	return m.String()
}
