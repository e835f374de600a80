package web

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"opsdeck/portfolio"
)

// keepAlive is how often an idle stream sends a comment, so proxies and
// phones do not decide the connection is dead.
const keepAlive = 20 * time.Second

// streamWriteTimeout is the longest one write to a stream may wait: a
// client that stops reading holds its stream no longer than this past
// the moment its socket's buffer and its queue filled. Atomic, as tests
// shorten it while the handlers of an earlier test's server may still be
// running.
var streamWriteTimeout atomic.Int64 // nanoseconds

func init() { streamWriteTimeout.Store(int64(10 * time.Second)) }

// writeTimeout is streamWriteTimeout as a duration.
func writeTimeout() time.Duration { return time.Duration(streamWriteTimeout.Load()) }

// streamQueue bounds each stream's queue of messages its socket would not
// take at once. A client that stops reading fills its socket's buffer,
// then this queue, and is dropped: nothing waits for it.
const streamQueue = 64

// streamRetryAfter is what a stream refused for the server's cap is told.
const streamRetryAfter = "10"

// Why a stream ended, which decides its last words.
type endReason int

const (
	endShutdown  endReason = iota + 1
	endSignedOut           // its session, link or refresh family was revoked
	endReplaced            // its session opened one stream too many
	endExpired             // its access token expired
	endSlow                // its client stopped reading
	endGone                // its client went away, or its socket failed
)

// Last words of a stream, by why it ended. A revoked session is told so,
// and the page's script stops and says it is signed out; a stream that
// made way for a newer one of its session is asked to wait a minute
// before it comes back, so a fourth tab does not shut a third every two
// seconds. A stream whose token expired is told so, and the browser
// reconnects by itself.
var lastWords = map[endReason]*message{
	endSignedOut: {frame: []byte("event: signedout\ndata: {\"message\":\"You are signed out: this sign-in was revoked. Ask your captain for a new link.\"}\n\n")},
	endReplaced:  {frame: []byte("retry: 60000\nevent: replaced\ndata: {}\n\n")},
	endExpired:   {frame: []byte("event: expired\ndata: {}\n\n")},
}

var pingMessage = &message{frame: []byte(": ping\n\n")}

// stream is one open event stream. Its messages are written by whoever
// has them: the fan-out writes a rendered change straight into the
// socket without waiting (one write(2), no goroutine woken), and only
// what the socket would not take at once is queued, for a goroutine that
// waits on the socket (flush). A full queue drops the client.
type stream struct {
	key     viewKey
	session int64
	seq     uint64 // opening order, oldest first
	end     chan struct{}
	why     endReason // set before end closes

	mu      sync.Mutex
	sink    sink
	last    uint64     // newest version written or queued
	pending []*message // what the socket has not taken yet
	off     int        // how much of pending[0] it has
	// flushing is set while one goroutine writes pending (or the
	// handler writes the stream's start): everyone else queues.
	flushing bool
	closing  bool      // close the sink once pending is written
	closeBy  time.Time // and no later than this
	closed   bool
	expiry   *time.Timer
	writers  sync.WaitGroup // flush goroutines
}

func newStream(key viewKey, session int64) *stream {
	// A stream starts as if flushing: what arrives before the handler
	// has written its headers and first message waits in the queue.
	return &stream{key: key, session: session, end: make(chan struct{}), flushing: true}
}

func (st *stream) ended() bool {
	select {
	case <-st.end:
		return true
	default:
		return false
	}
}

// offer writes or queues m, never waiting. A message no newer than what
// the stream has shown is passed over (version 0 is never passed over: a
// ping). offer reports false once the stream has ended, for the caller to
// forget it.
func (st *stream) offer(m *message) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.ended() {
		return false
	}
	if m.version != 0 {
		if m.version <= st.last {
			return true
		}
		st.last = m.version
	}
	st.enqueueLocked(m, false)
	return !st.ended()
}

func (st *stream) enqueueLocked(m *message, last bool) {
	if !st.flushing && len(st.pending) == 0 {
		n, err := st.sink.try(m.frame)
		switch {
		case err == nil && n == len(m.frame):
			if st.closing {
				st.closeLocked(false)
			}
			return
		case err != nil && !errors.Is(err, errCannotTry):
			st.endLocked(endGone)
			st.closeLocked(true)
			return
		}
		st.pending, st.off = append(st.pending, m), n
	} else {
		if len(st.pending) >= streamQueue && !last {
			st.endLocked(endSlow)
			st.closeLocked(true)
			return
		}
		st.pending = append(st.pending, m)
	}
	if !st.flushing {
		st.flushing = true
		st.writers.Add(1)
		go func() {
			defer st.writers.Done()
			st.flush()
		}()
	}
}

