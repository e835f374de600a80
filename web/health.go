package web

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// handleHealth answers load balancers and monitors: 200 with details when
// all is well, 503 with the reason when not. It reveals nothing a crew
// member could not see anyway, and needs no token.
//
// A database that answers may still refuse every write (a full disk), so
// the store's record of its last writes counts too: "writes" is "ok" or
// "failing", the latter with "write_error" and "write_failing_since",
// until a write succeeds again.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	body := map[string]any{"status": "ok"}
	if _, err := s.store.DataVersion(ctx); err != nil {
		body["status"], body["store"] = "unavailable", err.Error()
		writeJSON(w, http.StatusServiceUnavailable, body)
		return
	}
	body["store"] = "ok"
	code := http.StatusOK
	var problems []string
	if ok, reason, since := s.store.WriteHealth(); ok {
		body["writes"] = "ok"
	} else {
		body["writes"], body["write_error"], body["write_failing_since"] = "failing", reason, since
		problems = append(problems, "writes are failing: "+reason)
	}
	if s.opts.Health != nil {
		details, err := s.opts.Health(ctx)
		body["details"] = details
		if err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		code = http.StatusServiceUnavailable
		body["status"], body["problem"] = "degraded", strings.Join(problems, "; ")
	}
	writeJSON(w, code, body)
}
