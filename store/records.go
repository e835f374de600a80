package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"opsdeck/portfolio"
)

// This file stores the records of every portfolio kind (portfolio.Kinds)
// through one path: each kind's table says where its fields live, and the
// rest (reading, finding by key, adding, changing, removing with what
// depends on it) is the same for all of them.

// table says where a kind's records live.
type table struct {
	name string
	// id is the column a reference to the kind stores, "" when references
	// store the key itself (accounts by code).
	id string
	// columns maps a field to its column; a reference maps to the column
	// holding the row id it resolves to.
	columns map[string]string
	// order sorts the records as they are listed and exported: creation
	// order where there is a row id, which an import keeps.
	order string
	// position is the field a zero position is filled in, counted within
	// the rows sharing the column within.
	position, within string
	// fill gives a new record what it takes from the moment it is made.
	fill func(r portfolio.Record, now time.Time)
	// read adjusts a record as read: an event's times in its own zone.
	read func(r portfolio.Record)
}

func cols(pairs ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i < len(pairs); i += 2 {
		m[pairs[i]] = pairs[i+1]
	}
	return m
}

var tables = map[string]*table{
	"entity": {name: "entities", id: "id", order: "kind DESC, position, code", position: "position",
		columns: cols("code", "code", "name", "name", "kind", "kind", "description", "description", "position", "position")},
	"person": {name: "people", id: "id", order: "id",
		columns: cols("email", "email", "name", "name", "phone", "phone", "title", "title", "role", "role")},
	"account": {name: "accounts", order: "code",
		columns: cols("code", "code", "name", "name", "type", "type", "parent", "parent_code", "description", "description")},
	"kpi": {name: "kpis", id: "id", order: "id",
		columns: cols("entity", "entity_id", "key", "key", "name", "name", "unit", "unit", "direction", "direction",
			"target", "target", "tolerance", "tolerance", "owner", "owner_role")},
	"reading": {name: "kpi_readings", id: "id", order: "kpi_id, taken_at, id",
		columns: cols("kpi", "kpi_id", "taken_at", "taken_at", "value", "value", "note", "note")},
	"shortfall": {name: "shortfalls", id: "id", order: "id",
		columns: cols("key", "key", "entity", "entity_id", "title", "title", "detail", "detail", "owner", "owner_role",
			"severity", "severity", "monthly_impact", "monthly_impact_cents", "effort_days", "effort_days", "status", "status",
			"opened_on", "opened_on", "resolved_on", "resolved_on"),
		fill: func(r portfolio.Record, now time.Time) {
			if s := r.(*portfolio.Shortfall); s.OpenedOn.IsZero() {
				s.OpenedOn = portfolio.DateOf(now)
			}
		}},
	"action": {name: "actions", id: "id", order: "id",
		columns: cols("key", "key", "shortfall", "shortfall_id", "title", "title", "owner", "owner_role", "person", "person_id",
			"due_on", "due_on", "status", "status", "done_on", "done_on")},
	"cost-line": {name: "cost_lines", id: "id", order: "id",
		columns: cols("key", "key", "entity", "entity_id", "category", "category", "vendor", "vendor", "description", "description",
			"low", "low_cents", "high", "high_cents", "account", "account_code", "audit_note", "audit_note")},
	"unit-economics": {name: "unit_economics", order: "entity_id",
		columns: cols("entity", "entity_id", "unit", "unit", "price", "price_cents", "variable_cost", "variable_cost_cents",
			"basis", "fixed_cost_basis")},
	"revenue-month": {name: "revenue_months", order: "month, entity_id",
		columns: cols("entity", "entity_id", "month", "month", "target", "target_cents", "actual", "actual_cents")},
	"capital-tier": {name: "capital_tiers", id: "id", order: "id", position: "position",
		columns: cols("key", "key", "position", "position", "name", "name", "policy", "policy", "max", "max_cents",
			"description", "description", "examples", "examples")},
	"financial-rule": {name: "financial_rules", id: "id", order: "id", position: "position",
		columns: cols("key", "key", "position", "position", "rule", "rule", "rationale", "rationale")},
	"channel": {name: "channels", id: "id", order: "id",
		columns: cols("entity", "entity_id", "name", "name", "kind", "kind", "status", "status", "audience", "audience_size",
			"sequence", "sequence", "value_low", "value_low_cents", "value_high", "value_high_cents", "notes", "notes")},
	"channel-task": {name: "channel_tasks", id: "id", order: "id", position: "position", within: "channel_id",
		columns: cols("channel", "channel_id", "key", "key", "position", "position", "title", "title", "due_on", "due_on", "done_on", "done_on")},
	"finding": {name: "findings", id: "id", order: "id",
		columns: cols("key", "key", "entity", "entity_id", "stack", "stack", "category", "category", "severity", "severity",
			"title", "title", "detail", "detail", "remediation", "remediation", "monthly_saving", "monthly_saving_cents",
			"effort_days", "effort_days", "status", "status")},
	"dev-gap": {name: "dev_gaps", id: "id", order: "id", position: "position",
		columns: cols("key", "key", "position", "position", "title", "title", "detail", "detail", "status", "status")},
	"recognition-gap": {name: "recognition_gaps", id: "id", order: "id",
		columns: cols("key", "key", "entity", "entity_id", "title", "title", "detail", "detail", "severity", "severity", "status", "status")},
	"milestone": {name: "milestones", id: "id", order: "id", position: "position",
		columns: cols("key", "key", "position", "position", "title", "title", "criteria", "criteria", "due_on", "due_on", "done_on", "done_on")},
	"event": {name: "events", id: "id", order: "departs_at, id",
		read: func(r portfolio.Record) {
			e := r.(*portfolio.Event)
			e.DepartsAt = portfolio.InZone(e.DepartsAt, e.TimeZone)
		},
		columns: cols("key", "key", "entity", "entity_id", "kind", "kind", "title", "title", "location", "location",
			"departs_at", "departs_at", "time_zone", "time_zone", "duration", "duration_minutes", "crew_call", "crew_call_minutes",
			"boarding", "boarding_minutes", "turnaround", "turnaround_minutes", "guests", "guests", "status", "status", "notes", "notes")},
	"crew": {name: "event_crew", order: "event_id, person_id",
		columns: cols("event", "event_id", "person", "person_id", "role", "role")},
	"phase": {name: "checklist_phases", id: "id", order: "id", position: "position", within: "event_id",
		columns: cols("event", "event_id", "name", "name", "position", "position")},
	"item": {name: "checklist_items", id: "id", order: "id", position: "position", within: "phase_id",
		columns: cols("phase", "phase_id", "key", "key", "position", "position", "title", "title", "required_role", "required_role",
			"mandatory", "mandatory", "note", "note", "claimed_by", "claimed_by", "claimed_at", "claimed_at", "done_by", "done_by",
			"done_at", "done_at")},
	"schedule": {name: "schedules", order: "CASE report_role WHEN 'ceo' THEN 1 WHEN 'cto' THEN 2 WHEN 'cmo' THEN 3 WHEN 'cfo' THEN 4 ELSE 5 END",
		columns: cols("role", "report_role", "cron", "cron", "time_zone", "time_zone", "weekdays_only", "weekdays_only", "enabled", "enabled")},
}

