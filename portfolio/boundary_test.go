package portfolio_test

import (
	"strings"
	"testing"

	"opsdeck/portfolio"
)

// Each kind's validation at its edges, through the declaration as the
// CLI, the forms and the portfolio file reach it: a good record, then one
// field set at the last value allowed (kept) and just past it (refused).
func TestValidateBoundaries(t *testing.T) {
	good := map[string]map[string]string{
		"entity":        {"code": "BAKE", "name": "Harbor Bakery"},
		"person":        {"email": "ana@example.com", "name": "Ana Ruiz"},
		"kpi":           {"entity": "BAKE", "key": "loaves", "name": "Loaves a day", "target": "200"},
		"shortfall":     {"title": "No online orders", "effort_days": "3", "opened_on": "2026-11-20"},
		"cost-line":     {"category": "rent", "vendor": "Harbor Properties", "low": "1800", "high": "1900"},
		"revenue-month": {"entity": "BAKE", "month": "2026-12", "target": "5000"},
		"event": {"entity": "BAKE", "title": "Holiday party", "departs_at": "2026-12-18T17:00:00-08:00",
			"time_zone": "America/Los_Angeles"},
		"channel": {"entity": "BAKE", "name": "Newsletter", "kind": "email", "value_low": "100", "value_high": "200"},
		"account": {"code": "6100", "name": "Rent"},
	}
	long := func(n int) string { return strings.Repeat("x", n) }
	for _, tc := range []struct {
		kind, field, ok, bad string
	}{
		{"entity", "code", "A234567890123456", "A2345678901234567"}, // 16 characters, then 17
		{"entity", "code", "B_-9", "9B"},
		{"entity", "name", long(120), long(121)},
		{"entity", "description", long(2000), long(2001)},
		{"person", "email", "a@b.example.com", "a@"},
		{"kpi", "key", "a", "-a"},
		{"kpi", "name", long(120), long(121)},
		{"kpi", "target", "0", "-1"},
		{"shortfall", "title", long(200), long(201)},
		{"shortfall", "detail", long(4000), long(4001)},
		{"shortfall", "effort_days", "365", "365.5"},
		{"shortfall", "effort_days", "0.5", "0"},
		{"shortfall", "monthly_impact", "0", "-0.01"},
		{"cost-line", "high", "1800", "1799.99"}, // not below low
		{"revenue-month", "month", "2026-01", "2026-00"},
		{"revenue-month", "target", "0", "-1"},
		{"event", "duration", "20160", "20161"}, // 14 days, in minutes
		{"event", "duration", "1", "0"},
		{"event", "crew_call", "1440", "1441"},
		{"event", "guests", "0", "-1"},
		{"event", "time_zone", "UTC", "Mars/Olympus"},
		{"channel", "value_high", "100", "99"}, // not below the low value
	} {
		k := portfolio.MustKind(tc.kind)
		build := func(v *string) portfolio.Record {
			r := k.New()
			for name, text := range good[tc.kind] {
				f, _ := k.Field(name)
				if err := f.Parse(r, text); err != nil {
					t.Fatalf("%s %s %q: %v", tc.kind, name, text, err)
				}
			}
			f, ok := k.Field(tc.field)
			if !ok {
				t.Fatalf("%s has no field %s", tc.kind, tc.field)
			}
			if v == nil {
				return r
			}
			if err := f.Parse(r, *v); err != nil {
				return nil // refused as it was typed, which is as good
			}
			return r
		}
		if r := build(nil); r.Validate() != nil {
			t.Errorf("%s: the good record is refused: %v", tc.kind, r.Validate())
		}
		if r := build(&tc.ok); r == nil {
			t.Errorf("%s %s %.20q is not read", tc.kind, tc.field, tc.ok)
		} else if err := r.Validate(); err != nil {
			t.Errorf("%s %s %.20q (the last allowed) is refused: %v", tc.kind, tc.field, tc.ok, err)
		}
		if r := build(&tc.bad); r != nil {
			if err := r.Validate(); portfolio.ErrorCode(err) != portfolio.EINVALID {
				t.Errorf("%s %s %.20q (just past the edge) is kept: %v", tc.kind, tc.field, tc.bad, err)
			}
		}
	}
}
