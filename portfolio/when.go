package portfolio

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Span says how far off a moment d away is, as a person would write it:
//
//   - in whole minutes, counted toward zero (4 min 59 s is "4 min");
//   - under a minute either way: "now";
//   - ahead: "in 4 min", "in 5 h 12 min", "in 5 h", and from 24 h on in
//     days and hours: "in 1 day 2 h", "in 3 days" (minutes no longer
//     matter; a zero is left out);
//   - behind, in its largest unit only: "4 min ago", "2 h ago",
//     "3 days ago".
//
// A day here is 24 hours of elapsed time, whatever the clocks do: a
// countdown across a daylight-saving change counts the hours there are.
//
// The crew page's script (web/assets/app.js, span) ticks the countdown
// by the same rules, and a browser test holds the two to one table.
func Span(d time.Duration) string {
	m := int64(d / time.Minute)
	a := m
	if a < 0 {
		a = -a
	}
	days, hours, mins := a/(24*60), a%(24*60)/60, a%60
	switch {
	case a == 0:
		return "now"
	case m < 0 && days > 0:
		return count(days, "day", "days") + " ago"
	case m < 0 && hours > 0:
		return strconv.FormatInt(hours, 10) + " h ago"
	case m < 0:
		return strconv.FormatInt(mins, 10) + " min ago"
	case days > 0:
		return "in " + count(days, "day", "days") + unit(hours, " h")
	case hours > 0:
		return "in " + strconv.FormatInt(hours, 10) + " h" + unit(mins, " min")
	}
	return "in " + strconv.FormatInt(mins, 10) + " min"
}

// Age is a short age or lag, to the second under a minute: "4s", "3m",
// "2h", "5d" (a negative one is "0s"). The status line and the console's
// status bar say replication's lag with it.
func Age(d time.Duration) string {
	switch d = max(d, 0); {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}

func count(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}

// unit is " n suffix", or nothing for zero.
func unit(n int64, suffix string) string {
	if n == 0 {
		return ""
	}
	return " " + strconv.FormatInt(n, 10) + suffix
}

// Stamp is t's clock time in loc with as much of its date as someone
// reading it on ref's day needs (both days taken in loc):
//
//   - ref's own day: "04:38";
//   - another day less than a week away, before or after: "Sat 04:38";
//   - further off: "12 Dec 04:38", and "12 Dec 2024 04:38" in another
//     year than ref's.
//
// The zero time is "".
func Stamp(t, ref time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	t, ref = t.In(loc), ref.In(loc)
	switch days := dayDiff(t, ref); {
	case days == 0:
		return t.Format("15:04")
	case days > -7 && days < 7:
		return t.Format("Mon 15:04")
	case t.Year() != ref.Year():
		return t.Format("2 Jan 2006 15:04")
	}
	return t.Format("2 Jan 15:04")
}

// Day is t's date in loc, "Sat 12 Dec", with the year when it is not
// ref's: "Sat 12 Dec 2026".
func Day(t, ref time.Time, loc *time.Location) string {
	t = t.In(loc)
	if t.Year() != ref.In(loc).Year() {
		return t.Format("Mon 2 Jan 2006")
	}
	return t.Format("Mon 2 Jan")
}

// dayDiff counts calendar days from ref's date to t's, each in its own
// location's wall clock: a 23- or 25-hour day is still one day.
func dayDiff(t, ref time.Time) int {
	date := func(x time.Time) time.Time { return time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC) }
	return int(date(t).Sub(date(ref)) / (24 * time.Hour))
}

// ZoneName names loc for a reader, by its city and its abbreviation at
// at: "Los Angeles time (PDT)"; "UTC"; for a zone with no city
// (Etc/GMT-4), "UTC+04".
func ZoneName(loc *time.Location, at time.Time) string {
	abbr, _ := at.In(loc).Zone()
	if abbr != "" && (abbr[0] == '+' || abbr[0] == '-') {
		abbr = "UTC" + abbr
	}
	name := loc.String()
	i := strings.LastIndexByte(name, '/')
	if i < 0 || strings.HasPrefix(name, "Etc/") {
		return abbr
	}
	city := strings.ReplaceAll(name[i+1:], "_", " ")
	if abbr == "" {
		return city + " time"
	}
	return city + " time (" + abbr + ")"
}