// records reads and writes records of every kind through one querier (the
// read pool, or a write transaction), remembering each kind's keys and ids
// for the references it resolves.
type records struct {
	q     querier
	index map[string]*keyIndex
}

// keyIndex is one kind's records by key and by id.
type keyIndex struct {
	recs  []portfolio.Record
	byKey map[string]portfolio.Record
	keyOf map[int64]string
	idOf  map[string]int64
}

func newRecords(q querier) *records { return &records{q: q, index: map[string]*keyIndex{}} }

// remember puts a record just written into its kind's index (if the kind
// has been read), replacing what was there under oldKey, so a long import
// does not read a kind again after every record.
func (rs *records) remember(k *portfolio.Kind, oldKey string, rec portfolio.Record, id int64) {
	ix, ok := rs.index[k.Name]
	if !ok {
		return
	}
	if oldKey != "" {
		rs.drop(k, oldKey)
	}
	key := strings.ToLower(k.Key(rec))
	ix.recs = append(ix.recs, rec)
	ix.byKey[key], ix.idOf[key], ix.keyOf[id] = rec, id, k.Key(rec)
}

// drop takes a record out of its kind's index.
func (rs *records) drop(k *portfolio.Kind, key string) {
	ix, ok := rs.index[k.Name]
	if !ok {
		return
	}
	key = strings.ToLower(key)
	old := ix.byKey[key]
	delete(ix.keyOf, ix.idOf[key])
	delete(ix.byKey, key)
	delete(ix.idOf, key)
	for i, r := range ix.recs {
		if r == old {
			ix.recs = append(ix.recs[:i:i], ix.recs[i+1:]...)
			break
		}
	}
}

