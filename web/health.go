package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// handleHealth answers load balancers and monitors: 200 when all is well,
// 503 when not, with the reason.
//
// Anyone may ask, and anyone is told only ok or not, and why in a word
// ("store", "writes", "background": which part is failing), without the
// details: no error texts (they carry paths), no lease holder's host or
// PID, no outbox counts, no failed runs. The details (as below) go to a
// caller on the same host, not through a proxy, and to one who presents
// the health token (Options.HealthToken, OPSDECK_HEALTH_TOKEN) as
// "Authorization: Bearer TOKEN".
//
// A database that answers may still refuse every write (a full disk), so
// the store's record of its last writes counts too: "writes" is "ok" or
// "failing", the latter with "write_error" and "write_failing_since" in
// the details, until a write succeeds again.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	details := s.healthDetails(r)
	body := map[string]any{"status": "ok"}
	if _, err := s.store.DataVersion(ctx); err != nil {
		body["status"], body["store"] = "unavailable", "unavailable"
		if details {
			body["store"] = err.Error()
		} else {
			body["problems"] = []string{"store"}
		}
		writeJSON(w, http.StatusServiceUnavailable, body)
		return
	}
	body["store"] = "ok"
	code := http.StatusOK
	var problems, why []string
	if ok, reason, since := s.store.WriteHealth(); ok {
		body["writes"] = "ok"
	} else {
		body["writes"] = "failing"
		if details {
			body["write_error"], body["write_failing_since"] = reason, since
		}
		problems, why = append(problems, "writes"), append(why, "writes are failing: "+reason)
	}
	if s.opts.Health != nil {
		more, err := s.opts.Health(ctx)
		if details {
			body["details"] = more
		}
		if err != nil {
			problems, why = append(problems, "background"), append(why, err.Error())
		}
	}
	if len(problems) > 0 {
		code = http.StatusServiceUnavailable
		body["status"] = "degraded"
		if details {
			body["problem"] = strings.Join(why, "; ")
		} else {
			body["problems"] = problems
		}
	}
	writeJSON(w, code, body)
}

// healthDetails reports whether r may see /healthz's details: it comes
// from loopback with no sign of a proxy (a proxy on the same host makes
// every request come from loopback), or carries the health token.
func (s *Server) healthDetails(r *http.Request) bool {
	if token := s.opts.HealthToken; token != "" {
		if given, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			// Hashes of equal length, so the comparison's time says
			// nothing about the token, not even its length.
			a, b := sha256.Sum256([]byte(strings.TrimSpace(given))), sha256.Sum256([]byte(token))
			if subtle.ConstantTimeCompare(a[:], b[:]) == 1 {
				return true
			}
		}
	}
	for _, h := range []string{"X-Forwarded-For", "Forwarded", "X-Real-Ip", "X-Forwarded-Host", "Via"} {
		if _, ok := r.Header[h]; ok {
			return false
		}
	}
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	return err == nil && peer.Addr().Unmap().IsLoopback()
}
