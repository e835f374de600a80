package store

import (
	"context"
	"fmt"

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

// CreateFinding inserts f.
func (tx *Tx) CreateFinding(ctx context.Context, f *portfolio.Finding) error {
	if f.Status == "" {
		f.Status = "open"
	}
	if err := f.Validate(); err != nil {
		return err
	}
	if f.Key == "" {
		var err error
		if f.Key, err = tx.newKey(ctx, "findings", "", 0, f.Title); err != nil {
			return err
		}
	}
	id, err := tx.insert(ctx, "finding", fmt.Sprintf("%q", f.Title),
		`INSERT INTO findings (key, entity_id, stack, category, severity, title, detail, remediation, monthly_saving_cents, effort_days, status)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.Key, nullID(f.EntityID), f.Stack, f.Category, f.Severity, f.Title, f.Detail, f.Remediation, f.MonthlySaving, f.EffortDays, f.Status)
	if err != nil {
		return err
	}
	f.ID = id
	return tx.audit(ctx, "create", "finding", id, f)
}

func listDevGaps(ctx context.Context, q querier) ([]portfolio.DevGap, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.DevGap, error) {
		var g portfolio.DevGap
		err := row.Scan(&g.ID, &g.Position, &g.Title, &g.Detail, &g.Status)
		return g, err
	}, "SELECT id, position, title, detail, status FROM dev_gaps ORDER BY position, id")
}

// CreateDevGap inserts g.
func (tx *Tx) CreateDevGap(ctx context.Context, g *portfolio.DevGap) error {
	if err := g.Validate(); err != nil {
		return err
	}
	if g.Key == "" {
		var err error
		if g.Key, err = tx.newKey(ctx, "dev_gaps", "", 0, g.Title); err != nil {
			return err
		}
	}
	id, err := tx.insert(ctx, "dev gap", fmt.Sprintf("%q", g.Title),
		"INSERT INTO dev_gaps (key, position, title, detail, status) VALUES (?, ?, ?, ?, ?)", g.Key, g.Position, g.Title, g.Detail, g.Status)
	if err != nil {
		return err
	}
	g.ID = id
	return tx.audit(ctx, "create", "dev_gap", id, g)
}
