// Package web is the crew server: a mobile checklist page per event that
// crew open with a magic link, a small JSON API behind it, and a
// Server-Sent Events stream that shows everyone's changes live.
//
// It uses net/http only. Pages are rendered with html/template, cached
// per viewer and re-rendered only when the event changes, and work with
// plain form posts; the embedded script adds fetch, live updates and an
// offline queue on top.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"opsdeck/auth"
	"opsdeck/mail/sns"
	"opsdeck/portfolio"
	"opsdeck/store"
)

// DefaultAddr is where the crew server listens unless told otherwise:
// loopback only, so exposing it is a deliberate act (a reverse proxy).
const DefaultAddr = "127.0.0.1:8080"

// maxBody caps every request body; the largest legitimate one is a note.
const maxBody = 16 << 10

// Options configure a Server. Store and Auth are required.
type Options struct {
	Store *store.Store
	Auth  *auth.Service
	// Addr is the listen address; DefaultAddr if empty.
	Addr string
	// BaseURL is how crew reach the server, for the links it mints
	// (behind a reverse proxy, the proxy's URL). Defaults to the
	// listen address.
	BaseURL string
	// TLSCert and TLSKey, when both set, make the server speak HTTPS.
	TLSCert, TLSKey string
	Logger          *slog.Logger
	// Now is the clock for countdowns and cache ages; the store's by default.
	Now func() time.Time
	// ExchangeRate and ExchangeBurst limit link exchanges per client
	// address; by default 10 a minute with bursts of 10.
	ExchangeRate  rate.Limit
	ExchangeBurst int
	// RefreshRate and RefreshBurst limit refreshes per client address (1
	// a second with bursts of 60 by default: crew behind one boat's wifi
	// share an address); SessionRefreshRate and SessionRefreshBurst limit
	// them per session (one in 20 seconds with bursts of 10).
	RefreshRate         rate.Limit
	RefreshBurst        int
	SessionRefreshRate  rate.Limit
	SessionRefreshBurst int
	// LimiterKeys bounds how many addresses (or sessions) each rate limit
	// remembers; the least recently seen go first. 10,000 by default.
	LimiterKeys int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (see ParseTrustedProxies); nil trusts loopback only, an
	// empty list no one.
	TrustedProxies []netip.Prefix
	// HealthToken, if set, is a bearer token that gets /healthz's details
	// from anywhere; without it only loopback callers get them.
	HealthToken string
	// PollEvery is how often the server looks for changes other
	// processes made to the database; 1 s by default, negative for never.
	PollEvery time.Duration
	// MaxStreams caps the event streams open at once (DefaultMaxStreams
	// if 0); past it a new one is answered 503 with Retry-After.
	// StreamsPerSession caps one session's (DefaultStreamsPerSession): a
	// new one past it ends the session's oldest. StreamCheckEvery is how
	// often the sessions of open streams are checked for revocations,
	// this process's and others' (DefaultStreamCheckEvery).
	MaxStreams        int
	StreamsPerSession int
	StreamCheckEvery  time.Duration
	// MaxConns bounds the open connections (DefaultMaxConns if 0): past
	// it the longest-idle one is closed to make room (see connLimit).
	MaxConns int
	// Health, if set, is what GET /healthz reports (opsdeck serve adds the
	// worker's state); without it the check is that the database answers.
	Health HealthFunc
	// SESTopics are the SNS topic ARNs (SES's event destination) whose
	// messages POST /hooks/ses takes; with none the route answers 404.
	SESTopics []string
	// SNS verifies those messages; by default against the system's roots
	// over the network, on the server's clock. Tests give one with their
	// own roots and client.
	SNS *sns.Verifier
}

// HealthFunc reports the health of what the server runs beside: details to
// show, and an error when something is wrong (answered with 503).
type HealthFunc func(ctx context.Context) (details any, err error)

// Server is the crew web server.
type Server struct {
	opts    Options
	store   *store.Store
	auth    *auth.Service
	log     *slog.Logger
	now     func() time.Time
	handler http.Handler
	secure  bool

	hub      *hub
	pages    *pageCache
	data     dataCache
	limiter  *clientLimiter // link exchanges, per address
	renderer *renderer
	ses      *sesHook // nil: no SES events topic configured

	trusted        trustedProxies
	refreshLimiter *clientLimiter // refreshes, per address
	sessionLimiter *clientLimiter // refreshes, per session

	mu       sync.Mutex
	srv      *http.Server
	listener net.Listener
	conns    *connLimit
	done     chan struct{}
	stop     context.CancelFunc

	// seenSeq is the change log's position watchStore has acted on.
	seenSeq int64
}

