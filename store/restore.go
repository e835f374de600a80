package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"opsdeck/portfolio"
)

// This file makes deletes undoable. A delete made through the store first
// captures, in its own transaction, every row it is about to take: the
// row itself and all that the schema's ON DELETE CASCADE takes with it
// (a KPI's readings, an event's phases, items, crew and links), found by
// walking the foreign keys SQLite reports rather than a list kept by
// hand, so a table added later is covered. References that ON DELETE SET
// NULL will clear (a shortfall's entity) are captured too. Restore puts
// all of it back in one transaction, with the same row ids, so whatever
// referred to them refers to them again.

// Deleted is what one or more deletes in a transaction took from the
// database, as the rows were. Tx.Deleted returns it; Store.Restore puts
// it back.
type Deleted struct {
	// What names the first thing deleted, as the user knows it: "KPI YC/REV".
	What string
	// subjectType and subjectID are the first delete's audit subject.
	subjectType string
	subjectID   int64
	rows        []deletedRow
	cleared     []clearedRef
	// seen holds the rows captured, by rowName.
	seen map[string]bool
}

// deletedRow is one row as it was. rowid is kept apart for the tables
// whose row id is not a column of their own (accounts, crew places), so
// the audit log's subject ids still match after a restore.
type deletedRow struct {
	table string
	rowid int64
	cols  []string
	vals  []any
}

// clearedRef is a reference that ON DELETE SET NULL cleared in a row that
// stayed.
type clearedRef struct {
	table string
	rowid int64
	cols  []string
	vals  []any
}

