package store

import (
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"
)

func TestSetKPIRecordsReadingTargetAndAudit(t *testing.T) {
	s := newDemo(t)
	ctx := context.Background()
	v, target := 5.0, 5.0
	var got KPI
	err := s.Update(ctx, "tester", func(tx *Tx) (err error) {
		got, err = tx.SetKPI(ctx, "jada", "CHARTERS", KPIUpdate{Value: &v, Target: &target, Note: "busy month"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Latest == nil || got.Latest.Value != 5 || got.Target != 5 || got.Status() != StatusOnTarget {
		t.Errorf("after set: %+v", got)
	}
	if !got.Latest.TakenAt.Equal(testNow) || got.Latest.Note != "busy month" {
		t.Errorf("reading stamped %v with note %q, want the store clock and the note", got.Latest.TakenAt, got.Latest.Note)
	}
	entries, _ := s.Audit(ctx, 1)
	if len(entries) != 1 || entries[0].Action != "set" || entries[0].SubjectID != got.ID || entries[0].Actor != "tester" {
		t.Fatalf("audit = %+v", entries)
	}
	var details map[string]any
	if err := json.Unmarshal([]byte(entries[0].Details), &details); err != nil {
		t.Fatal(err)
	}
	if details["old_value"] != 2.0 || details["value"] != 5.0 || details["old_target"] != 6.0 {
		t.Errorf("audit details = %v", details)
	}
}

func TestSetKPIRejectsBadInputAndWritesNothing(t *testing.T) {
	s := newDemo(t)
	ctx := context.Background()
	neg, nan, inf, frac, ok := -1.0, math.NaN(), math.Inf(1), 2.5, 3.0
	for _, tc := range []struct {
		name, entity, key string
		u                 KPIUpdate
		code              string
	}{
		{"negative count", "JADA", "charters", KPIUpdate{Value: &neg}, EINVALID},
		{"NaN", "JADA", "charters", KPIUpdate{Value: &nan}, EINVALID},
		{"Inf target", "JADA", "charters", KPIUpdate{Value: &ok, Target: &inf}, EINVALID},
		{"fractional count", "JADA", "charters", KPIUpdate{Value: &frac}, EINVALID},
		{"nothing to set", "JADA", "charters", KPIUpdate{}, EINVALID},
		{"unknown entity", "NOPE", "charters", KPIUpdate{Value: &ok}, ENOTFOUND},
		{"unknown KPI", "JADA", "nope", KPIUpdate{Value: &ok}, ENOTFOUND},
	} {
		err := s.Update(ctx, "test", func(tx *Tx) error {
			_, err := tx.SetKPI(ctx, tc.entity, tc.key, tc.u)
			return err
		})
		if ErrorCode(err) != tc.code {
			t.Errorf("%s: error %v, want code %s", tc.name, err, tc.code)
		}
	}
	k := mustKPI(t, s, "JADA", "charters")
	if k.Latest.Value != 2 || k.Target != 6 {
		t.Errorf("after rejected input: value %v target %v", k.Latest.Value, k.Target)
	}
	if entries, _ := s.Audit(ctx, 10); len(entries) != 1 {
		t.Errorf("rejected input wrote %d audit entries", len(entries)-1)
	}
}

func TestShortfallLifecycle(t *testing.T) {
	s := newDemo(t)
	ctx := context.Background()
	sf := Shortfall{Title: "<img src=x onerror=alert(1)>", OwnerRole: RoleCEO, Severity: SeverityHigh,
		MonthlyImpact: Dollars(500), EffortDays: 1}
	if err := s.Update(ctx, "t", func(tx *Tx) error { return tx.CreateShortfall(ctx, &sf) }); err != nil {
		t.Fatal(err)
	}
	got, err := s.Shortfall(ctx, sf.ID)
	if err != nil || got.Title != sf.Title || got.Status != ShortfallOpen || got.OpenedOn != DateOf(testNow) {
		t.Fatalf("created shortfall = %+v, %v", got, err)
	}
	if err := s.Update(ctx, "t", func(tx *Tx) error { return tx.ResolveShortfall(ctx, sf.ID) }); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Shortfall(ctx, sf.ID)
	if got.IsOpen() || got.ResolvedOn != DateOf(testNow) {
		t.Errorf("after resolve: %+v", got)
	}
	if err := s.Update(ctx, "t", func(tx *Tx) error { return tx.ResolveShortfall(ctx, sf.ID) }); ErrorCode(err) != ECONFLICT {
		t.Errorf("resolving twice = %v, want conflict", err)
	}
	if err := s.Update(ctx, "t", func(tx *Tx) error { return tx.ReopenShortfall(ctx, sf.ID) }); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Shortfall(ctx, sf.ID)
	if !got.IsOpen() || !got.ResolvedOn.IsZero() {
		t.Errorf("after reopen: %+v", got)
	}
	if err := s.Update(ctx, "t", func(tx *Tx) error { return tx.ResolveShortfall(ctx, 99999) }); ErrorCode(err) != ENOTFOUND {
		t.Errorf("resolving a missing shortfall = %v, want not found", err)
	}
}

// Each domain type's Validate rejects what the schema would otherwise
// store or refuse with an unreadable constraint error.
func TestValidateRejects(t *testing.T) {
	good := func() Shortfall {
		return Shortfall{Title: "t", OwnerRole: RoleCFO, Severity: SeverityLow, MonthlyImpact: 1, EffortDays: 1,
			Status: ShortfallOpen, OpenedOn: DateOf(testNow)}
	}
	cases := map[string]interface{ Validate() error }{
		"entity code with space":      &Entity{Code: "BAD CODE", Name: "x", Kind: KindOperating},
		"entity kind":                 &Entity{Code: "OK", Name: "x", Kind: "other"},
		"entity without name":         &Entity{Code: "OK", Kind: KindOperating},
		"person email":                &Person{Name: "x", Email: "not-an-email", Role: AccessCrew},
		"person email with name":      &Person{Name: "x", Email: "X <x@example.com>", Role: AccessCrew},
		"person phone":                &Person{Name: "x", Email: "x@example.com", Phone: "call me", Role: AccessCrew},
		"person role":                 &Person{Name: "x", Email: "x@example.com", Role: "boss"},
		"KPI unit":                    &KPI{Key: "k", Name: "n", Unit: "furlongs", Direction: HigherIsBetter, OwnerRole: RoleCEO},
		"KPI direction":               &KPI{Key: "k", Name: "n", Unit: "count", Direction: "up", OwnerRole: RoleCEO},
		"KPI negative target":         &KPI{Key: "k", Name: "n", Unit: "count", Direction: HigherIsBetter, Target: -1, OwnerRole: RoleCEO},
		"KPI tolerance":               &KPI{Key: "k", Name: "n", Unit: "count", Direction: HigherIsBetter, Tolerance: 1, OwnerRole: RoleCEO},
		"KPI owner":                   &KPI{Key: "k", Name: "n", Unit: "count", Direction: HigherIsBetter, OwnerRole: "cook"},
		"cost high below low":         &CostLine{Category: "c", Vendor: "v", Low: 10, High: 5},
		"unit economics basis":        &UnitEconomics{Unit: "u", Basis: "galaxy"},
		"revenue month":               &RevenueMonth{Month: "2026-13"},
		"channel kind":                &Channel{Name: "n", Kind: "carrier pigeon", Status: ChannelLive},
		"channel values":              &Channel{Name: "n", Kind: ChannelEmail, Status: ChannelLive, ValueLow: 5, ValueHigh: 1},
		"finding without remediation": &Finding{Stack: "s", Category: "security", Severity: SeverityLow, Title: "t", EffortDays: 1, Status: "open"},
		"event time zone":             &Event{Kind: "charter", Title: "t", DepartsAt: testNow, TimeZone: "Mars/Olympus", Duration: 60, Status: EventPlanned},
		"event duration":              &Event{Kind: "charter", Title: "t", DepartsAt: testNow, TimeZone: "UTC", Duration: 0, Status: EventPlanned},
		"capital tier policy":         &CapitalTier{Name: "n", Policy: "maybe"},
		"action without due date":     &Action{Title: "t", OwnerRole: RoleCEO, Status: ActionOpen},
		"account type":                &Account{Code: "1", Name: "n", Type: "vibes"},
		"shortfall effort zero":       func() *Shortfall { s := good(); s.EffortDays = 0; return &s }(),
		"shortfall effort NaN":        func() *Shortfall { s := good(); s.EffortDays = math.NaN(); return &s }(),
		"shortfall resolved undated":  func() *Shortfall { s := good(); s.Status = ShortfallResolved; return &s }(),
		"shortfall resolved too early": func() *Shortfall {
			s := good()
			s.Status = ShortfallResolved
			s.ResolvedOn = s.OpenedOn.AddDays(-1)
			return &s
		}(),
		"shortfall severity":       func() *Shortfall { s := good(); s.Severity = "meh"; return &s }(),
		"shortfall title too long": func() *Shortfall { s := good(); s.Title = string(make([]byte, 201)); return &s }(),
	}
	for name, v := range cases {
		if err := v.Validate(); ErrorCode(err) != EINVALID {
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
	e := Event{DepartsAt: time.Date(2026, 11, 29, 17, 30, 0, 0, loc), TimeZone: "America/Los_Angeles",
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

func TestCreateConflictsAreApplicationErrors(t *testing.T) {
	s := newDemo(t)
	ctx := context.Background()
	err := s.Update(ctx, "t", func(tx *Tx) error {
		return tx.CreateEntity(ctx, &Entity{Code: "jada", Name: "dup", Kind: KindOperating})
	})
	if ErrorCode(err) != ECONFLICT {
		t.Errorf("duplicate entity code (other case) = %v, want conflict", err)
	}
	err = s.Update(ctx, "t", func(tx *Tx) error {
		return tx.CreateKPI(ctx, &KPI{EntityID: 9999, Key: "k", Name: "n", Unit: "count", Direction: HigherIsBetter, OwnerRole: RoleCEO})
	})
	if ErrorCode(err) != EINVALID {
		t.Errorf("KPI for a missing entity = %v, want invalid", err)
	}
}

// Stored times sort as strings the way they sort as times, so SQL range
// conditions on them (due messages, upcoming events) are right.
func TestStoredTimesSortAsText(t *testing.T) {
	base := time.Date(2026, 11, 26, 19, 0, 0, 0, time.UTC)
	times := []time.Time{base, base.Add(10 * time.Millisecond), base.Add(time.Second), base.Add(time.Second + time.Nanosecond)}
	for i := 1; i < len(times); i++ {
		a, b := formatTime(times[i-1]), formatTime(times[i])
		if !(a < b) {
			t.Errorf("%s does not sort before %s", a, b)
		}
		if back, err := parseTime(b); err != nil || !back.Equal(times[i]) {
			t.Errorf("%s parses back as %v, %v", b, back, err)
		}
	}
}