// kindIndex reads (once) every record of kind and indexes them.
func (rs *records) kindIndex(ctx context.Context, k *portfolio.Kind) (*keyIndex, error) {
	if ix, ok := rs.index[k.Name]; ok {
		return ix, nil
	}
	recs, ids, err := rs.list(ctx, k)
	if err != nil {
		return nil, err
	}
	ix := &keyIndex{recs: recs, byKey: map[string]portfolio.Record{}, keyOf: map[int64]string{}, idOf: map[string]int64{}}
	for i, r := range recs {
		key := strings.ToLower(k.Key(r))
		ix.byKey[key] = r
		ix.keyOf[ids[i]] = k.Key(r)
		ix.idOf[key] = ids[i]
	}
	rs.index[k.Name] = ix
	return ix, nil
}

// list reads every record of kind, with the row ids references store.
func (rs *records) list(ctx context.Context, k *portfolio.Kind) ([]portfolio.Record, []int64, error) {
	t := tables[k.Name]
	idCol := t.id
	if idCol == "" {
		idCol = "rowid"
	}
	names := make([]string, 0, len(k.Fields))
	var columns []string
	for _, f := range k.Fields {
		if c, ok := t.columns[f.Name]; ok {
			names = append(names, f.Name)
			columns = append(columns, c)
		}
	}
	rows, err := rs.q.QueryContext(ctx, "SELECT "+idCol+", "+strings.Join(columns, ", ")+" FROM "+t.name+" ORDER BY "+t.order)
	if err != nil {
		return nil, nil, fmt.Errorf("list %s: %w", k.Plural, err)
	}
	type raw struct {
		id   int64
		vals []any
	}
	var raws []raw
	for rows.Next() {
		r := raw{vals: make([]any, len(columns))}
		dest := []any{&r.id}
		for i := range r.vals {
			dest = append(dest, &r.vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("list %s: %w", k.Plural, err)
		}
		raws = append(raws, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("list %s: %w", k.Plural, err)
	}
	// References come back as row ids; their keys come from the kinds they
	// name (read after this kind's rows are closed: one connection may be
	// all there is).
	recs := make([]portfolio.Record, 0, len(raws))
	ids := make([]int64, 0, len(raws))
	for _, r := range raws {
		rec := k.New()
		if id := k.ID(rec); id != nil {
			*id = r.id
		}
		for i, name := range names {
			f, _ := k.Field(name)
			if err := rs.setColumn(ctx, f, rec, r.vals[i]); err != nil {
				return nil, nil, fmt.Errorf("list %s: %w", k.Plural, err)
			}
		}
		if t.read != nil {
			t.read(rec)
		}
		recs = append(recs, rec)
		ids = append(ids, r.id)
	}
	if k.Name == "person" {
		if err := rs.fillReports(ctx, recs); err != nil {
			return nil, nil, err
		}
	}
	return recs, ids, nil
}

// setColumn stores a column's value in the field of rec.
func (rs *records) setColumn(ctx context.Context, f *portfolio.Field, rec portfolio.Record, v any) error {
	if f.Type == portfolio.RefField {
		if v == nil {
			return nil
		}
		if f.RefID(rec) == nil {
			f.SetValue(rec, fmt.Sprint(v))
			return nil
		}
		id, _ := v.(int64)
		*f.RefID(rec) = id
		refKind, _ := portfolio.KindNamed(f.Ref)
		ix, err := rs.kindIndex(ctx, refKind)
		if err != nil {
			return err
		}
		f.SetValue(rec, ix.keyOf[id])
		return nil
	}
	if v == nil {
		if f.Optional {
			f.SetValue(rec, nil)
		}
		return nil
	}
	switch f.Type {
	case portfolio.TextField, portfolio.LongTextField, portfolio.ChoiceField:
		f.SetValue(rec, fmt.Sprint(v))
	case portfolio.IntField:
		f.SetValue(rec, toInt(v))
	case portfolio.MoneyField:
		f.SetValue(rec, portfolio.Money(toInt(v)))
	case portfolio.BoolField:
		f.SetValue(rec, toInt(v) != 0)
	case portfolio.NumberField:
		switch n := v.(type) {
		case float64:
			f.SetValue(rec, n)
		case int64:
			f.SetValue(rec, float64(n))
		}
	case portfolio.DateField:
		s := fmt.Sprint(v)
		d, err := scanDate(&s)
		if err != nil {
			return err
		}
		f.SetValue(rec, d)
	case portfolio.TimeField:
		s := fmt.Sprint(v)
		t, err := scanTime(&s)
		if err != nil {
			return err
		}
		f.SetValue(rec, t)
	default:
		return fmt.Errorf("field %s: type %s has no column", f.Name, f.Type)
	}
	return nil
}

func toInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	case bool:
		if n {
			return 1
		}
	}
	return 0
}