// Summary says what a restore of d brings back: "KPI YC/REV and 12 KPI
// readings".
func (d *Deleted) Summary() string {
	counts := map[string]int{}
	var order []string
	for i, r := range d.rows {
		if i == 0 {
			continue
		}
		n, ok := tableNouns[r.table]
		if !ok || n[0] == "" {
			continue // the machinery behind a crew link: sessions, tokens
		}
		if counts[r.table] == 0 {
			order = append(order, r.table)
		}
		counts[r.table]++
	}
	parts := []string{d.What}
	for _, t := range order {
		n := tableNouns[t]
		parts = append(parts, portfolio.Plural(int64(counts[t]), n[0], n[1]))
	}
	switch len(parts) {
	case 1:
		return parts[0]
	case 2:
		return parts[0] + " and " + parts[1]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// tableNouns names a table's rows in words, one and many; an empty noun
// leaves the table out of a summary. The portfolio kinds' tables take
// their kind's nouns (see init).
var tableNouns = map[string][2]string{
	"report_recipients":   {"report recipient", "report recipients"},
	"crew_links":          {"crew link", "crew links"},
	"crew_sessions":       {"", ""},
	"crew_refresh_tokens": {"", ""},
	"checklist_log":       {"checklist log entry", "checklist log entries"},
	"suppressions":        {"suppressed address", "suppressed addresses"},
}

func init() {
	for _, k := range portfolio.Kinds {
		if t, ok := tables[k.Name]; ok {
			tableNouns[t.name] = [2]string{k.Noun(), k.Nouns()}
		}
	}
}

// Deleted returns what the deletes made so far in tx took, nil if none
// did.
func (tx *Tx) Deleted() *Deleted {
	if tx.deleted == nil || len(tx.deleted.rows) == 0 {
		return nil
	}
	return tx.deleted
}

// foreignKey is one foreign key: child(from...) REFERENCES parent(to...).
type foreignKey struct {
	child, parent string
	from, to      []string
	onDelete      string
	// nullable reports whether every from column may be NULL.
	nullable bool
}

// schemaInfo is what capturing and restoring need to know of the schema.
type schemaInfo struct {
	// into lists the foreign keys that point at a table; out those a
	// table's rows hold.
	into, out map[string][]foreignKey
	// rowidAlias is the INTEGER PRIMARY KEY column of a table that has
	// one.
	rowidAlias map[string]string
}

func (tx *Tx) schema(ctx context.Context) (*schemaInfo, error) {
	if tx.schemaInfo != nil {
		return tx.schemaInfo, nil
	}
	names, err := queryAll(ctx, tx.tx, func(row interface{ Scan(...any) error }) (string, error) {
		var s string
		return s, row.Scan(&s)
	}, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("read the schema: %w", err)
	}
	si := &schemaInfo{into: map[string][]foreignKey{}, out: map[string][]foreignKey{}, rowidAlias: map[string]string{}}
	for _, t := range names {
		notNull := map[string]bool{}
		var pks []string
		rows, err := tx.tx.QueryContext(ctx, "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)", t)
		if err != nil {
			return nil, fmt.Errorf("read the schema of %s: %w", t, err)
		}
		for rows.Next() {
			var name, typ string
			var nn, pk int
			if err := rows.Scan(&name, &typ, &nn, &pk); err != nil {
				rows.Close()
				return nil, err
			}
			notNull[name] = nn == 1
			if pk > 0 {
				pks = append(pks, name+" "+strings.ToUpper(typ))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(pks) == 1 && strings.HasSuffix(pks[0], " INTEGER") {
			si.rowidAlias[t] = strings.TrimSuffix(pks[0], " INTEGER")
		}
		fks := map[int64]*foreignKey{}
		var ids []int64
		rows, err = tx.tx.QueryContext(ctx, "SELECT id, seq, \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq", t)
		if err != nil {
			return nil, fmt.Errorf("read the foreign keys of %s: %w", t, err)
		}
		for rows.Next() {
			var id, seq int64
			var parent, from, onDelete string
			var to *string
			if err := rows.Scan(&id, &seq, &parent, &from, &to, &onDelete); err != nil {
				rows.Close()
				return nil, err
			}
			fk := fks[id]
			if fk == nil {
				fk = &foreignKey{child: t, parent: parent, onDelete: strings.ToUpper(onDelete), nullable: true}
				fks[id] = fk
				ids = append(ids, id)
			}
			fk.from = append(fk.from, from)
			fk.to = append(fk.to, deref(to))
			fk.nullable = fk.nullable && !notNull[from]
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, id := range ids {
			si.out[t] = append(si.out[t], *fks[id])
		}
	}
	// A reference naming no column means the parent's primary key, which
	// is its row id alias in this schema.
	for t, fks := range si.out {
		for i := range fks {
			for j, c := range fks[i].to {
				if c == "" {
					fks[i].to[j] = cmpOr(si.rowidAlias[fks[i].parent], "rowid")
				}
			}
			si.into[fks[i].parent] = append(si.into[fks[i].parent], fks[i])
		}
		si.out[t] = fks
	}
	tx.schemaInfo = si
	return si, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// capture records, before a delete, the rows of table that where
// matches and all that cascades from them, under what (the thing as the
// user names it) and the audit subject. A row captured already in this
// transaction is not captured twice.
func (tx *Tx) capture(ctx context.Context, what, subjectType string, subjectID int64, table, where string, args ...any) error {
	si, err := tx.schema(ctx)
	if err != nil {
		return err
	}
	if tx.deleted == nil {
		tx.deleted = &Deleted{What: what, subjectType: subjectType, subjectID: subjectID, seen: map[string]bool{}}
	}
	d := tx.deleted
	seen := d.seen
	start := len(d.rows)
	found, err := tx.selectRows(ctx, table, where, args...)
	if err != nil {
		return err
	}
	for _, r := range found {
		if !seen[rowName(r.table, r.rowid)] {
			seen[rowName(r.table, r.rowid)] = true
			d.rows = append(d.rows, r)
		}
	}
	// Breadth first: each row is found through a parent captured before
	// it, so the rows are in an order they can be inserted in.
	for i := start; i < len(d.rows); i++ {
		r := d.rows[i]
		for _, fk := range si.into[r.table] {
			vals, ok := r.values(fk.to)
			if !ok {
				continue
			}
			conds := make([]string, len(fk.from))
			for j, c := range fk.from {
				conds[j] = quoteIdent(c) + " = ?"
			}
			children, err := tx.selectRows(ctx, fk.child, strings.Join(conds, " AND "), vals...)
			if err != nil {
				return err
			}
			for _, c := range children {
				switch fk.onDelete {
				case "CASCADE":
					if !seen[rowName(c.table, c.rowid)] {
						seen[rowName(c.table, c.rowid)] = true
						d.rows = append(d.rows, c)
					}
				case "SET NULL", "SET DEFAULT":
					d.cleared = append(d.cleared, clearedRef{table: c.table, rowid: c.rowid, cols: fk.from, vals: vals})
				}
			}
		}
	}
	return nil
}

func rowName(table string, rowid int64) string { return fmt.Sprint(table, "#", rowid) }

// values returns the row's values of cols; ok is false if any is NULL
// (a NULL references nothing).
func (r deletedRow) values(cols []string) ([]any, bool) {
	out := make([]any, len(cols))
	for i, c := range cols {
		v, found := r.value(c)
		if !found || v == nil {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

func (r deletedRow) value(col string) (any, bool) {
	if col == "rowid" {
		return r.rowid, true
	}
	for i, c := range r.cols {
		if strings.EqualFold(c, col) {
			return r.vals[i], true
		}
	}
	return nil, false
}

// selectRows reads whole rows of table, with their row ids.
func (tx *Tx) selectRows(ctx context.Context, table, where string, args ...any) ([]deletedRow, error) {
	rows, err := tx.tx.QueryContext(ctx, "SELECT rowid, * FROM "+quoteIdent(table)+" WHERE "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s for undo: %w", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []deletedRow
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read %s for undo: %w", table, err)
		}
		id, _ := vals[0].(int64)
		out = append(out, deletedRow{table: table, rowid: id, cols: cols[1:], vals: vals[1:]})
	}
	return out, rows.Err()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Restore puts back, in one transaction on behalf of actor, what a delete
// took (see Tx.Deleted): every row with its id, and the references the
// delete cleared that are still clear. It refuses, changing nothing, if
// a row's key or id has been taken since, or a row it refers to that did
// not go with it is gone; a reference that would have been cleared by
// that parent's delete is restored cleared instead.
func (s *Store) Restore(ctx context.Context, actor string, d *Deleted) error {
	return s.Update(ctx, actor, func(tx *Tx) error { return tx.Restore(ctx, d) })
}

// Restore is Store.Restore inside a transaction.
func (tx *Tx) Restore(ctx context.Context, d *Deleted) error {
	if d == nil || len(d.rows) == 0 {
		return portfolio.Errorf(portfolio.EINVALID, "nothing to restore")
	}
	si, err := tx.schema(ctx)
	if err != nil {
		return err
	}
	// The rows go in parents first, but a row may refer to another that
	// comes later in the snapshot (an item's claimant restored with the
	// same person): the keys are checked at commit, and beforehand here,
	// so a refusal can say what is missing.
	if _, err := tx.tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	// What the snapshot's rows can be referred to by, and what the
	// database has been found to hold, so a snapshot of thousands of
	// rows is not searched, nor the database asked, once per reference.
	held := map[string]bool{}
	gone := map[string]bool{}
	for _, r := range d.rows {
		held[rowName(r.table, r.rowid)] = true
		for _, fk := range si.into[r.table] {
			if vals, ok := r.values(fk.to); ok {
				held[refName(fk.parent, fk.to, vals)] = true
			}
		}
	}
	inSnapshot := func(table string, cols []string, vals []any) bool { return held[refName(table, cols, vals)] }
	restored := map[string]int{}
	var cleared int
	for _, r := range d.rows {
		vals := append([]any(nil), r.vals...)
		for _, fk := range si.out[r.table] {
			ref, ok := r.values(fk.from)
			if !ok || inSnapshot(fk.parent, fk.to, ref) {
				continue
			}
			name := refName(fk.parent, fk.to, ref)
			if !gone[name] {
				exists, err := tx.exists(ctx, fk.parent, fk.to, ref)
				if err != nil {
					return err
				}
				if exists {
					held[name] = true
					continue
				}
				gone[name] = true
			}
			if fk.onDelete == "SET NULL" && fk.nullable {
				for _, c := range fk.from {
					for i, rc := range r.cols {
						if strings.EqualFold(rc, c) {
							vals[i] = nil
						}
					}
				}
				cleared++
				continue
			}
			return portfolio.Errorf(portfolio.ECONFLICT, "cannot restore %s: the %s it belongs to (%s) is gone",
				d.What, singular(fk.parent), joinValues(ref))
		}
		cols := r.cols
		if si.rowidAlias[r.table] == "" {
			cols = append([]string{"rowid"}, cols...)
			vals = append([]any{r.rowid}, vals...)
		}
		quoted := make([]string, len(cols))
		for i, c := range cols {
			quoted[i] = quoteIdent(c)
		}
		q := "INSERT INTO " + quoteIdent(r.table) + " (" + strings.Join(quoted, ", ") + ") VALUES (" +
			strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
		if _, err := tx.tx.ExecContext(ctx, q, vals...); err != nil {
			return restoreError(err, d, r)
		}
		restored[r.table]++
	}
	var refs int
	for _, c := range d.cleared {
		if held[rowName(c.table, c.rowid)] {
			continue // it went too, and came back whole
		}
		set := make([]string, len(c.cols))
		cond := make([]string, len(c.cols))
		for i, col := range c.cols {
			set[i] = quoteIdent(col) + " = ?"
			cond[i] = quoteIdent(col) + " IS NULL"
		}
		// Only a reference still clear: one set again since was someone's
		// choice and stays.
		res, err := tx.tx.ExecContext(ctx, "UPDATE "+quoteIdent(c.table)+" SET "+strings.Join(set, ", ")+
			" WHERE rowid = ? AND "+strings.Join(cond, " AND "), append(append([]any{}, c.vals...), c.rowid)...)
		if err != nil {
			return fmt.Errorf("restore a reference in %s: %w", c.table, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			refs++
		}
	}
	var tables []string
	for t := range restored {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	rows := map[string]int{}
	for _, t := range tables {
		rows[t] = restored[t]
	}
	details := map[string]any{"restored": d.Summary(), "rows": rows}
	if refs > 0 {
		details["references_set_again"] = refs
	}
	if cleared > 0 {
		details["references_left_clear"] = cleared
	}
	return tx.audit(ctx, "restore", d.subjectType, d.subjectID, details)
}

func (tx *Tx) exists(ctx context.Context, table string, cols []string, vals []any) (bool, error) {
	conds := make([]string, len(cols))
	for i, c := range cols {
		conds[i] = quoteIdent(c) + " = ?"
	}
	var one int
	err := tx.tx.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(table)+" WHERE "+strings.Join(conds, " AND "), vals...).Scan(&one)
	if err != nil {
		return false, fmt.Errorf("restore: look up %s: %w", table, err)
	}
	return one > 0, nil
}

// restoreError says why a row could not go back.
func restoreError(err error, d *Deleted, r deletedRow) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_ROWID:
			return portfolio.Errorf(portfolio.ECONFLICT, "cannot restore %s: a %s added since has taken the id of %s", d.What, singular(r.table), r.describe())
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return portfolio.Errorf(portfolio.ECONFLICT, "cannot restore %s: a %s added since has the same key as %s", d.What, singular(r.table), r.describe())
		}
	}
	return fmt.Errorf("restore %s: %s: %w", d.What, r.table, err)
}

// describe names a row by its best label: "KPI revenue".
func (r deletedRow) describe() string {
	for _, c := range []string{"code", "key", "name", "title", "email", "address", "month"} {
		if v, ok := r.value(c); ok && v != nil {
			return fmt.Sprintf("%s %v", singular(r.table), v)
		}
	}
	return fmt.Sprintf("%s %d", singular(r.table), r.rowid)
}

func singular(table string) string {
	if n, ok := tableNouns[table]; ok && n[0] != "" {
		return n[0]
	}
	return strings.ReplaceAll(table, "_", " ")
}

// refName names what a reference to table(cols) = vals points at.
func refName(table string, cols []string, vals []any) string {
	return fmt.Sprintf("%s(%s)=%#v", table, strings.Join(cols, ","), vals)
}

func joinValues(vs []any) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprint(v)
	}
	return "id " + strings.Join(parts, "/")
}