// flush writes the queue, waiting on the socket, until it is empty. The
// message it writes leaves the queue first: finish may empty the queue
// meanwhile, and the message in flight completes or fails on its own.
func (st *stream) flush() {
	for {
		st.mu.Lock()
		if len(st.pending) == 0 || st.closed {
			st.pending, st.flushing = nil, false
			if st.closing {
				st.closeLocked(false)
			}
			st.mu.Unlock()
			return
		}
		m, off := st.pending[0], st.off
		st.pending, st.off = st.pending[1:], 0
		deadline := time.Now().Add(writeTimeout())
		if st.closing {
			deadline = st.closeBy
		}
		st.mu.Unlock()
		if err := st.sink.write(m.frame[off:], deadline); err != nil {
			st.mu.Lock()
			st.endLocked(endSlow)
			st.pending, st.flushing = nil, false
			st.closeLocked(true)
			st.mu.Unlock()
			return
		}
	}
}

// finish ends the stream for a reason: what was queued is dropped (a
// message half written and the response's start excepted: the stream's
// framing must hold), its last words are written if it has any, and it
// closes once they are (or a second later at most). The first reason
// counts.
func (st *stream) finish(why endReason) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.ended() {
		return
	}
	st.endLocked(why)
	st.closing, st.closeBy = true, time.Now().Add(time.Second)
	if st.sink == nil {
		return // the handler closes it when it comes to set one
	}
	keep := 0
	if st.off > 0 {
		keep = 1 // its first part is out
	}
	for keep < len(st.pending) && st.pending[keep].keep {
		keep++ // the response's start
	}
	st.pending = st.pending[:keep]
	abort := why == endSlow || why == endGone
	if w := lastWords[why]; w != nil && !abort {
		st.enqueueLocked(w, true)
	}
	if !st.flushing && len(st.pending) == 0 {
		st.closeLocked(abort)
	}
}

func (st *stream) endLocked(why endReason) {
	if st.ended() {
		return
	}
	st.why = why
	close(st.end)
	if st.expiry != nil {
		st.expiry.Stop()
	}
}

// closeLocked closes the sink; abort also cuts short a write in flight.
func (st *stream) closeLocked(abort bool) {
	if !st.closed && st.sink != nil {
		st.closed = true
		st.sink.close(abort)
	}
}

// errCannotTry says a sink cannot write without waiting: everything goes
// through the queue.
var errCannotTry = errors.New("this connection cannot be written without waiting")

// sink is where a stream's bytes go.
type sink interface {
	// try writes what it can of b without waiting, or errCannotTry.
	try(b []byte) (int, error)
	// write writes all of b, waiting up to deadline.
	write(b []byte, deadline time.Time) error
	// close ends the connection (or the response); abort also cuts
	// short a write in flight.
	close(abort bool)
}

// connSink is a connection taken over from net/http (HTTP/1): the body
// is the bytes as they are, to the connection's end. Over plain TCP
// (Caddy or nginx in front, or none) try is one non-blocking write(2).
type connSink struct {
	conn net.Conn
	raw  syscall.RawConn // nil over TLS
	once sync.Once
}

func (c *connSink) try(b []byte) (int, error) {
	if c.raw == nil {
		return 0, errCannotTry
	}
	n := 0
	var werr error
	err := c.raw.Write(func(fd uintptr) bool {
		for n < len(b) {
			k, err := syscall.Write(int(fd), b[n:])
			if k > 0 {
				n += k
			}
			if err == syscall.EINTR {
				continue
			}
			if err != nil && err != syscall.EAGAIN {
				werr = err
			}
			if err != nil || k <= 0 {
				break
			}
		}
		return true // never wait: what is left is queued
	})
	if err == nil {
		err = werr
	}
	return n, err
}

func (c *connSink) write(b []byte, deadline time.Time) error {
	c.conn.SetWriteDeadline(deadline)
	_, err := c.conn.Write(b)
	// No deadline between waits: a passed one would fail every try.
	c.conn.SetWriteDeadline(time.Time{})
	return err
}

func (c *connSink) close(bool) { c.once.Do(func() { c.conn.Close() }) }

// responseSink is the ResponseWriter itself, where the connection cannot
// be taken over (HTTP/2). Only flush and the handler write to it, one at
// a time; the handler returns once it is closed.
type responseSink struct {
	w    http.ResponseWriter
	rc   *http.ResponseController
	done chan struct{}
	once sync.Once
}

func (r *responseSink) try([]byte) (int, error) { return 0, errCannotTry }

func (r *responseSink) write(b []byte, deadline time.Time) error {
	r.rc.SetWriteDeadline(deadline)
	// No deadline between writes: HTTP/2 resets a stream whose deadline
	// passes, written or not.
	defer r.rc.SetWriteDeadline(time.Time{})
	if _, err := r.w.Write(b); err != nil {
		return err
	}
	return r.rc.Flush()
}

func (r *responseSink) close(abort bool) {
	r.once.Do(func() {
		if abort {
			r.rc.SetWriteDeadline(time.Now()) // resets the HTTP/2 stream at once
		}
		close(r.done)
	})
}