// column is the value to store for the field of rec.
func column(f *portfolio.Field, rec portfolio.Record) any {
	if f.Type == portfolio.RefField {
		if id := f.RefID(rec); id != nil {
			return nullID(*id)
		}
		if s := f.Value(rec).(string); s != "" {
			return s
		}
		return nil
	}
	switch v := f.Value(rec).(type) {
	case nil:
		return nil
	case portfolio.Money:
		return int64(v)
	case portfolio.Date:
		return dateColumn(v)
	case time.Time:
		return timeColumn(v)
	case bool:
		if v {
			return 1
		}
		return 0
	default:
		return v
	}
}

// fillReports gives each person the reports they receive.
func (rs *records) fillReports(ctx context.Context, people []portfolio.Record) error {
	recipients, err := listRecipients(ctx, rs.q)
	if err != nil {
		return err
	}
	byID := map[int64]*portfolio.Person{}
	for _, r := range people {
		p := r.(*portfolio.Person)
		p.Reports = []portfolio.ReportRole{}
		byID[p.ID] = p
	}
	for _, rc := range recipients {
		if p := byID[rc.Person.ID]; p != nil {
			p.Reports = append(p.Reports, rc.Role)
		}
	}
	return nil
}

// find returns the record of kind with key, and its row id.
func (rs *records) find(ctx context.Context, k *portfolio.Kind, key string) (portfolio.Record, int64, error) {
	ix, err := rs.kindIndex(ctx, k)
	if err != nil {
		return nil, 0, err
	}
	r, ok := ix.byKey[strings.ToLower(key)]
	if !ok {
		// The key as the kind writes it: a reading's time typed with an
		// offset names the reading kept in UTC.
		if fresh := k.New(); k.SetKey(fresh, key) == nil {
			key = k.Key(fresh)
			r, ok = ix.byKey[strings.ToLower(key)]
		}
	}
	if !ok {
		return nil, 0, portfolio.Errorf(portfolio.ENOTFOUND, "no %s %q (opsdeck list %s shows them)", k.Name, key, k.Name)
	}
	return r, ix.idOf[strings.ToLower(key)], nil
}

// resolve turns the keys rec's references hold into the row ids stored.
func (rs *records) resolve(ctx context.Context, k *portfolio.Kind, rec portfolio.Record) error {
	for i := range k.Fields {
		f := &k.Fields[i]
		if f.Type != portfolio.RefField {
			continue
		}
		key := f.Text(rec)
		if id := f.RefID(rec); id != nil {
			*id = 0
		}
		if key == "" {
			if f.Required {
				return portfolio.Errorf(portfolio.EINVALID, "%s is required", f.Name)
			}
			continue
		}
		refKind, _ := portfolio.KindNamed(f.Ref)
		ix, err := rs.kindIndex(ctx, refKind)
		if err != nil {
			return err
		}
		target, ok := ix.byKey[strings.ToLower(key)]
		if !ok {
			return portfolio.Errorf(portfolio.EINVALID, "%s: no %s %q", f.Name, refKind.Name, key)
		}
		// The key as stored, whatever case it was typed in.
		f.SetValue(rec, refKind.Key(target))
		if id := f.RefID(rec); id != nil {
			*id = ix.idOf[strings.ToLower(key)]
		}
	}
	return nil
}

