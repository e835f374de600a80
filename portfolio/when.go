package portfolio

import (
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
