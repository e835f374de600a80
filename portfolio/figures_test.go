package portfolio

import (
	"math"
	"reflect"
	"testing"
)

func TestEvaluateKPI(t *testing.T) {
	for _, tc := range []struct {
		name                     string
		dir                      Direction
		target, tolerance, value float64
		want                     KPIStatus
	}{
		{"higher: above target", HigherIsBetter, 6, 0.1, 7, StatusOnTarget},
		{"higher: exactly on target", HigherIsBetter, 6, 0.1, 6, StatusOnTarget},
		{"higher: inside the band", HigherIsBetter, 4000, 0.1, 3676, StatusAtRisk},
		{"higher: on the band's edge", HigherIsBetter, 100, 0.1, 90, StatusAtRisk},
		{"higher: below the band", HigherIsBetter, 6, 0.1, 2, StatusOffTarget},
		{"higher: zero tolerance", HigherIsBetter, 6, 0, 5.99, StatusOffTarget},
		{"lower: under target", LowerIsBetter, 2, 0.1, 1.5, StatusOnTarget},
		{"lower: inside the band", LowerIsBetter, 100, 0.1, 108, StatusAtRisk},
		{"lower: above the band", LowerIsBetter, 100, 0.1, 128, StatusOffTarget},
		{"lower: zero target met", LowerIsBetter, 0, 0.1, 0, StatusOnTarget},
		{"lower: zero target missed", LowerIsBetter, 0, 0.1, 1, StatusOffTarget},
	} {
		if got := EvaluateKPI(tc.dir, tc.target, tc.tolerance, tc.value); got != tc.want {
			t.Errorf("%s: EvaluateKPI(%s, %v, %v, %v) = %s, want %s", tc.name, tc.dir, tc.target, tc.tolerance, tc.value, got, tc.want)
		}
	}
}

func TestKPIStatusMissingWithoutReading(t *testing.T) {
	k := KPI{Direction: HigherIsBetter, Target: 1}
	if k.Status() != StatusMissing {
		t.Errorf("a KPI without readings is %s, want missing", k.Status())
	}
	k.Latest = &Reading{Value: 1}
	if k.Status() != StatusOnTarget {
		t.Errorf("with a reading on target: %s", k.Status())
	}
}

func TestAttainment(t *testing.T) {
	for _, tc := range []struct {
		dir           Direction
		target, value float64
		want          float64
	}{
		{HigherIsBetter, 6, 3, 0.5},
		{HigherIsBetter, 6, 12, 1},
		{HigherIsBetter, 6, 0, 0},
		{HigherIsBetter, 0, 0, 1},
		{LowerIsBetter, 100, 125, 0.8},
		{LowerIsBetter, 100, 50, 1},
		{LowerIsBetter, 0, 3, 0},
	} {
		if got := Attainment(tc.dir, tc.target, tc.value); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("Attainment(%s, %v, %v) = %v, want %v", tc.dir, tc.target, tc.value, got, tc.want)
		}
	}
}

func TestHealthCounts(t *testing.T) {
	kpis := []KPI{
		{Direction: HigherIsBetter, Target: 6, Tolerance: 0.1, Latest: &Reading{Value: 6}},
		{Direction: HigherIsBetter, Target: 6, Tolerance: 0.1, Latest: &Reading{Value: 5.5}},
		{Direction: HigherIsBetter, Target: 6, Tolerance: 0.1, Latest: &Reading{Value: 1}},
		{Direction: HigherIsBetter, Target: 6, Tolerance: 0.1},
		{Direction: LowerIsBetter, Target: 6, Tolerance: 0.1},
	}
	want := KPIHealth{OnTarget: 1, AtRisk: 1, OffTarget: 1, Missing: 2}
	if got := Health(kpis); got != want || got.Total() != 5 {
		t.Errorf("Health = %+v, want %+v", got, want)
	}
	if got := len(MissingKPIs(kpis)); got != 2 {
		t.Errorf("MissingKPIs = %d, want 2", got)
	}
}

