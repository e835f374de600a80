package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// Defaults for Options.
const (
	DefaultIssuer    = "opsdeck"
	DefaultAudience  = "opsdeck-crew"
	DefaultAccessTTL = 15 * time.Minute
	// DefaultLinkGrace is how long after an event's return its links
	// still work, for the turnaround and the last ticks.
	DefaultLinkGrace = 12 * time.Hour
	// DefaultRefreshLeeway lets two requests that raced with the same
	// refresh token (two tabs) fail quietly instead of revoking the
	// family.
	DefaultRefreshLeeway = 10 * time.Second
	// DefaultFailureFloor is the least time any rejected token takes to
	// answer, so the timing of a rejection says nothing about why.
	DefaultFailureFloor = 25 * time.Millisecond
	// sessionCheckEvery is how stale the server's view of a session's
	// revocation may be when the revocation came from another process.
	sessionCheckEvery = time.Second
)

// Options configure a Service. Store and Keys are required.
type Options struct {
	Store         *store.Store
	Keys          *Keyring
	Now           func() time.Time // defaults to the store's clock
	Issuer        string
	Audience      string
	AccessTTL     time.Duration
	LinkGrace     time.Duration
	RefreshLeeway time.Duration
	FailureFloor  time.Duration
	// Sleep waits out the failure floor; tests may replace it.
	Sleep  func(time.Duration)
	Logger *slog.Logger
}

// Service mints and checks crew credentials.
type Service struct {
	store  *store.Store
	signer *signer
	now    func() time.Time
	opts   Options
	log    *slog.Logger

	mu       sync.Mutex
	sessions map[int64]sessionState
	// verified remembers access tokens whose signature and claims already
	// checked out, so a page view costs a map look-up rather than an HMAC
	// and a JSON decode. Only successes are kept; expiry and the session
	// are still checked on every use.
	verified map[string]Claims
}

// maxVerified bounds the verified-token cache; past it the cache starts
// afresh.
const maxVerified = 10000

type sessionState struct {
	active    bool
	checkedAt time.Time
}

// New returns a Service.
func New(opts Options) (*Service, error) {
	if opts.Store == nil || opts.Keys == nil {
		return nil, errors.New("auth: a store and signing keys are required")
	}
	if opts.Now == nil {
		opts.Now = opts.Store.Now
	}
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&opts.AccessTTL, DefaultAccessTTL)
	def(&opts.LinkGrace, DefaultLinkGrace)
	def(&opts.RefreshLeeway, DefaultRefreshLeeway)
	def(&opts.FailureFloor, DefaultFailureFloor)
	if opts.Issuer == "" {
		opts.Issuer = DefaultIssuer
	}
	if opts.Audience == "" {
		opts.Audience = DefaultAudience
	}
	if opts.Sleep == nil {
		opts.Sleep = time.Sleep
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{
		store: opts.Store, now: opts.Now, opts: opts, log: opts.Logger,
		signer:   newSigner(opts.Keys, opts.Now, opts.Issuer, opts.Audience, opts.AccessTTL),
		sessions: map[int64]sessionState{},
		verified: map[string]Claims{},
	}, nil
}

// AccessTTL is how long an access token lives.
func (s *Service) AccessTTL() time.Duration { return s.opts.AccessTTL }

// Session is what a link exchange or a refresh hands the browser.
type Session struct {
	Access         string
	AccessExpires  time.Time
	Refresh        string
	RefreshExpires time.Time
	Claims         Claims
}

// LinkRequest asks for a magic link.
type LinkRequest struct {
	EventID  int64
	PersonID int64
	// Role defaults to the person's role on the event's crew, or admin
	// for an admin who is not on it.
	Role      portfolio.AccessRole
	SingleUse bool
	// ExpiresAt defaults to the event's return plus LinkGrace.
	ExpiresAt time.Time
}

