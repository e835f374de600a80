package web

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"opsdeck/auth"
	"opsdeck/portfolio"
)

// Defaults for the Options that bound event streams.
const (
	// DefaultMaxStreams is how many event streams the server holds open
	// in all; past it a new one is answered 503 with Retry-After. Each
	// costs a socket, a goroutine and a few KB: 2,000 sit well within a
	// small VPS's memory and file limit.
	DefaultMaxStreams = 2000
	// DefaultStreamsPerSession is how many streams one session (one link
	// exchange) may hold: a phone with a tab or two. A new one past it
	// ends the session's oldest.
	DefaultStreamsPerSession = 3
	// DefaultStreamCheckEvery is how often the server asks the store
	// whether the sessions of its open streams are still good, so a
	// revocation made anywhere (another process too) ends them.
	DefaultStreamCheckEvery = 500 * time.Millisecond
)

// viewKey is everything a stream's messages depend on: streams with the
// same key are sent the same bytes, rendered once. The person counts
// only for roles that see the items, where "mine", release and undo
// depend on who looks; what a guest sees (timing and progress) names no
// one, so every guest of an event shares one key.
type viewKey struct {
	event  int64
	role   portfolio.AccessRole
	person int64
}

func keyOf(eventID int64, v viewer) viewKey {
	k := viewKey{event: eventID, role: v.Role}
	if v.can(auth.ViewItems) {
		k.person = v.PersonID
	}
	return k
}

// viewer is who the key's messages are rendered for.
func (k viewKey) viewer() viewer {
	return viewer{PersonID: k.person, Role: k.role, Event: k.event}
}

// message is one rendered "change" message, shared by every stream of a
// view key. version is the newest change it shows.
type message struct {
	version uint64
	frame   []byte
	keep    bool // the response's start: written even if the stream ends
}

// frameOf frames the parts of a version as one "change" message. The
// JSON is read by the script's JSON.parse, never by an HTML parser, so
// its markup goes unescaped: a third fewer bytes for every stream. It has
// no raw line break for the event stream's framing to trip on; JSON
// escapes them all.
func frameOf(version uint64, parts map[string]string) (*message, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "id: %d\nevent: change\ndata: ", version)
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any{"v": strconv.FormatUint(version, 10), "parts": parts}); err != nil {
		return nil, err
	}
	b.WriteString("\n") // Encode ended the data line; this ends the message
	return &message{version: version, frame: b.Bytes()}, nil
}

// fanout renders changes for the event streams: the changes that arrive
// within fanoutWindow of each other, or while it renders, go together,
// and each batch is rendered once per view key of the event's open
// streams, then written to each stream of the key. It runs on one
// goroutine while there is work and on none otherwise.
type fanout struct {
	s       *Server
	mu      sync.Mutex
	pending map[int64]*batch
	running bool

	// full caches each key's every-part message (what a stream opened
	// with an old version starts with) for the version and minute it
	// was rendered at.
	fullMu sync.Mutex
	full   map[viewKey]*fullMessage

	// renders counts the batch renders, for tests and benchmarks.
	renders atomic.Int64
}

// fanoutWindow is how long the fan-out waits after a change before it
// renders: the request that made the change answers first, and the
// changes of a burst of taps go out as one message.
const fanoutWindow = 2 * time.Millisecond

type batch struct {
	phases  map[int64]bool
	all     bool
	version uint64
}

type fullMessage struct {
	minute int64
	m      *message
}

// maxFullCached bounds the every-part cache; past it it starts afresh.
const maxFullCached = 4096

// fan returns the server's fan-out, making it on first use and hooking
// it to the hub's changes.
func (s *Server) fan() *fanout {
	s.hub.fanOnce.Do(func() {
		f := &fanout{s: s, pending: map[int64]*batch{}, full: map[viewKey]*fullMessage{}}
		s.hub.mu.Lock()
		s.hub.fan, s.hub.notify = f, f.notify
		s.hub.mu.Unlock()
		s.hub.smu.Lock()
		s.hub.maxAll = cmp.Or(max(s.opts.MaxStreams, 0), DefaultMaxStreams)
		s.hub.perSess = cmp.Or(max(s.opts.StreamsPerSession, 0), DefaultStreamsPerSession)
		s.hub.smu.Unlock()
	})
	return s.hub.fan
}

// notify takes a published change for the next batch.
func (f *fanout) notify(c Change) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.pending[c.EventID]
	if b == nil {
		b = &batch{phases: map[int64]bool{}}
		f.pending[c.EventID] = b
	}
	if c.Action == "reload" || c.PhaseID == 0 {
		b.all = true
	} else {
		b.phases[c.PhaseID] = true
	}
	b.version = max(b.version, c.Version)
	if !f.running {
		f.running = true
		time.AfterFunc(fanoutWindow, f.run)
	}
}