func TestBreakEvenUnits(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		fixed, price, variable Money
		wantUnits              int64
		wantOK                 bool
	}{
		{"rounds up", Dollars(8696), Dollars(2400), Dollars(900), 6, true},
		{"exact division", Dollars(9000), Dollars(2400), Dollars(900), 6, true},
		{"one cent over", Dollars(9000) + 1, Dollars(2400), Dollars(900), 7, true},
		{"no fixed cost", 0, Dollars(100), Dollars(50), 0, true},
		{"zero margin", Dollars(1000), Dollars(100), Dollars(100), 0, false},
		{"negative margin", Dollars(1000), Dollars(100), Dollars(150), 0, false},
	} {
		units, ok := BreakEvenUnits(tc.fixed, tc.price, tc.variable)
		if units != tc.wantUnits || ok != tc.wantOK {
			t.Errorf("%s: BreakEvenUnits(%s, %s, %s) = %d, %v; want %d, %v", tc.name, tc.fixed, tc.price, tc.variable,
				units, ok, tc.wantUnits, tc.wantOK)
		}
	}
}

func TestComputeBurnAndBreakEven(t *testing.T) {
	lines := []CostLine{
		{EntityID: 1, Category: "Vessel", Low: Dollars(1450), High: Dollars(1450)},
		{EntityID: 1, Category: "Vessel", Low: Dollars(600), High: Dollars(1100)},
		{EntityID: 2, Category: "Vehicles", Low: Dollars(650), High: Dollars(650)},
		{Category: "Software", Low: Dollars(36), High: Dollars(76)},
	}
	b := ComputeBurn(lines)
	if b.Low != Dollars(2736) || b.High != Dollars(3276) {
		t.Errorf("burn = %s–%s, want $2,736–$3,276", b.Low, b.High)
	}
	wantCats := []CategoryBurn{
		{"Vessel", Dollars(2050), Dollars(2550), 2},
		{"Vehicles", Dollars(650), Dollars(650), 1},
		{"Software", Dollars(36), Dollars(76), 1},
	}
	if !reflect.DeepEqual(b.ByCategory, wantCats) {
		t.Errorf("by category = %+v, want %+v", b.ByCategory, wantCats)
	}

	shared := ComputeBreakEven(UnitEconomics{EntityID: 1, Unit: "charter", Price: Dollars(1000), VariableCost: Dollars(400),
		Basis: BasisPortfolio}, lines)
	// 3,276 / 600 = 5.46 → 6; 2,736 / 600 = 4.56 → 5.
	if shared.UnitsHigh != 6 || shared.UnitsLow != 5 || !shared.Reachable || shared.Margin != Dollars(600) {
		t.Errorf("portfolio basis: %+v", shared)
	}
	own := ComputeBreakEven(UnitEconomics{EntityID: 2, Unit: "haul", Price: Dollars(325), VariableCost: Dollars(140),
		Basis: BasisEntity}, lines)
	// Only entity 2's $650: 650 / 185 = 3.5 → 4.
	if own.UnitsHigh != 4 || own.FixedHigh != Dollars(650) {
		t.Errorf("entity basis: %+v", own)
	}
	losing := ComputeBreakEven(UnitEconomics{EntityID: 2, Unit: "haul", Price: Dollars(100), VariableCost: Dollars(140),
		Basis: BasisEntity}, lines)
	if losing.Reachable {
		t.Errorf("a unit that loses money must never break even: %+v", losing)
	}
}

func TestRankShortfalls(t *testing.T) {
	all := []Shortfall{
		{ID: 1, Title: "big but slow", Severity: SeverityCritical, MonthlyImpact: Dollars(6000), EffortDays: 5, Status: ShortfallOpen},
		{ID: 2, Title: "quick win", Severity: SeverityHigh, MonthlyImpact: Dollars(2500), EffortDays: 1.5, Status: ShortfallOpen},
		{ID: 3, Title: "resolved", Severity: SeverityCritical, MonthlyImpact: Dollars(99999), EffortDays: 1, Status: ShortfallResolved},
		{ID: 4, Title: "tie, lower severity", Severity: SeverityMedium, MonthlyImpact: Dollars(3000), EffortDays: 2, Status: ShortfallInProgress},
		{ID: 5, Title: "tie, critical", Severity: SeverityCritical, MonthlyImpact: Dollars(4500), EffortDays: 3, Status: ShortfallOpen},
	}
	var got []int64
	for _, s := range RankShortfalls(all) {
		got = append(got, s.ID)
	}
	if want := []int64{2, 5, 4, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("ranked ids = %v, want %v", got, want)
	}
}

