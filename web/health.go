package web

import (
	"context"
	"net/http"
	"time"
)

// handleHealth answers load balancers and monitors: 200 with details when
// all is well, 503 with the reason when not. It reveals nothing a crew
// member could not see anyway, and needs no token.
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
	if s.opts.Health != nil {
		details, err := s.opts.Health(ctx)
		body["details"] = details
		if err != nil {
			body["status"], body["problem"] = "degraded", err.Error()
			writeJSON(w, http.StatusServiceUnavailable, body)
			return
		}
	}
	writeJSON(w, http.StatusOK, body)
}
