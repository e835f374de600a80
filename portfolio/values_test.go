package portfolio_test

import (
	"math"
	"strings"
	"testing"

	"opsdeck/portfolio"
)

// ParseMoney reads amounts as people type them, to the cent and never
// rounded: what has more than cents is refused, not changed.
func TestParseMoney(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want portfolio.Money
	}{
		{"2400", 240000},
		{"$2,400.50", 240050},
		{"$1,234.50", 123450},
		{"1234.5", 123450},
		{"1,234,567.89", 123456789},
		{" 12.34 ", 1234},
		{".5", 50},
		{"5.", 500},
		{"0.01", 1},
		{"0.29", 29}, // 0.29 × 100 is 28.999... as a float
		{"1.10", 110},
		{"12.500", 1250}, // more digits, but no more than cents
		{"-12.5", -1250},
		{"-$12.50", -1250},
		{"+7", 700},
		{"-0", 0},
		{"0", 0},
		{"$0.00", 0},
		{"2.4k", 240000},
		{"2.4K", 240000},
		{"$1.2345k", 123450},
		{"1M", 100000000},
		{"1e3", 100000},
		{"1.25E2", 12500},
		{"1234e-2", 1234},
		{"0e999999", 0},
		{"10000000000000", portfolio.MaxMoney},
		{"-10,000,000,000,000", -portfolio.MaxMoney},
		{"9999999999999.99", portfolio.MaxMoney - 1},
	} {
		got, err := portfolio.ParseMoney(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, err string }{
		{"12.345", `"12.345" has more than cents`},
		{"0.001", "has more than cents"},
		{"-0.001", "has more than cents"},
		{"1.2345678k", "has more than cents"},
		{"1e-3", "has more than cents"},
		{"1e-400", "has more than cents"},
		{"10000000000000.01", "is too large (at most $10,000,000,000,000)"},
		{"99999999999999999999", "is too large"},
		{"-99999999999999999999", "is too large"},
		{"1e300", "is too large"},
		{"1e99999", "is too large"},
		{"1e+99999999999999999999", "is too large"},
		{"1e-99999999999999999999", "has more than cents"},
		{"", "is not a dollar amount"},
		{"$", "is not a dollar amount"},
		{"-", "is not a dollar amount"},
		{"k", "is not a dollar amount"},
		{".", "is not a dollar amount"},
		{"lots", "is not a dollar amount"},
		{"1,23", "is not a dollar amount"},
		{"12,34,567", "is not a dollar amount"},
		{"3.000,00", "is not a dollar amount"},
		{"1 200", "is not a dollar amount"},
		{"$ 12", "is not a dollar amount"},
		{"$-12", "is not a dollar amount"},
		{"--12", "is not a dollar amount"},
		{"5%", "is not a dollar amount"},
		{"1_000", "is not a dollar amount"},
		{"0x10", "is not a dollar amount"},
		{"NaN", "is not a dollar amount"},
		{"Inf", "is not a dollar amount"},
		{"-infinity", "is not a dollar amount"},
		{"12kk", "is not a dollar amount"},
	} {
		got, err := portfolio.ParseMoney(tc.in)
		if err == nil || portfolio.ErrorCode(err) != portfolio.EINVALID || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ParseMoney(%q) = %d, %v; want an invalid-input error saying %q", tc.in, got, err, tc.err)
		}
	}
}

// Every amount ParseMoney reads is written by Plain so that it reads back
// the same, up to the largest.
func TestMoneyPlainRoundTrip(t *testing.T) {
	for _, m := range []portfolio.Money{0, 1, 29, -1250, 123456789, portfolio.MaxMoney, portfolio.MaxMoney - 1, -portfolio.MaxMoney + 7} {
		got, err := portfolio.ParseMoney(m.Plain())
		if err != nil || got != m {
			t.Errorf("Money(%d).Plain() = %q reads back as %d, %v", m, m.Plain(), got, err)
		}
	}
}

