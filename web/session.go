package web

import (
	"container/list"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"opsdeck/auth"
	"opsdeck/portfolio"
)

// Cookie names. Both are HttpOnly and SameSite=Strict: scripts cannot
// read them and other sites cannot send them.
const (
	accessCookie  = "od_at"
	refreshCookie = "od_rt"
)

// setSession puts a session's tokens in cookies.
func (s *Server) setSession(w http.ResponseWriter, sess auth.Session) {
	http.SetCookie(w, s.cookie(accessCookie, sess.Access, sess.AccessExpires))
	http.SetCookie(w, s.cookie(refreshCookie, sess.Refresh, sess.RefreshExpires))
}

func (s *Server) clearSession(w http.ResponseWriter) {
	for _, name := range []string{accessCookie, refreshCookie} {
		c := s.cookie(name, "", time.Time{})
		c.MaxAge = -1
		http.SetCookie(w, c)
	}
}

func (s *Server) cookie(name, value string, expires time.Time) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode}
	if !expires.IsZero() {
		c.MaxAge = max(1, int(expires.Sub(s.now()).Seconds()))
	}
	return c
}

// authenticate returns the viewer of a request from its access cookie.
// When silent is set and the access token is missing or expired but the
// refresh cookie is good, it rotates the refresh token and sets fresh
// cookies on w: a page left open for hours keeps working.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, silent bool) (viewer, error) {
	if c, err := r.Cookie(accessCookie); err == nil {
		claims, err := s.auth.Authenticate(r.Context(), c.Value)
		if err == nil {
			return viewerOf(claims), nil
		}
		if !silent || status(err) == http.StatusServiceUnavailable {
			return viewer{}, err
		}
	}
	if !silent {
		return viewer{}, auth.ErrInvalid
	}
	rc, err := r.Cookie(refreshCookie)
	if err != nil {
		return viewer{}, auth.ErrInvalid
	}
	sess, err := s.refresh(r, rc.Value)
	if err != nil {
		// A store that cannot write has spent nothing, and neither has a
		// refresh refused for coming too often: keep the cookies for the
		// next try.
		if code := status(err); code != http.StatusServiceUnavailable && code != http.StatusTooManyRequests {
			s.clearSession(w)
		}
		return viewer{}, err
	}
	s.setSession(w, sess)
	return viewerOf(sess.Claims), nil
}

// errTooManyRefreshes refuses a refresh over the limits.
var errTooManyRefreshes = &httpError{status: http.StatusTooManyRequests, code: "rate_limited",
	msg: "too many sign-in refreshes; wait a minute and try again"}

// refresh rotates a refresh token within the limits: so many a minute
// from one client address, and so many for one session, whichever
// address they come from. Each rotation is a write; without the limits a
// holder of one good token could make the server write without end.
func (s *Server) refresh(r *http.Request, token string) (auth.Session, error) {
	now := s.now()
	if !s.refreshLimiter.allow(limitKey(s.clientAddr(r)), now) {
		return auth.Session{}, errTooManyRefreshes
	}
	if id, ok := s.auth.RefreshSession(r.Context(), token); ok && !s.sessionLimiter.allow("session "+itoa(id), now) {
		return auth.Session{}, errTooManyRefreshes
	}
	return s.auth.Refresh(r.Context(), token)
}

// handleLanding answers GET on a magic link with a page whose button
// posts back to it. Link previews in messaging apps fetch with GET, so
// they cannot use up a single-use link: the token is looked up (to say
// whose link it is, see landing in pages.go) but not used.
func (s *Server) handleLanding(w http.ResponseWriter, r *http.Request) {
	s.writeHTML(w, r, http.StatusOK, "landing", s.landing(r.Context(), r.PathValue("token")))
}

// handleExchange trades a magic link for a session and opens the
// checklist. Every bad link gets the same page; a link the server could
// not check (its store failed) is not called bad, but asked again.
func (s *Server) handleExchange(w http.ResponseWriter, r *http.Request) {
	if !s.limiter.allow(limitKey(s.clientAddr(r)), s.now()) {
		w.Header().Set("Retry-After", "60")
		s.writeMessage(w, r, http.StatusTooManyRequests, "Slow down", "Too many tries from this address. Wait a minute and press the button again.")
		return
	}
	sess, err := s.auth.Exchange(r.Context(), r.PathValue("token"))
	if err != nil && status(err) == http.StatusServiceUnavailable {
		setRetryAfter(w, http.StatusServiceUnavailable)
		s.writeMessage(w, r, http.StatusServiceUnavailable, "Try again in a minute",
			"The server could not open your link just now; the link itself is fine. Wait a minute and press the button again.")
		return
	}
	if err != nil {
		s.writeMessage(w, r, http.StatusUnauthorized, "Link not valid",
			"This link has expired, was revoked or was already used. Ask your captain for a new one.")
		return
	}
	s.setSession(w, sess)
	http.Redirect(w, r, "/e/"+itoa(sess.Claims.Event), http.StatusSeeOther)
}

// handleRefresh rotates the refresh token for the page's script.
func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request) {
	rc, err := r.Cookie(refreshCookie)
	if err != nil {
		s.writeAPIError(w, errUnauthorized)
		return
	}
	sess, err := s.refresh(r, rc.Value)
	if code := status(err); err != nil && (code == http.StatusServiceUnavailable || code == http.StatusTooManyRequests) {
		if code == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "60")
		}
		s.writeAPIError(w, err)
		return
	}
	if err != nil {
		s.clearSession(w)
		s.writeAPIError(w, errUnauthorized)
		return
	}
	s.setSession(w, sess)
	writeJSON(w, http.StatusOK, map[string]any{"expires_at": sess.AccessExpires, "event": sess.Claims.Event})
}

