package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"opsdeck/portfolio"
)

// CrewLink is a magic link: it admits one person to one event's checklist
// with one role until it expires or is revoked. Only a hash of its token is
// stored, so the link itself exists only in the URL that was handed out.
type CrewLink struct {
	ID         int64                `json:"id"`
	PersonID   int64                `json:"person_id"`
	PersonName string               `json:"person"`
	EventID    int64                `json:"event_id"`
	EventTitle string               `json:"event"`
	Role       portfolio.AccessRole `json:"role"`
	CreatedAt  time.Time            `json:"created_at"`
	CreatedBy  string               `json:"created_by"`
	ExpiresAt  time.Time            `json:"expires_at"`
	SingleUse  bool                 `json:"single_use"`
	UsedAt     time.Time            `json:"used_at,omitzero"`
	RevokedAt  time.Time            `json:"revoked_at,omitzero"`
}

// Link states, as State reports them.
const (
	LinkActive  = "active"
	LinkUsed    = "used"
	LinkRevoked = "revoked"
	LinkExpired = "expired"
)

// State says whether the link still admits anyone at now.
func (l CrewLink) State(now time.Time) string {
	switch {
	case !l.RevokedAt.IsZero():
		return LinkRevoked
	case !now.Before(l.ExpiresAt):
		return LinkExpired
	case l.SingleUse && !l.UsedAt.IsZero():
		return LinkUsed
	}
	return LinkActive
}

// Validate checks l before it is written.
func (l *CrewLink) Validate() error {
	if l.PersonID <= 0 || l.EventID <= 0 {
		return portfolio.Errorf(portfolio.EINVALID, "a link needs a person and an event")
	}
	if !l.Role.Valid() {
		return portfolio.Errorf(portfolio.EINVALID, "role %q must be admin, captain, crew or guest", l.Role)
	}
	if l.ExpiresAt.IsZero() {
		return portfolio.Errorf(portfolio.EINVALID, "a link needs an expiry")
	}
	return nil
}

// CrewGrant is what a valid link or refresh token entitles its holder to:
// the claims an access token is minted from.
type CrewGrant struct {
	LinkID     int64
	SessionID  int64
	PersonID   int64
	PersonName string
	EventID    int64
	Role       portfolio.AccessRole
	// ExpiresAt is the link's expiry, which bounds the whole session.
	ExpiresAt time.Time
}

// errBadToken is the one answer every unusable link or refresh token gets,
// whatever the reason, so the answer says nothing about which check failed.
func errBadToken() error {
	return portfolio.Errorf(portfolio.EUNAUTHORIZED, "this link is not valid any more; ask your captain for a new one")
}

// ErrTokenReused marks a refresh token presented after it was rotated; the
// store has already revoked its session family when it returns this.
var ErrTokenReused = errors.New("refresh token reused")