func TestParseNumber(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
	}{
		{"1234.5", 1234.5},
		{"1,234.5", 1234.5},
		{"$1,234.50", 1234.5},
		{"$2,400", 2400},
		{"96%", 96},
		{"-0.25", -0.25},
		{"+3", 3},
		{".5", 0.5},
		{"1e3", 1000},
		{"1.5E-2", 0.015},
		{" 7 ", 7},
		{"1e308", 1e308},
	} {
		got, err := portfolio.ParseNumber(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	// -0 is 0, so it is written "0", not "-0".
	if got, err := portfolio.ParseNumber("-0"); err != nil || got != 0 || math.Signbit(got) {
		t.Errorf("ParseNumber(-0) = %v, %v; want 0", got, err)
	}
	if got := portfolio.FormatNumber(mustNumber(t, "-0.0")); got != "0" {
		t.Errorf("-0.0 is written %q, want 0", got)
	}
	for _, in := range []string{"", "$", "-", ".", "%", "abc", "1,23", "2,5", "1.234,5", "1 000", "1_000", "0x1p-2",
		"NaN", "nan", "Inf", "-Inf", "infinity", "1e309", "--1", "$-5", "1e", "e3"} {
		if got, err := portfolio.ParseNumber(in); err == nil || portfolio.ErrorCode(err) != portfolio.EINVALID {
			t.Errorf("ParseNumber(%q) = %v, %v; want invalid", in, got, err)
		}
	}
}

func mustNumber(t *testing.T, s string) float64 {
	t.Helper()
	f, err := portfolio.ParseNumber(s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestParseWhole(t *testing.T) {
	for in, want := range map[string]int64{"12": 12, "-3": -3, "+4": 4, "12,000": 12000, "1,234,567": 1234567, "0": 0, " 5 ": 5,
		"9223372036854775807": math.MaxInt64} {
		if got, err := portfolio.ParseWhole(in); err != nil || got != want {
			t.Errorf("ParseWhole(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-", "1,23", "1,2,3", ",123", "1.5", "1e3", "$5", "five", "9223372036854775808", "0x10", "1_000"} {
		if got, err := portfolio.ParseWhole(in); err == nil || portfolio.ErrorCode(err) != portfolio.EINVALID {
			t.Errorf("ParseWhole(%q) = %d, %v; want invalid", in, got, err)
		}
	}
}

func TestParseBool(t *testing.T) {
	for in, want := range map[string]bool{"yes": true, "Y": true, "TRUE": true, "on": true, "1": true, " no ": false,
		"n": false, "False": false, "OFF": false, "0": false} {
		if got, err := portfolio.ParseBool(in); err != nil || got != want {
			t.Errorf("ParseBool(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "maybe", "2", "yess", "t"} {
		if _, err := portfolio.ParseBool(in); portfolio.ErrorCode(err) != portfolio.EINVALID {
			t.Errorf("ParseBool(%q) = %v, want invalid", in, err)
		}
	}
	// A field reads the same words.
	item := portfolio.MustKind("item")
	f, _ := item.Field("mandatory")
	for _, in := range []string{"yes", "n", "TRUE", "off", "1", "0", "on", "y"} {
		want, _ := portfolio.ParseBool(in)
		r := item.New()
		if err := f.Parse(r, in); err != nil || f.Value(r) != want {
			t.Errorf("mandatory %q reads as %v, %v; ParseBool says %v", in, f.Value(r), err, want)
		}
	}
}

// A unit of sale an owner names is made plural as it is said.
func TestPluralOf(t *testing.T) {
	for one, many := range map[string]string{
		"charter": "charters", "tour": "tours", "loaf": "loaves", "Loaf": "Loaves", "bus": "buses", "box": "boxes",
		"delivery": "deliveries", "day": "days", "guest night": "guest nights", "bunch": "bunches", "dish": "dishes",
		"person": "people", "sheep": "sheep", "roof": "roofs", "gig": "gigs", "pickup": "pickups", "": "",
	} {
		if got := portfolio.PluralOf(one); got != many {
			t.Errorf("PluralOf(%q) = %q, want %q", one, got, many)
		}
	}
	if got := portfolio.Plural(3, "loaf", ""); got != "3 loaves" {
		t.Errorf("Plural(3, loaf) = %q", got)
	}
}
