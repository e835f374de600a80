package web

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"opsdeck/auth"
	"opsdeck/portfolio"
	"opsdeck/store"
)

// viewer is who is looking at a page, from their access token.
type viewer struct {
	PersonID int64
	Name     string
	Role     portfolio.AccessRole
	Event    int64 // the event the token is for
	Expires  time.Time
}

func viewerOf(c auth.Claims) viewer {
	return viewer{PersonID: c.PersonID(), Name: c.Name, Role: c.Role, Event: c.Event, Expires: c.ExpiresAt.Time}
}

func (v viewer) can(p auth.Permission) bool { return auth.Can(v.Role, p) }

// eventData is what every view of one event version is built from. It is
// loaded once per version and shared by every viewer.
type eventData struct {
	version uint64
	event   portfolio.Event
	log     []store.LogEntry
	links   []store.CrewLink
}

// dataCache keeps the newest eventData of each event.
type dataCache struct {
	mu     sync.Mutex
	events map[int64]*eventData
}

// load returns the event's data at the hub's current version, reading
// the store only when the version moved on.
func (s *Server) load(ctx context.Context, eventID int64) (*eventData, error) {
	v := s.hub.version(eventID)
	s.data.mu.Lock()
	d := s.data.events[eventID]
	s.data.mu.Unlock()
	if d != nil && d.version == v {
		return d, nil
	}
	ev, err := s.store.Event(ctx, eventID)
	if err != nil {
		return nil, err
	}
	log, err := s.store.ChecklistLog(ctx, eventID, 200)
	if err != nil {
		return nil, err
	}
	links, err := s.store.CrewLinks(ctx, eventID)
	if err != nil {
		return nil, err
	}
	d = &eventData{version: v, event: ev, log: log, links: links}
	s.data.mu.Lock()
	if cur := s.data.events[eventID]; cur == nil || cur.version <= v {
		s.data.events[eventID] = d
	}
	s.data.mu.Unlock()
	return d, nil
}

// pageView is the checklist page, or one of its parts, for one viewer.
type pageView struct {
	EventID   int64
	Title     string
	Kind      string
	Location  string
	Date      string
	Zone      string // named once on the page: every time on it is in the event's zone
	Times     []timeRow
	Countdown string
	Milestone string // unix ms of each milestone, for the script's countdown
	Labels    string // their names, | between
	Notes     string
	Crew      []portfolio.CrewMember
	You       viewer
	Done      int
	Total     int
	Percent   int
	Phases    []phaseView
	ShowItems bool
	Captain   bool
	Admin     bool
	Log       []logRow
	Links     []linkRow
	Version   uint64
	Flash     string
}

type timeRow struct{ Label, At string }

type phaseView struct {
	ID, EventID   int64
	Name          string
	Done, Total   int
	Signed        bool
	SignedBy      string
	SignedAt      string
	MandatoryOpen int
	Items         []itemView
	CanSign       bool
	CanReopen     bool
	ShowItems     bool
	Captain       bool
	Crew          []portfolio.CrewMember
}

type itemView struct {
	ID, EventID int64
	Title       string
	Note        string
	Mandatory   bool
	CaptainOnly bool
	State       string // open, claimed, done
	Holder      string
	HolderAt    string
	DoneBy      string
	DoneAt      string
	Mine        bool
	Locked      bool
	Claim       bool
	Release     bool
	Tick        bool
	Untick      bool
	CanNote     bool
	Reset       bool
	Assign      bool
	Crew        []portfolio.CrewMember // for a captain's assign dialog
}

type logRow struct{ At, Actor, Action, Subject, Detail string }

type linkRow struct {
	ID                           int64
	Person, Role, State, Expires string
	Active                       bool
}

