// Package sshconsole serves the console over SSH with wish: public-key
// authentication against an authorized_keys file (no passwords), a host key
// made on first start, sessions without a terminal refused, and a program
// of its own, at the client's window size and colour profile, per session.
// Connections not logged in are bounded in time and number, and so are the
// sessions open at once (see Limits).
package sshconsole

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/activeterm"
	bm "charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"
)

// NewModel builds the console for one session; user is the SSH login.
type NewModel func(ctx context.Context, user string) (tea.Model, error)

// Options configure the server.
type Options struct {
	Addr               string // host:port to listen on
	HostKeyPath        string // created (mode 0600) if missing
	AuthorizedKeysPath string // OpenSSH authorized_keys format, re-read at every login
	Logger             *slog.Logger
	NewModel           NewModel
	// IdleTimeout ends sessions with no traffic; zero means none.
	IdleTimeout time.Duration
	// Limits bound connections before login and sessions after.
	Limits Limits
}

// Server is the SSH console server.
type Server struct {
	srv      *ssh.Server
	opts     Options
	gate     *gate
	sessions atomic.Int64
}

type ctxKey string

const fingerprintKey ctxKey = "fingerprint"

// New checks the options and builds the server; it does not listen yet.
func New(opts Options) (*Server, error) {
	if opts.NewModel == nil {
		return nil, errors.New("ssh console: no model constructor")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if _, err := os.Stat(opts.AuthorizedKeysPath); err != nil {
		return nil, fmt.Errorf("ssh console: authorized keys %s: %w (add your public key to it, one per line)", opts.AuthorizedKeysPath, err)
	}
	if _, err := readAuthorizedKeys(opts.AuthorizedKeysPath); err != nil {
		return nil, err
	}
	limits, err := opts.Limits.withDefaults()
	if err != nil {
		return nil, err
	}
	opts.Limits = limits
	s := &Server{opts: opts, gate: newGate(limits, opts.Logger)}
	options := []ssh.Option{
		wish.WithAddress(opts.Addr),
		wish.WithHostKeyPath(opts.HostKeyPath),
		wish.WithPublicKeyAuth(s.authorize),
		wish.WithMiddleware(
			bm.MiddlewareWithProgramHandler(s.program),
			// Middlewares run last to first: these see the session first.
			activeterm.Middleware(),
			s.logSessions,
			s.limitSessions,
		),
		func(srv *ssh.Server) error {
			// The handshake deadline covers key exchange and
			// authentication, from accept to login; the gate sees each
			// connection before the server writes to it, and lets it go
			// at login or close.
			srv.HandshakeTimeout = limits.HandshakeTimeout
			srv.ConnCallback = s.gate.connCallback
			srv.ServerConfigCallback = func(ctx ssh.Context) *gossh.ServerConfig {
				return &gossh.ServerConfig{AuthLogCallback: func(_ gossh.ConnMetadata, _ string, err error) {
					if err == nil {
						s.gate.loggedIn(ctx)
					}
				}}
			}
			return nil
		},
	}
	if opts.IdleTimeout > 0 {
		options = append(options, wish.WithIdleTimeout(opts.IdleTimeout))
	}
	srv, err := wish.NewServer(options...)
	if err != nil {
		return nil, fmt.Errorf("ssh console: %w", err)
	}
	s.srv = srv
	return s, nil
}

// authorize accepts a key listed in the authorized keys file. The file is
// read at every attempt so adding or removing a key needs no restart.
func (s *Server) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	fp := gossh.FingerprintSHA256(key)
	keys, err := readAuthorizedKeys(s.opts.AuthorizedKeysPath)
	if err != nil {
		s.opts.Logger.Error("ssh login refused: authorized keys unreadable", "err", err)
		return false
	}
	for _, k := range keys {
		if ssh.KeysEqual(key, k) {
			ctx.SetValue(fingerprintKey, fp)
			return true
		}
	}
	s.opts.Logger.Warn("ssh login refused: unknown key", "user", ctx.User(), "remote", ctx.RemoteAddr().String(), "key", fp)
	return false
}

