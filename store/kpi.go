package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
			return Errorf(EINVALID, "%s %s must not be negative", field, formatFloat(v))
		}
		return Errorf(EINVALID, "%s %s is outside %s..%s for unit %s", field, formatFloat(v), formatFloat(u.Min), formatFloat(u.Max), u.Name)
	}
	if u.Integer && v != math.Trunc(v) {
		return Errorf(EINVALID, "%s %s must be a whole number for unit %s", field, formatFloat(v), u.Name)
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
	return formatFloat(v) + u.Label
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// ParseValue reads a number typed by a person for this unit, allowing the
// decorations people type ("$12,000", "35%").
func (u Unit) ParseValue(field, s string) (float64, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimSuffix(strings.TrimPrefix(t, "$"), "%")
	t = strings.ReplaceAll(t, ",", "")
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
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

const kpiSelect = `SELECT k.id, k.entity_id, e.code, k.key, k.name, k.unit, k.direction, k.target, k.tolerance, k.owner_role,
	r.id, r.value, r.taken_at, r.note
	FROM kpis k JOIN entities e ON e.id = k.entity_id
	LEFT JOIN kpi_readings r ON r.id = (
		SELECT id FROM kpi_readings WHERE kpi_id = k.id ORDER BY taken_at DESC, id DESC LIMIT 1)`

func scanKPI(row interface{ Scan(...any) error }) (KPI, error) {
	var k KPI
	var rid sql.NullInt64
	var rvalue sql.NullFloat64
	var rtaken, rnote sql.NullString
	if err := row.Scan(&k.ID, &k.EntityID, &k.EntityCode, &k.Key, &k.Name, &k.Unit, &k.Direction, &k.Target,
		&k.Tolerance, &k.OwnerRole, &rid, &rvalue, &rtaken, &rnote); err != nil {
		return k, err
	}
	if rid.Valid {
		t, err := parseTime(rtaken.String)
		if err != nil {
			return k, err
		}
		k.Latest = &Reading{ID: rid.Int64, KPIID: k.ID, Value: rvalue.Float64, TakenAt: t, Note: rnote.String}
	}
	return k, nil
}

func listKPIs(ctx context.Context, q querier, entityCode string) ([]KPI, error) {
	if entityCode == "" {
		return queryAll(ctx, q, scanKPI, kpiSelect+" ORDER BY e.kind DESC, e.position, e.code, k.id")
	}
	if _, err := entityByCode(ctx, q, entityCode); err != nil {
		return nil, err
	}
	return queryAll(ctx, q, scanKPI, kpiSelect+" WHERE e.code = ? ORDER BY k.id", entityCode)
}

// KPIs lists KPIs with their latest readings, for one entity if entityCode
// is not empty.
func (s *Store) KPIs(ctx context.Context, entityCode string) ([]KPI, error) {
	return listKPIs(ctx, s.read, entityCode)
}

func kpiByKey(ctx context.Context, q querier, entityCode, key string) (KPI, error) {
	e, err := entityByCode(ctx, q, entityCode)
	if err != nil {
		return KPI{}, err
	}
	k, err := scanKPI(q.QueryRowContext(ctx, kpiSelect+" WHERE k.entity_id = ? AND k.key = ?", e.ID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return KPI{}, Errorf(ENOTFOUND, "entity %s has no KPI %q (see opsdeck kpi list --entity %s)", e.Code, key, e.Code)
	}
	if err != nil {
		return KPI{}, fmt.Errorf("find KPI %s/%s: %w", entityCode, key, err)
	}
	return k, nil
}

// KPI finds one KPI by entity code and key.
func (s *Store) KPI(ctx context.Context, entityCode, key string) (KPI, error) {
	return kpiByKey(ctx, s.read, entityCode, key)
}

// Readings returns up to limit of a KPI's readings, oldest first, for trends.
func (s *Store) Readings(ctx context.Context, kpiID int64, limit int) ([]Reading, error) {
	rs, err := queryAll(ctx, s.read, scanReading,
		"SELECT id, kpi_id, value, taken_at, note FROM kpi_readings WHERE kpi_id = ? ORDER BY taken_at DESC, id DESC LIMIT ?",
		kpiID, limit)
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return rs, err
}

func scanReading(row interface{ Scan(...any) error }) (Reading, error) {
	var r Reading
	var at string
	if err := row.Scan(&r.ID, &r.KPIID, &r.Value, &at, &r.Note); err != nil {
		return r, err
	}
	var err error
	r.TakenAt, err = parseTime(at)
	return r, err
}

// CreateKPI inserts k (without readings).
func (tx *Tx) CreateKPI(ctx context.Context, k *KPI) error {
	if err := k.Validate(); err != nil {
		return err
	}
	id, err := tx.insert(ctx, "KPI", k.Key,
		"INSERT INTO kpis (entity_id, key, name, unit, direction, target, tolerance, owner_role) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		k.EntityID, k.Key, k.Name, k.Unit, k.Direction, k.Target, k.Tolerance, k.OwnerRole)
	if err != nil {
		return err
	}
	k.ID = id
	return tx.audit(ctx, "create", "kpi", id, k)
}

// KPIUpdate is a change to a KPI from `kpi set` or the console: a new
// reading, a new target, or both.
type KPIUpdate struct {
	Value  *float64
	Target *float64
	Note   string
}

// SetKPI records a new reading and/or target for entityCode's KPI key and
// returns the KPI as it now stands.
func (tx *Tx) SetKPI(ctx context.Context, entityCode, key string, u KPIUpdate) (KPI, error) {
	k, err := kpiByKey(ctx, tx.tx, entityCode, key)
	if err != nil {
		return KPI{}, err
	}
	if u.Value == nil && u.Target == nil {
		return KPI{}, Errorf(EINVALID, "nothing to change: give a value or a target")
	}
	unit := k.UnitInfo()
	if u.Value != nil {
		if err := unit.Check("value", *u.Value); err != nil {
			return KPI{}, err
		}
	}
	if u.Target != nil {
		if err := unit.Check("target", *u.Target); err != nil {
			return KPI{}, err
		}
	}
	if err := checkText("note", u.Note, false, 500); err != nil {
		return KPI{}, err
	}
	details := map[string]any{"entity": k.EntityCode, "key": k.Key}
	if u.Target != nil {
		if err := tx.execOne(ctx, "KPI", k.ID, "UPDATE kpis SET target = ? WHERE id = ?", *u.Target, k.ID); err != nil {
			return KPI{}, err
		}
		details["old_target"], details["target"] = k.Target, *u.Target
	}
	if u.Value != nil {
		if _, err := tx.insert(ctx, "reading", k.Key,
			"INSERT INTO kpi_readings (kpi_id, value, taken_at, note) VALUES (?, ?, ?, ?)",
			k.ID, *u.Value, formatTime(tx.now), u.Note); err != nil {
			return KPI{}, err
		}
		if k.Latest != nil {
			details["old_value"] = k.Latest.Value
		}
		details["value"] = *u.Value
	}
	if err := tx.audit(ctx, "set", "kpi", k.ID, details); err != nil {
		return KPI{}, err
	}
	return kpiByKey(ctx, tx.tx, entityCode, key)
}

// addReading inserts a reading at a given time (the demo's history).
func (tx *Tx) addReading(ctx context.Context, kpiID int64, value float64, at time.Time, note string) error {
	_, err := tx.insert(ctx, "reading", fmt.Sprint(kpiID),
		"INSERT INTO kpi_readings (kpi_id, value, taken_at, note) VALUES (?, ?, ?, ?)", kpiID, value, formatTime(at), note)
	return err
}
