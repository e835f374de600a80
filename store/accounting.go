package store

import (
	"context"
	"fmt"

	"opsdeck/portfolio"
)

func listAccounts(ctx context.Context, q querier) ([]portfolio.Account, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.Account, error) {
		var a portfolio.Account
		err := row.Scan(&a.Code, &a.Name, &a.Type, &a.ParentCode, &a.Description)
		return a, err
	}, "SELECT code, name, type, coalesce(parent_code, ''), description FROM accounts ORDER BY code")
}

// CreateAccount inserts a.
func (tx *Tx) CreateAccount(ctx context.Context, a *portfolio.Account) error {
	if err := a.Validate(); err != nil {
		return err
	}
	var parent any
	if a.ParentCode != "" {
		parent = a.ParentCode
	}
	if _, err := tx.insert(ctx, "account", a.Code,
		"INSERT INTO accounts (code, name, type, parent_code, description) VALUES (?, ?, ?, ?, ?)",
		a.Code, a.Name, a.Type, parent, a.Description); err != nil {
		return err
	}
	return tx.audit(ctx, "create", "account", 0, a)
}

func listRecognitionGaps(ctx context.Context, q querier) ([]portfolio.RecognitionGap, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.RecognitionGap, error) {
		var g portfolio.RecognitionGap
		err := row.Scan(&g.ID, &g.EntityID, &g.EntityCode, &g.Title, &g.Detail, &g.Severity, &g.Status)
		return g, err
	}, `SELECT g.id, coalesce(g.entity_id, 0), coalesce(e.code, ''), g.title, g.detail, g.severity, g.status
		FROM recognition_gaps g LEFT JOIN entities e ON e.id = g.entity_id ORDER BY g.id`)
}

// CreateRecognitionGap inserts g.
func (tx *Tx) CreateRecognitionGap(ctx context.Context, g *portfolio.RecognitionGap) error {
	if err := g.Validate(); err != nil {
		return err
	}
	if g.Key == "" {
		var err error
		if g.Key, err = tx.newKey(ctx, "recognition_gaps", "", 0, g.Title); err != nil {
			return err
		}
	}
	id, err := tx.insert(ctx, "recognition gap", fmt.Sprintf("%q", g.Title),
		"INSERT INTO recognition_gaps (key, entity_id, title, detail, severity, status) VALUES (?, ?, ?, ?, ?, ?)",
		g.Key, nullID(g.EntityID), g.Title, g.Detail, g.Severity, g.Status)
	if err != nil {
		return err
	}
	g.ID = id
	return tx.audit(ctx, "create", "recognition_gap", id, g)
}

func listMilestones(ctx context.Context, q querier) ([]portfolio.Milestone, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.Milestone, error) {
		var m portfolio.Milestone
		var due string
		var done *string
		if err := row.Scan(&m.ID, &m.Position, &m.Title, &m.Criteria, &due, &done); err != nil {
			return m, err
		}
		var err error
		if m.DueOn, err = portfolio.ParseDate(due); err != nil {
			return m, err
		}
		m.DoneOn, err = scanDate(done)
		return m, err
	}, "SELECT id, position, title, criteria, due_on, done_on FROM milestones ORDER BY due_on, position, id")
}

// CreateMilestone inserts m.
func (tx *Tx) CreateMilestone(ctx context.Context, m *portfolio.Milestone) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if m.Key == "" {
		var err error
		if m.Key, err = tx.newKey(ctx, "milestones", "", 0, m.Title); err != nil {
			return err
		}
	}
	id, err := tx.insert(ctx, "milestone", fmt.Sprintf("%q", m.Title),
		"INSERT INTO milestones (key, position, title, criteria, due_on, done_on) VALUES (?, ?, ?, ?, ?, ?)",
		m.Key, m.Position, m.Title, m.Criteria, m.DueOn.String(), dateColumn(m.DoneOn))
	if err != nil {
		return err
	}
	m.ID = id
	return tx.audit(ctx, "create", "milestone", id, m)
}