// Records lists every record of kind k, as one consistent read.
func (s *Store) Records(ctx context.Context, k *portfolio.Kind) ([]portfolio.Record, error) {
	var out []portfolio.Record
	err := s.View(ctx, func(tx *sql.Tx) error {
		recs, _, err := newRecords(tx).list(ctx, k)
		out = recs
		return err
	})
	return out, err
}

// Portfolio reads the portfolio's name and every record of every kind, as
// one consistent read: what a portfolio file holds.
func (s *Store) Portfolio(ctx context.Context) (name string, recs map[string][]portfolio.Record, err error) {
	recs = map[string][]portfolio.Record{}
	err = s.View(ctx, func(tx *sql.Tx) error {
		var err error
		if name, err = metaValue(ctx, tx, "portfolio_name", ""); err != nil {
			return err
		}
		rs := newRecords(tx)
		for _, k := range portfolio.Kinds {
			ix, err := rs.kindIndex(ctx, k)
			if err != nil {
				return err
			}
			recs[k.Name] = ix.recs
		}
		return nil
	})
	return name, recs, err
}

// PortfolioName is the portfolio's name, "" when it has none yet.
func (s *Store) PortfolioName(ctx context.Context) (string, error) {
	return metaValue(ctx, s.read, "portfolio_name", "")
}

// Record finds the record of kind k with key.
func (s *Store) Record(ctx context.Context, k *portfolio.Kind, key string) (portfolio.Record, error) {
	var out portfolio.Record
	err := s.View(ctx, func(tx *sql.Tx) error {
		r, _, err := newRecords(tx).find(ctx, k, key)
		out = r
		return err
	})
	return out, err
}

// recordsTx is the transaction's record reader, made on first use.
func (tx *Tx) recordsTx() *records {
	if tx.recs == nil {
		tx.recs = newRecords(tx.tx)
	}
	return tx.recs
}

// Records lists every record of kind k, inside the transaction.
func (tx *Tx) Records(ctx context.Context, k *portfolio.Kind) ([]portfolio.Record, error) {
	ix, err := tx.recordsTx().kindIndex(ctx, k)
	if err != nil {
		return nil, err
	}
	return append([]portfolio.Record{}, ix.recs...), nil
}

// PortfolioName is the portfolio's name, inside the transaction.
func (tx *Tx) PortfolioName(ctx context.Context) (string, error) {
	return metaValue(ctx, tx.tx, "portfolio_name", "")
}

// Record finds the record of kind k with key, inside the transaction.
func (tx *Tx) Record(ctx context.Context, k *portfolio.Kind, key string) (portfolio.Record, error) {
	r, _, err := tx.recordsTx().find(ctx, k, key)
	return r, err
}

