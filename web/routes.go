package web

import (
	"net/http"
	"strings"
)

// routes is the whole URL space of the crew server.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.handleRoot)
	mux.HandleFunc("GET /healthz", s.handleHealth)

	// Magic links: GET only shows a button, POST exchanges the link.
	mux.HandleFunc("GET /l/{token}", s.handleLanding)
	mux.HandleFunc("POST /l/{token}", s.handleExchange)
	mux.HandleFunc("POST /logout", s.handleLogout)

	// The page and its no-script form posts.
	mux.HandleFunc("GET /e/{event}", s.handlePage)
	mux.HandleFunc("POST /e/{event}/items/{id}/{action}", s.handleFormItem)
	mux.HandleFunc("POST /e/{event}/phases/{id}/{action}", s.handleFormPhase)
	mux.HandleFunc("POST /e/{event}/links/{id}/revoke", s.handleFormRevoke)

	// The JSON API, the event stream and the silent refresh.
	mux.HandleFunc("GET /api/events/{id}", s.handleAPIEvent)
	mux.HandleFunc("GET /api/events/{id}/stream", s.handleStream)
	mux.HandleFunc("GET /api/events/{id}/log", s.handleAPILog)
	mux.HandleFunc("POST /api/items/{id}/{action}", s.handleAPIItem)
	mux.HandleFunc("POST /api/phases/{id}/{action}", s.handleAPIPhase)
	mux.HandleFunc("POST /api/links/{id}/revoke", s.handleAPIRevoke)
	mux.HandleFunc("POST /api/auth/refresh", s.handleRefresh)

	// Amazon SNS posts SES's delivery, bounce and complaint events here
	// (seshook.go); its signature, not a crew token, vouches for it.
	mux.HandleFunc("POST "+sesHookPath, s.handleSESHook)

	cop := http.NewCrossOriginProtection()
	// SNS is a server, not a browser: it sends no Origin or Sec-Fetch-Site
	// that a cross-origin check could judge, and no cookies that a forged
	// request could ride on. What the check guards against cannot happen
	// on the hook, whose every message must carry SNS's signature; only
	// this one route is let past it.
	cop.AddInsecureBypassPattern("POST " + sesHookPath)
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "forbidden", "message": "cross-origin request refused"})
			return
		}
		s.writeMessage(w, r, http.StatusForbidden, "Refused", "That request came from another site.")
	}))
	return s.harden(cop.Handler(mux))
}

// harden sets the security headers every answer carries and caps every
// request body.
func (s *Server) harden(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", s.renderer.csp)
		// Magic-link tokens travel in URLs: never let one leak in a Referer.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if r.Body != nil {
			limit := int64(maxBody)
			if r.URL.Path == sesHookPath {
				limit = maxHookBody // an SNS message, far larger than a note
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}
