package store

import (
	"context"

	"opsdeck/portfolio"
)

func listFindings(ctx context.Context, q querier) ([]portfolio.Finding, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.Finding, error) {
		var f portfolio.Finding
		err := row.Scan(&f.ID, &f.EntityID, &f.EntityCode, &f.Stack, &f.Category, &f.Severity, &f.Title, &f.Detail,
			&f.Remediation, &f.MonthlySaving, &f.EffortDays, &f.Status)
		return f, err
	}, `SELECT f.id, coalesce(f.entity_id, 0), coalesce(e.code, ''), f.stack, f.category, f.severity, f.title, f.detail,
		f.remediation, f.monthly_saving_cents, f.effort_days, f.status
		FROM findings f LEFT JOIN entities e ON e.id = f.entity_id ORDER BY f.id`)
}

func listDevGaps(ctx context.Context, q querier) ([]portfolio.DevGap, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.DevGap, error) {
		var g portfolio.DevGap
		err := row.Scan(&g.ID, &g.Position, &g.Title, &g.Detail, &g.Status)
		return g, err
	}, "SELECT id, position, title, detail, status FROM dev_gaps ORDER BY position, id")
}
