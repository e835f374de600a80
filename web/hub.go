package web

import (
	"errors"
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
//
// It has two kinds of subscriber. Subscribe's (the console) get every
// Change on a channel. Event streams (stream.go) get rendered messages:
// the hub keeps them grouped by event and view key, and the fan-out
// (fanout.go) renders each change once per key, not once per stream.
// The hub also bounds the streams: so many per session, the oldest
// making way for a new one, and so many in all.
type hub struct {
	mu       sync.Mutex
	base     uint64
	versions map[int64]uint64
	byEvent  map[int64]map[chan Change]struct{}
	all      map[chan Change]struct{}
	closed   bool
	quit     chan struct{}

	// notify, when set, hears every published change (the fan-out).
	notify  func(Change)
	fan     *fanout
	fanOnce sync.Once

	smu       sync.Mutex // streams' own lock: delivery never waits on version()
	maxAll    int
	perSess   int
	nStreams  int
	seq       uint64
	bySession map[int64][]*stream
	views     map[int64]map[viewKey]map[*stream]struct{}
	// watching is set while a goroutine checks the open streams'
	// sessions (fanout.go); it ends when the last stream does.
	watching bool
}

func newHub() *hub {
	// Versions start from the clock, so a browser that reconnects after a
	// restart never finds its old version current by coincidence.
	return &hub{
		base:      uint64(time.Now().UnixNano()),
		versions:  map[int64]uint64{},
		byEvent:   map[int64]map[chan Change]struct{}{},
		all:       map[chan Change]struct{}{},
		quit:      make(chan struct{}),
		maxAll:    DefaultMaxStreams,
		perSess:   DefaultStreamsPerSession,
		bySession: map[int64][]*stream{},
		views:     map[int64]map[viewKey]map[*stream]struct{}{},
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
// event, never blocking: a full subscriber misses c. The fan-out hears
// of it too, and renders it for the event's streams.
func (h *hub) publish(c Change) {
	h.mu.Lock()
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
	notify := h.notify
	h.mu.Unlock()
	if notify != nil {
		notify(c)
	}
}

// closeAll ends every stream: subscribers see done close.
func (h *hub) closeAll() {
	h.mu.Lock()
	if !h.closed {
		h.closed = true
		close(h.quit)
	}
	h.mu.Unlock()
	h.smu.Lock()
	defer h.smu.Unlock()
	for _, list := range h.bySession {
		for _, st := range list {
			st.finish(endShutdown)
		}
	}
}

// done is closed when the server shuts down.
func (h *hub) done() <-chan struct{} { return h.quit }

// errStreamsFull refuses a stream past the server's cap on streams.
var errStreamsFull = errors.New("too many event streams open")

// errShutdown refuses a stream while the server shuts down.
var errShutdown = errors.New("the server is shutting down")

// open registers st. A session that already has perSess streams loses
// its oldest first (it ends as endReplaced); past maxAll streams in all
// the new one is refused with errStreamsFull. watch reports whether the
// session watch is not running, for the caller to start it.
func (h *hub) open(st *stream) (watch bool, err error) {
	h.mu.Lock()
	closed := h.closed
	h.mu.Unlock()
	if closed {
		return false, errShutdown
	}
	h.smu.Lock()
	defer h.smu.Unlock()
	for len(h.bySession[st.session]) >= h.perSess {
		old := h.bySession[st.session][0]
		h.removeLocked(old)
		old.finish(endReplaced)
	}
	if h.nStreams >= h.maxAll {
		return false, errStreamsFull
	}
	h.seq++
	st.seq = h.seq
	h.bySession[st.session] = append(h.bySession[st.session], st)
	keys := h.views[st.key.event]
	if keys == nil {
		keys = map[viewKey]map[*stream]struct{}{}
		h.views[st.key.event] = keys
	}
	if keys[st.key] == nil {
		keys[st.key] = map[*stream]struct{}{}
	}
	keys[st.key][st] = struct{}{}
	h.nStreams++
	watch = !h.watching
	h.watching = true
	return watch, nil
}

// close forgets st; it may already be gone (replaced).
func (h *hub) close(st *stream) {
	h.smu.Lock()
	defer h.smu.Unlock()
	h.removeLocked(st)
}

func (h *hub) removeLocked(st *stream) {
	list := h.bySession[st.session]
	i := -1
	for j, o := range list {
		if o == st {
			i = j
			break
		}
	}
	if i < 0 {
		return
	}
	if len(list) == 1 {
		delete(h.bySession, st.session)
	} else {
		h.bySession[st.session] = append(list[:i:i], list[i+1:]...)
	}
	keys := h.views[st.key.event]
	delete(keys[st.key], st)
	if len(keys[st.key]) == 0 {
		delete(keys, st.key)
	}
	if len(keys) == 0 {
		delete(h.views, st.key.event)
	}
	h.nStreams--
}

// sessions lists the sessions with open streams. With stopIfNone, none
// means the session watch stops, and it is marked stopped in the same
// breath, so the next open starts it again.
func (h *hub) sessions(stopIfNone bool) []int64 {
	h.smu.Lock()
	defer h.smu.Unlock()
	if len(h.bySession) == 0 {
		if stopIfNone {
			h.watching = false
		}
		return nil
	}
	ids := make([]int64, 0, len(h.bySession))
	for id := range h.bySession {
		ids = append(ids, id)
	}
	return ids
}

// endSessions ends every stream of the given sessions, for why.
func (h *hub) endSessions(ids []int64, why endReason) int {
	h.smu.Lock()
	defer h.smu.Unlock()
	n := 0
	for _, id := range ids {
		for _, st := range h.bySession[id] {
			st.finish(why)
			n++
		}
		for _, st := range append([]*stream(nil), h.bySession[id]...) {
			h.removeLocked(st)
		}
	}
	return n
}

// groups returns the open streams of an event by view key, a copy the
// caller may range over unlocked.
func (h *hub) groups(eventID int64) map[viewKey][]*stream {
	h.smu.Lock()
	defer h.smu.Unlock()
	keys := h.views[eventID]
	if len(keys) == 0 {
		return nil
	}
	out := make(map[viewKey][]*stream, len(keys))
	for k, set := range keys {
		list := make([]*stream, 0, len(set))
		for st := range set {
			list = append(list, st)
		}
		out[k] = list
	}
	return out
}

// everyStream lists every open stream, for the keep-alive.
func (h *hub) everyStream() []*stream {
	h.smu.Lock()
	defer h.smu.Unlock()
	out := make([]*stream, 0, h.nStreams)
	for _, list := range h.bySession {
		out = append(out, list...)
	}
	return out
}

// streamCount is how many streams are open.
func (h *hub) streamCount() int {
	h.smu.Lock()
	defer h.smu.Unlock()
	return h.nStreams
}
