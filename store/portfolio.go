package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"opsdeck/portfolio"
)

const entityColumns = "id, code, name, kind, description, position"

func scanEntity(row interface{ Scan(...any) error }) (portfolio.Entity, error) {
	var e portfolio.Entity
	err := row.Scan(&e.ID, &e.Code, &e.Name, &e.Kind, &e.Description, &e.Position)
	return e, err
}

func listEntities(ctx context.Context, q querier) ([]portfolio.Entity, error) {
	return queryAll(ctx, q, scanEntity, "SELECT "+entityColumns+" FROM entities ORDER BY kind DESC, position, code")
}

// Entities lists the portfolio: operating businesses first.
func (s *Store) Entities(ctx context.Context) ([]portfolio.Entity, error) {
	return listEntities(ctx, s.read)
}

func entityByCode(ctx context.Context, q querier, code string) (portfolio.Entity, error) {
	e, err := scanEntity(q.QueryRowContext(ctx, "SELECT "+entityColumns+" FROM entities WHERE code = ?", code))
	if errors.Is(err, sql.ErrNoRows) {
		return portfolio.Entity{}, portfolio.Errorf(portfolio.ENOTFOUND, "no entity %q (see opsdeck status for the list)", code)
	}
	if err != nil {
		return portfolio.Entity{}, fmt.Errorf("find entity %s: %w", code, err)
	}
	return e, nil
}

const personColumns = "id, name, email, phone, title, role"

func scanPerson(row interface{ Scan(...any) error }) (portfolio.Person, error) {
	var p portfolio.Person
	err := row.Scan(&p.ID, &p.Name, &p.Email, &p.Phone, &p.Title, &p.Role)
	return p, err
}

func listPeople(ctx context.Context, q querier) ([]portfolio.Person, error) {
	return queryAll(ctx, q, scanPerson, "SELECT "+personColumns+" FROM people ORDER BY name, id")
}

// People lists everyone, by name.
func (s *Store) People(ctx context.Context) ([]portfolio.Person, error) {
	return listPeople(ctx, s.read)
}

func listRecipients(ctx context.Context, q querier) ([]portfolio.Recipient, error) {
	cols := "p." + strings.ReplaceAll(personColumns, ", ", ", p.")
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.Recipient, error) {
		var r portfolio.Recipient
		p := &r.Person
		err := row.Scan(&r.Role, &p.ID, &p.Name, &p.Email, &p.Phone, &p.Title, &p.Role)
		return r, err
	}, `SELECT r.report_role, `+cols+` FROM report_recipients r JOIN people p ON p.id = r.person_id
		ORDER BY CASE r.report_role WHEN 'ceo' THEN 1 WHEN 'cto' THEN 2 WHEN 'cmo' THEN 3 WHEN 'cfo' THEN 4 ELSE 5 END, p.name`)
}

// Recipients lists who receives which report.
func (s *Store) Recipients(ctx context.Context) ([]portfolio.Recipient, error) {
	return listRecipients(ctx, s.read)
}
