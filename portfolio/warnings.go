package portfolio

import (
	"fmt"
	"strings"
	"time"
)

// A Warning is something about a record that looks wrong but may be
// meant: it is said (under the field in a form, on stderr from the CLI)
// and the record is written all the same. What can never be right is
// refused by Validate instead.
type Warning struct {
	// Field is the field it is about, as the record's kind names it.
	Field   string
	Message string
}

// warner is a record with rules of its own for what looks suspicious.
type warner interface {
	warnings(now time.Time) []Warning
}

// Warnings says what looks wrong about r at now, if anything. The rules
// live with each record's type, next to its Validate, so the console's
// forms and the CLI say the same.
func Warnings(r Record, now time.Time) []Warning {
	if w, ok := r.(warner); ok {
		return w.warnings(now)
	}
	return nil
}

// warnings: an event still to happen dated in the past, and guests
// boarding before the crew is called.
func (e *Event) warnings(now time.Time) []Warning {
	var out []Warning
	if !e.DepartsAt.IsZero() && e.DepartsAt.Before(now) && (e.Status == EventPlanned || e.Status == EventConfirmed) {
		out = append(out, Warning{"departs_at", fmt.Sprintf("departs in the past (%s) while still %s", Span(e.DepartsAt.Sub(now)), e.Status)})
	}
	if e.Boarding > e.CrewCall {
		out = append(out, Warning{"boarding", fmt.Sprintf("boarding (%d min before departure) comes before crew call (%d min before): guests would board before the crew is there",
			e.Boarding, e.CrewCall)})
	}
	return out
}

// warnings: an address whose domain has no dot, which mail rarely reaches.
func (p *Person) warnings(time.Time) []Warning {
	if w := EmailWarning(p.Email); w != "" {
		return []Warning{{"email", w}}
	}
	return nil
}

// EmailWarning says what looks wrong with an address that is valid but
// unlikely to be meant ("a@b": no dot in the domain), or "".
func EmailWarning(addr string) string {
	_, domain, ok := strings.Cut(addr, "@")
	if !ok || ValidateEmail(addr) != nil {
		return ""
	}
	if !strings.Contains(strings.Trim(domain, "[]"), ".") {
		return fmt.Sprintf("the domain %q has no dot: mail to %s will most likely not arrive", domain, addr)
	}
	return ""
}

// warnings: a report that would go out more often than hourly.
func (s *Schedule) warnings(now time.Time) []Warning {
	first, err := s.Next(now)
	if err != nil {
		return nil
	}
	second, err := s.Next(first)
	if err != nil {
		return nil
	}
	if gap := second.Sub(first); gap < time.Hour {
		every := "minute"
		if gap > time.Minute {
			every = strings.TrimPrefix(Span(gap), "in ")
		}
		return []Warning{{"cron", fmt.Sprintf("sends the %s report every %s", s.Role.Title(), every)}}
	}
	return nil
}
