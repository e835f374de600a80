package mail

import (
	"context"
	"errors"
	"fmt"
)

// Transport delivers one message and returns the provider's id for it.
type Transport interface {
	// Name is how the CLI and the outbox describe the transport.
	Name() string
	Send(ctx context.Context, m *Message) (providerID string, err error)
}

// Quota is a provider's sending limits (SES's SendQuota).
type Quota struct {
	MaxSendRate     float64 // recipients a second
	Max24HourSend   float64 // recipients a day; 0 for unlimited
	SentLast24Hours float64
}

// Remaining is how many more recipients may be sent today (-1: no limit).
func (q Quota) Remaining() int {
	if q.Max24HourSend <= 0 {
		return -1
	}
	return max(0, int(q.Max24HourSend-q.SentLast24Hours))
}

// QuotaReader is a transport that knows its provider's limits.
type QuotaReader interface {
	Quota(ctx context.Context) (Quota, error)
}

// SendError is a failed send, classified: transient failures (throttling,
// a provider's 5xx, the network) are retried; permanent ones are not.
type SendError struct {
	Transient bool
	// MaybeDelivered: the attempt was cut off after the request may have
	// reached the provider, which may have sent it.
	MaybeDelivered bool
	// Unreachable: the provider could not be connected to at all, so the
	// message certainly did not go out and waiting in a command is futile.
	Unreachable bool
	Code        string // the provider's error code, when it gave one
	Err         error
}

func (e *SendError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("%s: %v", e.Code, e.Err)
	}
	return e.Err.Error()
}

func (e *SendError) Unwrap() error { return e.Err }

// IsTransient reports whether err is worth retrying. Unclassified errors
// count as transient: a retry is cheaper than a lost report, and the
// attempts are bounded.
func IsTransient(err error) bool {
	var se *SendError
	if errors.As(err, &se) {
		return se.Transient
	}
	return !errors.Is(err, context.Canceled)
}

func permanent(code string, err error) error { return &SendError{Code: code, Err: err} }
func transient(code string, err error) error {
	return &SendError{Transient: true, Code: code, Err: err}
}

// unreachable is a transient failure to connect: nothing was sent.
func unreachable(code string, err error) error {
	return &SendError{Transient: true, Unreachable: true, Code: code, Err: err}
}

// Unreachable reports whether a failed send could not connect at all.
func Unreachable(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Unreachable
}

// MaybeDelivered reports whether a failed send may have gone out anyway.
func MaybeDelivered(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.MaybeDelivered
}

// cutOff is a transient failure after the request may have been delivered.
func cutOff(code string, err error) error {
	return &SendError{Transient: true, MaybeDelivered: true, Code: code, Err: err}
}
