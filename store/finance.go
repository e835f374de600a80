package store

import (
	"context"

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

func listUnitEconomics(ctx context.Context, q querier) ([]portfolio.UnitEconomics, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.UnitEconomics, error) {
		var u portfolio.UnitEconomics
		err := row.Scan(&u.EntityID, &u.EntityCode, &u.Unit, &u.Price, &u.VariableCost, &u.Basis)
		return u, err
	}, `SELECT u.entity_id, e.code, u.unit, u.price_cents, u.variable_cost_cents, u.fixed_cost_basis
		FROM unit_economics u JOIN entities e ON e.id = u.entity_id ORDER BY e.kind DESC, e.position, e.code`)
}

func listRevenueMonths(ctx context.Context, q querier) ([]portfolio.RevenueMonth, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.RevenueMonth, error) {
		var r portfolio.RevenueMonth
		err := row.Scan(&r.EntityID, &r.EntityCode, &r.Month, &r.Target, &r.Actual)
		return r, err
	}, `SELECT r.entity_id, e.code, r.month, r.target_cents, r.actual_cents
		FROM revenue_months r JOIN entities e ON e.id = r.entity_id ORDER BY r.month, e.position, e.code`)
}

func listCapitalTiers(ctx context.Context, q querier) ([]portfolio.CapitalTier, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.CapitalTier, error) {
		var c portfolio.CapitalTier
		err := row.Scan(&c.ID, &c.Position, &c.Name, &c.Policy, &c.Max, &c.Description, &c.Examples)
		return c, err
	}, "SELECT id, position, name, policy, max_cents, description, examples FROM capital_tiers ORDER BY position, id")
}

func listFinancialRules(ctx context.Context, q querier) ([]portfolio.FinancialRule, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.FinancialRule, error) {
		var r portfolio.FinancialRule
		err := row.Scan(&r.ID, &r.Position, &r.Rule, &r.Rationale)
		return r, err
	}, "SELECT id, position, rule, rationale FROM financial_rules ORDER BY position, id")
}
