package portfolio

import (
	"time"
	_ "time/tzdata" // event time zones must resolve on servers without a zoneinfo database
)

// EventStatus tracks an event from first plan to wrap-up.
type EventStatus string

// Event statuses.
const (
	EventPlanned   EventStatus = "planned"
	EventConfirmed EventStatus = "confirmed"
	EventDone      EventStatus = "done"
	EventCancelled EventStatus = "cancelled"
)

// Event is a charter, show, gig or job with a crew and a checklist.
type Event struct {
	ID         int64        `json:"id"`
	Key        string       `json:"key"`
	EntityID   int64        `json:"entity_id"`
	EntityCode string       `json:"entity"`
	Kind       string       `json:"kind"` // charter, event, gig, job
	Title      string       `json:"title"`
	Location   string       `json:"location"`
	DepartsAt  time.Time    `json:"departs_at"`
	TimeZone   string       `json:"time_zone"`
	Duration   int          `json:"duration_minutes"`
	CrewCall   int          `json:"crew_call_minutes"`  // before departure
	Boarding   int          `json:"boarding_minutes"`   // before departure
	Turnaround int          `json:"turnaround_minutes"` // after return
	Guests     int          `json:"guests"`
	Status     EventStatus  `json:"status"`
	Notes      string       `json:"notes"`
	Crew       []CrewMember `json:"crew"`
	Phases     []Phase      `json:"phases"`
}

// CrewMember is a person on an event with their role for it.
type CrewMember struct {
	EventID     int64      `json:"event_id,omitempty"`
	EventKey    string     `json:"event,omitempty"`
	PersonID    int64      `json:"person_id"`
	PersonEmail string     `json:"email,omitempty"`
	Name        string     `json:"name"`
	Role        AccessRole `json:"role"` // captain, crew or guest
}

// Phase is a named group of checklist items (pre-departure, underway...)
// that a captain signs off as a whole.
type Phase struct {
	ID            int64           `json:"id"`
	EventID       int64           `json:"event_id"`
	EventKey      string          `json:"event,omitempty"`
	Name          string          `json:"name"`
	Position      int             `json:"position"`
	SignedOffBy   int64           `json:"signed_off_by,omitempty"`
	SignedOffName string          `json:"signed_off_name,omitempty"`
	SignedOffAt   time.Time       `json:"signed_off_at,omitzero"`
	Items         []ChecklistItem `json:"items"`
}

// ChecklistItem is one task on an event's checklist.
type ChecklistItem struct {
	ID            int64      `json:"id"`
	Key           string     `json:"key"`
	PhaseID       int64      `json:"phase_id"`
	PhaseKey      string     `json:"phase,omitempty"`
	Title         string     `json:"title"`
	RequiredRole  AccessRole `json:"required_role"` // captain or crew
	Position      int        `json:"position"`
	Mandatory     bool       `json:"mandatory"`
	Note          string     `json:"note"`
	ClaimedBy     int64      `json:"claimed_by,omitempty"`
	ClaimedByName string     `json:"claimed_by_name,omitempty"`
	ClaimedEmail  string     `json:"claimed_by_email,omitempty"`
	ClaimedAt     time.Time  `json:"claimed_at,omitzero"`
	DoneBy        int64      `json:"done_by,omitempty"`
	DoneByName    string     `json:"done_by_name,omitempty"`
	DoneEmail     string     `json:"done_by_email,omitempty"`
	DoneAt        time.Time  `json:"done_at,omitzero"`
}

// Done reports whether the item has been ticked off.
func (i ChecklistItem) Done() bool { return i.DoneBy != 0 || !i.DoneAt.IsZero() }

// Validate checks e (not its checklist) before it is written.
func (e *Event) Validate() error {
	switch e.Kind {
	case "charter", "event", "gig", "job":
	default:
		return Errorf(EINVALID, "event kind %q must be charter, event, gig or job", e.Kind)
	}
	if err := checkText("event title", e.Title, true, 200); err != nil {
		return err
	}
	if e.DepartsAt.IsZero() {
		return FieldErrorf("departs_at", EINVALID, "event %q needs a departure time", e.Title)
	}
	if _, err := time.LoadLocation(e.TimeZone); err != nil || e.TimeZone == "" {
		return Errorf(EINVALID, "time zone %q is not an IANA zone such as America/Los_Angeles", e.TimeZone)
	}
	if e.Duration <= 0 || e.Duration > 14*24*60 {
		return Errorf(EINVALID, "duration must be between 1 minute and 14 days")
	}
	for name, v := range map[string]int{"crew call": e.CrewCall, "boarding": e.Boarding, "turnaround": e.Turnaround} {
		if v < 0 || v > 24*60 {
			return Errorf(EINVALID, "%s offset must be between 0 and 24 hours", name)
		}
	}
	if e.Guests < 0 {
		return Errorf(EINVALID, "guests must not be negative")
	}
	switch e.Status {
	case EventPlanned, EventConfirmed, EventDone, EventCancelled:
	default:
		return Errorf(EINVALID, "event status %q must be planned, confirmed, done or cancelled", e.Status)
	}
	return nil
}

// Timing is an event's schedule in its own time zone.
type Timing struct {
	CrewCall       time.Time `json:"crew_call"`
	Boarding       time.Time `json:"boarding"`
	Departure      time.Time `json:"departure"`
	Return         time.Time `json:"return"`
	TurnaroundDone time.Time `json:"turnaround_done"`
}

// Timing derives the event's schedule from its departure and offsets.
func (e Event) Timing() Timing {
	loc, err := Zone(e.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	dep := e.DepartsAt.In(loc)
	ret := dep.Add(time.Duration(e.Duration) * time.Minute)
	return Timing{
		CrewCall:       dep.Add(-time.Duration(e.CrewCall) * time.Minute),
		Boarding:       dep.Add(-time.Duration(e.Boarding) * time.Minute),
		Departure:      dep,
		Return:         ret,
		TurnaroundDone: ret.Add(time.Duration(e.Turnaround) * time.Minute),
	}
}

// Progress counts the checklist's done and total items.
func (e Event) Progress() (done, total int) {
	for _, p := range e.Phases {
		for _, it := range p.Items {
			total++
			if it.Done() {
				done++
			}
		}
	}
	return done, total
}
