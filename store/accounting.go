package store

import (
	"context"

	"opsdeck/portfolio"
)

func listAccounts(ctx context.Context, q querier) ([]portfolio.Account, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.Account, error) {
		var a portfolio.Account
		err := row.Scan(&a.Code, &a.Name, &a.Type, &a.ParentCode, &a.Description)
		return a, err
	}, "SELECT code, name, type, coalesce(parent_code, ''), description FROM accounts ORDER BY code")
}

func listRecognitionGaps(ctx context.Context, q querier) ([]portfolio.RecognitionGap, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.RecognitionGap, error) {
		var g portfolio.RecognitionGap
		err := row.Scan(&g.ID, &g.EntityID, &g.EntityCode, &g.Title, &g.Detail, &g.Severity, &g.Status)
		return g, err
	}, `SELECT g.id, coalesce(g.entity_id, 0), coalesce(e.code, ''), g.title, g.detail, g.severity, g.status
		FROM recognition_gaps g LEFT JOIN entities e ON e.id = g.entity_id ORDER BY g.id`)
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
