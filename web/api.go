package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"
	"unicode/utf8"

	"opsdeck/auth"
	"opsdeck/portfolio"
	"opsdeck/store"
)

// apiEvent is GET /api/events/{id}: the event as the viewer may see it.
// Guests get the timing and each phase's progress, without items.
type apiEvent struct {
	ID       int64            `json:"id"`
	Title    string           `json:"title"`
	Kind     string           `json:"kind"`
	Location string           `json:"location"`
	TimeZone string           `json:"time_zone"`
	Status   string           `json:"status"`
	Timing   portfolio.Timing `json:"timing"`
	Done     int              `json:"checklist_done"`
	Total    int              `json:"checklist_total"`
	Phases   []apiPhase       `json:"phases"`
	Crew     []apiCrewMember  `json:"crew,omitempty"`
	Version  uint64           `json:"version"`
	You      apiViewer        `json:"you"`
}

// apiCrewMember is a crew member as the crew see each other: by name and
// role. Their email addresses are the owner's to know, not the crew's.
type apiCrewMember struct {
	PersonID int64                `json:"person_id"`
	Name     string               `json:"name"`
	Role     portfolio.AccessRole `json:"role"`
}

// apiItem is a checklist item as the crew see it: who claimed or ticked
// it by name, not by email address.
type apiItem struct {
	ID            int64                `json:"id"`
	PhaseID       int64                `json:"phase_id"`
	Title         string               `json:"title"`
	RequiredRole  portfolio.AccessRole `json:"required_role"`
	Position      int                  `json:"position"`
	Mandatory     bool                 `json:"mandatory"`
	Note          string               `json:"note"`
	ClaimedBy     int64                `json:"claimed_by,omitempty"`
	ClaimedByName string               `json:"claimed_by_name,omitempty"`
	ClaimedAt     time.Time            `json:"claimed_at,omitzero"`
	DoneBy        int64                `json:"done_by,omitempty"`
	DoneByName    string               `json:"done_by_name,omitempty"`
	DoneAt        time.Time            `json:"done_at,omitzero"`
}

func apiItemOf(it portfolio.ChecklistItem) apiItem {
	return apiItem{ID: it.ID, PhaseID: it.PhaseID, Title: it.Title, RequiredRole: it.RequiredRole, Position: it.Position,
		Mandatory: it.Mandatory, Note: it.Note, ClaimedBy: it.ClaimedBy, ClaimedByName: it.ClaimedByName, ClaimedAt: it.ClaimedAt,
		DoneBy: it.DoneBy, DoneByName: it.DoneByName, DoneAt: it.DoneAt}
}

type apiPhase struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Done        int       `json:"done"`
	Total       int       `json:"total"`
	SignedOffBy string    `json:"signed_off_by,omitempty"`
	SignedOffAt time.Time `json:"signed_off_at,omitzero"`
	Items       []apiItem `json:"items,omitempty"`
}

type apiViewer struct {
	PersonID int64                `json:"person_id"`
	Name     string               `json:"name"`
	Role     portfolio.AccessRole `json:"role"`
}

// apiEventViewer authenticates an API request and checks the event in the
// path, as pageViewer does for pages; it answers the request itself when
// not ok.
func (s *Server) apiEventViewer(w http.ResponseWriter, r *http.Request) (viewer, int64, bool) {
	v, err := s.authenticate(w, r, false)
	if err != nil {
		s.writeAPIError(w, err)
		return v, 0, false
	}
	id, err := pathID(r, "id")
	if err == nil && !v.canOpen(id) {
		err = forbidden("your link is for another event")
	}
	if err != nil {
		s.writeAPIError(w, err)
		return v, 0, false
	}
	return v, id, true
}

func (s *Server) handleAPIEvent(w http.ResponseWriter, r *http.Request) {
	v, id, ok := s.apiEventViewer(w, r)
	if !ok {
		return
	}
	d, err := s.load(r.Context(), id)
	if err != nil {
		s.writeAPIError(w, err)
		return
	}
	e := d.event
	out := apiEvent{ID: e.ID, Title: e.Title, Kind: e.Kind, Location: e.Location, TimeZone: e.TimeZone, Status: string(e.Status),
		Timing: e.Timing(), Version: d.version, You: apiViewer{v.PersonID, v.Name, v.Role}}
	out.Done, out.Total = e.Progress()
	items := v.can(auth.ViewItems)
	if items {
		for _, c := range e.Crew {
			out.Crew = append(out.Crew, apiCrewMember{c.PersonID, c.Name, c.Role})
		}
	}
	for _, p := range e.Phases {
		ap := apiPhase{ID: p.ID, Name: p.Name, SignedOffBy: p.SignedOffName, SignedOffAt: p.SignedOffAt}
		for _, it := range p.Items {
			ap.Total++
			if it.Done() {
				ap.Done++
			}
		}
		if items {
			for _, it := range p.Items {
				ap.Items = append(ap.Items, apiItemOf(it))
			}
		}
		out.Phases = append(out.Phases, ap)
	}
	writeJSON(w, http.StatusOK, out)
}

// apiBody is what an action may carry.
type apiBody struct {
	PersonID int64  `json:"person_id"`
	Note     string `json:"note"`
}

// bodyFields are the members an action's body may have: person_id for a
// claim (a captain's for someone else), note for a note; other actions
// take none.
var bodyFields = map[string]map[string]bool{
	store.ActClaim: {"person_id": true},
	store.ActNote:  {"note": true},
}

