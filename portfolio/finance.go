package portfolio

import (
	"regexp"
)

// CostLine is a recurring monthly cost, as a low-high range because most of
// the portfolio's bills vary with use.
type CostLine struct {
	ID          int64  `json:"id"`
	Key         string `json:"key"`
	EntityID    int64  `json:"entity_id,omitempty"` // 0: shared by the portfolio
	EntityCode  string `json:"entity,omitempty"`
	Category    string `json:"category"`
	Vendor      string `json:"vendor"`
	Description string `json:"description"`
	Low         Money  `json:"low_cents"`
	High        Money  `json:"high_cents"`
	AccountCode string `json:"account_code,omitempty"`
	AuditNote   string `json:"audit_note,omitempty"`
}

// Validate checks c before it is written.
func (c *CostLine) Validate() error {
	if err := checkText("cost category", c.Category, true, 60); err != nil {
		return err
	}
	if err := checkText("vendor", c.Vendor, true, 120); err != nil {
		return err
	}
	if c.Low < 0 || c.High < c.Low {
		field := "high"
		if c.Low < 0 {
			field = "low"
		}
		return FieldErrorf(field, EINVALID, "cost %s: need 0 <= low (%s) <= high (%s)", c.Vendor, c.Low, c.High)
	}
	return checkText("cost description", c.Description, false, 500)
}

// FixedCostBasis says which fixed costs an entity's units must cover.
type FixedCostBasis string

// Fixed-cost bases.
const (
	// BasisPortfolio: the entity's units carry the whole portfolio's burn
	// (the charter business pays everyone's bills).
	BasisPortfolio FixedCostBasis = "portfolio"
	// BasisEntity: only the cost lines attributed to the entity.
	BasisEntity FixedCostBasis = "entity"
)

// UnitEconomics is what one unit of an entity's business (a charter, a
// haul, a gig) earns and costs.
type UnitEconomics struct {
	EntityID     int64          `json:"entity_id"`
	EntityCode   string         `json:"entity"`
	Unit         string         `json:"unit"`
	Price        Money          `json:"price_cents"`
	VariableCost Money          `json:"variable_cost_cents"`
	Basis        FixedCostBasis `json:"fixed_cost_basis"`
}

// Validate checks u before it is written.
func (u *UnitEconomics) Validate() error {
	if err := checkText("unit name", u.Unit, true, 40); err != nil {
		return err
	}
	if u.Price < 0 || u.VariableCost < 0 {
		return Errorf(EINVALID, "price and variable cost must not be negative")
	}
	if u.Basis != BasisPortfolio && u.Basis != BasisEntity {
		return Errorf(EINVALID, "fixed-cost basis %q must be portfolio or entity", u.Basis)
	}
	return nil
}

// RevenueMonth is one entity's revenue target for a month and, once
// someone records it, the actual.
type RevenueMonth struct {
	EntityID   int64  `json:"entity_id"`
	EntityCode string `json:"entity"`
	Month      string `json:"month"` // YYYY-MM
	Target     Money  `json:"target_cents"`
	Actual     *Money `json:"actual_cents"` // nil: not recorded
}

var monthPattern = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// Validate checks r before it is written.
func (r *RevenueMonth) Validate() error {
	if !monthPattern.MatchString(r.Month) {
		return Errorf(EINVALID, "month %q must be YYYY-MM", r.Month)
	}
	if r.Target < 0 || (r.Actual != nil && *r.Actual < 0) {
		return Errorf(EINVALID, "revenue for %s must not be negative", r.Month)
	}
	return nil
}

// CapitalPolicy says whether a tier of spending is allowed.
type CapitalPolicy string

// Capital policies.
const (
	PolicyDeploy      CapitalPolicy = "deploy"
	PolicyDoNotDeploy CapitalPolicy = "do_not_deploy"
)

// CapitalTier is one rung of the capital-deployment framework: what money
// may be spent on, in order.
type CapitalTier struct {
	ID          int64         `json:"id"`
	Key         string        `json:"key"`
	Position    int           `json:"position"`
	Name        string        `json:"name"`
	Policy      CapitalPolicy `json:"policy"`
	Max         *Money        `json:"max_cents"` // nil: no cap stated
	Description string        `json:"description"`
	Examples    string        `json:"examples"`
}

// Validate checks c before it is written.
func (c *CapitalTier) Validate() error {
	if err := checkText("tier name", c.Name, true, 80); err != nil {
		return err
	}
	if c.Policy != PolicyDeploy && c.Policy != PolicyDoNotDeploy {
		return Errorf(EINVALID, "tier policy %q must be deploy or do_not_deploy", c.Policy)
	}
	if c.Max != nil && *c.Max < 0 {
		return Errorf(EINVALID, "tier cap must not be negative")
	}
	return nil
}

// FinancialRule is a rule the owner has committed to, restated in every CFO
// report.
type FinancialRule struct {
	ID        int64  `json:"id"`
	Key       string `json:"key"`
	Position  int    `json:"position"`
	Rule      string `json:"rule"`
	Rationale string `json:"rationale"`
}

// Validate checks r before it is written.
func (r *FinancialRule) Validate() error { return checkText("rule", r.Rule, true, 300) }
