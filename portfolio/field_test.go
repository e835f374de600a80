package portfolio_test

import (
	"strings"
	"testing"

	"opsdeck/portfolio"
)

// Each field type reads what people type, refuses what it cannot mean,
// and writes one text for one value, so a key made from it is the same
// however it was typed.
func TestFieldParse(t *testing.T) {
	for _, tc := range []struct {
		kind, field, in, want, err string
	}{
		{"reading", "taken_at", "2026-11-20T04:00:00-08:00", "2026-11-20T12:00:00Z", ""},
		{"reading", "taken_at", "2026-11-20T12:00:00Z", "2026-11-20T12:00:00Z", ""},
		{"reading", "taken_at", "2026-11-20 04:00:00-08:00", "2026-11-20T12:00:00Z", ""},
		{"reading", "taken_at", "2026-11-20 12:00Z", "2026-11-20T12:00:00Z", ""},
		{"reading", "taken_at", "2026-11-20T12:00+01:00", "2026-11-20T11:00:00Z", ""},
		{"reading", "taken_at", " 2026-11-20T12:00:00Z ", "2026-11-20T12:00:00Z", ""},
		{"reading", "taken_at", "2026-11-20 12:00", "", "is not a time"}, // no offset: whose noon?
		{"reading", "taken_at", "2026-11-31T12:00:00Z", "", "is not a time"},
		{"reading", "taken_at", "yesterday", "", "is not a time"},
		{"reading", "value", "1,234.5", "1234.5", ""},
		{"reading", "value", "-0.25", "-0.25", ""},
		{"reading", "value", "1.234,5", "", "is not a number"},
		{"reading", "value", "NaN", "", "is not a number"},
		{"shortfall", "effort_days", "", "0", ""},
		{"shortfall", "opened_on", "2026-02-28", "2026-02-28", ""},
		{"shortfall", "opened_on", "2026-02-29", "", "is not a date"},
		{"shortfall", "opened_on", "2028-02-29", "2028-02-29", ""},
		{"shortfall", "severity", "CRITICAL", "critical", ""},
		{"shortfall", "severity", "dire", "", "is not one of"},
		{"person", "reports", "ceo, CFO,ceo", "ceo,cfo", ""},
		{"person", "reports", "ceo,cook", "", `"cook" is not one of`},
		{"item", "mandatory", "yes", "true", ""},
		{"item", "mandatory", "OFF", "false", ""},
		{"item", "mandatory", "maybe", "", "is not yes or no"},
		{"entity", "position", "3", "3", ""},
		{"entity", "position", "3.5", "", "is not a whole number"},
		{"entity", "position", "1,23", "", "is not a whole number"},
		{"channel", "audience", "1,234", "1234", ""},
		{"shortfall", "monthly_impact", "12.345", "", `monthly_impact: "12.345" has more than cents`},
		{"shortfall", "monthly_impact", "$1,234.50", "1234.5", ""},
		{"shortfall", "monthly_impact", "lots", "", `monthly_impact: "lots" is not a dollar amount`},
		{"channel", "audience", "", "", ""},
		{"channel", "audience", "12,000", "12000", ""},
	} {
		k := portfolio.MustKind(tc.kind)
		f, ok := k.Field(tc.field)
		if !ok {
			t.Fatalf("%s has no field %s", tc.kind, tc.field)
		}
		r := k.New()
		err := f.Parse(r, tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err) || portfolio.ErrorCode(err) != portfolio.EINVALID):
			t.Errorf("%s %s %q: %v, want an invalid-input error saying %q", tc.kind, tc.field, tc.in, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%s %s %q: %v", tc.kind, tc.field, tc.in, err)
		case tc.err == "" && f.Text(r) != tc.want:
			t.Errorf("%s %s %q reads as %q, want %q", tc.kind, tc.field, tc.in, f.Text(r), tc.want)
		}
	}
}

// A key is split as the kind's key fields are: a reference takes as many
// parts as the keys of its kind have, the last field the rest.
func TestSetKey(t *testing.T) {
	for _, tc := range []struct{ kind, key, want, err string }{
		{"reading", "JADA/charters/2026-11-20T04:00:00-08:00", "JADA/charters/2026-11-20T12:00:00Z", ""},
		{"item", "2026-12-06-sunset/Boarding/life-jackets", "2026-12-06-sunset/Boarding/life-jackets", ""},
		{"phase", "2026-12-06-sunset/Load/unload", "2026-12-06-sunset/Load/unload", ""},
		{"kpi", "JADA/charters", "JADA/charters", ""},
		{"kpi", "JADA", "", "must be ENTITY/KEY"},
		{"kpi", "JADA/", "", "must be ENTITY/KEY"},
		{"reading", "JADA/charters", "", "must be KPI/TAKEN-AT"},
		{"reading", "JADA/charters/soon", "", "is not a time"},
	} {
		k := portfolio.MustKind(tc.kind)
		r := k.New()
		err := k.SetKey(r, tc.key)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s key %q: %v, want %q", tc.kind, tc.key, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%s key %q: %v", tc.kind, tc.key, err)
		case tc.err == "" && k.Key(r) != tc.want:
			t.Errorf("%s key %q is %q, want %q", tc.kind, tc.key, k.Key(r), tc.want)
		}
	}
}
