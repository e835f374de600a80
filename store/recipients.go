package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"opsdeck/portfolio"
)

func personByEmail(ctx context.Context, q querier, email string) (portfolio.Person, error) {
	p, err := scanPerson(q.QueryRowContext(ctx, "SELECT "+personColumns+" FROM people WHERE email = ?", strings.TrimSpace(email)))
	if errors.Is(err, sql.ErrNoRows) {
		return p, portfolio.Errorf(portfolio.ENOTFOUND, "nobody has the address %s (opsdeck people lists everyone)", email)
	}
	return p, err
}

// AddRecipientByEmail makes the person with email receive role's report,
// creating the person (as a guest named name) if there is none. It returns
// the person and whether they were created.
func (tx *Tx) AddRecipientByEmail(ctx context.Context, role portfolio.ReportRole, email, name string) (portfolio.Person, bool, error) {
	if !role.Valid() {
		return portfolio.Person{}, false, portfolio.Errorf(portfolio.EINVALID, "unknown report role %q (want one of ceo, cto, cmo, cfo, accounting)", role)
	}
	email = strings.TrimSpace(email)
	if err := portfolio.ValidateEmail(email); err != nil {
		return portfolio.Person{}, false, err
	}
	p, err := personByEmail(ctx, tx.tx, email)
	created := false
	if portfolio.ErrorCode(err) == portfolio.ENOTFOUND {
		if strings.TrimSpace(name) == "" {
			name, _, _ = strings.Cut(email, "@")
		}
		p = portfolio.Person{Name: name, Email: email, Role: portfolio.AccessGuest}
		if err := tx.CreatePerson(ctx, &p); err != nil {
			return p, false, err
		}
		created = true
	} else if err != nil {
		return p, false, err
	}
	var n int
	if err := tx.tx.QueryRowContext(ctx, "SELECT count(*) FROM report_recipients WHERE report_role = ? AND person_id = ?", role, p.ID).Scan(&n); err != nil {
		return p, false, err
	}
	if n > 0 {
		return p, false, portfolio.Errorf(portfolio.ECONFLICT, "%s already receives the %s report", email, role.Title())
	}
	return p, created, tx.AddRecipient(ctx, role, p.ID)
}

// RemoveRecipient stops the person with email receiving role's report.
func (tx *Tx) RemoveRecipient(ctx context.Context, role portfolio.ReportRole, email string) error {
	if !role.Valid() {
		return portfolio.Errorf(portfolio.EINVALID, "unknown report role %q (want one of ceo, cto, cmo, cfo, accounting)", role)
	}
	p, err := personByEmail(ctx, tx.tx, email)
	if err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, "DELETE FROM report_recipients WHERE report_role = ? AND person_id = ?", role, p.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return portfolio.Errorf(portfolio.ENOTFOUND, "%s does not receive the %s report", email, role.Title())
	}
	return tx.audit(ctx, "remove_recipient", "person", p.ID, map[string]any{"role": role})
}