// PutRecord writes rec: a new record when key is "", else the change of the
// record with key (whose key may change with it). It fills what a new
// record takes by default (a key from its title, the next position),
// checks the record, resolves its references and writes one audit entry.
// It reports whether the record is new.
func (tx *Tx) PutRecord(ctx context.Context, k *portfolio.Kind, key string, rec portfolio.Record) (created bool, err error) {
	t := tables[k.Name]
	rs := tx.recordsTx()
	var oldID int64
	var before portfolio.Record
	if key != "" {
		old, id, err := rs.find(ctx, k, key)
		if err != nil {
			return false, err
		}
		oldID = id
		// A copy: what the audit log says it was, whatever rec does to old.
		before = k.Copy(old)
		if p := k.ID(rec); p != nil {
			*p = *k.ID(old)
		}
	}
	if key == "" && t.fill != nil {
		t.fill(rec, tx.now)
	}
	if err := rs.resolve(ctx, k, rec); err != nil {
		return false, err
	}
	if err := tx.fillDefaults(ctx, k, t, rec); err != nil {
		return false, err
	}
	if err := rec.Validate(); err != nil {
		return false, err
	}
	if k.Name == "reading" {
		if err := tx.checkUnit(ctx, k, rec); err != nil {
			return false, err
		}
	}
	// One key, one record: a second reading at the same moment, or a
	// change that takes another record's key, is refused by name rather
	// than left for the reader to find twice.
	if newKey := k.Key(rec); key == "" || !strings.EqualFold(key, newKey) {
		if _, _, err := rs.find(ctx, k, newKey); err == nil {
			return false, portfolio.Errorf(portfolio.ECONFLICT, "%s %q already exists", k.Name, newKey)
		} else if portfolio.ErrorCode(err) != portfolio.ENOTFOUND {
			return false, err
		}
	}
	var names []string
	var values []any
	for i := range k.Fields {
		f := &k.Fields[i]
		if c, ok := t.columns[f.Name]; ok {
			names = append(names, c)
			values = append(values, column(f, rec))
		}
	}
	if k.Name == "schedule" {
		names, values = append(names, "updated_at"), append(values, formatTime(tx.now))
	}
	what := fmt.Sprintf("%q", k.Key(rec))
	idCol := cmpOr(t.id, "rowid")
	var id int64
	if key == "" {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ")
		id, err = tx.insert(ctx, k.Name, what, "INSERT INTO "+t.name+" ("+strings.Join(names, ", ")+") VALUES ("+marks+")", values...)
		if err != nil {
			return false, err
		}
		if p := k.ID(rec); p != nil {
			*p = id
		}
	} else {
		id = oldID
		sets := strings.Join(names, " = ?, ") + " = ?"
		if _, err := tx.tx.ExecContext(ctx, "UPDATE "+t.name+" SET "+sets+" WHERE "+idCol+" = ?", append(values, id)...); err != nil {
			return false, constraintError(err, k.Name, what)
		}
	}
	if k.Name == "person" {
		if err := tx.setReports(ctx, rec.(*portfolio.Person)); err != nil {
			return false, err
		}
	}
	rs.remember(k, key, rec, id)
	// The keys of records that refer to this one are read from it.
	if key != "" && !strings.EqualFold(key, k.Key(rec)) {
		rs.index = map[string]*keyIndex{}
	}
	if key == "" {
		return true, tx.audit(ctx, "create", strings.ReplaceAll(k.Name, "-", "_"), id, recordDetails(k, rec))
	}
	return false, tx.audit(ctx, "update", strings.ReplaceAll(k.Name, "-", "_"), id, updateDetails(k, before, rec))
}

