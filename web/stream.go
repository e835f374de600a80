package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// keepAlive is how often an idle stream sends a comment, so proxies and
// phones do not decide the connection is dead.
const keepAlive = 20 * time.Second

// handleStream is the Server-Sent Events stream of one event for one
// viewer. Each message carries the page parts the change touched,
// rendered for this viewer, so the script only swaps them in. A client
// that comes back with an old version (Last-Event-ID) gets every part.
// The stream ends when the viewer's access token expires; the script
// refreshes it and reconnects.
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request) {
	v, id, ok := s.apiEventViewer(w, r)
	if !ok {
		return
	}
	rc := http.NewResponseController(w)
	// The server's write timeout is for ordinary answers; a stream lives
	// until its token expires.
	if err := rc.SetWriteDeadline(time.Time{}); err != nil {
		s.log.Debug("stream write deadline", "err", err)
	}
	sub, cancel := s.hub.subscribe(id)
	defer cancel()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	since := r.Header.Get("Last-Event-ID")
	if since == "" {
		since = r.URL.Query().Get("v")
	}
	last, err := strconv.ParseUint(since, 10, 64)
	if err != nil {
		last = 0 // no version, or a garbled one: send every part
	}
	fmt.Fprint(w, "retry: 2000\n\n")
	if cur := s.hub.version(id); last != cur {
		if last, err = s.sendParts(w, r, id, v, nil); err != nil {
			return
		}
	}
	if err := rc.Flush(); err != nil {
		return
	}

	expire := time.NewTimer(max(time.Until(v.Expires), time.Second))
	defer expire.Stop()
	ping := time.NewTicker(keepAlive)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.hub.done():
			return
		case <-expire.C:
			return
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
		case c, ok := <-sub:
			if !ok {
				return
			}
			// Take every change waiting, and render once: a burst of
			// claims becomes one message.
			phases, full := map[int64]bool{}, false
			for {
				if c.Version != last+1 || c.Action == "reload" || c.PhaseID == 0 {
					full = true
				}
				last = max(last, c.Version)
				phases[c.PhaseID] = true
				select {
				case c, ok = <-sub:
					if ok {
						continue
					}
				default:
				}
				break
			}
			if full {
				phases = nil
			}
			if last, err = s.sendParts(w, r, id, v, phases); err != nil {
				return
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// sendParts writes one "change" message with the given phases' parts
// (every part if phases is nil) and returns the version it showed.
func (s *Server) sendParts(w http.ResponseWriter, r *http.Request, eventID int64, v viewer, phases map[int64]bool) (uint64, error) {
	var ids []int64
	for id := range phases {
		ids = append(ids, id)
	}
	parts, version, err := s.partsFor(r.Context(), eventID, v, ids...)
	if err != nil {
		s.log.Warn("render stream update", "event", eventID, "err", err)
		return 0, err
	}
	b, err := json.Marshal(map[string]any{"v": strconv.FormatUint(version, 10), "parts": parts})
	if err != nil {
		return 0, err
	}
	_, err = fmt.Fprintf(w, "id: %d\nevent: change\ndata: %s\n\n", version, b)
	return version, err
}
