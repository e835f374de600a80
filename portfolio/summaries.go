package portfolio

import (
	"cmp"
	"slices"
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

// ByDeparture orders events as lists show them: soonest departure first,
// then by id.
func ByDeparture(a, b EventSummary) int {
	if c := a.DepartsAt.Compare(b.DepartsAt); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// SpliceEvents is list (in ByDeparture order) with the events named by
// ids (sorted) replaced by fresh: removed where fresh lacks them, put in
// their place where a new departure moved them. A new slice: list is
// left as it was, for a reader that still holds it.
func SpliceEvents(list []EventSummary, ids []int64, fresh []EventSummary) []EventSummary {
	out := make([]EventSummary, 0, len(list)+len(fresh))
	for _, e := range list {
		if _, changed := slices.BinarySearch(ids, e.ID); !changed {
			out = append(out, e)
		}
	}
	for _, e := range fresh {
		i, _ := slices.BinarySearchFunc(out, e, ByDeparture)
		out = slices.Insert(out, i, e)
	}
	return out
}