// MintLink creates a link and returns it with its token, which exists
// nowhere else: only its hash is stored.
func (s *Service) MintLink(ctx context.Context, actor string, req LinkRequest) (store.CrewLink, string, error) {
	ev, err := s.store.Event(ctx, req.EventID)
	if err != nil {
		return store.CrewLink{}, "", err
	}
	role := req.Role
	if role == "" {
		crewRole, onCrew, err := s.store.CrewRole(ctx, req.EventID, req.PersonID)
		if err != nil {
			return store.CrewLink{}, "", err
		}
		role = crewRole
		if !onCrew {
			person, err := s.store.FindPerson(ctx, strconv.FormatInt(req.PersonID, 10))
			if err != nil {
				return store.CrewLink{}, "", err
			}
			if person.Role != portfolio.AccessAdmin {
				return store.CrewLink{}, "", portfolio.Errorf(portfolio.EINVALID,
					"%s is not on the crew of %q; add them or give a role", person.Name, ev.Title)
			}
			role = portfolio.AccessAdmin
		}
	}
	expires := req.ExpiresAt
	if expires.IsZero() {
		expires = ev.Timing().Return.Add(s.opts.LinkGrace)
	}
	if !expires.After(s.now()) {
		return store.CrewLink{}, "", portfolio.Errorf(portfolio.EINVALID, "%q is over; a link for it would expire at once", ev.Title)
	}
	token, err := newOpaque(linkPrefix)
	if err != nil {
		return store.CrewLink{}, "", err
	}
	hash, _ := HashLink(token)
	link := store.CrewLink{PersonID: req.PersonID, EventID: req.EventID, Role: role, ExpiresAt: expires, SingleUse: req.SingleUse}
	if err := s.store.Update(ctx, actor, func(tx *store.Tx) error { return tx.CreateCrewLink(ctx, &link, hash) }); err != nil {
		return store.CrewLink{}, "", err
	}
	if link, err = s.store.CrewLink(ctx, link.ID); err != nil {
		return store.CrewLink{}, "", err
	}
	return link, token, nil
}

// RevokeLink revokes a link and every session opened with it. Access
// tokens of those sessions stop working at once on this server.
func (s *Service) RevokeLink(ctx context.Context, actor string, id int64) error {
	if err := s.store.Update(ctx, actor, func(tx *store.Tx) error { return tx.RevokeCrewLink(ctx, id) }); err != nil {
		return err
	}
	s.ForgetSessions()
	return nil
}

// ForgetSessions drops what the service remembers about sessions, so the
// next request of each is checked against the store again (after a
// revocation made elsewhere, for example).
func (s *Service) ForgetSessions() {
	s.mu.Lock()
	clear(s.sessions)
	s.mu.Unlock()
}

// Exchange turns a link token into a session. It fails with ErrInvalid,
// after the failure floor, for every kind of bad link, and with an
// EUNAVAILABLE error when the link could not be checked (see fail).
func (s *Service) Exchange(ctx context.Context, linkToken string) (Session, error) {
	start := time.Now()
	sess, err := s.exchange(ctx, linkToken)
	return sess, s.fail(start, err, "link exchange")
}

func (s *Service) exchange(ctx context.Context, linkToken string) (Session, error) {
	linkHash, ok := HashLink(linkToken)
	if !ok {
		return Session{}, ErrInvalid
	}
	refresh, err := newOpaque(refreshPrefix)
	if err != nil {
		return Session{}, err
	}
	refreshHash, _ := opaqueHash(refreshPrefix, refresh)
	var g store.CrewGrant
	err = s.store.Update(ctx, "web", func(tx *store.Tx) error {
		var err error
		g, err = tx.ExchangeCrewLink(ctx, linkHash, refreshHash)
		return err
	})
	if err != nil {
		return Session{}, err
	}
	return s.session(g, refresh)
}

// Refresh rotates a refresh token: the old one is spent, and the session
// gets a new access token and a new refresh token. Presenting a spent
// token revokes the session family.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (Session, error) {
	start := time.Now()
	sess, err := s.refresh(ctx, refreshToken)
	return sess, s.fail(start, err, "refresh")
}

func (s *Service) refresh(ctx context.Context, refreshToken string) (Session, error) {
	oldHash, ok := opaqueHash(refreshPrefix, refreshToken)
	if !ok {
		return Session{}, ErrInvalid
	}
	next, err := newOpaque(refreshPrefix)
	if err != nil {
		return Session{}, err
	}
	newHash, _ := opaqueHash(refreshPrefix, next)
	g, err := s.store.RotateCrewRefresh(ctx, "web", oldHash, newHash, s.opts.RefreshLeeway)
	if errors.Is(err, store.ErrTokenReused) {
		s.log.Warn("refresh token reused; session family revoked", "session", g.SessionID, "link", g.LinkID)
		s.ForgetSessions()
	}
	if err != nil {
		return Session{}, err
	}
	return s.session(g, next)
}

// RefreshSession returns the session a refresh token belongs to, spent or
// not, without using it up: what a rate limit per session needs before
// the token is rotated. ok is false for a token that names no session and
// when the store cannot tell; Refresh then says what is wrong.
func (s *Service) RefreshSession(ctx context.Context, refreshToken string) (id int64, ok bool) {
	hash, ok := opaqueHash(refreshPrefix, refreshToken)
	if !ok {
		return 0, false
	}
	id, found, err := s.store.CrewRefreshSession(ctx, hash)
	return id, err == nil && found
}

