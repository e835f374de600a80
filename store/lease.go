package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"opsdeck/portfolio"
)

// Lease is a named, expiring claim that lets one process among several on
// the same database do a job only one should do (run the scheduler and the
// outbox worker).
type Lease struct {
	Name      string    `json:"name"`
	Holder    string    `json:"holder"`
	ExpiresAt time.Time `json:"expires_at"`
}

// AcquireLease takes or renews the named lease for holder until now+ttl.
// It succeeds if nobody holds it, holder already does, or the holder's
// time ran out; it reports false when another live holder has it.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, portfolio.Errorf(portfolio.EINVALID, "lease ttl must be positive")
	}
	now := s.now().UTC()
	var acquired bool
	err := s.Update(ctx, holder, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
			WHERE leases.holder = excluded.holder OR leases.expires_at < ?`,
			name, holder, formatTime(now.Add(ttl)), formatTime(now))
		if err != nil {
			return fmt.Errorf("acquire lease %s: %w", name, err)
		}
		n, err := res.RowsAffected()
		acquired = n == 1
		return err
	})
	return acquired, err
}

// ReleaseLease gives the lease up if holder has it, so another process can
// take over at once instead of waiting for it to expire.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	return s.Update(ctx, holder, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, "DELETE FROM leases WHERE name = ? AND holder = ?", name, holder)
		return err
	})
}

// LeaseHolder returns who holds the named lease, if anyone does now.
func (s *Store) LeaseHolder(ctx context.Context, name string) (Lease, bool, error) {
	var l Lease
	var exp string
	err := s.read.QueryRowContext(ctx, "SELECT name, holder, expires_at FROM leases WHERE name = ?", name).Scan(&l.Name, &l.Holder, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return l, false, nil
	}
	if err != nil {
		return l, false, err
	}
	if l.ExpiresAt, err = parseTime(exp); err != nil {
		return l, false, err
	}
	return l, l.ExpiresAt.After(s.now()), nil
}

// TakeOverLease moves the named lease from a holder known to be gone (a
// process that crashed on this machine) to holder, whatever its expiry.
// It changes nothing if someone else has taken it meanwhile.
func (s *Store) TakeOverLease(ctx context.Context, name, from, to string, ttl time.Duration) (bool, error) {
	var moved bool
	err := s.Update(ctx, to, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, "UPDATE leases SET holder = ?, expires_at = ? WHERE name = ? AND holder = ?",
			to, formatTime(tx.now.Add(ttl)), name, from)
		if err != nil {
			return fmt.Errorf("take over lease %s: %w", name, err)
		}
		n, _ := res.RowsAffected()
		moved = n == 1
		if moved {
			return tx.audit(ctx, "take_over_lease", "lease", 0, map[string]string{"lease": name, "from": from, "to": to})
		}
		return nil
	})
	return moved, err
}
