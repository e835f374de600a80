package web

import (
	"errors"
	"net"
	"net/http"
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
	sess, err := s.auth.Refresh(r.Context(), rc.Value)
	if err != nil {
		// A store that cannot write has spent nothing: keep the cookies
		// for the next try.
		if status(err) != http.StatusServiceUnavailable {
			s.clearSession(w)
		}
		return viewer{}, err
	}
	s.setSession(w, sess)
	return viewerOf(sess.Claims), nil
}

// handleLanding answers GET on a magic link with a page whose button
// posts back to it. Link previews in messaging apps fetch with GET, so
// they cannot use up a single-use link; the token is not even looked up.
func (s *Server) handleLanding(w http.ResponseWriter, r *http.Request) {
	s.writeHTML(w, r, http.StatusOK, "landing", nil)
}

// handleExchange trades a magic link for a session and opens the
// checklist. Every bad link gets the same page; a link the server could
// not check (its store failed) is not called bad, but asked again.
func (s *Server) handleExchange(w http.ResponseWriter, r *http.Request) {
	if !s.limiter.allow(clientAddr(r), s.now()) {
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
	sess, err := s.auth.Refresh(r.Context(), rc.Value)
	if err != nil && status(err) == http.StatusServiceUnavailable {
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

// handleLogout forgets the session on this device.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	s.clearSession(w)
	s.writeMessage(w, r, http.StatusOK, "Signed out", "You are signed out on this device. Your link signs you in again.")
}

// clientAddr is the request's client address for rate limiting. Behind
// Caddy or nginx on the same host every request comes from loopback, and
// limiting by that address would make one bucket of all crew; so from a
// loopback peer only, the address the proxy appended last to
// X-Forwarded-For counts. Entries left of it are the client's own claims,
// and from any other peer the header is ignored: both are trivially forged.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return host
	}
	forwarded := r.Header.Values("X-Forwarded-For")
	if len(forwarded) == 0 {
		return host
	}
	hops := strings.Split(forwarded[len(forwarded)-1], ",")
	if ip := net.ParseIP(strings.TrimSpace(hops[len(hops)-1])); ip != nil {
		return ip.String()
	}
	return host
}

// clientLimiter is a token bucket per client address.
type clientLimiter struct {
	mu      sync.Mutex
	limit   rate.Limit
	burst   int
	clients map[string]*limitedClient
}

type limitedClient struct {
	lim  *rate.Limiter
	seen time.Time
}

// maxLimitedClients bounds the limiter's memory; idle entries are dropped
// when it fills.
const maxLimitedClients = 10000

func newClientLimiter(limit rate.Limit, burst int) *clientLimiter {
	return &clientLimiter{limit: limit, burst: burst, clients: map[string]*limitedClient{}}
}

func (l *clientLimiter) allow(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.clients[addr]
	if c == nil {
		if len(l.clients) >= maxLimitedClients {
			for a, old := range l.clients {
				if now.Sub(old.seen) > 10*time.Minute {
					delete(l.clients, a)
				}
			}
		}
		c = &limitedClient{lim: rate.NewLimiter(l.limit, l.burst)}
		l.clients[addr] = c
	}
	c.seen = now
	return c.lim.AllowN(now, 1)
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