// Logout ends, on the server, the session that access (an access token
// still valid) or refresh (any refresh token of the session, spent or
// not) belongs to: the session's access tokens and its whole refresh
// family stop working at once on this server, and on others over the same
// database within a second. Tokens that name no session are passed over;
// signing out with nothing valid is not an error. A store that cannot
// record the revocation gives an EUNAVAILABLE error, as fail does.
func (s *Service) Logout(ctx context.Context, access, refresh string) error {
	var ids []int64
	if access != "" {
		if c, err := s.verify(access); err == nil {
			ids = append(ids, c.Session)
		}
	}
	if hash, ok := opaqueHash(refreshPrefix, refresh); ok {
		id, found, err := s.store.CrewRefreshSession(ctx, hash)
		if err != nil {
			s.log.Error("signing out failed", "err", err)
			return fmt.Errorf("%w: %w", errUnavailable, err)
		}
		if found && (len(ids) == 0 || ids[0] != id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	err := s.store.Update(ctx, "web", func(tx *store.Tx) error {
		for _, id := range ids {
			if err := tx.RevokeCrewSession(ctx, id, "signed out"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.log.Error("signing out failed", "err", err)
		return fmt.Errorf("%w: %w", errUnavailable, err)
	}
	now := s.now()
	s.mu.Lock()
	for _, id := range ids {
		s.sessions[id] = sessionState{active: false, checkedAt: now}
	}
	s.mu.Unlock()
	return nil
}

func (s *Service) session(g store.CrewGrant, refresh string) (Session, error) {
	access, claims, err := s.signer.mint(g)
	if err != nil {
		return Session{}, err
	}
	s.mu.Lock()
	s.sessions[g.SessionID] = sessionState{active: true, checkedAt: s.now()}
	s.mu.Unlock()
	return Session{Access: access, AccessExpires: claims.ExpiresAt.Time, Refresh: refresh, RefreshExpires: g.ExpiresAt, Claims: claims}, nil
}

// Authenticate checks an access token and that its session has not been
// revoked. Every refusal is ErrInvalid after the failure floor.
func (s *Service) Authenticate(ctx context.Context, access string) (Claims, error) {
	start := time.Now()
	c, err := s.verify(access)
	if err == nil {
		var active bool
		if active, err = s.sessionActive(ctx, c.Session); err == nil && !active {
			err = ErrInvalid
		}
	}
	if err != nil {
		return Claims{}, s.fail(start, err, "access token")
	}
	return c, nil
}

// verify checks an access token, from the cache when it was verified
// before and has not expired since.
func (s *Service) verify(access string) (Claims, error) {
	s.mu.Lock()
	c, ok := s.verified[access]
	s.mu.Unlock()
	if ok && s.now().Before(c.ExpiresAt.Time) {
		return c, nil
	}
	c, err := s.signer.verify(access)
	if err != nil {
		return c, err
	}
	s.mu.Lock()
	if len(s.verified) >= maxVerified {
		clear(s.verified)
	}
	s.verified[access] = c
	s.mu.Unlock()
	return c, nil
}

func (s *Service) sessionActive(ctx context.Context, id int64) (bool, error) {
	now := s.now()
	s.mu.Lock()
	st, ok := s.sessions[id]
	s.mu.Unlock()
	if ok && now.Sub(st.checkedAt) < sessionCheckEvery && now.Sub(st.checkedAt) >= 0 {
		return st.active, nil
	}
	active, err := s.store.CrewSessionActive(ctx, id)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	s.sessions[id] = sessionState{active: active, checkedAt: now}
	s.mu.Unlock()
	return active, nil
}

// fail turns a refused token into ErrInvalid, answered no sooner than the
// failure floor after start. Any other failure (the store's, mostly) is
// ours and not the token holder's: it is logged and comes back as
// EUNAVAILABLE, wrapping the cause, so that a good link is not called bad
// because the disk is full.
func (s *Service) fail(start time.Time, err error, what string) error {
	if err == nil {
		return nil
	}
	refused := errors.Is(err, ErrInvalid) || portfolio.ErrorCode(err) == portfolio.EUNAUTHORIZED
	if !refused {
		s.log.Error("checking a token failed", "kind", what, "err", err)
	}
	if wait := s.opts.FailureFloor - time.Since(start); wait > 0 {
		s.opts.Sleep(wait)
	}
	if !refused {
		return fmt.Errorf("%w: %w", errUnavailable, err)
	}
	return ErrInvalid
}

// errUnavailable heads every failure to check a token that is not the
// token's fault.
var errUnavailable = portfolio.Errorf(portfolio.EUNAVAILABLE, "signing in is not possible right now; try again in a minute")
