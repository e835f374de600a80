package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
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

// AddRecipientByEmail makes the person with email receive role's report.
// Someone not yet known is added, as a guest called name, only when a
// name is given: a mistyped address must not become a new person. It
// returns the person and whether they were added.
func (tx *Tx) AddRecipientByEmail(ctx context.Context, role portfolio.ReportRole, email, name string) (portfolio.Person, bool, error) {
	if !role.Valid() {
		return portfolio.Person{}, false, portfolio.Errorf(portfolio.EINVALID, "unknown report role %q (want one of ceo, cto, cmo, cfo, accounting)", role)
	}
	email = strings.TrimSpace(email)
	if err := portfolio.ValidateEmail(email); err != nil {
		return portfolio.Person{}, false, err
	}
	kind := portfolio.MustKind("person")
	found, err := tx.Record(ctx, kind, email)
	switch {
	case portfolio.ErrorCode(err) == portfolio.ENOTFOUND && strings.TrimSpace(name) == "":
		return portfolio.Person{}, false, portfolio.Errorf(portfolio.ENOTFOUND,
			"nobody has the address %s: give --name to add them, or add them first (opsdeck add person --email %s --name NAME)", email, email)
	case portfolio.ErrorCode(err) == portfolio.ENOTFOUND:
		p := &portfolio.Person{Name: strings.TrimSpace(name), Email: email, Role: portfolio.AccessGuest, Reports: []portfolio.ReportRole{role}}
		_, err := tx.PutRecord(ctx, kind, "", p)
		return *p, true, err
	case err != nil:
		return portfolio.Person{}, false, err
	}
	p := found.(*portfolio.Person)
	if slices.Contains(p.Reports, role) {
		return *p, false, portfolio.Errorf(portfolio.ECONFLICT, "%s already receives the %s report", email, role.Title())
	}
	p.Reports = append(p.Reports, role)
	_, err = tx.PutRecord(ctx, kind, email, p)
	return *p, false, err
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
