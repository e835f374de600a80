package portfolio_test

import (
	"testing"
	"time"

	"opsdeck/portfolio"
)

func TestSpan(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "now"},
		{30 * time.Second, "now"},
		{59*time.Second + 999*time.Millisecond, "now"},
		{-59 * time.Second, "now"},
		{time.Minute, "in 1 min"},
		{4*time.Minute + 59*time.Second, "in 4 min"},
		{59 * time.Minute, "in 59 min"},
		{time.Hour, "in 1 h"},
		{5*time.Hour + 12*time.Minute, "in 5 h 12 min"},
		{23*time.Hour + 59*time.Minute, "in 23 h 59 min"},
		{23*time.Hour + 59*time.Minute + 59*time.Second, "in 23 h 59 min"},
		{24 * time.Hour, "in 1 day"},
		{24*time.Hour + 59*time.Minute, "in 1 day"},
		{26*time.Hour + 59*time.Minute, "in 1 day 2 h"},
		{48 * time.Hour, "in 2 days"},
		{81*time.Hour + 49*time.Minute, "in 3 days 9 h"}, // what the phone showed as "81 h 49 min"
		{-time.Minute, "1 min ago"},
		{-59*time.Minute - 59*time.Second, "59 min ago"},
		{-2 * time.Hour, "2 h ago"},
		{-2*time.Hour - 59*time.Minute, "2 h ago"},
		{-23*time.Hour - 59*time.Minute, "23 h ago"},
		{-24 * time.Hour, "1 day ago"},
		{-49 * time.Hour, "2 days ago"},
		{-400 * 24 * time.Hour, "400 days ago"},
	} {
		if got := portfolio.Span(c.d); got != c.want {
			t.Errorf("Span(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

// A countdown counts the hours that pass, not the clock's: the day the
// clocks go forward is 23 hours long.
func TestSpanAcrossDaylightSaving(t *testing.T) {
	la := zone(t, "America/Los_Angeles")
	now := time.Date(2025, 3, 8, 17, 30, 0, 0, la)  // PST
	call := time.Date(2025, 3, 9, 17, 30, 0, 0, la) // PDT, same wall clock a day later
	if got := portfolio.Span(call.Sub(now)); got != "in 23 h" {
		t.Errorf("spring forward: %q, want in 23 h", got)
	}
	now = time.Date(2025, 11, 1, 17, 30, 0, 0, la)
	call = time.Date(2025, 11, 2, 17, 30, 0, 0, la)
	if got := portfolio.Span(call.Sub(now)); got != "in 1 day 1 h" {
		t.Errorf("fall back: %q, want in 1 day 1 h", got)
	}
}

func TestStamp(t *testing.T) {
	la := zone(t, "America/Los_Angeles")
	at := func(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, la) }
	wed := at(2025, 12, 10, 12, 0) // Wednesday 10 December 2025
	for _, c := range []struct {
		name   string
		t, ref time.Time
		want   string
	}{
		{"today", at(2025, 12, 10, 4, 38), wed, "04:38"},
		{"today, late", at(2025, 12, 10, 23, 59), wed, "23:59"},
		{"yesterday", at(2025, 12, 9, 23, 59), wed, "Tue 23:59"},
		{"tomorrow just after midnight", at(2025, 12, 11, 0, 0), wed, "Thu 00:00"},
		{"later this week", at(2025, 12, 13, 4, 38), wed, "Sat 04:38"},
		{"six days ago", at(2025, 12, 4, 4, 38), wed, "Thu 04:38"},
		{"a week ago", at(2025, 12, 3, 4, 38), wed, "3 Dec 04:38"},
		{"six days ahead", at(2025, 12, 16, 4, 38), wed, "Tue 04:38"},
		{"a week ahead", at(2025, 12, 17, 4, 38), wed, "17 Dec 04:38"},
		{"another year", at(2026, 1, 2, 4, 38), wed, "2 Jan 2026 04:38"},
		{"another year within the week", at(2026, 1, 2, 4, 38), at(2025, 12, 30, 9, 0), "Fri 04:38"},
		// 17:00 in San Diego is 01:00 the next day in UTC: still today there.
		{"after UTC midnight, same day in the zone", at(2025, 12, 12, 17, 0).UTC(), at(2025, 12, 12, 15, 0).UTC(), "17:00"},
		// 23:30 and 00:30 in San Diego are both 13 December in UTC.
		{"same UTC day, next day in the zone", at(2025, 12, 13, 0, 30).UTC(), at(2025, 12, 12, 23, 30).UTC(), "Sat 00:30"},
		// The day the clocks go back has 25 hours; 24 h after 00:30 is still that day.
		{"fall-back day, 24 h later", at(2025, 11, 2, 0, 30).Add(24 * time.Hour), at(2025, 11, 2, 0, 30), "23:30"},
		// The day the clocks go forward has 23 hours; 23 h after 00:10 is the next day.
		{"spring-forward day, 23 h later", at(2025, 3, 9, 0, 10).Add(23 * time.Hour), at(2025, 3, 9, 0, 10), "Mon 00:10"},
		{"spring-forward day, 22 h 40 min later", at(2025, 3, 9, 0, 10).Add(22*time.Hour + 40*time.Minute), at(2025, 3, 9, 0, 10), "23:50"},
		{"zero", time.Time{}, wed, ""},
	} {
		if got := portfolio.Stamp(c.t, c.ref, la); got != c.want {
			t.Errorf("%s: Stamp(%v, %v) = %q, want %q", c.name, c.t, c.ref, got, c.want)
		}
	}
}

func TestDay(t *testing.T) {
	la := zone(t, "America/Los_Angeles")
	ref := time.Date(2025, 12, 10, 12, 0, 0, 0, la)
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2025, 12, 13, 16, 30, 0, 0, la), "Sat 13 Dec"},
		{time.Date(2025, 12, 13, 1, 0, 0, 0, time.UTC), "Fri 12 Dec"}, // 17:00 the day before in San Diego
		{time.Date(2026, 1, 2, 9, 0, 0, 0, la), "Fri 2 Jan 2026"},
	} {
		if got := portfolio.Day(c.t, ref, la); got != c.want {
			t.Errorf("Day(%v) = %q, want %q", c.t, got, c.want)
		}
	}
}

func TestZoneName(t *testing.T) {
	winter, summer := time.Date(2025, 12, 10, 12, 0, 0, 0, time.UTC), time.Date(2025, 7, 10, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		zone string
		at   time.Time
		want string
	}{
		{"America/Los_Angeles", winter, "Los Angeles time (PST)"},
		{"America/Los_Angeles", summer, "Los Angeles time (PDT)"},
		{"Europe/London", summer, "London time (BST)"},
		{"America/Argentina/Buenos_Aires", winter, "Buenos Aires time (UTC-03)"},
		{"Etc/GMT-4", winter, "UTC+04"},
		{"UTC", winter, "UTC"},
	} {
		if got := portfolio.ZoneName(zone(t, c.zone), c.at); got != c.want {
			t.Errorf("ZoneName(%s) = %q, want %q", c.zone, got, c.want)
		}
	}
}

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := portfolio.Zone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestAge(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "0s"}, {4 * time.Second, "4s"}, {59 * time.Second, "59s"}, {3 * time.Minute, "3m"},
		{2*time.Hour + 5*time.Minute, "2h"}, {47 * time.Hour, "47h"}, {5 * 24 * time.Hour, "5d"},
	} {
		if got := portfolio.Age(c.d); got != c.want {
			t.Errorf("portfolio.Age(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}