func (s *Server) handleAPIItem(w http.ResponseWriter, r *http.Request) {
	s.apiAction(w, r, false)
}

func (s *Server) handleAPIPhase(w http.ResponseWriter, r *http.Request) {
	s.apiAction(w, r, true)
}

func (s *Server) apiAction(w http.ResponseWriter, r *http.Request, phase bool) {
	v, err := s.authenticate(w, r, false)
	if err != nil {
		s.writeAPIError(w, err)
		return
	}
	a, err := pathAction(r, phase)
	if err == nil {
		var b apiBody
		if b, err = decodeBody(r, a.kind); err == nil {
			a.personID, a.note = b.PersonID, b.Note
		}
	}
	if err != nil {
		s.writeAPIError(w, err)
		return
	}
	ch, err := s.perform(r.Context(), v, a)
	if err != nil {
		s.writeAPIError(w, err)
		return
	}
	out := map[string]any{"change": ch}
	if ch.ItemID != 0 {
		if it, err := s.store.ChecklistItem(r.Context(), ch.ItemID); err == nil {
			out["item"] = apiItemOf(it)
		}
	}
	// The page's script asks for its own rendering of what changed, so
	// the change shows at once even before the stream delivers it.
	if r.Header.Get("X-Opsdeck-Parts") == "1" {
		if parts, _, err := s.partsFor(r.Context(), ch.EventID, v, ch.PhaseID); err == nil {
			out["parts"] = parts
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// decodeBody reads an action's optional JSON body of at most maxBody
// bytes: nothing, or exactly one JSON object in valid UTF-8 with nothing
// after it, whose members are those the action takes (bodyFields), each
// once, named exactly (encoding/json alone would take "NOTE" for "note",
// the last of two "note"s, and a second object after the first), with
// person_id a whole number and note a string. Anything else is a 400.
func decodeBody(r *http.Request, kind string) (apiBody, error) {
	var b apiBody
	raw, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return b, &httpError{status: http.StatusRequestEntityTooLarge, code: "too_large", msg: "request body too large"}
	}
	if err != nil {
		return b, portfolio.Errorf(portfolio.EINVALID, "request body could not be read")
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return b, nil
	}
	bad := func(why string, args ...any) (apiBody, error) {
		return apiBody{}, portfolio.Errorf(portfolio.EINVALID, "request body is not the JSON expected: "+why, args...)
	}
	if !utf8.Valid(raw) {
		return bad("it is not UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return bad("it must be one JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		key, _ := tok.(string)
		if err != nil {
			return bad("it must be one JSON object")
		}
		if !bodyFields[kind][key] {
			return bad("%s takes no %q", kind, key)
		}
		if seen[key] {
			return bad("%q is given twice", key)
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return bad("it must be one JSON object")
		}
		switch key {
		case "person_id":
			id, ok := ParseID(string(v))
			if !ok {
				return bad("person_id must be a person's id, a whole number")
			}
			b.PersonID = id
		case "note":
			if len(v) == 0 || v[0] != '"' || json.Unmarshal(v, &b.Note) != nil {
				return bad("note must be a string")
			}
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return bad("it must be one JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("there is more after the object")
	}
	return b, nil
}

func (s *Server) handleAPILog(w http.ResponseWriter, r *http.Request) {
	v, id, ok := s.apiEventViewer(w, r)
	if !ok {
		return
	}
	if !auth.MayChange(v.Role) {
		s.writeAPIError(w, auth.ErrWatchOnly)
		return
	}
	if !v.can(auth.ViewLog) {
		s.writeAPIError(w, forbidden("only the captain reads the log"))
		return
	}
	d, err := s.load(r.Context(), id)
	if err != nil {
		s.writeAPIError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": d.log})
}

func (s *Server) handleAPIRevoke(w http.ResponseWriter, r *http.Request) {
	v, err := s.authenticate(w, r, false)
	if err != nil {
		s.writeAPIError(w, err)
		return
	}
	if err := s.revoke(r, v); err != nil {
		s.writeAPIError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"revoked": r.PathValue("id")})
}

// revoke revokes the link in the path if v may manage its event's links.
func (s *Server) revoke(r *http.Request, v viewer) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if !auth.MayChange(v.Role) {
		return auth.ErrWatchOnly
	}
	l, err := s.store.CrewLink(r.Context(), id)
	if err != nil || !v.canOpen(l.EventID) {
		return portfolio.Errorf(portfolio.ENOTFOUND, "no link %d on your event", id)
	}
	if !v.can(auth.ManageLinks) {
		return forbidden("only an admin revokes links")
	}
	return s.RevokeLink(r.Context(), v.auditActor(), id)
}

// writeAPIError answers with the error's status and a JSON body; a
// conflict carries the item as it now is, and who holds it.
func (s *Server) writeAPIError(w http.ResponseWriter, err error) {
	code := status(err)
	if code == http.StatusInternalServerError {
		s.log.Error("crew request failed", "err", err)
	}
	setRetryAfter(w, code)
	body := map[string]any{"error": errorCode(err), "message": publicMessage(err)}
	var conflict *store.ItemConflict
	if errors.As(err, &conflict) {
		body["item"] = conflict.Item
		if conflict.Item.ClaimedBy != 0 {
			body["holder"] = map[string]any{"person_id": conflict.Item.ClaimedBy, "name": conflict.Item.ClaimedByName}
		}
	}
	writeJSON(w, code, body)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
