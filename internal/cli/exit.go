package cli

import (
	"errors"
	"fmt"
	"strings"

	"opsdeck/portfolio"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // the command could not do its work: an unreadable database, a send that failed
	exitUsage   = 2 // the command line was wrong, or named something that does not exist
)

// exitCode is the one table from errors to exit statuses.
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		return exitUsage
	}
	switch portfolio.ErrorCode(err) {
	case portfolio.EINVALID, portfolio.ENOTFOUND:
		return exitUsage
	case portfolio.EUNAVAILABLE:
		// A full disk: the command was right and could not be done; the
		// same command may work once there is room.
		return exitFailure
	}
	return exitFailure
}

// usageError marks a mistake in the command line itself: a wrong flag, a
// missing argument, a value that does not parse.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
