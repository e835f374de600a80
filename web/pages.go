package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"opsdeck/auth"
	"opsdeck/portfolio"
	"opsdeck/store"
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
		var ok bool
		if a.personID, ok = ParseID(r.PostForm.Get("person_id")); !ok {
			err = portfolio.Errorf(portfolio.EINVALID, "person_id must be a person's id")
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

// landingView is what a magic link's page says above its button: whose
// link it is and for which event, so someone holding two links (or a
// forwarded one) knows which this is before using it.
type landingView struct {
	Title  string // the event's
	Person string // the link's holder
	As     string // their job title, or else the link's role
	Day    string // the departure's, in the event's zone
	What   string // "crew call", or "boarding" for a guest
	Call   string // its time, with its day if not the departure's
	Zone   string
}

// landing looks up the link in the URL without using it, and returns
// nil (the plain page) unless it still works. A link is a bearer secret
// and whoever holds it may open the checklist, but the page tells them
// no more than that: their own name and role, the event's title and
// when to turn up, all of which the checklist's header shows them too;
// never anyone else on the crew. A link that expired, was revoked or
// was used up says nothing, the same nothing as a link that never was
// (the exchange then gives all of them one answer), and neither does a
// link the store could not look up.
func (s *Server) landing(ctx context.Context, token string) *landingView {
	hash, ok := auth.HashLink(token)
	if !ok {
		return nil
	}
	now := s.now()
	l, err := s.store.CrewLinkByHash(ctx, hash)
	var d *eventData
	if err == nil && l.State(now) == store.LinkActive {
		d, err = s.load(ctx, l.EventID)
	}
	var person portfolio.Person
	if err == nil && d != nil {
		person, err = s.store.FindPerson(ctx, strconv.FormatInt(l.PersonID, 10))
	}
	if err != nil {
		if portfolio.ErrorCode(err) != portfolio.ENOTFOUND {
			s.log.Warn("crew link page: cannot look up the link", "err", err)
		}
		return nil
	}
	if d == nil || person.ID != l.PersonID {
		return nil
	}
	t := d.event.Timing()
	loc := t.Departure.Location()
	v := &landingView{Title: d.event.Title, Person: l.PersonName, As: person.Title, Day: portfolio.Day(t.Departure, now, loc),
		What: "crew call", Call: portfolio.Stamp(t.CrewCall, t.Departure, loc), Zone: portfolio.ZoneName(loc, t.Departure)}
	if l.Role == portfolio.AccessGuest {
		v.What, v.Call = "boarding", portfolio.Stamp(t.Boarding, t.Departure, loc)
	}
	if v.As == "" {
		v.As = string(l.Role)
	}
	return v
}
