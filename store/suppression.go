package store

import (
	"context"
	"database/sql"
	"errors"
	"net/mail"
	"strings"
	"time"

	"opsdeck/portfolio"
)

// Why an address is suppressed.
const (
	SuppressedBounce    = "bounce"
	SuppressedComplaint = "complaint"
	SuppressedManual    = "manual"
)

// Suppression is an address later batches skip.
type Suppression struct {
	Address   string    `json:"address"`
	Reason    string    `json:"reason"` // bounce, complaint or manual
	Detail    string    `json:"detail,omitempty"`
	OutboxID  int64     `json:"outbox_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// NormalizeAddress is the bare, lower-cased form under which an address is
// suppressed and matched: "Ada <Ada@Example.com>" and "ada@example.com"
// are one mailbox to the operator.
func NormalizeAddress(addr string) (string, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(addr))
	if err != nil {
		return "", portfolio.Errorf(portfolio.EINVALID, "%q is not an email address", addr)
	}
	return strings.ToLower(a.Address), nil
}

func scanSuppression(row interface{ Scan(...any) error }) (Suppression, error) {
	var s Suppression
	var outbox sql.NullInt64
	var created string
	if err := row.Scan(&s.Address, &s.Reason, &s.Detail, &outbox, &created, &s.CreatedBy); err != nil {
		return s, err
	}
	s.OutboxID = outbox.Int64
	var err error
	s.CreatedAt, err = parseTime(created)
	return s, err
}

const suppressionSelect = "SELECT address, reason, detail, outbox_id, created_at, created_by FROM suppressions"

// Suppressions lists the suppressed addresses, newest first.
func (s *Store) Suppressions(ctx context.Context) ([]Suppression, error) {
	return queryAll(ctx, s.read, scanSuppression, suppressionSelect+" ORDER BY created_at DESC, address")
}

// Suppressed returns every suppression keyed by its normalized address,
// for a batch to look its recipients up in.
func (s *Store) Suppressed(ctx context.Context) (map[string]Suppression, error) {
	all, err := s.Suppressions(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Suppression, len(all))
	for _, sp := range all {
		out[sp.Address] = sp
	}
	return out, nil
}

// Suppress puts an address on the suppression list, or updates why it is
// there (a complaint after a bounce says more than the bounce did). It
// reports whether the address was new to the list.
func (tx *Tx) Suppress(ctx context.Context, addr, reason, detail string, outboxID int64) (bool, error) {
	norm, err := NormalizeAddress(addr)
	if err != nil {
		return false, err
	}
	switch reason {
	case SuppressedBounce, SuppressedComplaint, SuppressedManual:
	default:
		return false, portfolio.Errorf(portfolio.EINVALID, "suppression reason %q must be bounce, complaint or manual", reason)
	}
	var exists bool
	if err := tx.tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM suppressions WHERE address = ?)", norm).Scan(&exists); err != nil {
		return false, err
	}
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO suppressions (address, reason, detail, outbox_id, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (address) DO UPDATE SET reason = excluded.reason, detail = excluded.detail,
		outbox_id = coalesce(excluded.outbox_id, outbox_id)`,
		norm, reason, detail, nullID(outboxID), formatTime(tx.now), tx.actor); err != nil {
		return false, constraintError(err, "suppression", norm)
	}
	return !exists, tx.audit(ctx, "suppress", "suppression", outboxID, map[string]any{"address": norm, "reason": reason, "detail": detail})
}

// Unsuppress takes an address off the list.
func (tx *Tx) Unsuppress(ctx context.Context, addr string) error {
	norm, err := NormalizeAddress(addr)
	if err != nil {
		return err
	}
	if err := tx.capture(ctx, "the suppression of "+norm, "suppression", 0, "suppressions", "address = ?", norm); err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, "DELETE FROM suppressions WHERE address = ?", norm)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return portfolio.Errorf(portfolio.ENOTFOUND, "%s is not suppressed (opsdeck suppression list)", norm)
	}
	return tx.audit(ctx, "unsuppress", "suppression", 0, map[string]any{"address": norm})
}

// Suppression returns one address's suppression.
func (s *Store) Suppression(ctx context.Context, addr string) (Suppression, bool, error) {
	norm, err := NormalizeAddress(addr)
	if err != nil {
		return Suppression{}, false, err
	}
	sp, err := scanSuppression(s.read.QueryRowContext(ctx, suppressionSelect+" WHERE address = ?", norm))
	if errors.Is(err, sql.ErrNoRows) {
		return sp, false, nil
	}
	return sp, err == nil, err
}
