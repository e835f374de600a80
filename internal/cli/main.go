// Package cli is opsdeck's command line: one file per command, the
// settings they read (config.go), the one place a run builds the store,
// report engine, mail service and crew server it needs (wire.go), and the
// table that turns errors into exit statuses (exit.go).
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"opsdeck/auth"
	"opsdeck/mail"
	"opsdeck/portfolio"
	"opsdeck/reports"
	"opsdeck/store"
)

// Main is the program with its surroundings made explicit, so tests run it
// in-process with their own streams, environment and clock.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// LookupEnv reads the process environment (os.LookupEnv).
	LookupEnv func(key string) (string, bool)
	// Clock is the store's time source.
	Clock store.Clock

	cfg *config
	// What a run has built so far (wire.go): each at most once.
	store *store.Store
	// madeStore is set when this run's openStore made the database file.
	// mayCreateStore lets openStore make a database named by --db or
	// OPSDECK_DB that does not exist (init); otherwise only the default one
	// is made on first use.
	mayCreateStore bool
	madeStore      bool
	engine         *reports.Engine
	mail           *mail.Service
	mailSetup      mail.Setup
	crewAuth       *auth.Service
}

// NewMain returns a Main wired to the real process.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, LookupEnv: os.LookupEnv, Clock: store.SystemClock{}}
}

// Execute runs the command line as the process does: until it finishes or
// SIGINT or SIGTERM stops it, then closes what the run opened. It returns
// the exit status.
func (m *Main) Execute(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := m.Run(ctx, args)
	if err := m.Close(); err != nil {
		fmt.Fprintf(m.Stderr, "opsdeck: close: %v\n", err)
		code = max(code, exitFailure)
	}
	return code
}

// Run executes the command line args (without the program name) and
// returns the exit status. Errors are printed as one line on Stderr.
func (m *Main) Run(ctx context.Context, args []string) int {
	root := m.rootCommand()
	root.SetArgs(args)
	root.SetIn(m.Stdin)
	root.SetOut(m.Stdout)
	root.SetErr(m.Stderr)
	err := groupFlagError(root.ExecuteContext(ctx))
	if err != nil {
		fmt.Fprintf(m.Stderr, "opsdeck: %s\n", oneLine(portfolio.ErrorMessage(err)))
	}
	return exitCode(err)
}

// Close releases the store if a command opened it.
func (m *Main) Close() error {
	if m.store == nil {
		return nil
	}
	err := m.store.Close()
	m.store = nil
	return err
}