func readAuthorizedKeys(path string) ([]gossh.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ssh console: read authorized keys: %w", err)
	}
	var keys []gossh.PublicKey
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 || text[0] == '#' {
			continue
		}
		k, _, _, _, err := gossh.ParseAuthorizedKey(text)
		if err != nil {
			return nil, fmt.Errorf("ssh console: %s line %d: %w", path, line, err)
		}
		keys = append(keys, k)
	}
	return keys, sc.Err()
}

// logSessions logs every login and logout with who, from where, and how long.
func (s *Server) logSessions(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		start := time.Now()
		fp, _ := sess.Context().Value(fingerprintKey).(string)
		_, _, pty := sess.Pty()
		s.opts.Logger.Info("ssh login", "user", sess.User(), "remote", sess.RemoteAddr().String(), "key", fp, "pty", pty)
		next(sess)
		s.opts.Logger.Info("ssh logout", "user", sess.User(), "remote", sess.RemoteAddr().String(), "duration", time.Since(start).Round(time.Second))
	}
}

// limitSessions ends a session past MaxSessions with a message that says
// so; it runs before anything else sees the session.
func (s *Server) limitSessions(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		n := s.sessions.Add(1)
		defer s.sessions.Add(-1)
		if n > int64(s.opts.Limits.MaxSessions) {
			s.opts.Logger.Warn("ssh session refused: too many console sessions", "user", sess.User(), "remote", sess.RemoteAddr().String(),
				"limit", s.opts.Limits.MaxSessions)
			wish.Fatalln(sess, TooManySessions)
			return
		}
		next(sess)
	}
}

// Limits returns the limits in force, defaults filled in.
func (s *Server) Limits() Limits { return s.opts.Limits }

// program makes one session's program at the client's window size, with
// its terminal and colour profile (wish's MakeOptions).
func (s *Server) program(sess ssh.Session) *tea.Program {
	m, err := s.opts.NewModel(sess.Context(), sess.User())
	if err != nil {
		s.opts.Logger.Error("ssh console session", "user", sess.User(), "err", err)
		wish.Fatalln(sess, "opsdeck: cannot open the console:", err)
		return nil
	}
	opts := bm.MakeOptions(sess)
	// A client without a local terminal (ssh -tt from a script) reports a
	// 0x0 window, first and in every window change; draw at the classic
	// 80x24 rather than nothing at all. This filter replaces wish's own,
	// so it keeps its rule too: a session cannot be suspended.
	if pty, _, ok := sess.Pty(); ok && (pty.Window.Width <= 0 || pty.Window.Height <= 0) {
		opts = append(opts, tea.WithWindowSize(80, 24))
	}
	opts = append(opts, tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
		switch msg := msg.(type) {
		case tea.SuspendMsg:
			return tea.ResumeMsg{}
		case tea.WindowSizeMsg:
			if msg.Width <= 0 || msg.Height <= 0 {
				return tea.WindowSizeMsg{Width: 80, Height: 24}
			}
		}
		return msg
	}))
	return tea.NewProgram(m, opts...)
}

// Serve accepts connections on l until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	s.opts.Logger.Info("ssh console listening", "addr", l.Addr().String(), "limits", s.opts.Limits)
	err := s.srv.Serve(l)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// Listen binds the configured address, so that a taken port is known
// before anything else starts; Serve then accepts on it.
func (s *Server) Listen() (net.Listener, error) {
	l, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("ssh console: %w", err)
	}
	return l, nil
}

// Shutdown closes the connections not logged in yet, stops accepting and
// waits for sessions to end, until ctx ends, then closes what is left.
func (s *Server) Shutdown(ctx context.Context) error {
	s.gate.shutdown()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return s.srv.Close()
	}
	return err
}