// handleLogout ends the session on the server, not only on this device:
// the access token and every refresh token of the session stop working,
// wherever a copy of them is. A server that cannot record that keeps the
// cookies and asks to try again, rather than say signed out when the
// tokens would still work.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	var access, refresh string
	if c, err := r.Cookie(accessCookie); err == nil {
		access = c.Value
	}
	if c, err := r.Cookie(refreshCookie); err == nil {
		refresh = c.Value
	}
	if err := s.auth.Logout(r.Context(), access, refresh); err != nil {
		code := status(err)
		setRetryAfter(w, code)
		s.writeMessage(w, r, code, "Try again in a minute",
			"The server could not sign you out just now. Wait a minute and press Sign out again.")
		return
	}
	s.clearSession(w)
	s.writeMessage(w, r, http.StatusOK, "Signed out", "You are signed out. Your link signs you in again.")
}

// loopbackProxies are the proxies trusted by default: one on the same
// host (Caddy or nginx in front of the crew server).
var loopbackProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// ParseTrustedProxies reads a --trusted-proxy list: addresses or CIDR
// prefixes, separated by commas or spaces. "" is the default, a proxy on
// the same host (nil: loopback); "none" trusts no proxy, so
// X-Forwarded-For never counts.
func ParseTrustedProxies(spec string) ([]netip.Prefix, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, nil
	}
	if strings.EqualFold(spec, "none") {
		return []netip.Prefix{}, nil
	}
	out := []netip.Prefix{}
	for _, f := range strings.FieldsFunc(spec, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
				p = netip.PrefixFrom(a.Unmap(), p.Bits()-96) // addresses are compared unmapped
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil || a.Zone() != "" {
			return nil, portfolio.Errorf(portfolio.EINVALID, "%q is not an address or a CIDR prefix (like 10.0.0.0/8)", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// trustedProxies are the proxies whose X-Forwarded-For counts.
type trustedProxies []netip.Prefix

func (t trustedProxies) contains(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHop reads one address from X-Forwarded-For or RemoteAddr: a bare
// address or one with a port.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// clientAddr is the request's client address, for rate limits.
func (s *Server) clientAddr(r *http.Request) string { return clientAddr(r, s.trusted) }

// clientAddr is the request's client address for rate limiting. Behind a
// reverse proxy every request comes from the proxy, and limiting by its
// address would make one bucket of all crew; so from a trusted proxy (by
// default one on loopback) X-Forwarded-For counts: read from the right,
// the first address that is not itself a trusted proxy is the client.
// Entries left of it are the client's own claims, and from any other peer
// the header is ignored: both are trivially forged. An entry that is no
// address ends the walk at the last trusted hop.
func clientAddr(r *http.Request, trusted trustedProxies) string {
	peer, ok := parseHop(r.RemoteAddr)
	if !ok {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			return r.RemoteAddr
		}
		return host
	}
	if !trusted.contains(peer) {
		return peer.String()
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			break
		}
		client = a
		if !trusted.contains(a) {
			break
		}
	}
	return client.WithZone("").String()
}

// limitKey is the bucket an address is limited in: the address, or for
// IPv6 its /64, since one host is commonly given a whole /64 and could
// otherwise take a fresh bucket for every request.
func limitKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil || a.Is4() {
		return addr
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return addr
	}
	return p.String()
}

// clientLimiter is a token bucket per key (a client address, a session),
// for at most max keys: when a new key would pass the bound, the least
// recently used bucket goes. Memory stays bounded however many addresses
// a client has; a key evicted starts again with a full bucket, which
// needs max other keys to have been used since, so an attacker with that
// many addresses gains nothing a single address would not.
type clientLimiter struct {
	mu      sync.Mutex
	limit   rate.Limit
	burst   int
	max     int
	clients map[string]*list.Element // of *limitedClient
	lru     list.List                // most recently used first
}

type limitedClient struct {
	key string
	lim *rate.Limiter
}

// maxLimitedClients bounds each limiter's table.
const maxLimitedClients = 10000

func newClientLimiter(limit rate.Limit, burst, max int) *clientLimiter {
	if max <= 0 {
		max = maxLimitedClients
	}
	return &clientLimiter{limit: limit, burst: burst, max: max, clients: map[string]*list.Element{}}
}

func (l *clientLimiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.clients[key]
	if e == nil {
		for len(l.clients) >= l.max {
			oldest := l.lru.Back()
			l.lru.Remove(oldest)
			delete(l.clients, oldest.Value.(*limitedClient).key)
		}
		e = l.lru.PushFront(&limitedClient{key: key, lim: rate.NewLimiter(l.limit, l.burst)})
		l.clients[key] = e
	} else {
		l.lru.MoveToFront(e)
	}
	return e.Value.(*limitedClient).lim.AllowN(now, 1)
}

// size is how many keys the limiter holds.
func (l *clientLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

var errUnauthorized = &httpError{status: http.StatusUnauthorized, code: "unauthorized", msg: "sign in again with your link"}

// httpError is an answer the server chose: a status and a message.
type httpError struct {
	status int
	code   string
	msg    string
}

func (e *httpError) Error() string { return e.msg }

// forbidden refuses what the person's role may not do.
func forbidden(msg string) error { return portfolio.Errorf(portfolio.EFORBIDDEN, "%s", msg) }

func asHTTPError(err error) (*httpError, bool) {
	var he *httpError
	ok := errors.As(err, &he)
	return he, ok
}
