package web

import (
	"sync"
	"time"

	"opsdeck/store"
)

// Change is one checklist change as the server tells its subscribers.
// Version counts the event's changes: a subscriber that sees a gap has
// missed some and should reload. Action "reload" means the event changed
// in ways the server did not see itself (an edit in the console).
type Change struct {
	store.ChecklistChange
	Version uint64 `json:"version"`
}

// subscriberBuffer is how many changes a subscriber may fall behind
// before it misses some.
const subscriberBuffer = 64

// hub fans changes out to subscribers and keeps each event's version.
type hub struct {
	mu       sync.Mutex
	base     uint64
	versions map[int64]uint64
	byEvent  map[int64]map[chan Change]struct{}
	all      map[chan Change]struct{}
	closed   bool
	quit     chan struct{}
}

func newHub() *hub {
	// Versions start from the clock, so a browser that reconnects after a
	// restart never finds its old version current by coincidence.
	return &hub{
		base:     uint64(time.Now().UnixNano()),
		versions: map[int64]uint64{},
		byEvent:  map[int64]map[chan Change]struct{}{},
		all:      map[chan Change]struct{}{},
		quit:     make(chan struct{}),
	}
}

// version returns an event's current version.
func (h *hub) version(eventID int64) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.versionLocked(eventID)
}

func (h *hub) versionLocked(eventID int64) uint64 {
	v, ok := h.versions[eventID]
	if !ok {
		v = h.base
		h.versions[eventID] = v
	}
	return v
}

// bump moves an event to its next version.
func (h *hub) bump(eventID int64) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	v := h.versionLocked(eventID) + 1
	h.versions[eventID] = v
	return v
}

// eventIDs expands 0 to every event the server has seen.
func (h *hub) eventIDs(eventID int64) []int64 {
	if eventID != 0 {
		return []int64{eventID}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	ids := make([]int64, 0, len(h.versions))
	for id := range h.versions {
		ids = append(ids, id)
	}
	return ids
}

func (h *hub) subscribe(eventID int64) (<-chan Change, func()) {
	ch := make(chan Change, subscriberBuffer)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(ch)
		return ch, func() {}
	}
	if eventID == 0 {
		h.all[ch] = struct{}{}
	} else {
		if h.byEvent[eventID] == nil {
			h.byEvent[eventID] = map[chan Change]struct{}{}
		}
		h.byEvent[eventID][ch] = struct{}{}
	}
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			h.mu.Lock()
			defer h.mu.Unlock()
			if eventID == 0 {
				delete(h.all, ch)
			} else {
				delete(h.byEvent[eventID], ch)
				if len(h.byEvent[eventID]) == 0 {
					delete(h.byEvent, eventID)
				}
			}
		})
	}
}

// publish sends c to its event's subscribers and to those of every
// event, never blocking: a full subscriber misses c.
func (h *hub) publish(c Change) {
	h.mu.Lock()
	defer h.mu.Unlock()
	send := func(ch chan Change) {
		select {
		case ch <- c:
		default:
		}
	}
	for ch := range h.byEvent[c.EventID] {
		send(ch)
	}
	for ch := range h.all {
		send(ch)
	}
}

// closeAll ends every stream: subscribers see done close.
func (h *hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.quit)
	}
}

// done is closed when the server shuts down.
func (h *hub) done() <-chan struct{} { return h.quit }
