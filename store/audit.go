package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"opsdeck/portfolio"
)

// AuditEntry is one row of the audit log: who did what to which thing, when.
type AuditEntry struct {
	ID          int64     `json:"id"`
	At          time.Time `json:"at"`
	Actor       string    `json:"actor"`
	Action      string    `json:"action"`
	SubjectType string    `json:"subject_type"`
	SubjectID   int64     `json:"subject_id,omitempty"`
	Details     string    `json:"details"`
}

// Change is one field's value before and after an update, as text.
type Change struct {
	Before string `json:"before"`
	After  string `json:"after"`
}

// AuditSubject names one record the audit log speaks of.
type AuditSubject struct {
	Type string
	ID   int64
}

// AuditQuery chooses a page of the audit log, newest first.
type AuditQuery struct {
	// Subjects keeps the entries about any of these records; none keeps
	// every entry.
	Subjects []AuditSubject
	// Before keeps the entries older than the one with this id, for the
	// next page; 0 starts from the newest.
	Before int64
	Limit  int
}

const auditSelect = "SELECT id, at, actor, action, subject_type, subject_id, details FROM audit_log"

func scanAudit(row interface{ Scan(...any) error }) (AuditEntry, error) {
	var e AuditEntry
	var at string
	var subject sql.NullInt64
	if err := row.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.SubjectType, &subject, &e.Details); err != nil {
		return e, err
	}
	e.SubjectID = subject.Int64
	var err error
	e.At, err = parseTime(at)
	return e, err
}

// Audit returns the newest entries first, at most limit of them.
func (s *Store) Audit(ctx context.Context, limit int) ([]AuditEntry, error) {
	return s.AuditPage(ctx, AuditQuery{Limit: limit})
}

// AuditFor returns the newest entries about one record first, at most
// limit of them.
func (s *Store) AuditFor(ctx context.Context, subjectType string, subjectID int64, limit int) ([]AuditEntry, error) {
	return s.AuditPage(ctx, AuditQuery{Subjects: []AuditSubject{{subjectType, subjectID}}, Limit: limit})
}

// AuditPage returns one page of the audit log, newest first. Paging by id
// rather than by offset keeps a page as quick on the millionth entry as on
// the first.
func (s *Store) AuditPage(ctx context.Context, q AuditQuery) ([]AuditEntry, error) {
	var where []string
	var args []any
	if len(q.Subjects) > 0 {
		var ors []string
		for _, sub := range q.Subjects {
			ors = append(ors, "(subject_type = ? AND subject_id = ?)")
			args = append(args, sub.Type, sub.ID)
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	}
	if q.Before > 0 {
		where = append(where, "id < ?")
		args = append(args, q.Before)
	}
	query := auditSelect
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	entries, err := queryAll(ctx, s.read, scanAudit, query+" ORDER BY id DESC LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("read the audit log: %w", err)
	}
	return entries, nil
}

// AuditField is one line of an entry's details: a field that changed
// (Changed, with its value before and after) or a value it names.
type AuditField struct {
	Name          string
	Before, After string
	Changed       bool
}

// Fields reads an entry's details: the fields an update changed, first,
// then the other values, each group by name. Details written before
// updates kept what they changed have only values; nested values are
// named by their path ("kpi.name").
func (e AuditEntry) Fields() []AuditField {
	var raw map[string]any
	if err := json.Unmarshal([]byte(e.Details), &raw); err != nil {
		if e.Details == "" || e.Details == "null" {
			return nil
		}
		return []AuditField{{Name: "details", After: e.Details}}
	}
	var changed, other []AuditField
	if ch, ok := raw["changes"].(map[string]any); ok {
		for name, v := range ch {
			c, _ := v.(map[string]any)
			changed = append(changed, AuditField{Name: name, Before: auditText(c["before"]), After: auditText(c["after"]), Changed: true})
		}
		delete(raw, "changes")
	}
	var flat func(prefix string, m map[string]any)
	flat = func(prefix string, m map[string]any) {
		for name, v := range m {
			if sub, ok := v.(map[string]any); ok {
				flat(prefix+name+".", sub)
				continue
			}
			other = append(other, AuditField{Name: prefix + name, After: auditText(v)})
		}
	}
	flat("", raw)
	byName := func(fs []AuditField) {
		sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
	}
	byName(changed)
	byName(other)
	return append(changed, other...)
}

// Name is what the entry's details call its record (a key, a title, a
// name), or "".
func (e AuditEntry) Name() string {
	var raw map[string]any
	if json.Unmarshal([]byte(e.Details), &raw) != nil {
		return ""
	}
	for _, k := range []string{"title", "name", "key", "Title", "Name", "Key", "address", "role"} {
		if s, ok := raw[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

func auditText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return portfolio.FormatNumber(v)
	case bool, json.Number:
		return fmt.Sprint(v)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// recordChanges is what differs between before and after, field by field,
// as the CLI writes the values. A reference to the same record is the
// same even when one side knows only its id.
func recordChanges(k *portfolio.Kind, before, after portfolio.Record) map[string]Change {
	out := map[string]Change{}
	for i := range k.Fields {
		f := &k.Fields[i]
		if f.Same(before, after) {
			continue
		}
		if f.Type == portfolio.RefField {
			if a, b := f.RefID(before), f.RefID(after); a != nil && b != nil && *a != 0 && *a == *b {
				continue
			}
		}
		out[f.Name] = Change{Before: f.Text(before), After: f.Text(after)}
	}
	return out
}

// updateDetails is what the audit log keeps of an update: what names the
// record and what changed, before and after.
func updateDetails(k *portfolio.Kind, before, after portfolio.Record) map[string]any {
	d := map[string]any{"key": k.Key(after), "changes": recordChanges(k, before, after)}
	for _, name := range []string{"title", "name"} {
		if f, ok := k.Field(name); ok {
			d[name] = f.Text(after)
		}
	}
	return d
}