// New builds a Server; Start or Serve runs it.
func New(opts Options) (*Server, error) {
	if opts.Store == nil || opts.Auth == nil {
		return nil, errors.New("web: a store and an auth service are required")
	}
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = opts.Store.Now
	}
	if opts.ExchangeRate == 0 {
		opts.ExchangeRate = rate.Every(6 * time.Second)
	}
	if opts.ExchangeBurst == 0 {
		opts.ExchangeBurst = 10
	}
	if opts.RefreshRate == 0 {
		opts.RefreshRate = rate.Every(time.Second)
	}
	if opts.RefreshBurst == 0 {
		opts.RefreshBurst = 60
	}
	if opts.SessionRefreshRate == 0 {
		opts.SessionRefreshRate = rate.Every(20 * time.Second)
	}
	if opts.SessionRefreshBurst == 0 {
		opts.SessionRefreshBurst = 10
	}
	if opts.TrustedProxies == nil {
		opts.TrustedProxies = loopbackProxies
	}
	if opts.PollEvery == 0 {
		opts.PollEvery = time.Second
	}
	if (opts.TLSCert == "") != (opts.TLSKey == "") {
		return nil, portfolio.Errorf(portfolio.EINVALID, "give both --tls-cert and --tls-key, or neither")
	}
	if opts.BaseURL != "" {
		base, err := ParseBaseURL(opts.BaseURL)
		if err != nil {
			return nil, err
		}
		opts.BaseURL = base
	}
	r, err := newRenderer()
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts: opts, store: opts.Store, auth: opts.Auth, log: opts.Logger, now: opts.Now,
		secure:   opts.TLSCert != "" || strings.HasPrefix(opts.BaseURL, "https://"),
		hub:      newHub(),
		limiter:  newClientLimiter(opts.ExchangeRate, opts.ExchangeBurst, opts.LimiterKeys),
		renderer: r,

		trusted:        opts.TrustedProxies,
		refreshLimiter: newClientLimiter(opts.RefreshRate, opts.RefreshBurst, opts.LimiterKeys),
		sessionLimiter: newClientLimiter(opts.SessionRefreshRate, opts.SessionRefreshBurst, opts.LimiterKeys),
	}
	s.pages = newPageCache(s)
	s.data.events = map[int64]*eventData{}
	if s.ses, err = newSESHook(opts); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// Handler is the server's HTTP handler, for tests and for embedding the
// crew server in another mux.
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens on the configured address and serves in the background
// until Shutdown. It returns once the listener is bound, so Addr and URL
// are valid after it.
func (s *Server) Start(ctx context.Context) error {
	if err := s.start(ctx); err != nil {
		return err
	}
	s.log.Info("crew server listening", "addr", s.Addr(), "url", s.URL())
	// `opsdeck link` in another shell mints links under this address
	// rather than the default one. Not being able to say so does not stop
	// the server: links made here are right, and --base-url still works.
	if err := s.store.SetCrewServerURL(ctx, "crew server", s.URL()); err != nil {
		s.log.Warn("could not record the crew server's address for opsdeck link", "err", err)
	}
	return nil
}

func (s *Server) start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return errors.New("web: server already started")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("crew server: listen on %s: %w", s.opts.Addr, err)
	}
	s.listener = ln
	conns := newConnLimit(s.opts.MaxConns)
	s.conns = conns
	ln = conns.wrap(ln)
	s.srv = &http.Server{
		Handler:           s.handler,
		ConnState:         conns.track,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		// Long enough for any page or API answer; the event stream lifts
		// it for itself.
		WriteTimeout:   30 * time.Second,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 16 << 10,
		ErrorLog:       slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stop = stop
	s.done = make(chan struct{})
	go s.watchStore(bg)
	go func() {
		defer close(s.done)
		var err error
		if s.opts.TLSCert != "" {
			err = s.srv.ServeTLS(ln, s.opts.TLSCert, s.opts.TLSKey)
		} else {
			err = s.srv.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("crew server stopped", "err", err)
		}
	}()
	return nil
}

// Serve runs the server until ctx is cancelled, then shuts it down
// gracefully.
func (s *Server) Serve(ctx context.Context) error {
	if err := s.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return s.Shutdown(shutdownCtx)
}

// Shutdown stops accepting requests, ends the event streams and waits for
// requests in flight, up to ctx's deadline.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	srv, done, stop := s.srv, s.done, s.stop
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	stop() // ends the store watcher and, through the hub, every stream
	s.hub.closeAll()
	err := srv.Shutdown(ctx)
	<-done
	return err
}

// Addr is the address the server listens on (after Start), or the
// configured one.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener != nil {
		return s.listener.Addr().String()
	}
	return s.opts.Addr
}

// URL is the base URL links are minted with.
func (s *Server) URL() string {
	if s.opts.BaseURL != "" {
		return s.opts.BaseURL
	}
	scheme := "http"
	if s.opts.TLSCert != "" {
		scheme = "https"
	}
	return scheme + "://" + s.Addr()
}

// ParseBaseURL checks a base URL crew reach the server at (--base-url) and
// returns it without a trailing slash: an absolute http or https URL with
// a host, no query or fragment (a link appends /l/TOKEN to it).
func ParseBaseURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", portfolio.Errorf(portfolio.EINVALID, "base URL %q must be an absolute http or https URL such as https://crew.example.com, with no query, fragment or password", s)
	}
	return strings.TrimRight(s, "/"), nil
}