// CreateCrewLink stores a new link whose token hashes to hash.
func (tx *Tx) CreateCrewLink(ctx context.Context, l *CrewLink, hash []byte) error {
	if err := l.Validate(); err != nil {
		return err
	}
	if len(hash) != 32 {
		return portfolio.Errorf(portfolio.EINVALID, "a link token hash must be 32 bytes")
	}
	if !l.ExpiresAt.After(tx.now) {
		return portfolio.Errorf(portfolio.EINVALID, "the link would expire at once (expiry %s is not in the future)", l.ExpiresAt.Format(time.RFC3339))
	}
	l.CreatedAt, l.CreatedBy = tx.now, tx.actor
	id, err := tx.insert(ctx, "link", fmt.Sprintf("for person %d", l.PersonID),
		`INSERT INTO crew_links (token_hash, person_id, event_id, role, created_at, created_by, expires_at, single_use)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		hash, l.PersonID, l.EventID, l.Role, formatTime(l.CreatedAt), l.CreatedBy, formatTime(l.ExpiresAt), l.SingleUse)
	if err != nil {
		return err
	}
	l.ID = id
	return tx.audit(ctx, "create", "crew_link", id, map[string]any{
		"person_id": l.PersonID, "event_id": l.EventID, "role": l.Role, "expires_at": l.ExpiresAt, "single_use": l.SingleUse})
}

const linkSelect = `SELECT l.id, l.person_id, p.name, l.event_id, v.title, l.role, l.created_at, l.created_by, l.expires_at,
	l.single_use, l.used_at, l.revoked_at FROM crew_links l JOIN people p ON p.id = l.person_id JOIN events v ON v.id = l.event_id`

func scanLink(row interface{ Scan(...any) error }) (CrewLink, error) {
	var l CrewLink
	var created, expires string
	var used, revoked *string
	if err := row.Scan(&l.ID, &l.PersonID, &l.PersonName, &l.EventID, &l.EventTitle, &l.Role, &created, &l.CreatedBy,
		&expires, &l.SingleUse, &used, &revoked); err != nil {
		return l, err
	}
	var err error
	for _, f := range []struct {
		dst *time.Time
		src *string
	}{{&l.CreatedAt, &created}, {&l.ExpiresAt, &expires}, {&l.UsedAt, used}, {&l.RevokedAt, revoked}} {
		if *f.dst, err = scanTime(f.src); err != nil {
			return l, err
		}
	}
	return l, nil
}

// CrewLinks lists links, newest first: one event's, or every link if
// eventID is 0.
func (s *Store) CrewLinks(ctx context.Context, eventID int64) ([]CrewLink, error) {
	where, args := "", []any{}
	if eventID != 0 {
		where, args = " WHERE l.event_id = ?", []any{eventID}
	}
	links, err := queryAll(ctx, s.read, scanLink, linkSelect+where+" ORDER BY l.id DESC", args...)
	if err != nil {
		return nil, fmt.Errorf("list links: %w", err)
	}
	return links, nil
}

// CrewLink loads one link by id.
func (s *Store) CrewLink(ctx context.Context, id int64) (CrewLink, error) {
	l, err := scanLink(s.read.QueryRowContext(ctx, linkSelect+" WHERE l.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return l, portfolio.Errorf(portfolio.ENOTFOUND, "no link with id %d", id)
	}
	return l, err
}

// CrewLinkByHash loads the link whose token hashes to hash, without
// using it (the crew page shows whose link it is before the button).
func (s *Store) CrewLinkByHash(ctx context.Context, hash []byte) (CrewLink, error) {
	l, err := scanLink(s.read.QueryRowContext(ctx, linkSelect+" WHERE l.token_hash = ?", hash))
	if errors.Is(err, sql.ErrNoRows) {
		return l, portfolio.Errorf(portfolio.ENOTFOUND, "no such link")
	}
	return l, err
}

// RevokeCrewLink revokes a link and every session opened with it, so its
// refresh tokens stop working at once.
func (tx *Tx) RevokeCrewLink(ctx context.Context, id int64) error {
	res, err := tx.tx.ExecContext(ctx, "UPDATE crew_links SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", formatTime(tx.now), id)
	if err != nil {
		return fmt.Errorf("revoke link %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var exists int
		if err := tx.tx.QueryRowContext(ctx, "SELECT count(*) FROM crew_links WHERE id = ?", id).Scan(&exists); err != nil {
			return fmt.Errorf("revoke link %d: %w", id, err)
		}
		if exists == 0 {
			return portfolio.Errorf(portfolio.ENOTFOUND, "no link with id %d", id)
		}
		return portfolio.Errorf(portfolio.ECONFLICT, "link %d is already revoked", id)
	}
	if _, err := tx.tx.ExecContext(ctx,
		"UPDATE crew_sessions SET revoked_at = ?, revoked_reason = 'link revoked' WHERE link_id = ? AND revoked_at IS NULL",
		formatTime(tx.now), id); err != nil {
		return fmt.Errorf("revoke sessions of link %d: %w", id, err)
	}
	return tx.audit(ctx, "revoke", "crew_link", id, nil)
}

// ExchangeCrewLink turns a valid link into a new session whose first
// refresh token hashes to refreshHash. Every reason a link is unusable
// (unknown, expired, revoked, used up) gives the same EUNAUTHORIZED error.
func (tx *Tx) ExchangeCrewLink(ctx context.Context, linkHash, refreshHash []byte) (CrewGrant, error) {
	var g CrewGrant
	var stored []byte
	var expires string
	var singleUse bool
	var used, revoked *string
	err := tx.tx.QueryRowContext(ctx, `SELECT l.id, l.token_hash, l.person_id, p.name, l.event_id, l.role, l.expires_at, l.single_use,
		l.used_at, l.revoked_at FROM crew_links l JOIN people p ON p.id = l.person_id WHERE l.token_hash = ?`, linkHash).
		Scan(&g.LinkID, &stored, &g.PersonID, &g.PersonName, &g.EventID, &g.Role, &expires, &singleUse, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return CrewGrant{}, errBadToken()
	}
	if err != nil {
		return CrewGrant{}, fmt.Errorf("look up link: %w", err)
	}
	if g.ExpiresAt, err = parseTime(expires); err != nil {
		return CrewGrant{}, err
	}
	if subtle.ConstantTimeCompare(stored, linkHash) != 1 || revoked != nil || !tx.now.Before(g.ExpiresAt) || (singleUse && used != nil) {
		return CrewGrant{}, errBadToken()
	}
	// The conditional UPDATE is what makes a single-use link single-use
	// when two exchanges race.
	res, err := tx.tx.ExecContext(ctx, `UPDATE crew_links SET used_at = coalesce(used_at, ?)
		WHERE id = ? AND revoked_at IS NULL AND (single_use = 0 OR used_at IS NULL)`, formatTime(tx.now), g.LinkID)
	if err != nil {
		return CrewGrant{}, fmt.Errorf("use link %d: %w", g.LinkID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return CrewGrant{}, errBadToken()
	}
	if g.SessionID, err = tx.insert(ctx, "session", fmt.Sprint(g.LinkID),
		"INSERT INTO crew_sessions (link_id, created_at) VALUES (?, ?)", g.LinkID, formatTime(tx.now)); err != nil {
		return CrewGrant{}, err
	}
	if err := tx.insertRefresh(ctx, g.SessionID, refreshHash); err != nil {
		return CrewGrant{}, err
	}
	return g, tx.audit(ctx, "exchange", "crew_link", g.LinkID, map[string]any{"session_id": g.SessionID})
}

func (tx *Tx) insertRefresh(ctx context.Context, sessionID int64, hash []byte) error {
	if len(hash) != 32 {
		return portfolio.Errorf(portfolio.EINVALID, "a refresh token hash must be 32 bytes")
	}
	_, err := tx.insert(ctx, "refresh token", fmt.Sprint(sessionID),
		"INSERT INTO crew_refresh_tokens (session_id, token_hash, issued_at) VALUES (?, ?, ?)", sessionID, hash, formatTime(tx.now))
	return err
}

// RotateCrewRefresh accepts the refresh token hashing to oldHash once,
// replacing it with the one hashing to newHash, and returns the session's
// grant. A token that was already rotated more than leeway ago is a sign
// of theft: the whole session family is revoked (and stays revoked) and
// the error wraps ErrTokenReused. Within leeway it is refused quietly, so
// two tabs refreshing at the same moment do not log each other out.
func (s *Store) RotateCrewRefresh(ctx context.Context, actor string, oldHash, newHash []byte, leeway time.Duration) (CrewGrant, error) {
	var g CrewGrant
	var outcome error
	err := s.Update(ctx, actor, func(tx *Tx) error {
		g, outcome = CrewGrant{}, nil
		var tokenID int64
		var stored []byte
		var used, sessionRevoked, linkRevoked *string
		var expires string
		err := tx.tx.QueryRowContext(ctx, `SELECT t.id, t.token_hash, t.used_at, s.id, s.revoked_at, l.id, l.revoked_at, l.expires_at,
			l.person_id, p.name, l.event_id, l.role
			FROM crew_refresh_tokens t JOIN crew_sessions s ON s.id = t.session_id JOIN crew_links l ON l.id = s.link_id
			JOIN people p ON p.id = l.person_id WHERE t.token_hash = ?`, oldHash).
			Scan(&tokenID, &stored, &used, &g.SessionID, &sessionRevoked, &g.LinkID, &linkRevoked, &expires,
				&g.PersonID, &g.PersonName, &g.EventID, &g.Role)
		if errors.Is(err, sql.ErrNoRows) {
			outcome = errBadToken()
			return nil
		}
		if err != nil {
			return fmt.Errorf("look up refresh token: %w", err)
		}
		if g.ExpiresAt, err = parseTime(expires); err != nil {
			return err
		}
		if subtle.ConstantTimeCompare(stored, oldHash) != 1 || sessionRevoked != nil || linkRevoked != nil || !tx.now.Before(g.ExpiresAt) {
			outcome = errBadToken()
			return nil
		}
		if used != nil {
			usedAt, err := parseTime(*used)
			if err != nil {
				return err
			}
			if tx.now.Sub(usedAt) <= leeway {
				outcome = errBadToken()
				return nil
			}
			outcome = fmt.Errorf("%w: %w", ErrTokenReused, errBadToken())
			return tx.revokeSession(ctx, g.SessionID, "refresh token reused")
		}
		res, err := tx.tx.ExecContext(ctx, "UPDATE crew_refresh_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL",
			formatTime(tx.now), tokenID)
		if err != nil {
			return fmt.Errorf("rotate refresh token: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			outcome = errBadToken()
			return nil
		}
		return tx.insertRefresh(ctx, g.SessionID, newHash)
	})
	if err != nil {
		return CrewGrant{}, err
	}
	if errors.Is(outcome, ErrTokenReused) {
		// Which session was revoked, for the log; nothing to mint from.
		return CrewGrant{SessionID: g.SessionID, LinkID: g.LinkID}, outcome
	}
	if outcome != nil {
		return CrewGrant{}, outcome
	}
	return g, nil
}

// CrewRefreshSession returns the session whose refresh token, spent or
// not, hashes to hash; found is false if no token does.
func (s *Store) CrewRefreshSession(ctx context.Context, hash []byte) (id int64, found bool, err error) {
	err = s.read.QueryRowContext(ctx, "SELECT session_id FROM crew_refresh_tokens WHERE token_hash = ?", hash).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("look up refresh token: %w", err)
	}
	return id, true, nil
}

// RevokeCrewSession revokes one session (a sign-out), with its refresh
// family and access tokens; one already revoked keeps its first reason.
func (tx *Tx) RevokeCrewSession(ctx context.Context, id int64, reason string) error {
	res, err := tx.tx.ExecContext(ctx, "UPDATE crew_sessions SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL",
		formatTime(tx.now), reason, id)
	if err != nil {
		return fmt.Errorf("revoke session %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return tx.audit(ctx, "revoke", "crew_session", id, map[string]string{"reason": reason})
}

func (tx *Tx) revokeSession(ctx context.Context, id int64, reason string) error {
	if _, err := tx.tx.ExecContext(ctx, "UPDATE crew_sessions SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL",
		formatTime(tx.now), reason, id); err != nil {
		return fmt.Errorf("revoke session %d: %w", id, err)
	}
	return tx.audit(ctx, "revoke", "crew_session", id, map[string]string{"reason": reason})
}

// CrewSessionActive reports whether a session may still be used: neither
// it nor its link revoked, and the link not expired.
func (s *Store) CrewSessionActive(ctx context.Context, id int64) (bool, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM crew_sessions s JOIN crew_links l ON l.id = s.link_id
		WHERE s.id = ? AND s.revoked_at IS NULL AND l.revoked_at IS NULL AND l.expires_at > ?`, id, formatTime(s.now())).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check session %d: %w", id, err)
	}
	return n == 1, nil
}