// handleStream is the Server-Sent Events stream of one event for one
// viewer. Each message carries the page parts the change touched,
// rendered for this viewer's view key (fanout.go) once however many
// streams share it, so the script only swaps them in. A client that comes
// back with an old version (Last-Event-ID) gets every part.
//
// A stream ends when its access token expires: a refreshed token does
// not extend it. The browser reconnects by itself two seconds later with
// whatever token its cookie holds by then (the script refreshes every ten
// minutes, well inside the fifteen a token lives) and its last version,
// so it misses nothing; with no good token the script refreshes and
// reconnects. A stream also ends, with a "signedout" message, as soon as
// its session is revoked (a revoked link, a reused refresh token, a
// sign-out; from this process or another: the session watch in
// fanout.go), when its session opens one stream too many, and when its
// client stops reading.
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request) {
	v, id, ok := s.apiEventViewer(w, r)
	if !ok {
		return
	}
	session, err := s.streamSession(r)
	if err != nil {
		s.writeAPIError(w, err)
		return
	}
	f := s.fan()
	st := newStream(keyOf(id, v), session)
	watch, err := s.hub.open(st)
	if err != nil {
		if errors.Is(err, errStreamsFull) {
			s.log.Warn("event stream refused: the server's cap is reached", "cap", s.opts.MaxStreams)
		}
		w.Header().Set("Retry-After", streamRetryAfter)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "busy",
			"message": "too many live connections just now; the page still works, reload it for others' changes"})
		return
	}
	defer s.hub.close(st)
	if watch {
		go s.watchSessions()
	}

	// What the stream starts with is rendered before anything is sent,
	// so an event that cannot be shown gets an answer that says why.
	since := r.Header.Get("Last-Event-ID")
	if since == "" {
		since = r.URL.Query().Get("v")
	}
	last, err := strconv.ParseUint(since, 10, 64)
	if err != nil {
		last = 0 // no version, or a garbled one: send every part
	}
	var first *message
	if cur := s.hub.version(id); last != cur {
		if first, err = f.fullFor(r.Context(), st.key); err != nil {
			st.finish(endGone)
			s.writeAPIError(w, err)
			return
		}
		last = first.version
	}

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	var (
		start  []byte
		sk     sink
		reader *bufio.Reader
		done   chan struct{}
	)
	rc := http.NewResponseController(w)
	if conn, brw, err := rc.Hijack(); err == nil {
		// HTTP/1: the connection is the stream's, to its end. The
		// server's read and write timeouts are for ordinary answers.
		conn.SetDeadline(time.Time{})
		c := &connSink{conn: conn}
		if sc, ok := conn.(syscall.Conn); ok {
			c.raw, _ = sc.SyscallConn()
		}
		h.Set("Connection", "close")
		var b bytes.Buffer
		b.WriteString("HTTP/1.1 200 OK\r\n")
		h.Write(&b)
		b.WriteString("\r\n")
		start = b.Bytes()
		sk, reader = c, brw.Reader
	} else {
		// HTTP/2: the server's write timeout would reset the stream.
		rs := &responseSink{w: w, rc: rc, done: make(chan struct{})}
		sk, done = rs, rs.done
		rc.SetWriteDeadline(time.Time{})
		w.WriteHeader(http.StatusOK)
	}
	start = append(start, "retry: 2000\n\n"...)
	st.mu.Lock()
	st.sink = sk
	if st.ended() {
		// Replaced, revoked or shut down meanwhile: the client hears
		// why, and nothing of the event.
		st.pending = []*message{{frame: start, keep: true}}
		if w := lastWords[st.why]; w != nil {
			st.pending = append(st.pending, w)
		}
	} else {
		st.expiry = time.AfterFunc(max(v.Expires.Sub(s.now()), 0), func() {
			st.finish(endExpired)
			s.hub.close(st)
		})
		// The start goes first, then what was queued meanwhile and is
		// newer than the first message.
		queued := newer(st.pending, last)
		st.pending = []*message{{frame: start, keep: true}}
		if first != nil {
			st.pending = append(st.pending, first)
		}
		st.pending = append(st.pending, queued...)
		st.last = max(st.last, last)
	}
	st.mu.Unlock()
	st.flush()

	if reader != nil {
		// Nothing more comes from an EventSource; a read ends when the
		// client goes away or the stream closes the connection.
		var b [1]byte
		reader.Read(b[:])
		st.finish(endGone)
		return
	}
	select {
	case <-r.Context().Done():
		st.finish(endGone)
	case <-done:
	}
	// The ResponseWriter is not written after the handler returns.
	<-done
	st.writers.Wait()
}

// newer is the messages of q newer than version v (pings count as new).
func newer(q []*message, v uint64) []*message {
	var out []*message
	for _, m := range q {
		if m.version == 0 || m.version > v {
			out = append(out, m)
		}
	}
	return out
}

// streamSession is the session of the request's access token, which
// apiEventViewer has just accepted: the per-session cap and the session
// watch go by it.
func (s *Server) streamSession(r *http.Request) (int64, error) {
	c, err := r.Cookie(accessCookie)
	if err != nil {
		return 0, errUnauthorized
	}
	claims, err := s.auth.Authenticate(r.Context(), c.Value)
	if err != nil {
		return 0, err
	}
	if claims.Session == 0 {
		return 0, portfolio.Errorf(portfolio.EUNAUTHORIZED, "sign in again with your link")
	}
	return claims.Session, nil
}
