package store

import (
	"context"
	"fmt"
	"regexp"
)

// CostLine is a recurring monthly cost, as a low-high range because most of
// the portfolio's bills vary with use.
type CostLine struct {
	ID          int64  `json:"id"`
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
		return Errorf(EINVALID, "cost %s: need 0 <= low (%s) <= high (%s)", c.Vendor, c.Low, c.High)
	}
	return checkText("cost description", c.Description, false, 500)
}

func listCostLines(ctx context.Context, q querier) ([]CostLine, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (CostLine, error) {
		var c CostLine
		err := row.Scan(&c.ID, &c.EntityID, &c.EntityCode, &c.Category, &c.Vendor, &c.Description, &c.Low, &c.High,
			&c.AccountCode, &c.AuditNote)
		return c, err
	}, `SELECT c.id, coalesce(c.entity_id, 0), coalesce(e.code, ''), c.category, c.vendor, c.description, c.low_cents,
		c.high_cents, coalesce(c.account_code, ''), c.audit_note
		FROM cost_lines c LEFT JOIN entities e ON e.id = c.entity_id ORDER BY c.category, c.vendor, c.id`)
}

// CostLines lists every monthly cost line.
func (s *Store) CostLines(ctx context.Context) ([]CostLine, error) { return listCostLines(ctx, s.read) }

// CreateCostLine inserts c.
func (tx *Tx) CreateCostLine(ctx context.Context, c *CostLine) error {
	if err := c.Validate(); err != nil {
		return err
	}
	var account any
	if c.AccountCode != "" {
		account = c.AccountCode
	}
	id, err := tx.insert(ctx, "cost line", c.Vendor,
		`INSERT INTO cost_lines (entity_id, category, vendor, description, low_cents, high_cents, account_code, audit_note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		nullID(c.EntityID), c.Category, c.Vendor, c.Description, c.Low, c.High, account, c.AuditNote)
	if err != nil {
		return err
	}
	c.ID = id
	return tx.audit(ctx, "create", "cost_line", id, c)
}

// UpdateCostLine rewrites an existing cost line.
func (tx *Tx) UpdateCostLine(ctx context.Context, c *CostLine) error {
	if err := c.Validate(); err != nil {
		return err
	}
	var account any
	if c.AccountCode != "" {
		account = c.AccountCode
	}
	if err := tx.execOne(ctx, "cost line", c.ID,
		`UPDATE cost_lines SET entity_id = ?, category = ?, vendor = ?, description = ?, low_cents = ?, high_cents = ?,
		account_code = ?, audit_note = ? WHERE id = ?`,
		nullID(c.EntityID), c.Category, c.Vendor, c.Description, c.Low, c.High, account, c.AuditNote, c.ID); err != nil {
		return err
	}
	return tx.audit(ctx, "update", "cost_line", c.ID, c)
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

func listUnitEconomics(ctx context.Context, q querier) ([]UnitEconomics, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (UnitEconomics, error) {
		var u UnitEconomics
		err := row.Scan(&u.EntityID, &u.EntityCode, &u.Unit, &u.Price, &u.VariableCost, &u.Basis)
		return u, err
	}, `SELECT u.entity_id, e.code, u.unit, u.price_cents, u.variable_cost_cents, u.fixed_cost_basis
		FROM unit_economics u JOIN entities e ON e.id = u.entity_id ORDER BY e.kind DESC, e.position, e.code`)
}

// SetUnitEconomics inserts or replaces an entity's unit economics.
func (tx *Tx) SetUnitEconomics(ctx context.Context, u *UnitEconomics) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if _, err := tx.insert(ctx, "unit economics", fmt.Sprint(u.EntityID),
		`INSERT INTO unit_economics (entity_id, unit, price_cents, variable_cost_cents, fixed_cost_basis) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (entity_id) DO UPDATE SET unit = excluded.unit, price_cents = excluded.price_cents,
		variable_cost_cents = excluded.variable_cost_cents, fixed_cost_basis = excluded.fixed_cost_basis`,
		u.EntityID, u.Unit, u.Price, u.VariableCost, u.Basis); err != nil {
		return err
	}
	return tx.audit(ctx, "set", "unit_economics", u.EntityID, u)
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

func listRevenueMonths(ctx context.Context, q querier) ([]RevenueMonth, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (RevenueMonth, error) {
		var r RevenueMonth
		err := row.Scan(&r.EntityID, &r.EntityCode, &r.Month, &r.Target, &r.Actual)
		return r, err
	}, `SELECT r.entity_id, e.code, r.month, r.target_cents, r.actual_cents
		FROM revenue_months r JOIN entities e ON e.id = r.entity_id ORDER BY r.month, e.position, e.code`)
}

// SetRevenueMonth inserts or replaces an entity's target and actual for a month.
func (tx *Tx) SetRevenueMonth(ctx context.Context, r *RevenueMonth) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if _, err := tx.insert(ctx, "revenue month", r.Month,
		`INSERT INTO revenue_months (entity_id, month, target_cents, actual_cents) VALUES (?, ?, ?, ?)
		ON CONFLICT (entity_id, month) DO UPDATE SET target_cents = excluded.target_cents, actual_cents = excluded.actual_cents`,
		r.EntityID, r.Month, r.Target, r.Actual); err != nil {
		return err
	}
	return tx.audit(ctx, "set", "revenue_month", r.EntityID, r)
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

func listCapitalTiers(ctx context.Context, q querier) ([]CapitalTier, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (CapitalTier, error) {
		var c CapitalTier
		err := row.Scan(&c.ID, &c.Position, &c.Name, &c.Policy, &c.Max, &c.Description, &c.Examples)
		return c, err
	}, "SELECT id, position, name, policy, max_cents, description, examples FROM capital_tiers ORDER BY position, id")
}

// CreateCapitalTier inserts c.
func (tx *Tx) CreateCapitalTier(ctx context.Context, c *CapitalTier) error {
	if err := c.Validate(); err != nil {
		return err
	}
	id, err := tx.insert(ctx, "capital tier", c.Name,
		"INSERT INTO capital_tiers (position, name, policy, max_cents, description, examples) VALUES (?, ?, ?, ?, ?, ?)",
		c.Position, c.Name, c.Policy, c.Max, c.Description, c.Examples)
	if err != nil {
		return err
	}
	c.ID = id
	return tx.audit(ctx, "create", "capital_tier", id, c)
}

// FinancialRule is a rule the owner has committed to, restated in every CFO
// report.
type FinancialRule struct {
	ID        int64  `json:"id"`
	Position  int    `json:"position"`
	Rule      string `json:"rule"`
	Rationale string `json:"rationale"`
}

func listFinancialRules(ctx context.Context, q querier) ([]FinancialRule, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (FinancialRule, error) {
		var r FinancialRule
		err := row.Scan(&r.ID, &r.Position, &r.Rule, &r.Rationale)
		return r, err
	}, "SELECT id, position, rule, rationale FROM financial_rules ORDER BY position, id")
}

// CreateFinancialRule inserts r.
func (tx *Tx) CreateFinancialRule(ctx context.Context, r *FinancialRule) error {
	if err := checkText("rule", r.Rule, true, 300); err != nil {
		return err
	}
	id, err := tx.insert(ctx, "financial rule", fmt.Sprint(r.Position),
		"INSERT INTO financial_rules (position, rule, rationale) VALUES (?, ?, ?)", r.Position, r.Rule, r.Rationale)
	if err != nil {
		return err
	}
	r.ID = id
	return tx.audit(ctx, "create", "financial_rule", id, r)
}