// LinkURL is the address of a magic link under base.
func LinkURL(base, token string) string {
	return strings.TrimRight(base, "/") + "/l/" + url.PathEscape(token)
}

// Link is a minted magic link with its URL.
type Link struct {
	store.CrewLink
	URL string `json:"url"`
}

// MintLink creates a magic link for a person, event and role (see
// auth.LinkRequest for the defaults) and returns it with its URL. The URL
// is the only copy of the token: show it once.
func (s *Server) MintLink(ctx context.Context, actor string, req auth.LinkRequest) (Link, error) {
	l, token, err := s.auth.MintLink(ctx, actor, req)
	if err != nil {
		return Link{}, err
	}
	s.Invalidate(l.EventID)
	return Link{CrewLink: l, URL: LinkURL(s.URL(), token)}, nil
}

// RevokeLink revokes a link; whoever opened it loses access at once.
func (s *Server) RevokeLink(ctx context.Context, actor string, id int64) error {
	l, err := s.store.CrewLink(ctx, id)
	if err != nil {
		return err
	}
	if err := s.auth.RevokeLink(ctx, actor, id); err != nil {
		return err
	}
	s.checkStreams(ctx) // its sessions' streams end now, not at the next check
	s.Invalidate(l.EventID)
	return nil
}

// Links lists an event's links (every link for eventID 0), newest first.
func (s *Server) Links(ctx context.Context, eventID int64) ([]store.CrewLink, error) {
	return s.store.CrewLinks(ctx, eventID)
}

// Subscribe returns a channel of an event's checklist changes (every
// event's for eventID 0) and a func that ends the subscription. A slow
// reader misses changes rather than holding up the server; a gap in
// Version tells it to reload.
func (s *Server) Subscribe(eventID int64) (<-chan Change, func()) {
	return s.hub.subscribe(eventID)
}

// Invalidate tells the server that an event (every event, for 0) changed
// outside it, say from the console's editor: pages are re-rendered and
// open pages reloaded.
func (s *Server) Invalidate(eventID int64) {
	s.publish(store.ChecklistChange{EventID: eventID, Action: "reload", At: s.now()})
}

// publish bumps the event's version and tells subscribers.
func (s *Server) publish(ch store.ChecklistChange) {
	for _, id := range s.hub.eventIDs(ch.EventID) {
		c := ch
		c.EventID = id
		s.hub.publish(Change{ChecklistChange: c, Version: s.hub.bump(id)})
	}
}

// watchStore notices commits by other processes (the CLI revoking a link,
// a console editing an event) through SQLite's data_version, and reloads
// what depends on them: which events, and whether crew access or people
// changed, it reads from the change log, so serve's replication and its
// lease renewals, which move data_version every few seconds, send no
// phone to fetch its checklist again.
func (s *Server) watchStore(ctx context.Context) {
	if s.opts.PollEvery < 0 {
		return
	}
	last, err := s.store.DataVersion(ctx)
	if err == nil {
		s.seenSeq, err = s.store.ChangeSeq(ctx)
	}
	if err != nil {
		s.log.Warn("cannot watch the database for outside changes", "err", err)
		return
	}
	t := time.NewTicker(s.opts.PollEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := s.store.DataVersion(ctx)
		if err != nil || v == last {
			continue
		}
		if err := s.outsideChanges(ctx); err != nil {
			s.log.Warn("cannot read what changed in the database", "err", err)
			continue
		}
		last = v
	}
}

// outsideChanges acts on what the change log holds since the last look.
// The log holds this process's own writes too: a tick the server made
// itself has been published already, and telling its event's phones
// once more to fetch the checklist is the price of not telling them
// apart.
func (s *Server) outsideChanges(ctx context.Context) error {
	ch, err := s.store.ChangesSince(ctx, s.seenSeq)
	if err != nil {
		return err
	}
	s.seenSeq = ch.Seq
	if ch.Has(store.AreaCrew, store.AreaPortfolio, store.AreaEntity) {
		// A revoked link or session, a person's name or address.
		s.auth.ForgetSessions()
	}
	// A stream told to reload learns on its next request that its link
	// or session was revoked; a link is keyed by its event, a session by
	// none.
	events := slices.Concat(ch.Keys[store.AreaEvent], ch.Keys[store.AreaCrew])
	if ch.Has(store.AreaPortfolio, store.AreaEntity) || slices.Contains(events, 0) || len(events) > maxInvalidated {
		// People's names show on every checklist.
		s.Invalidate(0)
		return nil
	}
	slices.Sort(events)
	for _, id := range slices.Compact(events) {
		s.Invalidate(id)
	}
	return nil
}

// maxInvalidated is how many events an outside change reloads one by one;
// past it (an import) every stream reloads.
const maxInvalidated = 100