// dateShape is a date as YYYY-MM-DD is written, whether or not the day
// exists.
var dateShape = regexp.MustCompile(`^([0-9]{4})-([0-9]{2})-([0-9]{2})`)

// clockShape is a clock time as HH:MM (and :SS) is written, whether or
// not the clock shows it.
var clockShape = regexp.MustCompile(`^([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?`)

// DateWords says in words why s, written as YYYY-MM-DD (and maybe a time
// after it), names no day: "February has 28 days in 2026", "month 13 does
// not exist", "days start at 01". It is "" when s is not in that shape, or
// its day exists: "must look like 2026-12-24" said to someone who wrote
// 2026-02-30 tells them nothing.
func DateWords(s string) string {
	m := dateShape.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return ""
	}
	y, _ := strconv.Atoi(m[1])
	mon, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	switch {
	case mon < 1 || mon > 12:
		return "month " + m[2] + " does not exist (months run 01–12)"
	case d < 1:
		return "days start at 01"
	case d > DaysIn(y, time.Month(mon)):
		return time.Month(mon).String() + " has " + strconv.Itoa(DaysIn(y, time.Month(mon))) + " days in " + m[1]
	}
	return ""
}

// DaysIn is how many days month has in year.
func DaysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// ClockWords says in words why s, written as HH:MM or HH:MM:SS, is no
// time of day: "hours run 00–23", "minutes run 00–59". It is "" when s is
// not in that shape, or the time is one.
func ClockWords(s string) string {
	m := clockShape.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return ""
	}
	h, _ := strconv.Atoi(m[1])
	min, _ := strconv.Atoi(m[2])
	sec, _ := strconv.Atoi(m[3])
	switch {
	case h > 23:
		return "hours run 00–23"
	case min > 59:
		return "minutes run 00–59"
	case sec > 59:
		return "seconds run 00–59"
	}
	return ""
}

// InstantWords is DateWords or ClockWords for a time written as RFC 3339
// or as people type it (a space for the T): what is wrong with its day,
// else with its clock; "" when neither is plainly impossible.
func InstantWords(s string) string {
	s = strings.TrimSpace(s)
	if w := DateWords(s); w != "" {
		return w
	}
	if len(s) > 11 && dateShape.MatchString(s) && (s[10] == 'T' || s[10] == 't' || s[10] == ' ') {
		return ClockWords(s[11:])
	}
	return ""
}

// ParseClock reads a time of day written HH:MM, 24-hour ("17:30", "7:05"),
// as hours and minutes.
func ParseClock(s string) (hour, minute int, err error) {
	t := strings.TrimSpace(s)
	if len(t) == 4 && t[1] == ':' {
		t = "0" + t
	}
	if w := ClockWords(t); w != "" && len(t) == 5 {
		return 0, 0, Errorf(EINVALID, "%q is not a time of day: %s", s, w)
	}
	c, perr := time.Parse("15:04", t)
	if perr != nil {
		return 0, 0, Errorf(EINVALID, "%q is not a time of day (want HH:MM, 24-hour, such as 17:30)", s)
	}
	return c.Hour(), c.Minute(), nil
}

// LocalTime is the moment the clocks in loc show hour:minute on day, and,
// when the clocks do not show that exactly once, says so in words: a time
// skipped when they go forward is read an hour later (as time.Date reads
// it), and one shown twice when they go back is the first.
func LocalTime(day Date, hour, minute int, loc *time.Location) (time.Time, string) {
	d := day.Time()
	t := time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, loc)
	typed := fmt.Sprintf("%02d:%02d", hour, minute)
	on := d.Format("2 January 2006")
	if t.Hour() != hour || t.Minute() != minute {
		// time.Date may read it with the offset after the change, which
		// is earlier: read with the one before, it is the later time, as
		// a clock that was not changed would show it.
		_, before := t.Add(-3 * time.Hour).Zone()
		t = time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, time.FixedZone("", before)).In(loc)
		return t, fmt.Sprintf("%s does not exist on %s in %s (the clocks go forward): it is read as %s", typed, on, loc, t.Format("15:04 MST"))
	}
	if later := t.Add(time.Hour); later.Hour() == hour && later.Minute() == minute {
		return t, fmt.Sprintf("%s happens twice on %s in %s (the clocks go back): it is read as the first, %s", typed, on, loc, t.Format("15:04 MST"))
	}
	return t, ""
}
