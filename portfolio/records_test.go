package portfolio_test

import (
	"math"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store/storetest"
)

func TestZone(t *testing.T) {
	a, err := portfolio.Zone("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := portfolio.Zone("America/Los_Angeles"); a != b {
		t.Error("a second look-up loaded the zone again")
	}
	if _, err := portfolio.Zone("Mars/Olympus_Mons"); err == nil {
		t.Error("an unknown zone was accepted")
	}
}

// Each domain type's Validate rejects what the schema would otherwise
// store or refuse with an unreadable constraint error.
func TestValidateRejects(t *testing.T) {
	good := func() portfolio.Shortfall {
		return portfolio.Shortfall{Title: "t", OwnerRole: portfolio.RoleCFO, Severity: portfolio.SeverityLow, MonthlyImpact: 1, EffortDays: 1,
			Status: portfolio.ShortfallOpen, OpenedOn: portfolio.DateOf(storetest.Now)}
	}
	cases := map[string]interface{ Validate() error }{
		"entity code with space":      &portfolio.Entity{Code: "BAD CODE", Name: "x", Kind: portfolio.KindOperating},
		"entity kind":                 &portfolio.Entity{Code: "OK", Name: "x", Kind: "other"},
		"entity without name":         &portfolio.Entity{Code: "OK", Kind: portfolio.KindOperating},
		"person email":                &portfolio.Person{Name: "x", Email: "not-an-email", Role: portfolio.AccessCrew},
		"person email with name":      &portfolio.Person{Name: "x", Email: "X <x@example.com>", Role: portfolio.AccessCrew},
		"person phone":                &portfolio.Person{Name: "x", Email: "x@example.com", Phone: "call me", Role: portfolio.AccessCrew},
		"person role":                 &portfolio.Person{Name: "x", Email: "x@example.com", Role: "boss"},
		"KPI unit":                    &portfolio.KPI{Key: "k", Name: "n", Unit: "furlongs", Direction: portfolio.HigherIsBetter, OwnerRole: portfolio.RoleCEO},
		"KPI direction":               &portfolio.KPI{Key: "k", Name: "n", Unit: "count", Direction: "up", OwnerRole: portfolio.RoleCEO},
		"KPI negative target":         &portfolio.KPI{Key: "k", Name: "n", Unit: "count", Direction: portfolio.HigherIsBetter, Target: -1, OwnerRole: portfolio.RoleCEO},
		"KPI tolerance":               &portfolio.KPI{Key: "k", Name: "n", Unit: "count", Direction: portfolio.HigherIsBetter, Tolerance: 1, OwnerRole: portfolio.RoleCEO},
		"KPI owner":                   &portfolio.KPI{Key: "k", Name: "n", Unit: "count", Direction: portfolio.HigherIsBetter, OwnerRole: "cook"},
		"cost high below low":         &portfolio.CostLine{Category: "c", Vendor: "v", Low: 10, High: 5},
		"unit economics basis":        &portfolio.UnitEconomics{Unit: "u", Basis: "galaxy"},
		"revenue month":               &portfolio.RevenueMonth{Month: "2026-13"},
		"channel kind":                &portfolio.Channel{Name: "n", Kind: "carrier pigeon", Status: portfolio.ChannelLive},
		"channel values":              &portfolio.Channel{Name: "n", Kind: portfolio.ChannelEmail, Status: portfolio.ChannelLive, ValueLow: 5, ValueHigh: 1},
		"finding without remediation": &portfolio.Finding{Stack: "s", Category: "security", Severity: portfolio.SeverityLow, Title: "t", EffortDays: 1, Status: "open"},
		"event time zone":             &portfolio.Event{Kind: "charter", Title: "t", DepartsAt: storetest.Now, TimeZone: "Mars/Olympus", Duration: 60, Status: portfolio.EventPlanned},
		"event duration":              &portfolio.Event{Kind: "charter", Title: "t", DepartsAt: storetest.Now, TimeZone: "UTC", Duration: 0, Status: portfolio.EventPlanned},
		"capital tier policy":         &portfolio.CapitalTier{Name: "n", Policy: "maybe"},
		"action without due date":     &portfolio.Action{Title: "t", OwnerRole: portfolio.RoleCEO, Status: portfolio.ActionOpen},
		"account type":                &portfolio.Account{Code: "1", Name: "n", Type: "vibes"},
		"shortfall effort zero":       func() *portfolio.Shortfall { s := good(); s.EffortDays = 0; return &s }(),
		"shortfall effort NaN":        func() *portfolio.Shortfall { s := good(); s.EffortDays = math.NaN(); return &s }(),
		"shortfall resolved undated":  func() *portfolio.Shortfall { s := good(); s.Status = portfolio.ShortfallResolved; return &s }(),
		"shortfall resolved too early": func() *portfolio.Shortfall {
			s := good()
			s.Status = portfolio.ShortfallResolved
			s.ResolvedOn = s.OpenedOn.AddDays(-1)
			return &s
		}(),
		"shortfall severity":       func() *portfolio.Shortfall { s := good(); s.Severity = "meh"; return &s }(),
		"recognition gap status":   &portfolio.RecognitionGap{Title: "t", Severity: portfolio.SeverityLow, Status: "pending"},
		"milestone without due":    &portfolio.Milestone{Title: "t"},
		"financial rule empty":     &portfolio.FinancialRule{Rule: " "},
		"channel task untitled":    &portfolio.ChannelTask{},
		"dev gap status":           &portfolio.DevGap{Title: "t", Status: "someday"},
		"phase without name":       &portfolio.Phase{},
		"item for a guest":         &portfolio.Phase{Name: "p", Items: []portfolio.ChecklistItem{{Title: "t", RequiredRole: portfolio.AccessGuest}}},
		"item without title":       &portfolio.Phase{Name: "p", Items: []portfolio.ChecklistItem{{}}},
		"crew member as admin":     portfolio.CrewMember{PersonID: 1, Role: portfolio.AccessAdmin},
		"shortfall title too long": func() *portfolio.Shortfall { s := good(); s.Title = string(make([]byte, 201)); return &s }(),
	}
	for name, v := range cases {
		if err := v.Validate(); portfolio.ErrorCode(err) != portfolio.EINVALID {
			t.Errorf("%s: Validate() = %v, want an invalid-input error", name, err)
		}
	}
	sf := good()
	if err := sf.Validate(); err != nil {
		t.Errorf("a good shortfall fails: %v", err)
	}
}

