// Command opsdeck is a terminal operations console for a small portfolio of
// businesses: KPIs, shortfalls, events with crew checklists, and role
// reports, all in one SQLite file.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"opsdeck/portfolio"
	"opsdeck/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := NewMain()
	code := m.Run(ctx, os.Args[1:])
	if err := m.Close(); err != nil {
		fmt.Fprintf(m.Stderr, "opsdeck: close: %v\n", err)
		code = max(code, 1)
	}
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
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

	cfg   *config
	store *store.Store
}

// NewMain returns a Main wired to the real process.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, LookupEnv: os.LookupEnv, Clock: store.SystemClock{}}
}

// Run executes the command line args (without the program name) and
// returns the exit status. Errors are printed as one line on Stderr.
func (m *Main) Run(ctx context.Context, args []string) int {
	root := m.rootCommand()
	root.SetArgs(args)
	root.SetIn(m.Stdin)
	root.SetOut(m.Stdout)
	root.SetErr(m.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(m.Stderr, "opsdeck: %s\n", oneLine(portfolio.ErrorMessage(err)))
	if isUsageError(err) {
		return exitUsage
	}
	return exitFailure
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

// usageError marks a mistake in the command line itself: a wrong flag, a
// missing argument, a value that does not parse.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// isUsageError decides exit status 2: command-line mistakes, and input the
// store rejected as invalid or naming something that does not exist.
func isUsageError(err error) bool {
	var ue usageError
	if errors.As(err, &ue) {
		return true
	}
	switch portfolio.ErrorCode(err) {
	case portfolio.EINVALID, portfolio.ENOTFOUND:
		return true
	}
	// Cobra reports these itself, as plain errors.
	msg := err.Error()
	for _, prefix := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "invalid argument",
		"accepts ", "requires at least", "if any flags in the group"} {
		if strings.HasPrefix(msg, prefix) {
			return true
		}
	}
	return false
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
