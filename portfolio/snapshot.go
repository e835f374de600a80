package portfolio

import (
	"time"
)

// Snapshot is the whole portfolio read in one transaction, so every figure
// computed from it agrees with every other.
type Snapshot struct {
	PortfolioName   string           `json:"portfolio"`
	TakenAt         time.Time        `json:"taken_at"`
	AsOf            time.Time        `json:"as_of"` // last recorded change; zero if none
	Entities        []Entity         `json:"entities"`
	People          []Person         `json:"people"`
	Recipients      []Recipient      `json:"recipients"`
	KPIs            []KPI            `json:"kpis"`
	Shortfalls      []Shortfall      `json:"shortfalls"`
	Actions         []Action         `json:"actions"`
	CostLines       []CostLine       `json:"cost_lines"`
	UnitEconomics   []UnitEconomics  `json:"unit_economics"`
	RevenueMonths   []RevenueMonth   `json:"revenue_months"`
	CapitalTiers    []CapitalTier    `json:"capital_tiers"`
	FinancialRules  []FinancialRule  `json:"financial_rules"`
	Channels        []Channel        `json:"channels"`
	Findings        []Finding        `json:"findings"`
	DevGaps         []DevGap         `json:"dev_gaps"`
	Accounts        []Account        `json:"accounts"`
	RecognitionGaps []RecognitionGap `json:"recognition_gaps"`
	Milestones      []Milestone      `json:"milestones"`
	// Events are the next events whose crews are not yet finished
	// (turnaround included), soonest first, at most store.SnapshotEvents.
	Events []EventSummary `json:"events"`
}

// UpcomingEvents returns the snapshot's events whose turnaround is not yet
// over, soonest first.
func (s *Snapshot) UpcomingEvents() []EventSummary { return s.Events }

// EntityKPIs returns the snapshot's KPIs for one entity.
func (s *Snapshot) EntityKPIs(entityID int64) []KPI {
	var out []KPI
	for _, k := range s.KPIs {
		if k.EntityID == entityID {
			out = append(out, k)
		}
	}
	return out
}

// Burn is the portfolio's monthly burn.
func (s *Snapshot) Burn() Burn { return ComputeBurn(s.CostLines) }

// BreakEvens computes break-even for every entity with unit economics.
func (s *Snapshot) BreakEvens() []BreakEven {
	out := make([]BreakEven, 0, len(s.UnitEconomics))
	for _, u := range s.UnitEconomics {
		out = append(out, ComputeBreakEven(u, s.CostLines))
	}
	return out
}
