package portfolio

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule is when a role's report goes out by itself.
type Schedule struct {
	Role         ReportRole `json:"role"`
	Cron         string     `json:"cron"`      // five fields, or a descriptor such as @weekly
	TimeZone     string     `json:"time_zone"` // IANA zone the expression is read in
	WeekdaysOnly bool       `json:"weekdays_only"`
	Enabled      bool       `json:"enabled"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// cronParser reads standard five-field expressions and descriptors.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseCron checks a cron expression the way a schedule will use it.
func ParseCron(expr, zone string) (cron.Schedule, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return nil, Errorf(EINVALID, "cron expression is empty")
	}
	if strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ=") {
		return nil, Errorf(EINVALID, "give the time zone separately, not inside the cron expression")
	}
	if _, err := time.LoadLocation(zone); err != nil || zone == "" {
		return nil, Errorf(EINVALID, "time zone %q is not an IANA zone such as America/Los_Angeles", zone)
	}
	s, err := cronParser.Parse("CRON_TZ=" + zone + " " + expr)
	if err != nil {
		return nil, Errorf(EINVALID, "cron expression %q: %v (want five fields: minute hour day-of-month month day-of-week, e.g. \"0 7 * * 1\")", expr, err)
	}
	return s, nil
}

// Validate checks s before it is written.
func (s *Schedule) Validate() error {
	if !s.Role.Valid() {
		return Errorf(EINVALID, "unknown report role %q", s.Role)
	}
	if _, err := ParseCron(s.Cron, s.TimeZone); err != nil {
		return FieldErrorf(cronField(err), EINVALID, "%s", ErrorMessage(err))
	}
	// A schedule that never runs is refused rather than warned of: saved,
	// it would look set up and send nothing, ever.
	if _, err := s.Next(time.Now()); err != nil {
		return FieldErrorf("cron", EINVALID, "%s", neverRuns(s))
	}
	return nil
}

// cronField is the field a ParseCron error is about.
func cronField(err error) string {
	if strings.HasPrefix(ErrorMessage(err), "time zone") {
		return "time_zone"
	}
	return "cron"
}

// neverRuns says why s, which has no next run, never runs: a day its month
// never has (0 7 30 2 *: "February never has a 30th"), weekend slots on a
// weekdays-only schedule, or no run within the five years cron looks at.
func neverRuns(s *Schedule) string {
	f := strings.Fields(s.Cron)
	if len(f) == 5 {
		d, derr := strconv.Atoi(f[2])
		m, merr := strconv.Atoi(f[3])
		if derr == nil && merr == nil && m >= 1 && m <= 12 && d > DaysIn(2024, time.Month(m)) {
			return fmt.Sprintf("cron %q never runs: %s never has a %s", s.Cron, time.Month(m), ordinal(d))
		}
	}
	if s.WeekdaysOnly {
		plain := *s
		plain.WeekdaysOnly = false
		if _, err := plain.Next(time.Now()); err == nil {
			return fmt.Sprintf("cron %q runs only on weekends, and the schedule is for weekdays only: it would never run", s.Cron)
		}
	}
	return fmt.Sprintf("cron %q never runs: no day in the next five years matches it", s.Cron)
}

// ordinal writes n as 1st, 2nd, 3rd, 4th, 11th, 21st...
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

// Next returns the first run strictly after t, skipping Saturdays and
// Sundays (in the schedule's zone) when WeekdaysOnly is set.
func (s Schedule) Next(t time.Time) (time.Time, error) {
	cs, err := ParseCron(s.Cron, s.TimeZone)
	if err != nil {
		return time.Time{}, err
	}
	loc, _ := time.LoadLocation(s.TimeZone)
	next := t
	// A weekday slot is never more than a few hundred slots away, but a
	// misconfigured schedule (weekends only, weekdays only) must not spin.
	for range 1000 {
		next = cs.Next(next)
		if next.IsZero() {
			return time.Time{}, Errorf(EINVALID, "schedule %s never runs", s.Cron)
		}
		if wd := next.In(loc).Weekday(); !s.WeekdaysOnly || (wd != time.Saturday && wd != time.Sunday) {
			return next, nil
		}
	}
	return time.Time{}, Errorf(EINVALID, "schedule %s has no weekday run", s.Cron)
}

// Previous returns the latest run at or before t and after since, or the
// zero time if there is none: the slot a process that was down would
// have missed.
func (s Schedule) Previous(t, since time.Time) (time.Time, error) {
	var last time.Time
	cur := since
	for {
		next, err := s.Next(cur)
		if err != nil {
			return time.Time{}, err
		}
		if next.After(t) {
			return last, nil
		}
		last, cur = next, next
	}
}
