package store

import (
	"context"
	"database/sql"
	"time"
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

// Audit returns the newest entries first, at most limit of them.
func (s *Store) Audit(ctx context.Context, limit int) ([]AuditEntry, error) {
	return queryAll(ctx, s.read, func(row interface{ Scan(...any) error }) (AuditEntry, error) {
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
	}, "SELECT id, at, actor, action, subject_type, subject_id, details FROM audit_log ORDER BY id DESC LIMIT ?", limit)
}
