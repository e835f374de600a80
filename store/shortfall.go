package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"opsdeck/portfolio"
)

const shortfallSelect = `SELECT s.id, coalesce(s.entity_id, 0), coalesce(e.code, ''), s.title, s.detail, s.owner_role, s.severity,
	s.monthly_impact_cents, s.effort_days, s.status, s.opened_on, s.resolved_on
	FROM shortfalls s LEFT JOIN entities e ON e.id = s.entity_id`

func scanShortfall(row interface{ Scan(...any) error }) (portfolio.Shortfall, error) {
	var s portfolio.Shortfall
	var opened string
	var resolved *string
	if err := row.Scan(&s.ID, &s.EntityID, &s.EntityCode, &s.Title, &s.Detail, &s.OwnerRole, &s.Severity,
		&s.MonthlyImpact, &s.EffortDays, &s.Status, &opened, &resolved); err != nil {
		return s, err
	}
	var err error
	if s.OpenedOn, err = portfolio.ParseDate(opened); err != nil {
		return s, err
	}
	s.ResolvedOn, err = scanDate(resolved)
	return s, err
}

func listShortfalls(ctx context.Context, q querier) ([]portfolio.Shortfall, error) {
	return queryAll(ctx, q, scanShortfall, shortfallSelect+" ORDER BY s.id")
}

// Shortfalls lists every shortfall, open and resolved.
func (s *Store) Shortfalls(ctx context.Context) ([]portfolio.Shortfall, error) {
	return listShortfalls(ctx, s.read)
}

func shortfallByID(ctx context.Context, q querier, id int64) (portfolio.Shortfall, error) {
	sf, err := scanShortfall(q.QueryRowContext(ctx, shortfallSelect+" WHERE s.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return sf, portfolio.Errorf(portfolio.ENOTFOUND, "no shortfall with id %d", id)
	}
	return sf, err
}

// Shortfall finds one shortfall by id.
func (s *Store) Shortfall(ctx context.Context, id int64) (portfolio.Shortfall, error) {
	return shortfallByID(ctx, s.read, id)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateShortfall inserts sf; a zero OpenedOn means today.
func (tx *Tx) CreateShortfall(ctx context.Context, sf *portfolio.Shortfall) error {
	if sf.OpenedOn.IsZero() {
		sf.OpenedOn = portfolio.DateOf(tx.now)
	}
	if sf.Status == "" {
		sf.Status = portfolio.ShortfallOpen
	}
	if err := sf.Validate(); err != nil {
		return err
	}
	if sf.Key == "" {
		var err error
		if sf.Key, err = tx.newKey(ctx, "shortfalls", "", 0, sf.Title); err != nil {
			return err
		}
	}
	id, err := tx.insert(ctx, "shortfall", fmt.Sprintf("%q", sf.Title),
		`INSERT INTO shortfalls (key, entity_id, title, detail, owner_role, severity, monthly_impact_cents, effort_days, status, opened_on, resolved_on)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sf.Key, nullID(sf.EntityID), sf.Title, sf.Detail, sf.OwnerRole, sf.Severity, sf.MonthlyImpact, sf.EffortDays,
		sf.Status, sf.OpenedOn.String(), dateColumn(sf.ResolvedOn))
	if err != nil {
		return err
	}
	sf.ID = id
	return tx.audit(ctx, "create", "shortfall", id, sf)
}

// UpdateShortfall rewrites every field of an existing shortfall.
func (tx *Tx) UpdateShortfall(ctx context.Context, sf *portfolio.Shortfall) error {
	if err := sf.Validate(); err != nil {
		return err
	}
	before, err := shortfallByID(ctx, tx.tx, sf.ID)
	if err != nil {
		return err
	}
	if err := tx.execOne(ctx, "shortfall", sf.ID,
		`UPDATE shortfalls SET entity_id = ?, title = ?, detail = ?, owner_role = ?, severity = ?, monthly_impact_cents = ?,
		effort_days = ?, status = ?, opened_on = ?, resolved_on = ? WHERE id = ?`,
		nullID(sf.EntityID), sf.Title, sf.Detail, sf.OwnerRole, sf.Severity, sf.MonthlyImpact, sf.EffortDays,
		sf.Status, sf.OpenedOn.String(), dateColumn(sf.ResolvedOn), sf.ID); err != nil {
		return err
	}
	// The key is not rewritten here, so it is not a change; it names the
	// shortfall in the log.
	if err := tx.tx.QueryRowContext(ctx, "SELECT key FROM shortfalls WHERE id = ?", sf.ID).Scan(&before.Key); err != nil {
		return fmt.Errorf("read shortfall %d's key: %w", sf.ID, err)
	}
	after := *sf
	after.Key = before.Key
	return tx.audit(ctx, "update", "shortfall", sf.ID, updateDetails(portfolio.MustKind("shortfall"), &before, &after))
}

// ResolveShortfall marks a shortfall resolved today.
func (tx *Tx) ResolveShortfall(ctx context.Context, id int64) error {
	sf, err := shortfallByID(ctx, tx.tx, id)
	if err != nil {
		return err
	}
	if !sf.IsOpen() {
		return portfolio.Errorf(portfolio.ECONFLICT, "shortfall %d is already resolved", id)
	}
	sf.Status, sf.ResolvedOn = portfolio.ShortfallResolved, portfolio.DateOf(tx.now)
	if sf.ResolvedOn.Before(sf.OpenedOn) {
		sf.ResolvedOn = sf.OpenedOn
	}
	return tx.UpdateShortfall(ctx, &sf)
}

// ReopenShortfall puts a resolved shortfall back on the open list.
func (tx *Tx) ReopenShortfall(ctx context.Context, id int64) error {
	sf, err := shortfallByID(ctx, tx.tx, id)
	if err != nil {
		return err
	}
	if sf.IsOpen() {
		return portfolio.Errorf(portfolio.ECONFLICT, "shortfall %d is not resolved", id)
	}
	sf.Status, sf.ResolvedOn = portfolio.ShortfallOpen, portfolio.Date{}
	return tx.UpdateShortfall(ctx, &sf)
}

func listActions(ctx context.Context, q querier) ([]portfolio.Action, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.Action, error) {
		var a portfolio.Action
		var due string
		var done *string
		if err := row.Scan(&a.ID, &a.ShortfallID, &a.Title, &a.OwnerRole, &a.PersonID, &a.PersonName, &due, &a.Status,
			&done, &a.ShortfallTitle); err != nil {
			return a, err
		}
		var err error
		if a.DueOn, err = portfolio.ParseDate(due); err != nil {
			return a, err
		}
		a.DoneOn, err = scanDate(done)
		return a, err
	}, `SELECT a.id, coalesce(a.shortfall_id, 0), a.title, a.owner_role, coalesce(a.person_id, 0), coalesce(p.name, ''),
		a.due_on, a.status, a.done_on, coalesce(s.title, '')
		FROM actions a LEFT JOIN people p ON p.id = a.person_id LEFT JOIN shortfalls s ON s.id = a.shortfall_id
		ORDER BY a.due_on, a.id`)
}
