package portfolio

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Direction says which way a KPI improves.
type Direction string

// KPI directions.
const (
	HigherIsBetter Direction = "higher"
	LowerIsBetter  Direction = "lower"
)

// Unit describes what a KPI's number measures and which values make sense.
type Unit struct {
	Name    string
	Label   string // shown after the number; "$" units are shown as money
	Min     float64
	Max     float64
	Integer bool
}

// Units are the measures a KPI may use.
var Units = map[string]Unit{
	"count":   {Name: "count", Min: 0, Max: math.MaxFloat64, Integer: true},
	"usd":     {Name: "usd", Label: "$", Min: 0, Max: 1e12},
	"percent": {Name: "percent", Label: "%", Min: 0, Max: 100},
	"rating":  {Name: "rating", Label: "★", Min: 0, Max: 5},
	"days":    {Name: "days", Label: "d", Min: 0, Max: 3650},
	"hours":   {Name: "hours", Label: "h", Min: 0, Max: 87600},
}

// Check reports whether v is a sensible value for the unit.
func (u Unit) Check(field string, v float64) error {
	if err := checkFinite(field, v); err != nil {
		return err
	}
	if v < u.Min || v > u.Max {
		if u.Max == math.MaxFloat64 {
			return Errorf(EINVALID, "%s %s must not be negative", field, FormatNumber(v))
		}
		return Errorf(EINVALID, "%s %s is outside %s..%s for unit %s", field, FormatNumber(v), FormatNumber(u.Min), FormatNumber(u.Max), u.Name)
	}
	if u.Integer && v != math.Trunc(v) {
		return Errorf(EINVALID, "%s %s must be a whole number for unit %s", field, FormatNumber(v), u.Name)
	}
	return nil
}

// Format renders v in the unit: $12,000, 35%, 4.8★, 3 (count).
func (u Unit) Format(v float64) string {
	switch u.Name {
	case "usd":
		return Money(math.Round(v * 100)).String()
	case "count":
		return groupThousands(int64(v))
	}
	return FormatNumber(v) + u.Label
}

// FormatNumber writes v as people type it: no exponent, no trailing zeros.
func FormatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// ParseValue reads a number typed by a person for this unit, allowing the
// decorations people type ("$12,000", "35%").
func (u Unit) ParseValue(field, s string) (float64, error) {
	v, err := ParseNumber(s)
	if err != nil {
		// NaN or an infinity is a float but no value, and says so; any
		// other text strconv reads (1_000, 0x10) is no number people type.
		if f, perr := strconv.ParseFloat(strings.TrimSpace(s), 64); perr == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return 0, checkFinite(field, f)
		}
		return 0, Errorf(EINVALID, "%s %q is not a number", field, s)
	}
	return v, u.Check(field, v)
}

// KPI is a measure an entity is judged by.
type KPI struct {
	ID         int64      `json:"id"`
	EntityID   int64      `json:"entity_id"`
	EntityCode string     `json:"entity"`
	Key        string     `json:"key"`
	Name       string     `json:"name"`
	Unit       string     `json:"unit"`
	Direction  Direction  `json:"direction"`
	Target     float64    `json:"target"`
	Tolerance  float64    `json:"tolerance"`
	OwnerRole  ReportRole `json:"owner_role"`
	// Latest is the newest reading, nil when the KPI is missing.
	Latest *Reading `json:"latest"`
}

// Reading is one dated value of a KPI.
type Reading struct {
	ID      int64     `json:"id"`
	KPIID   int64     `json:"kpi_id"`
	KPIKey  string    `json:"kpi,omitempty"`
	Value   float64   `json:"value"`
	TakenAt time.Time `json:"taken_at"`
	Note    string    `json:"note,omitempty"`
}

var kpiKey = entityCode

// Validate checks k before it is written.
func (k *KPI) Validate() error {
	if !kpiKey.MatchString(k.Key) {
		return Errorf(EINVALID, "KPI key %q must be 1-16 letters, digits, '-' or '_', starting with a letter", k.Key)
	}
	if err := checkText("KPI name", k.Name, true, 120); err != nil {
		return err
	}
	u, ok := Units[k.Unit]
	if !ok {
		return Errorf(EINVALID, "KPI unit %q must be one of count, usd, percent, rating, days, hours", k.Unit)
	}
	if k.Direction != HigherIsBetter && k.Direction != LowerIsBetter {
		return Errorf(EINVALID, "KPI direction %q must be higher or lower", k.Direction)
	}
	if err := u.Check("target", k.Target); err != nil {
		return err
	}
	if err := checkFinite("tolerance", k.Tolerance); err != nil {
		return err
	}
	if k.Tolerance < 0 || k.Tolerance >= 1 {
		return Errorf(EINVALID, "tolerance %v must be at least 0 and below 1", k.Tolerance)
	}
	if !k.OwnerRole.Valid() {
		return Errorf(EINVALID, "KPI owner role %q is not a report role", k.OwnerRole)
	}
	return nil
}

// UnitInfo returns k's unit; unknown units (impossible after Validate)
// fall back to a plain number.
func (k KPI) UnitInfo() Unit {
	if u, ok := Units[k.Unit]; ok {
		return u
	}
	return Unit{Name: k.Unit, Min: -math.MaxFloat64, Max: math.MaxFloat64}
}

// Status is the KPI's health from its latest reading.
func (k KPI) Status() KPIStatus {
	if k.Latest == nil {
		return StatusMissing
	}
	return EvaluateKPI(k.Direction, k.Target, k.Tolerance, k.Latest.Value)
}

// KPIUpdate is a change to a KPI from `kpi set` or the console: a new
// reading, a new target, or both.
type KPIUpdate struct {
	Value  *float64
	Target *float64
	Note   string
}

// Validate checks u against the KPI it changes: something must change,
// and a value or target must suit the KPI's unit.
func (u KPIUpdate) Validate(k KPI) error {
	if u.Value == nil && u.Target == nil {
		return Errorf(EINVALID, "nothing to change: give a value or a target")
	}
	unit := k.UnitInfo()
	if u.Value != nil {
		if err := unit.Check("value", *u.Value); err != nil {
			return err
		}
	}
	if u.Target != nil {
		if err := unit.Check("target", *u.Target); err != nil {
			return err
		}
	}
	return checkText("note", u.Note, false, 500)
}

// Validate checks a reading on its own; its value is checked against its
// KPI's unit when it is written.
func (r *Reading) Validate() error {
	if err := checkFinite("value", r.Value); err != nil {
		return err
	}
	if r.TakenAt.IsZero() {
		return FieldErrorf("taken_at", EINVALID, "a reading needs the time it was taken")
	}
	return checkText("note", r.Note, false, 500)
}
