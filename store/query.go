package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"opsdeck/portfolio"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// queryAll runs query and scans every row with scan.
func queryAll[T any](ctx context.Context, q querier, scan func(interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// insert runs an INSERT and returns the new row id, turning constraint
// failures into application errors that name what was being written.
func (tx *Tx) insert(ctx context.Context, kind, name string, query string, args ...any) (int64, error) {
	res, err := tx.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, constraintError(err, kind, name)
	}
	return res.LastInsertId()
}

// exec runs an UPDATE or DELETE that must touch exactly one row.
func (tx *Tx) execOne(ctx context.Context, kind string, id int64, query string, args ...any) error {
	res, err := tx.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return constraintError(err, kind, fmt.Sprint(id))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return portfolio.Errorf(portfolio.ENOTFOUND, "no %s with id %d", kind, id)
	}
	return nil
}

func constraintError(err error, kind, name string) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("write %s %s: %w", kind, name, err)
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return portfolio.Errorf(portfolio.ECONFLICT, "%s %s already exists", kind, name)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return portfolio.Errorf(portfolio.EINVALID, "%s %s refers to something that does not exist", kind, name)
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return portfolio.Errorf(portfolio.EINVALID, "%s %s has a value out of range: %v", kind, name, err)
	}
	return fmt.Errorf("write %s %s: %w", kind, name, err)
}

// newKey makes a key for a new row of table from title: its slug, or the
// slug with -2, -3... when that is taken (among the rows whose scope column
// is scopeID, where keys are unique per parent).
func (tx *Tx) newKey(ctx context.Context, table, scope string, scopeID int64, title string) (string, error) {
	base := portfolio.Slug(title)
	for n := 1; ; n++ {
		key := base
		if n > 1 {
			key = fmt.Sprintf("%s-%d", base, n)
		}
		query, args := "SELECT count(*) FROM "+table+" WHERE key = ?", []any{key}
		if scope != "" {
			query += " AND " + scope + " = ?"
			args = append(args, scopeID)
		}
		var taken int
		if err := tx.tx.QueryRowContext(ctx, query, args...).Scan(&taken); err != nil {
			return "", fmt.Errorf("make a key for %s: %w", title, err)
		}
		if taken == 0 {
			return key, nil
		}
	}
}

// audit appends an entry to the audit log inside the current transaction,
// so the change and its record commit or vanish together.
func (tx *Tx) audit(ctx context.Context, action, subjectType string, subjectID int64, details any) error {
	if tx.quiet {
		return nil
	}
	b, err := json.Marshal(details)
	if err != nil {
		return fmt.Errorf("audit %s %s: %w", action, subjectType, err)
	}
	var id any
	if subjectID != 0 {
		id = subjectID
	}
	_, err = tx.tx.ExecContext(ctx,
		"INSERT INTO audit_log (at, actor, action, subject_type, subject_id, details) VALUES (?, ?, ?, ?, ?, ?)",
		formatTime(tx.now), tx.actor, action, subjectType, id, string(b))
	if err != nil {
		return fmt.Errorf("audit %s %s: %w", action, subjectType, err)
	}
	return nil
}

// Now is the time stamped on everything this transaction writes.
func (tx *Tx) Now() time.Time { return tx.now }
