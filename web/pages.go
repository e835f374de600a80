package web

import (
	"net/http"
	"strconv"
	"strings"

	"opsdeck/portfolio"
)

// handlePage serves an event's checklist page from the page cache.
func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) {
	v, id, ok := s.pageViewer(w, r)
	if !ok {
		return
	}
	p, err := s.pages.get(r.Context(), id, v)
	if err != nil {
		s.writePageError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Vary", "Accept-Encoding")
	if acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		h.Set("Content-Length", strconv.Itoa(len(p.gz)))
		w.WriteHeader(http.StatusOK)
		w.Write(p.gz)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(p.html)))
	w.WriteHeader(http.StatusOK)
	w.Write(p.html)
}

// pageViewer authenticates a page request, refreshing silently, and
// checks the event in the path; it answers the request itself when not ok.
func (s *Server) pageViewer(w http.ResponseWriter, r *http.Request) (viewer, int64, bool) {
	v, err := s.authenticate(w, r, true)
	if err != nil && status(err) == http.StatusServiceUnavailable {
		s.writePageError(w, r, err)
		return v, 0, false
	}
	if err != nil {
		s.writeMessage(w, r, http.StatusUnauthorized, "Open your link again",
			"You are not signed in on this device, or your sign-in has ended. Open the link your captain sent you.")
		return v, 0, false
	}
	id, err := pathID(r, "event")
	if err == nil && !v.canOpen(id) {
		err = forbidden("Your link is for another event.")
	}
	if err != nil {
		s.writePageError(w, r, err)
		return v, 0, false
	}
	return v, id, true
}

// handleFormItem and handleFormPhase are the no-script versions of the
// API's actions: a form post, then a redirect back to the item.
func (s *Server) handleFormItem(w http.ResponseWriter, r *http.Request)  { s.formAction(w, r, false) }
func (s *Server) handleFormPhase(w http.ResponseWriter, r *http.Request) { s.formAction(w, r, true) }

func (s *Server) formAction(w http.ResponseWriter, r *http.Request, phase bool) {
	v, eventID, ok := s.pageViewer(w, r)
	if !ok {
		return
	}
	a, err := pathAction(r, phase)
	if err == nil {
		err = r.ParseForm()
	}
	if err == nil && r.PostForm.Get("person_id") != "" {
		if a.personID, err = strconv.ParseInt(r.PostForm.Get("person_id"), 10, 64); err != nil {
			err = portfolio.Errorf(portfolio.EINVALID, "person_id must be a number")
		}
	}
	a.note = r.PostForm.Get("note")
	anchor := "#p" + itoa(a.phaseID)
	if !phase {
		anchor = "#i" + itoa(a.itemID)
	}
	if err == nil {
		_, err = s.perform(r.Context(), v, a)
	}
	if err != nil {
		s.formError(w, r, eventID, v, err)
		return
	}
	http.Redirect(w, r, "/e/"+itoa(eventID)+anchor, http.StatusSeeOther)
}

func (s *Server) handleFormRevoke(w http.ResponseWriter, r *http.Request) {
	v, eventID, ok := s.pageViewer(w, r)
	if !ok {
		return
	}
	if err := s.revoke(r, v); err != nil {
		s.formError(w, r, eventID, v, err)
		return
	}
	http.Redirect(w, r, "/e/"+itoa(eventID)+"#links", http.StatusSeeOther)
}

// formError shows the page again with the reason a form post failed,
// under the status the API would have given.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, eventID int64, v viewer, err error) {
	code := status(err)
	if code == http.StatusInternalServerError {
		s.log.Error("crew form post failed", "err", err)
	}
	page, rerr := s.pageFor(r.Context(), eventID, v, publicMessage(err))
	if rerr != nil {
		s.writePageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	setRetryAfter(w, code)
	w.WriteHeader(code)
	w.Write(page)
}

func (s *Server) handleRoot(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		s.writeMessage(w, r, http.StatusNotFound, "Not found", "There is nothing here. Open the link your captain sent you.")
		return
	}
	s.writeMessage(w, r, http.StatusOK, "Crew checklist", "Open the link your captain sent you to see your event's checklist.")
}

func (s *Server) writePageError(w http.ResponseWriter, r *http.Request, err error) {
	code := status(err)
	if code == http.StatusInternalServerError {
		s.log.Error("crew page failed", "err", err)
	}
	title := map[int]string{http.StatusForbidden: "Not for you", http.StatusNotFound: "Not found", http.StatusUnauthorized: "Open your link again",
		http.StatusServiceUnavailable: "Try again in a minute"}[code]
	if title == "" {
		title = "Something went wrong"
	}
	setRetryAfter(w, code)
	s.writeMessage(w, r, code, title, publicMessage(err))
}

func (s *Server) writeMessage(w http.ResponseWriter, r *http.Request, code int, title, text string) {
	s.writeHTML(w, r, code, "message", map[string]string{"Title": title, "Text": text})
}

func (s *Server) writeHTML(w http.ResponseWriter, r *http.Request, code int, name string, data any) {
	b, err := s.renderer.render(name, data)
	if err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(b)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