// InactiveCrewSessions returns those of ids that may no longer be used:
// revoked (by a revoked link, a reused refresh token, or anything else that
// sets revoked_at), their link expired, or unknown. The crew server asks it
// about the sessions of its open event streams, so a revocation made
// anywhere, another process included, ends them. One query of primary-key
// look-ups, however many ids.
func (s *Store) InactiveCrewSessions(ctx context.Context, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	gone, err := queryAll(ctx, s.read, func(row interface{ Scan(...any) error }) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	}, `SELECT j.value FROM json_each(?) j WHERE NOT EXISTS (SELECT 1 FROM crew_sessions s JOIN crew_links l ON l.id = s.link_id
		WHERE s.id = j.value AND s.revoked_at IS NULL AND l.revoked_at IS NULL AND l.expires_at > ?)`, string(list), formatTime(s.now()))
	if err != nil {
		return nil, fmt.Errorf("check %d sessions: %w", len(ids), err)
	}
	return gone, nil
}

// FindPerson finds a person by id, email, or name: an exact name first,
// then a unique case-insensitive part of one ("sam" finds Sam Okafor).
func (s *Store) FindPerson(ctx context.Context, ref string) (portfolio.Person, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return portfolio.Person{}, portfolio.Errorf(portfolio.EINVALID, "no person given")
	}
	one := func(query string, args ...any) (portfolio.Person, bool, error) {
		people, err := queryAll(ctx, s.read, scanPerson, "SELECT "+personColumns+" FROM people WHERE "+query+" ORDER BY name, id", args...)
		if err != nil {
			return portfolio.Person{}, false, fmt.Errorf("find person %q: %w", ref, err)
		}
		switch len(people) {
		case 0:
			return portfolio.Person{}, false, nil
		case 1:
			return people[0], true, nil
		}
		names := make([]string, 0, len(people))
		for _, p := range people {
			names = append(names, fmt.Sprintf("%s <%s>", p.Name, p.Email))
		}
		return portfolio.Person{}, false, portfolio.Errorf(portfolio.EINVALID, "%q matches %d people (%s); give an email or id", ref, len(people), strings.Join(names, ", "))
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		if p, ok, err := one("id = ?", id); ok || err != nil {
			return p, err
		}
	}
	for _, q := range []string{"email = ? COLLATE NOCASE", "name = ? COLLATE NOCASE", "instr(lower(name), lower(?)) > 0"} {
		if p, ok, err := one(q, ref); ok || err != nil {
			return p, err
		}
	}
	return portfolio.Person{}, portfolio.Errorf(portfolio.ENOTFOUND, "no person %q (see opsdeck people)", ref)
}

// CrewRole returns the role a person has on an event's crew, and whether
// they are on it at all.
func (s *Store) CrewRole(ctx context.Context, eventID, personID int64) (portfolio.AccessRole, bool, error) {
	var role portfolio.AccessRole
	err := s.read.QueryRowContext(ctx, "SELECT role FROM event_crew WHERE event_id = ? AND person_id = ?", eventID, personID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("crew role of person %d on event %d: %w", personID, eventID, err)
	}
	return role, true, nil
}
