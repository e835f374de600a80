package store

import (
	"fmt"
	"time"

	"opsdeck/portfolio"
)

// dateColumn converts d for a nullable TEXT column.
func dateColumn(d portfolio.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

// scanDate parses a nullable TEXT column written by dateColumn.
func scanDate(s *string) (portfolio.Date, error) {
	if s == nil || *s == "" {
		return portfolio.Date{}, nil
	}
	return portfolio.ParseDate(*s)
}

// TimeLayout stores instants as fixed-width UTC text, so that SQL compares
// and sorts them correctly as strings (RFC 3339 with trimmed fractions
// would put "…:00Z" after "…:00.5Z").
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

func timeColumn(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

func scanTime(s *string) (time.Time, error) {
	if s == nil || *s == "" {
		return time.Time{}, nil
	}
	return parseTime(*s)
}