func TestOpenSavings(t *testing.T) {
	f := []Finding{
		{MonthlySaving: Dollars(6), Status: "open"},
		{MonthlySaving: Dollars(9), Status: "open"},
		{MonthlySaving: Dollars(40), Status: "fixed"},
		{Status: "open"},
	}
	if got := OpenSavings(f); got != Dollars(15) {
		t.Errorf("OpenSavings = %s, want $15", got)
	}
}

func TestRevenueByMonth(t *testing.T) {
	a := Dollars(4800)
	rows := []RevenueMonth{
		{EntityID: 1, Month: "2026-08", Target: Dollars(7200)},
		{EntityID: 1, Month: "2026-07", Target: Dollars(4800), Actual: &a},
		{EntityID: 2, Month: "2026-07", Target: Dollars(2000)},
	}
	want := []MonthRevenue{
		{Month: "2026-07", Target: Dollars(6800), Actual: Dollars(4800), Recorded: 1, Entities: 2},
		{Month: "2026-08", Target: Dollars(7200), Entities: 1},
	}
	if got := RevenueByMonth(rows); !reflect.DeepEqual(got, want) {
		t.Errorf("RevenueByMonth = %+v, want %+v", got, want)
	}
}

func TestMoney(t *testing.T) {
	for _, tc := range []struct {
		m           Money
		long, short string
	}{
		{Dollars(8696), "$8,696", "$8.7K"},
		{Dollars(25), "$25", "$25"},
		{1250, "$12.50", "$13"},
		{Dollars(50000), "$50,000", "$50K"},
		{Dollars(1234567), "$1,234,567", "$1.2M"},
		{-Dollars(1500), "-$1,500", "$-1.5K"},
		{0, "$0", "$0"},
	} {
		if got := tc.m.String(); got != tc.long {
			t.Errorf("Money(%d).String() = %q, want %q", int64(tc.m), got, tc.long)
		}
		if got := tc.m.Short(); got != tc.short {
			t.Errorf("Money(%d).Short() = %q, want %q", int64(tc.m), got, tc.short)
		}
	}
	for in, want := range map[string]Money{"2400": Dollars(2400), "$2,400.50": 240050, "2.4k": Dollars(2400), "1M": Dollars(1000000)} {
		if got, err := ParseMoney(in); err != nil || got != want {
			t.Errorf("ParseMoney(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"abc", "", "NaN", "Inf", "$"} {
		if _, err := ParseMoney(in); ErrorCode(err) != EINVALID {
			t.Errorf("ParseMoney(%q) = %v, want invalid", in, err)
		}
	}
}

func TestUnitParseValue(t *testing.T) {
	for _, tc := range []struct {
		unit, in string
		want     float64
		ok       bool
	}{
		{"count", "4", 4, true},
		{"count", "3,676", 3676, true},
		{"count", "-1", 0, false},
		{"count", "1.5", 0, false},
		{"count", "abc", 0, false},
		{"count", "NaN", 0, false},
		{"count", "Inf", 0, false},
		{"usd", "$12,000", 12000, true},
		{"usd", "-5", 0, false},
		{"percent", "35%", 35, true},
		{"percent", "101", 0, false},
		{"rating", "4.8", 4.8, true},
		{"rating", "6", 0, false},
		{"hours", "1.5", 1.5, true},
	} {
		got, err := Units[tc.unit].ParseValue("value", tc.in)
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("%s %q: got %v, %v; want %v", tc.unit, tc.in, got, err, tc.want)
		}
		if !tc.ok && ErrorCode(err) != EINVALID {
			t.Errorf("%s %q: got %v, %v; want an invalid-input error", tc.unit, tc.in, got, err)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Zero OTA listings!":                                    "zero-ota-listings",
		"  Payment keys & configs exposed ":                     "payment-keys-configs-exposed",
		"2026-12-04 Sunset harbor cruise, private party of ten": "2026-12-04-sunset-harbor-cruise-private-party-of",
		"éé":       "record",
		"Fuel/oil": "fuel-oil",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBreakEvenSentenceSaysTheUnitAsSaid(t *testing.T) {
	b := BreakEven{Unit: "loaf", UnitsHigh: 300, UnitsLow: 250, Reachable: true}
	if got := b.Sentence(); got != "300 loaves a month (250 at low burn)" {
		t.Errorf("Sentence() = %q", got)
	}
}