func (f *fanout) run() {
	for {
		f.mu.Lock()
		work := f.pending
		if len(work) == 0 {
			f.running = false
			f.mu.Unlock()
			return
		}
		f.pending = map[int64]*batch{}
		f.mu.Unlock()
		for eventID, b := range work {
			f.deliver(eventID, b)
		}
	}
}

// deliver renders one batch once per view key and queues it to the
// key's streams.
func (f *fanout) deliver(eventID int64, b *batch) {
	groups := f.s.hub.groups(eventID)
	if len(groups) == 0 {
		return
	}
	var phases []int64
	if !b.all {
		for id := range b.phases {
			phases = append(phases, id)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// A session revoked before this change was made is not sent it, even
	// if the session watch has not come round to it yet: one look-up for
	// every session the event's streams have.
	seen := map[int64]bool{}
	var sessions []int64
	for _, list := range groups {
		for _, st := range list {
			if !seen[st.session] {
				seen[st.session] = true
				sessions = append(sessions, st.session)
			}
		}
	}
	err := f.s.endRevoked(ctx, sessions)
	var d *eventData
	if err == nil {
		d, err = f.s.load(ctx, eventID)
	}
	if err != nil {
		// Not checked or not loaded: nothing is sent, and the streams
		// start afresh, through the sign-in check, when they reconnect.
		f.s.log.Warn("render stream update", "event", eventID, "err", err)
		for _, list := range groups {
			for _, st := range list {
				st.finish(endGone) // it reconnects and starts afresh
				f.s.hub.close(st)
			}
		}
		return
	}
	now := f.s.now()
	for key, list := range groups {
		var m *message
		f.renders.Add(1)
		parts, err := f.s.renderer.parts(f.s.view(d, key.viewer(), now), phases...)
		if err == nil {
			m, err = frameOf(b.version, parts)
		}
		for i, st := range list {
			if i%32 == 31 {
				// Requests waiting for this goroutine's processor go
				// first: a claim is not kept waiting for the fan-out of
				// the last one.
				runtime.Gosched()
			}
			if err != nil {
				st.finish(endGone)
			} else if st.offer(m) {
				continue
			}
			f.s.hub.close(st)
		}
		if err != nil {
			f.s.log.Warn("render stream update", "event", eventID, "err", err)
		}
	}
}

// fullFor is the every-part message of an event for a key, rendered once
// per version and minute however many streams open with it.
func (f *fanout) fullFor(ctx context.Context, key viewKey) (*message, error) {
	minute := f.s.now().Unix() / 60
	version := f.s.hub.version(key.event)
	f.fullMu.Lock()
	c := f.full[key]
	f.fullMu.Unlock()
	if c != nil && c.m.version == version && c.minute == minute {
		return c.m, nil
	}
	d, err := f.s.load(ctx, key.event)
	if err != nil {
		return nil, err
	}
	parts, err := f.s.renderer.parts(f.s.view(d, key.viewer(), f.s.now()))
	if err != nil {
		return nil, err
	}
	m, err := frameOf(d.version, parts)
	if err != nil {
		return nil, err
	}
	f.fullMu.Lock()
	if len(f.full) >= maxFullCached {
		clear(f.full)
	}
	f.full[key] = &fullMessage{minute: minute, m: m}
	f.fullMu.Unlock()
	return m, nil
}

// watchSessions runs while streams are open: every StreamCheckEvery it
// ends the streams of sessions that are no longer good, and every
// keepAlive it pings every stream.
func (s *Server) watchSessions() {
	t := time.NewTicker(cmp.Or(max(s.opts.StreamCheckEvery, 0), DefaultStreamCheckEvery))
	defer t.Stop()
	pinged := time.Now()
	for {
		select {
		case <-s.hub.done():
			return
		case <-t.C:
		}
		ids := s.hub.sessions(true)
		if ids == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		s.endRevoked(ctx, ids)
		cancel()
		if time.Since(pinged) >= keepAlive {
			pinged = time.Now()
			for _, st := range s.hub.everyStream() {
				if !st.offer(pingMessage) {
					s.hub.close(st)
				}
			}
		}
	}
}

// checkStreams ends at once the streams whose sessions are no longer
// good, after a revocation made here.
func (s *Server) checkStreams(ctx context.Context) {
	if ids := s.hub.sessions(false); len(ids) > 0 {
		s.endRevoked(ctx, ids)
	}
}

func (s *Server) endRevoked(ctx context.Context, ids []int64) error {
	gone, err := s.store.InactiveCrewSessions(ctx, ids)
	if err != nil {
		s.log.Warn("check the sessions of open streams", "err", err)
		return err
	}
	if len(gone) == 0 {
		return nil
	}
	// The auth service forgets what it remembers too, so the revoked
	// token is refused at once on every route, not a second later.
	s.auth.ForgetSessions()
	n := s.hub.endSessions(gone, endSignedOut)
	s.log.Info("event streams of revoked sessions closed", "sessions", len(gone), "streams", n)
	return nil
}