// view builds the page for v from d at now. Every time on it is in the
// event's zone, which the timing panel names; claim, tick, sign-off and
// log times carry as much of their date as a reader today needs
// (portfolio.Stamp), and the timing panel's times as much as a reader
// of its heading, the departure's day, needs.
func (s *Server) view(d *eventData, v viewer, now time.Time) pageView {
	e := d.event
	t := e.Timing()
	loc := t.Departure.Location()
	clock := func(at time.Time) string { return portfolio.Stamp(at, now, loc) }
	done, total := e.Progress()
	p := pageView{
		EventID: e.ID, Title: e.Title, Kind: e.Kind, Location: e.Location, Notes: e.Notes,
		Date: portfolio.Day(t.Departure, now, loc), Zone: portfolio.ZoneName(loc, t.Departure),
		You: v, Done: done, Total: total, Version: d.version,
		ShowItems: v.can(auth.ViewItems), Captain: v.can(auth.SignOff), Admin: v.can(auth.ManageLinks),
	}
	if total > 0 {
		p.Percent = done * 100 / total
	}
	var ms, labels []string
	for _, m := range milestones(t) {
		p.Times = append(p.Times, timeRow{m.label, portfolio.Stamp(m.at, t.Departure, loc)})
		ms = append(ms, strconv.FormatInt(m.at.UnixMilli(), 10))
		labels = append(labels, m.label)
	}
	p.Milestone, p.Labels = strings.Join(ms, " "), strings.Join(labels, "|")
	p.Countdown = countdown(now, t)
	for _, c := range e.Crew {
		if c.Role == portfolio.AccessCaptain || c.Role == portfolio.AccessCrew {
			p.Crew = append(p.Crew, c)
		}
	}
	for _, ph := range e.Phases {
		pv := phaseView{ID: ph.ID, EventID: e.ID, Name: ph.Name, Signed: !ph.SignedOffAt.IsZero(), ShowItems: p.ShowItems, Captain: p.Captain}
		if pv.Signed {
			pv.SignedBy, pv.SignedAt = ph.SignedOffName, clock(ph.SignedOffAt)
		}
		if p.Captain {
			pv.Crew = p.Crew
		}
		for _, it := range ph.Items {
			pv.Total++
			if it.Done() {
				pv.Done++
			} else if it.Mandatory {
				pv.MandatoryOpen++
			}
			if p.ShowItems {
				iv := itemViewOf(it, e.ID, v, pv.Signed, clock)
				if iv.Assign {
					iv.Crew = p.Crew
				}
				pv.Items = append(pv.Items, iv)
			}
		}
		pv.CanSign = p.Captain && !pv.Signed && pv.MandatoryOpen == 0
		pv.CanReopen = p.Captain && pv.Signed
		p.Phases = append(p.Phases, pv)
	}
	if v.can(auth.ViewLog) {
		for _, l := range d.log {
			p.Log = append(p.Log, logRow{At: clock(l.At), Actor: l.Actor, Action: l.Action, Subject: l.Subject, Detail: l.Detail})
		}
	}
	if p.Admin {
		for _, l := range d.links {
			st := l.State(now)
			p.Links = append(p.Links, linkRow{ID: l.ID, Person: l.PersonName, Role: string(l.Role), State: st,
				Expires: clock(l.ExpiresAt), Active: st == store.LinkActive})
		}
	}
	return p
}

func itemViewOf(it portfolio.ChecklistItem, eventID int64, v viewer, locked bool, clock func(time.Time) string) itemView {
	iv := itemView{ID: it.ID, EventID: eventID, Title: it.Title, Note: it.Note, Mandatory: it.Mandatory,
		CaptainOnly: it.RequiredRole == portfolio.AccessCaptain, Locked: locked, State: "open"}
	if it.ClaimedBy != 0 {
		iv.State, iv.Holder, iv.HolderAt = "claimed", it.ClaimedByName, clock(it.ClaimedAt)
	}
	if it.Done() {
		iv.State, iv.DoneBy, iv.DoneAt = "done", it.DoneByName, clock(it.DoneAt)
	}
	iv.Mine = it.ClaimedBy == v.PersonID
	if locked {
		iv.Reset = v.can(auth.ManageItems)
		return iv
	}
	work := auth.CanWork(v.Role, it.RequiredRole)
	manage := v.can(auth.ManageItems)
	switch iv.State {
	case "open":
		iv.Claim = work
		iv.Tick = work
		iv.Assign = v.can(auth.ClaimForOthers)
	case "claimed":
		iv.Release = (iv.Mine && v.can(auth.ReleaseOwn)) || manage
		iv.Tick = work && (iv.Mine || manage)
	case "done":
		iv.Untick = (it.DoneBy == v.PersonID && v.can(auth.TickOwn)) || manage
	}
	iv.CanNote = v.can(auth.NoteItems)
	iv.Reset = manage && iv.State != "open"
	return iv
}

type milestone struct {
	label string
	at    time.Time
}

func milestones(t portfolio.Timing) []milestone {
	return []milestone{{"Crew call", t.CrewCall}, {"Boarding", t.Boarding}, {"Departure", t.Departure},
		{"Return", t.Return}, {"Turnaround done", t.TurnaroundDone}}
}

// countdown is the countdown as the page first shows it: the next
// milestone and how far off it is (portfolio.Span), "now" for the minute
// either side of it, and once the last is a minute past, how long ago
// the event finished. The page's script (app.js, tick) picks and words
// it the same way every second after.
func countdown(now time.Time, t portfolio.Timing) string {
	for _, m := range milestones(t) {
		if d := m.at.Sub(now); d > -time.Minute {
			return m.label + " " + portfolio.Span(d)
		}
	}
	return "Finished " + portfolio.Span(t.TurnaroundDone.Sub(now))
}
