package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"opsdeck/portfolio"
)

const kpiSelect = `SELECT k.id, k.entity_id, e.code, k.key, k.name, k.unit, k.direction, k.target, k.tolerance, k.owner_role,
	r.id, r.value, r.taken_at, r.note
	FROM kpis k JOIN entities e ON e.id = k.entity_id
	LEFT JOIN kpi_readings r ON r.id = (
		SELECT id FROM kpi_readings WHERE kpi_id = k.id ORDER BY taken_at DESC, id DESC LIMIT 1)`

func scanKPI(row interface{ Scan(...any) error }) (portfolio.KPI, error) {
	var k portfolio.KPI
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
		k.Latest = &portfolio.Reading{ID: rid.Int64, KPIID: k.ID, Value: rvalue.Float64, TakenAt: t, Note: rnote.String}
	}
	return k, nil
}

func listKPIs(ctx context.Context, q querier, entityCode string) ([]portfolio.KPI, error) {
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
func (s *Store) KPIs(ctx context.Context, entityCode string) ([]portfolio.KPI, error) {
	return listKPIs(ctx, s.read, entityCode)
}

func kpiByKey(ctx context.Context, q querier, entityCode, key string) (portfolio.KPI, error) {
	e, err := entityByCode(ctx, q, entityCode)
	if err != nil {
		return portfolio.KPI{}, err
	}
	k, err := scanKPI(q.QueryRowContext(ctx, kpiSelect+" WHERE k.entity_id = ? AND k.key = ?", e.ID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return portfolio.KPI{}, portfolio.Errorf(portfolio.ENOTFOUND, "entity %s has no KPI %q (see opsdeck kpi list --entity %s)", e.Code, key, e.Code)
	}
	if err != nil {
		return portfolio.KPI{}, fmt.Errorf("find KPI %s/%s: %w", entityCode, key, err)
	}
	return k, nil
}

// KPI finds one KPI by entity code and key.
func (s *Store) KPI(ctx context.Context, entityCode, key string) (portfolio.KPI, error) {
	return kpiByKey(ctx, s.read, entityCode, key)
}

// Readings returns up to limit of a KPI's readings, oldest first, for trends.
func (s *Store) Readings(ctx context.Context, kpiID int64, limit int) ([]portfolio.Reading, error) {
	rs, err := queryAll(ctx, s.read, scanReading,
		"SELECT id, kpi_id, value, taken_at, note FROM kpi_readings WHERE kpi_id = ? ORDER BY taken_at DESC, id DESC LIMIT ?",
		kpiID, limit)
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return rs, err
}

func scanReading(row interface{ Scan(...any) error }) (portfolio.Reading, error) {
	var r portfolio.Reading
	var at string
	if err := row.Scan(&r.ID, &r.KPIID, &r.Value, &at, &r.Note); err != nil {
		return r, err
	}
	var err error
	r.TakenAt, err = parseTime(at)
	return r, err
}

// CreateKPI inserts k (without readings).
func (tx *Tx) CreateKPI(ctx context.Context, k *portfolio.KPI) error {
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

// SetKPI records a new reading and/or target for entityCode's KPI key and
// returns the KPI as it now stands.
func (tx *Tx) SetKPI(ctx context.Context, entityCode, key string, u portfolio.KPIUpdate) (portfolio.KPI, error) {
	k, err := kpiByKey(ctx, tx.tx, entityCode, key)
	if err != nil {
		return portfolio.KPI{}, err
	}
	if err := u.Validate(k); err != nil {
		return portfolio.KPI{}, err
	}
	changes := map[string]Change{}
	details := map[string]any{"entity": k.EntityCode, "key": k.Key, "name": k.Name, "changes": changes}
	if u.Target != nil {
		if err := tx.execOne(ctx, "KPI", k.ID, "UPDATE kpis SET target = ? WHERE id = ?", *u.Target, k.ID); err != nil {
			return portfolio.KPI{}, err
		}
		changes["target"] = Change{Before: portfolio.FormatNumber(k.Target), After: portfolio.FormatNumber(*u.Target)}
	}
	if u.Value != nil {
		if _, err := tx.insert(ctx, "reading", k.Key,
			"INSERT INTO kpi_readings (kpi_id, value, taken_at, note) VALUES (?, ?, ?, ?)",
			k.ID, *u.Value, formatTime(tx.now), u.Note); err != nil {
			return portfolio.KPI{}, err
		}
		// The value before is the latest reading; it stays, as every
		// reading does.
		c := Change{After: portfolio.FormatNumber(*u.Value)}
		if k.Latest != nil {
			c.Before = portfolio.FormatNumber(k.Latest.Value)
		}
		changes["value"] = c
		if u.Note != "" {
			details["note"] = u.Note
		}
	}
	if err := tx.audit(ctx, "set", "kpi", k.ID, details); err != nil {
		return portfolio.KPI{}, err
	}
	return kpiByKey(ctx, tx.tx, entityCode, key)
}