// recordDetails is what the audit log keeps of a record: its key and
// fields as text.
func recordDetails(k *portfolio.Kind, rec portfolio.Record) map[string]string {
	d := map[string]string{"key": k.Key(rec)}
	for i := range k.Fields {
		if v := k.Fields[i].Text(rec); v != "" {
			d[k.Fields[i].Name] = v
		}
	}
	return d
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// fillDefaults gives a record without a key a slug of its title, and one
// without a position the next one.
func (tx *Tx) fillDefaults(ctx context.Context, k *portfolio.Kind, t *table, rec portfolio.Record) error {
	if t.position != "" {
		f, _ := k.Field(t.position)
		if f.Value(rec).(int64) < 0 {
			return portfolio.Errorf(portfolio.EINVALID, "%s %d must be 1 or more (0 puts it last)", f.Name, f.Value(rec).(int64))
		}
		if f.Value(rec).(int64) == 0 {
			query, args := "SELECT coalesce(max(position), 0) + 1 FROM "+t.name, []any{}
			if t.within != "" {
				query += " WHERE " + t.within + " = ?"
				args = append(args, column(withinField(k, t), rec))
			}
			var next int64
			if err := tx.tx.QueryRowContext(ctx, query, args...).Scan(&next); err != nil {
				return err
			}
			f.SetValue(rec, next)
		}
	}
	if !k.MakesKeys() {
		return nil
	}
	keyField, _ := k.Field("key")
	if keyField.Text(rec) != "" {
		return nil
	}
	var scopeID int64
	if t.within != "" {
		scopeID, _ = column(withinField(k, t), rec).(int64)
	}
	key, err := tx.newKey(ctx, t.name, t.within, scopeID, k.NewKey(rec))
	if err != nil {
		return err
	}
	keyField.SetValue(rec, key)
	return nil
}

// withinField is the reference field whose column a position counts within.
func withinField(k *portfolio.Kind, t *table) *portfolio.Field {
	for i := range k.Fields {
		if t.columns[k.Fields[i].Name] == t.within {
			return &k.Fields[i]
		}
	}
	panic("no field for " + t.within)
}

// checkUnit checks a reading's value against its KPI's unit.
func (tx *Tx) checkUnit(ctx context.Context, k *portfolio.Kind, rec portfolio.Record) error {
	switch r := rec.(type) {
	case *portfolio.Reading:
		kpi, err := kpiByID(ctx, tx.tx, r.KPIID)
		if err != nil {
			return err
		}
		return kpi.UnitInfo().Check("value", r.Value)
	}
	return nil
}

// setReports makes the report subscriptions of p what p says.
func (tx *Tx) setReports(ctx context.Context, p *portfolio.Person) error {
	if _, err := tx.tx.ExecContext(ctx, "DELETE FROM report_recipients WHERE person_id = ?", p.ID); err != nil {
		return fmt.Errorf("set %s's reports: %w", p.Email, err)
	}
	for _, role := range p.Reports {
		if _, err := tx.tx.ExecContext(ctx, "INSERT INTO report_recipients (report_role, person_id) VALUES (?, ?)", role, p.ID); err != nil {
			return fmt.Errorf("set %s's reports: %w", p.Email, err)
		}
	}
	return nil
}

// Dependent is a record that refers to one being removed.
type Dependent struct {
	Kind *portfolio.Kind
	Key  string
	// Goes is set when the dependent is removed with it (a KPI's
	// readings).
	Goes bool
	// Cleared is set when the dependent stays and its reference, Field,
	// is emptied (who ticked an item, when that person goes). A dependent
	// that neither goes nor is cleared refuses the removal.
	Cleared bool
	Field   string
}

func (d Dependent) String() string { return d.Kind.Name + " " + d.Key }

// Unwrap makes the refusal a conflict, for exit statuses and HTTP, while
// errors.As still finds the lists.
func (e *ErrDependents) Unwrap() error { return portfolio.Errorf(portfolio.ECONFLICT, "%s", e.Error()) }

// ErrDependents refuses a removal that would take, or break, other records.
type ErrDependents struct {
	Kind    *portfolio.Kind
	Key     string
	Refuse  []Dependent // what refers to it and must be changed first
	Cascade []Dependent // what would go with it, if asked to
}

func (e *ErrDependents) Error() string {
	list := func(ds []Dependent) string {
		var names []string
		for i, d := range ds {
			if i == 5 {
				names = append(names, fmt.Sprintf("and %d more", len(ds)-5))
				break
			}
			names = append(names, d.String())
		}
		return strings.Join(names, ", ")
	}
	if len(e.Refuse) > 0 {
		return fmt.Sprintf("%s %q is still referred to by %s; change or remove those first", e.Kind.Name, e.Key, list(e.Refuse))
	}
	return fmt.Sprintf("removing %s %q also removes %s", e.Kind.Name, e.Key, list(e.Cascade))
}

// Dependents lists what refers to the record of kind k with key: what
// would go with it, what would stay with a reference cleared, and what
// stops its removal.
func (s *Store) Dependents(ctx context.Context, k *portfolio.Kind, key string) ([]Dependent, error) {
	var out []Dependent
	err := s.View(ctx, func(tx *sql.Tx) error {
		rs := newRecords(tx)
		rec, _, err := rs.find(ctx, k, key)
		if err != nil {
			return err
		}
		out, err = rs.dependents(ctx, k, k.Key(rec))
		return err
	})
	return out, err
}

// Dependents is Store.Dependents inside the transaction: what a removal
// made in it would take, clear and be refused by.
func (tx *Tx) Dependents(ctx context.Context, k *portfolio.Kind, key string) ([]Dependent, error) {
	rec, _, err := tx.recordsTx().find(ctx, k, key)
	if err != nil {
		return nil, err
	}
	return tx.recordsTx().dependents(ctx, k, k.Key(rec))
}

func (rs *records) dependents(ctx context.Context, k *portfolio.Kind, key string) ([]Dependent, error) {
	var out, cleared []Dependent
	seen := map[string]bool{}
	var walk func(k *portfolio.Kind, key string) error
	walk = func(k *portfolio.Kind, key string) error {
		for _, other := range portfolio.Kinds {
			for i := range other.Fields {
				f := &other.Fields[i]
				if f.Type != portfolio.RefField || f.Ref != k.Name {
					continue
				}
				ix, err := rs.kindIndex(ctx, other)
				if err != nil {
					return err
				}
				for _, r := range ix.recs {
					if !strings.EqualFold(f.Text(r), key) {
						continue
					}
					d := Dependent{Kind: other, Key: other.Key(r), Goes: f.OnDelete == portfolio.Cascade}
					if f.OnDelete == portfolio.Clear {
						cleared = append(cleared, Dependent{Kind: other, Key: d.Key, Cleared: true, Field: f.Name})
						continue
					}
					if seen[d.String()] {
						continue
					}
					seen[d.String()] = true
					out = append(out, d)
					if d.Goes {
						if err := walk(other, d.Key); err != nil {
							return err
						}
					}
				}
			}
		}
		return nil
	}
	if err := walk(k, key); err != nil {
		return nil, err
	}
	// A reference in a record that goes anyway is not cleared.
	for _, c := range cleared {
		if !seen[c.String()] {
			out = append(out, c)
		}
	}
	return out, nil
}

// RemoveRecord removes the record of kind k with key. Records that refer to
// it and go with it (a KPI's readings) go too when cascade is set; without
// it, or when some record refers to it that must not go, the removal is
// refused with an *ErrDependents saying which (a conflict, by its code).
func (tx *Tx) RemoveRecord(ctx context.Context, k *portfolio.Kind, key string, cascade bool) ([]Dependent, error) {
	rec, id, err := tx.recordsTx().find(ctx, k, key)
	if err != nil {
		return nil, err
	}
	key = k.Key(rec)
	deps, err := tx.recordsTx().dependents(ctx, k, key)
	if err != nil {
		return nil, err
	}
	e := &ErrDependents{Kind: k, Key: key}
	for _, d := range deps {
		switch {
		case d.Goes:
			e.Cascade = append(e.Cascade, d)
		case !d.Cleared:
			e.Refuse = append(e.Refuse, d)
		}
	}
	if len(e.Refuse) > 0 || (len(e.Cascade) > 0 && !cascade) {
		return deps, e
	}
	t := tables[k.Name]
	// Captured whole before anything goes, so an undo brings back the
	// record and all that goes with it (removeOne adds what the schema
	// does not cascade).
	if err := tx.capture(ctx, k.Noun()+" "+key, strings.ReplaceAll(k.Name, "-", "_"), id, t.name, cmpOr(t.id, "rowid")+" = ?", id); err != nil {
		return deps, err
	}
	// Children first, so no foreign key is left dangling on the way.
	for i := len(e.Cascade) - 1; i >= 0; i-- {
		d := e.Cascade[i]
		if err := tx.removeOne(ctx, d.Kind, d.Key); err != nil {
			return deps, err
		}
	}
	if _, err := tx.tx.ExecContext(ctx, "DELETE FROM "+t.name+" WHERE "+cmpOr(t.id, "rowid")+" = ?", id); err != nil {
		return deps, constraintError(err, k.Name, fmt.Sprintf("%q", key))
	}
	tx.recordsTx().drop(k, key)
	return e.Cascade, tx.audit(ctx, "delete", strings.ReplaceAll(k.Name, "-", "_"), id, recordDetails(k, rec))
}

// removeOne removes one dependent record, already agreed to.
func (tx *Tx) removeOne(ctx context.Context, k *portfolio.Kind, key string) error {
	rec, id, err := tx.recordsTx().find(ctx, k, key)
	if portfolio.ErrorCode(err) == portfolio.ENOTFOUND {
		return nil // gone with its own parent already
	}
	if err != nil {
		return err
	}
	t := tables[k.Name]
	if err := tx.capture(ctx, k.Noun()+" "+key, strings.ReplaceAll(k.Name, "-", "_"), id, t.name, cmpOr(t.id, "rowid")+" = ?", id); err != nil {
		return err
	}
	if _, err := tx.tx.ExecContext(ctx, "DELETE FROM "+t.name+" WHERE "+cmpOr(t.id, "rowid")+" = ?", id); err != nil {
		return constraintError(err, k.Name, fmt.Sprintf("%q", key))
	}
	tx.recordsTx().drop(k, key)
	return tx.audit(ctx, "delete", strings.ReplaceAll(k.Name, "-", "_"), id, recordDetails(k, rec))
}