func TestEventTimingInItsOwnZone(t *testing.T) {
	loc, _ := time.LoadLocation("America/Los_Angeles")
	e := portfolio.Event{DepartsAt: time.Date(2026, 11, 29, 17, 30, 0, 0, loc), TimeZone: "America/Los_Angeles",
		Duration: 180, CrewCall: 90, Boarding: 30, Turnaround: 60}
	tm := e.Timing()
	for name, c := range map[string]struct {
		got  time.Time
		want string
	}{
		"crew call":  {tm.CrewCall, "16:00 PST"},
		"boarding":   {tm.Boarding, "17:00 PST"},
		"departure":  {tm.Departure, "17:30 PST"},
		"return":     {tm.Return, "20:30 PST"},
		"turnaround": {tm.TurnaroundDone, "21:30 PST"},
	} {
		if got := c.got.Format("15:04 MST"); got != c.want {
			t.Errorf("%s = %s, want %s", name, got, c.want)
		}
	}
}

func TestSchedulePrevious(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	sc := portfolio.Schedule{Role: portfolio.RoleCFO, Cron: "0 7 * * 1", TimeZone: "America/Los_Angeles"} // Mondays 07:00
	now := time.Date(2026, 12, 9, 12, 0, 0, 0, la)                                                        // Wednesday
	prev, err := sc.Previous(now, now.AddDate(0, 0, -30))
	if err != nil || !prev.Equal(time.Date(2026, 12, 7, 7, 0, 0, 0, la)) {
		t.Errorf("Previous = %v, %v; want Monday 7 December 07:00", prev, err)
	}
	if prev, _ := sc.Previous(now, now.AddDate(0, 0, -1)); !prev.IsZero() {
		t.Errorf("no Monday in the last day, got %v", prev)
	}
}
