package portfolio

import (
	"sync"
	"time"
)

// EventSummary is an event without its checklist: what a list of events
// needs, computed in SQL so listing ten thousand events stays cheap.
type EventSummary struct {
	ID         int64       `json:"id"`
	EntityCode string      `json:"entity"`
	Kind       string      `json:"kind"`
	Title      string      `json:"title"`
	Location   string      `json:"location"`
	DepartsAt  time.Time   `json:"departs_at"`
	TimeZone   string      `json:"time_zone"`
	Duration   int         `json:"duration_minutes"`
	Turnaround int         `json:"turnaround_minutes"`
	Status     EventStatus `json:"status"`
	Crew       int         `json:"crew"`
	Done       int         `json:"checklist_done"`
	Total      int         `json:"checklist_total"`
}

// Over is when the crew are finished: return plus turnaround.
func (e EventSummary) Over() time.Time {
	return e.DepartsAt.Add(time.Duration(e.Duration+e.Turnaround) * time.Minute)
}

// Local is the departure in the event's own zone.
func (e EventSummary) Local() time.Time { return InZone(e.DepartsAt, e.TimeZone) }

// zones memoises Zone: time.LoadLocation reads and parses the zone's file
// on every call, and a list of events asks for the same few zones per row.
var zones sync.Map // zone name → *time.Location

// Zone is time.LoadLocation, remembered: the same name gives the same
// location without reading the zone database again.
func Zone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}

// InZone returns t in the IANA zone named, where an event's crew are; t
// as it is if the zone is unknown.
func InZone(t time.Time, zone string) time.Time {
	if loc, err := Zone(zone); err == nil {
		return t.In(loc)
	}
	return t
}
