package portfolio

import (
	"errors"
	"fmt"
)

// Application error codes. They are stable strings so the CLI, the console
// and the HTTP server can each map them to their own vocabulary (exit status,
// inline form error, HTTP status) in one place.
const (
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EINVALID      = "invalid"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EINTERNAL     = "internal"
	// EUNAVAILABLE is a failure of ours that may pass (a full disk, a
	// database that cannot be written): nothing is wrong with the request,
	// and the same request may work later.
	EUNAVAILABLE = "unavailable"
)

// Error is an application error: a code a program can branch on and a
// message a person can read.
type Error struct {
	Code    string
	Message string
	// Field names the field of a record the error is about, as its kind
	// names it ("departs_at"), when it is about one: a form puts the cursor
	// there rather than on its first field.
	Field string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf is Errorf about the field of a record called field.
func FieldErrorf(field, code, format string, args ...any) *Error {
	e := Errorf(code, format, args...)
	e.Field = field
	return e
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of the first *Error in err's chain,
// or err.Error() for other errors.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// ErrorField names the field the first *Error in err's chain is about, or
// is "" when it names none.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
