package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"opsdeck/portfolio"
)

func kpiByID(ctx context.Context, q querier, id int64) (portfolio.KPI, error) {
	k, err := scanKPI(q.QueryRowContext(ctx, kpiSelect+" WHERE k.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return k, portfolio.Errorf(portfolio.ENOTFOUND, "no KPI with id %d", id)
	}
	if err != nil {
		return k, fmt.Errorf("find KPI %d: %w", id, err)
	}
	return k, nil
}

// UpdateKPI rewrites a KPI's definition (name, unit, direction, target,
// tolerance, owner). Its readings stay.
func (tx *Tx) UpdateKPI(ctx context.Context, k *portfolio.KPI) error {
	if err := k.Validate(); err != nil {
		return err
	}
	before, err := kpiByID(ctx, tx.tx, k.ID)
	if err != nil {
		return err
	}
	if err := tx.execOne(ctx, "KPI", k.ID,
		`UPDATE kpis SET key = ?, name = ?, unit = ?, direction = ?, target = ?, tolerance = ?, owner_role = ? WHERE id = ?`,
		k.Key, k.Name, k.Unit, k.Direction, k.Target, k.Tolerance, k.OwnerRole, k.ID); err != nil {
		return err
	}
	after := *k
	if after.EntityID == before.EntityID {
		after.EntityCode = before.EntityCode
	}
	return tx.audit(ctx, "update", "kpi", k.ID, updateDetails(portfolio.MustKind("kpi"), &before, &after))
}

// DeleteKPI removes a KPI and its readings; the audit log keeps what it was.
func (tx *Tx) DeleteKPI(ctx context.Context, id int64) error {
	k, err := kpiByID(ctx, tx.tx, id)
	if err != nil {
		return err
	}
	var readings int
	if err := tx.tx.QueryRowContext(ctx, "SELECT count(*) FROM kpi_readings WHERE kpi_id = ?", id).Scan(&readings); err != nil {
		return err
	}
	if err := tx.capture(ctx, "KPI "+k.EntityCode+"/"+k.Key, "kpi", id, "kpis", "id = ?", id); err != nil {
		return err
	}
	if err := tx.execOne(ctx, "KPI", id, "DELETE FROM kpis WHERE id = ?", id); err != nil {
		return err
	}
	return tx.audit(ctx, "delete", "kpi", id, map[string]any{"kpi": k, "readings": readings})
}
