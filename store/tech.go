package store

import (
	"context"
	"fmt"
)

// Finding is a security, performance, cost or reliability problem found in
// one of the portfolio's technical stacks.
type Finding struct {
	ID            int64    `json:"id"`
	EntityID      int64    `json:"entity_id,omitempty"`
	EntityCode    string   `json:"entity,omitempty"`
	Stack         string   `json:"stack"`
	Category      string   `json:"category"`
	Severity      Severity `json:"severity"`
	Title         string   `json:"title"`
	Detail        string   `json:"detail"`
	Remediation   string   `json:"remediation"`
	MonthlySaving Money    `json:"monthly_saving_cents"`
	EffortDays    float64  `json:"effort_days"`
	Status        string   `json:"status"` // open or fixed
}

// Validate checks f before it is written.
func (f *Finding) Validate() error {
	if err := checkText("stack", f.Stack, true, 80); err != nil {
		return err
	}
	switch f.Category {
	case "security", "performance", "cost", "reliability":
	default:
		return Errorf(EINVALID, "finding category %q must be security, performance, cost or reliability", f.Category)
	}
	if !f.Severity.Valid() {
		return Errorf(EINVALID, "severity %q must be critical, high, medium or low", f.Severity)
	}
	if err := checkText("finding title", f.Title, true, 200); err != nil {
		return err
	}
	if err := checkText("remediation", f.Remediation, true, 1000); err != nil {
		return err
	}
	if f.MonthlySaving < 0 {
		return Errorf(EINVALID, "monthly saving must not be negative")
	}
	if err := checkFinite("effort", f.EffortDays); err != nil {
		return err
	}
	if f.EffortDays <= 0 {
		return Errorf(EINVALID, "effort must be more than 0 days")
	}
	if f.Status != "open" && f.Status != "fixed" {
		return Errorf(EINVALID, "finding status %q must be open or fixed", f.Status)
	}
	return nil
}

func listFindings(ctx context.Context, q querier) ([]Finding, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (Finding, error) {
		var f Finding
		err := row.Scan(&f.ID, &f.EntityID, &f.EntityCode, &f.Stack, &f.Category, &f.Severity, &f.Title, &f.Detail,
			&f.Remediation, &f.MonthlySaving, &f.EffortDays, &f.Status)
		return f, err
	}, `SELECT f.id, coalesce(f.entity_id, 0), coalesce(e.code, ''), f.stack, f.category, f.severity, f.title, f.detail,
		f.remediation, f.monthly_saving_cents, f.effort_days, f.status
		FROM findings f LEFT JOIN entities e ON e.id = f.entity_id ORDER BY f.id`)
}

// CreateFinding inserts f.
func (tx *Tx) CreateFinding(ctx context.Context, f *Finding) error {
	if f.Status == "" {
		f.Status = "open"
	}
	if err := f.Validate(); err != nil {
		return err
	}
	id, err := tx.insert(ctx, "finding", fmt.Sprintf("%q", f.Title),
		`INSERT INTO findings (entity_id, stack, category, severity, title, detail, remediation, monthly_saving_cents, effort_days, status)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullID(f.EntityID), f.Stack, f.Category, f.Severity, f.Title, f.Detail, f.Remediation, f.MonthlySaving, f.EffortDays, f.Status)
	if err != nil {
		return err
	}
	f.ID = id
	return tx.audit(ctx, "create", "finding", id, f)
}

// DevGap is a missing piece of the development cycle (CI, staging...).
type DevGap struct {
	ID       int64  `json:"id"`
	Position int    `json:"position"`
	Title    string `json:"title"`
	Detail   string `json:"detail"`
	Status   string `json:"status"` // missing, partial or done
}

func listDevGaps(ctx context.Context, q querier) ([]DevGap, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (DevGap, error) {
		var g DevGap
		err := row.Scan(&g.ID, &g.Position, &g.Title, &g.Detail, &g.Status)
		return g, err
	}, "SELECT id, position, title, detail, status FROM dev_gaps ORDER BY position, id")
}

// CreateDevGap inserts g.
func (tx *Tx) CreateDevGap(ctx context.Context, g *DevGap) error {
	if err := checkText("gap title", g.Title, true, 200); err != nil {
		return err
	}
	switch g.Status {
	case "missing", "partial", "done":
	default:
		return Errorf(EINVALID, "gap status %q must be missing, partial or done", g.Status)
	}
	id, err := tx.insert(ctx, "dev gap", fmt.Sprintf("%q", g.Title),
		"INSERT INTO dev_gaps (position, title, detail, status) VALUES (?, ?, ?, ?)", g.Position, g.Title, g.Detail, g.Status)
	if err != nil {
		return err
	}
	g.ID = id
	return tx.audit(ctx, "create", "dev_gap", id, g)
}
