package store

import (
	"context"
	"fmt"

	"opsdeck/portfolio"
)

func listCostLines(ctx context.Context, q querier) ([]portfolio.CostLine, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.CostLine, error) {
		var c portfolio.CostLine
		err := row.Scan(&c.ID, &c.EntityID, &c.EntityCode, &c.Category, &c.Vendor, &c.Description, &c.Low, &c.High,
			&c.AccountCode, &c.AuditNote)
		return c, err
	}, `SELECT c.id, coalesce(c.entity_id, 0), coalesce(e.code, ''), c.category, c.vendor, c.description, c.low_cents,
		c.high_cents, coalesce(c.account_code, ''), c.audit_note
		FROM cost_lines c LEFT JOIN entities e ON e.id = c.entity_id ORDER BY c.category, c.vendor, c.id`)
}

// CostLines lists every monthly cost line.
func (s *Store) CostLines(ctx context.Context) ([]portfolio.CostLine, error) {
	return listCostLines(ctx, s.read)
}

// CreateCostLine inserts c.
func (tx *Tx) CreateCostLine(ctx context.Context, c *portfolio.CostLine) error {
	if err := c.Validate(); err != nil {
		return err
	}
	var account any
	if c.AccountCode != "" {
		account = c.AccountCode
	}
	if c.Key == "" {
		var err error
		if c.Key, err = tx.newKey(ctx, "cost_lines", "", 0, c.Vendor); err != nil {
			return err
		}
	}
	id, err := tx.insert(ctx, "cost line", c.Vendor,
		`INSERT INTO cost_lines (key, entity_id, category, vendor, description, low_cents, high_cents, account_code, audit_note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Key, nullID(c.EntityID), c.Category, c.Vendor, c.Description, c.Low, c.High, account, c.AuditNote)
	if err != nil {
		return err
	}
	c.ID = id
	return tx.audit(ctx, "create", "cost_line", id, c)
}

// UpdateCostLine rewrites an existing cost line.
func (tx *Tx) UpdateCostLine(ctx context.Context, c *portfolio.CostLine) error {
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

func listUnitEconomics(ctx context.Context, q querier) ([]portfolio.UnitEconomics, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.UnitEconomics, error) {
		var u portfolio.UnitEconomics
		err := row.Scan(&u.EntityID, &u.EntityCode, &u.Unit, &u.Price, &u.VariableCost, &u.Basis)
		return u, err
	}, `SELECT u.entity_id, e.code, u.unit, u.price_cents, u.variable_cost_cents, u.fixed_cost_basis
		FROM unit_economics u JOIN entities e ON e.id = u.entity_id ORDER BY e.kind DESC, e.position, e.code`)
}

// SetUnitEconomics inserts or replaces an entity's unit economics.
func (tx *Tx) SetUnitEconomics(ctx context.Context, u *portfolio.UnitEconomics) error {
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

func listRevenueMonths(ctx context.Context, q querier) ([]portfolio.RevenueMonth, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.RevenueMonth, error) {
		var r portfolio.RevenueMonth
		err := row.Scan(&r.EntityID, &r.EntityCode, &r.Month, &r.Target, &r.Actual)
		return r, err
	}, `SELECT r.entity_id, e.code, r.month, r.target_cents, r.actual_cents
		FROM revenue_months r JOIN entities e ON e.id = r.entity_id ORDER BY r.month, e.position, e.code`)
}

// SetRevenueMonth inserts or replaces an entity's target and actual for a month.
func (tx *Tx) SetRevenueMonth(ctx context.Context, r *portfolio.RevenueMonth) error {
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

func listCapitalTiers(ctx context.Context, q querier) ([]portfolio.CapitalTier, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.CapitalTier, error) {
		var c portfolio.CapitalTier
		err := row.Scan(&c.ID, &c.Position, &c.Name, &c.Policy, &c.Max, &c.Description, &c.Examples)
		return c, err
	}, "SELECT id, position, name, policy, max_cents, description, examples FROM capital_tiers ORDER BY position, id")
}

// CreateCapitalTier inserts c.
func (tx *Tx) CreateCapitalTier(ctx context.Context, c *portfolio.CapitalTier) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.Key == "" {
		var err error
		if c.Key, err = tx.newKey(ctx, "capital_tiers", "", 0, c.Name); err != nil {
			return err
		}
	}
	id, err := tx.insert(ctx, "capital tier", c.Name,
		"INSERT INTO capital_tiers (key, position, name, policy, max_cents, description, examples) VALUES (?, ?, ?, ?, ?, ?, ?)",
		c.Key, c.Position, c.Name, c.Policy, c.Max, c.Description, c.Examples)
	if err != nil {
		return err
	}
	c.ID = id
	return tx.audit(ctx, "create", "capital_tier", id, c)
}

func listFinancialRules(ctx context.Context, q querier) ([]portfolio.FinancialRule, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.FinancialRule, error) {
		var r portfolio.FinancialRule
		err := row.Scan(&r.ID, &r.Position, &r.Rule, &r.Rationale)
		return r, err
	}, "SELECT id, position, rule, rationale FROM financial_rules ORDER BY position, id")
}

// CreateFinancialRule inserts r.
func (tx *Tx) CreateFinancialRule(ctx context.Context, r *portfolio.FinancialRule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if r.Key == "" {
		var err error
		if r.Key, err = tx.newKey(ctx, "financial_rules", "", 0, r.Rule); err != nil {
			return err
		}
	}
	id, err := tx.insert(ctx, "financial rule", fmt.Sprint(r.Position),
		"INSERT INTO financial_rules (key, position, rule, rationale) VALUES (?, ?, ?, ?)", r.Key, r.Position, r.Rule, r.Rationale)
	if err != nil {
		return err
	}
	r.ID = id
	return tx.audit(ctx, "create", "financial_rule", id, r)
}
