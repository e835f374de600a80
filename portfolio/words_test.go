package portfolio

import (
	"strings"
	"testing"
	"time"
)

// An impossible date or time is explained in words, not with the format
// it already has.
func TestImpossibleDatesInWords(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2026-02-30", "February has 28 days in 2026"},
		{"2028-02-30", "February has 29 days in 2028"},
		{"2026-04-31", "April has 30 days in 2026"},
		{"2026-13-01", "month 13 does not exist (months run 01–12)"},
		{"2026-00-10", "month 00 does not exist (months run 01–12)"},
		{"2026-05-00", "days start at 01"},
		{"2026-02-28", ""},
		{"2028-02-29", ""},
		{"tomorrow", ""},
	} {
		if got := DateWords(c.in); got != c.want {
			t.Errorf("DateWords(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"25:00", "hours run 00–23"}, {"24:00", "hours run 00–23"}, {"17:60", "minutes run 00–59"}, {"17:30:61", "seconds run 00–59"}, {"17:30", ""},
	} {
		if got := ClockWords(c.in); got != c.want {
			t.Errorf("ClockWords(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if _, err := ParseDate("2026-02-30"); err == nil || ErrorMessage(err) != `"2026-02-30" is not a date: February has 28 days in 2026` {
		t.Errorf("ParseDate: %v", err)
	}
	if _, _, err := ParseClock("25:00"); err == nil || ErrorMessage(err) != `"25:00" is not a time of day: hours run 00–23` {
		t.Errorf("ParseClock: %v", err)
	}
	if h, m, err := ParseClock("7:05"); err != nil || h != 7 || m != 5 {
		t.Errorf("ParseClock(7:05) = %d, %d, %v", h, m, err)
	}
	// A field says it too, and names itself, so a form can put the
	// cursor on it.
	for _, c := range []struct{ kind, field, in, want string }{
		{"shortfall", "opened_on", "2026-02-30", `opened_on: "2026-02-30" is not a date: February has 28 days in 2026`},
		{"reading", "taken_at", "2026-11-31T12:00:00Z", `taken_at: "2026-11-31T12:00:00Z" is not a time: November has 30 days in 2026`},
		{"reading", "taken_at", "2026-11-30T25:00:00Z", `taken_at: "2026-11-30T25:00:00Z" is not a time: hours run 00–23`},
	} {
		k := MustKind(c.kind)
		f, _ := k.Field(c.field)
		err := f.Parse(k.New(), c.in)
		if err == nil || ErrorMessage(err) != c.want {
			t.Errorf("%s %s %q: %v, want %q", c.kind, c.field, c.in, err, c.want)
		}
		if ErrorField(err) != c.field {
			t.Errorf("%s %s %q: the error names field %q", c.kind, c.field, c.in, ErrorField(err))
		}
	}
}

// An error is traced to the field it is about, from its own field name or
// from its words, so a form can return the cursor there.
func TestErrorField(t *testing.T) {
	ev := MustKind("event")
	for _, c := range []struct {
		kind *Kind
		err  error
		want string
	}{
		{ev, Errorf(EINVALID, "time zone %q is not an IANA zone such as America/Los_Angeles", "Mars/Base"), "time_zone"},
		{ev, Errorf(EINVALID, "event title is required"), "title"},
		{ev, Errorf(EINVALID, "duration must be between 1 minute and 14 days"), "duration"},
		{ev, Errorf(EINVALID, "crew call offset must be between 0 and 24 hours"), "crew_call"},
		{MustKind("kpi"), Errorf(ECONFLICT, "kpi %q already exists", "JADA/charters"), "key"},
		{MustKind("cost-line"), Errorf(EINVALID, "account: no account %q", "9999"), "account"},
		{MustKind("person"), Errorf(EINTERNAL, "disk full"), ""},
		{MustKind("schedule"), (&Schedule{Role: RoleCEO, Cron: "0 7 30 2 *", TimeZone: "UTC"}).Validate(), "cron"},
		{MustKind("shortfall"), (&Shortfall{Title: "x", OwnerRole: RoleCEO, Severity: SeverityLow, EffortDays: 1, Status: ShortfallResolved,
			OpenedOn: NewDate(2026, 1, 1)}).Validate(), "resolved_on"},
		{MustKind("cost-line"), (&CostLine{Category: "fuel", Vendor: "Harbor", Low: 500, High: 100}).Validate(), "high"},
		{MustKind("person"), (&Person{Name: "A", Email: "a@", Role: AccessGuest}).Validate(), "email"},
	} {
		if got := c.kind.ErrorField(c.err); got != c.want {
			t.Errorf("%s: %q is about field %q, want %q", c.kind.Name, c.err, got, c.want)
		}
	}
}

// Suspicious values are warned of, not refused; what can never work is
// refused with its reason.
func TestWarnings(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	ev := &Event{Kind: "charter", Title: "Sunset", DepartsAt: now.Add(-72 * time.Hour), TimeZone: "UTC", Duration: 120,
		CrewCall: 30, Boarding: 45, Status: EventPlanned}
	if err := ev.Validate(); err != nil {
		t.Fatal(err)
	}
	got := Warnings(ev, now)
	if len(got) != 2 || got[0].Field != "departs_at" || got[0].Message != "departs in the past (3 days ago) while still planned" ||
		got[1].Field != "boarding" || !strings.HasPrefix(got[1].Message, "boarding (45 min before departure) comes before crew call (30 min before)") {
		t.Errorf("event warnings: %+v", got)
	}
	ev.Status, ev.Boarding = EventDone, 20
	if got := Warnings(ev, now); len(got) != 0 {
		t.Errorf("a done event in the past, boarding after crew call: %+v", got)
	}

	p := &Person{Name: "A", Email: "a@b", Role: AccessGuest}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := Warnings(p, now); len(got) != 1 || got[0].Field != "email" || got[0].Message != `the domain "b" has no dot: mail to a@b will most likely not arrive` {
		t.Errorf("person warnings: %+v", got)
	}
	p.Email = "a@b.example"
	if got := Warnings(p, now); len(got) != 0 {
		t.Errorf("a@b.example: %+v", got)
	}

	sc := &Schedule{Role: RoleCEO, Cron: "* * * * *", TimeZone: "UTC", Enabled: true}
	if got := Warnings(sc, now); len(got) != 1 || got[0].Message != "sends the CEO report every minute" {
		t.Errorf("schedule warnings: %+v", got)
	}
	sc.Cron = "0 7 * * 1"
	if got := Warnings(sc, now); len(got) != 0 {
		t.Errorf("weekly: %+v", got)
	}
	for _, c := range []struct {
		cron     string
		weekdays bool
		want     string
	}{
		{"0 7 30 2 *", false, `cron "0 7 30 2 *" never runs: February never has a 30th`},
		{"0 7 31 4 *", false, `cron "0 7 31 4 *" never runs: April never has a 31st`},
		{"0 7 * * 6,0", true, `cron "0 7 * * 6,0" runs only on weekends, and the schedule is for weekdays only: it would never run`},
	} {
		sc := &Schedule{Role: RoleCEO, Cron: c.cron, TimeZone: "UTC", WeekdaysOnly: c.weekdays}
		if err := sc.Validate(); err == nil || ErrorMessage(err) != c.want {
			t.Errorf("%s: %v, want %q", c.cron, err, c.want)
		}
	}
	// February 29th comes round: a leap-day schedule is allowed.
	if err := (&Schedule{Role: RoleCEO, Cron: "0 7 29 2 *", TimeZone: "UTC"}).Validate(); err != nil {
		t.Errorf("leap day: %v", err)
	}
}

// A time the clocks skip or show twice is read by a rule, and said.
func TestLocalTimeAcrossClockChanges(t *testing.T) {
	la, _ := Zone("America/Los_Angeles")
	at, note := LocalTime(NewDate(2026, time.March, 8), 2, 30, la)
	if want := "02:30 does not exist on 8 March 2026 in America/Los_Angeles (the clocks go forward): it is read as 03:30 PDT"; note != want || at.Hour() != 3 {
		t.Errorf("spring forward: %v, %q", at, note)
	}
	at, note = LocalTime(NewDate(2026, time.November, 1), 1, 30, la)
	if want := "01:30 happens twice on 1 November 2026 in America/Los_Angeles (the clocks go back): it is read as the first, 01:30 PDT"; note != want {
		t.Errorf("fall back: %v, %q", at, note)
	}
	if _, note := LocalTime(NewDate(2026, time.November, 2), 1, 30, la); note != "" {
		t.Errorf("an ordinary day: %q", note)
	}
}
