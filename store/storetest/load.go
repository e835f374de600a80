package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/demo"
)

// LoadSpec sizes a generated load on top of the demo portfolio, for
// benchmarks that need a big database.
type LoadSpec struct {
	Events   int // events, spread over a year either side of now
	Items    int // checklist items, spread evenly over the events
	Readings int // KPI readings, spread over the KPIs
	KPIs     int // extra KPIs to spread the readings over
}

// GenerateLoad adds a synthetic load to the demo portfolio in s: the demo's
// shape, multiplied. It writes the tables directly, in one transaction of
// its own on its own connection, with prepared statements and no audit
// entries: it makes a hundred thousand rows for benchmarks in seconds, and
// is not how anything a person does is written.
func GenerateLoad(ctx context.Context, s *store.Store, spec LoadSpec) (err error) {
	db, err := sql.Open("sqlite", s.Path()+"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)")
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if err := generate(ctx, tx, s.Now(), spec); err != nil {
		return err
	}
	return tx.Commit()
}

func generate(ctx context.Context, tx *sql.Tx, now time.Time, spec LoadSpec) error {
	stamp := func(t time.Time) string { return t.UTC().Format(store.TimeLayout) }
	ids := func(query string) ([]int64, error) {
		rows, err := tx.QueryContext(ctx, query)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			out = append(out, id)
		}
		return out, rows.Err()
	}
	rng := rand.New(rand.NewPCG(1, 2)) // fixed: the same load every run
	entityIDs, err := ids("SELECT id FROM entities ORDER BY id")
	if err != nil {
		return err
	}
	personIDs, err := ids("SELECT id FROM people ORDER BY id")
	if err != nil {
		return err
	}
	if len(entityIDs) == 0 || len(personIDs) == 0 {
		return portfolio.Errorf(portfolio.EINVALID, "generate a load on top of the demo portfolio (opsdeck init --demo)")
	}

	kpiIns, err := tx.PrepareContext(ctx, `INSERT INTO kpis (entity_id, key, name, unit, direction, target, tolerance, owner_role)
		VALUES (?, ?, ?, 'count', 'higher', ?, 0.1, 'ceo')`)
	if err != nil {
		return err
	}
	defer kpiIns.Close()
	for i := range spec.KPIs {
		if _, err := kpiIns.ExecContext(ctx, entityIDs[i%len(entityIDs)], fmt.Sprintf("gen%d", i), fmt.Sprintf("Generated measure %d", i),
			float64(10+rng.IntN(90))); err != nil {
			return fmt.Errorf("generate KPI %d: %w", i, err)
		}
	}
	kpiIDs, err := ids("SELECT id FROM kpis ORDER BY id")
	if err != nil {
		return err
	}
	readIns, err := tx.PrepareContext(ctx, "INSERT INTO kpi_readings (kpi_id, value, taken_at, note) VALUES (?, ?, ?, '')")
	if err != nil {
		return err
	}
	defer readIns.Close()
	for i := range spec.Readings {
		at := now.Add(-time.Duration(i/len(kpiIDs)) * 24 * time.Hour)
		if _, err := readIns.ExecContext(ctx, kpiIDs[i%len(kpiIDs)], float64(rng.IntN(100)), stamp(at)); err != nil {
			return fmt.Errorf("generate reading %d: %w", i, err)
		}
	}

	evIns, err := tx.PrepareContext(ctx, `INSERT INTO events (key, entity_id, kind, title, location, departs_at, time_zone, duration_minutes,
		crew_call_minutes, boarding_minutes, turnaround_minutes, guests, status, notes)
		VALUES ('generated-' || ?, ?, 'charter', ?, 'Generated dock', ?, ?, 180, 60, 30, 60, 8, 'planned', '')`)
	if err != nil {
		return err
	}
	defer evIns.Close()
	phIns, err := tx.PrepareContext(ctx, "INSERT INTO checklist_phases (event_id, name, position) VALUES (?, ?, ?)")
	if err != nil {
		return err
	}
	defer phIns.Close()
	itIns, err := tx.PrepareContext(ctx, `INSERT INTO checklist_items (key, phase_id, title, required_role, position, mandatory, note,
		claimed_by, claimed_at, done_by, done_at) VALUES ('task-' || ?, ?, ?, 'crew', ?, 0, '', ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer itIns.Close()
	phases := []string{"Pre-departure", "Boarding", "Underway", "Return and turnaround"}
	itemsLeft := spec.Items
	// Divide before multiplying: a year times thousands of events overflows
	// time.Duration, which would bunch the events into a few weeks.
	spacing := 365 * 24 * time.Hour / time.Duration(max(1, spec.Events/2))
	for e := range spec.Events {
		departs := now.Add(time.Duration(e-spec.Events/2) * spacing)
		res, err := evIns.ExecContext(ctx, e, entityIDs[e%len(entityIDs)], fmt.Sprintf("Generated charter %d", e), stamp(departs), demo.TimeZone)
		if err != nil {
			return fmt.Errorf("generate event %d: %w", e, err)
		}
		eventID, _ := res.LastInsertId()
		perEvent := itemsLeft / (spec.Events - e)
		itemsLeft -= perEvent
		for p, name := range phases {
			res, err := phIns.ExecContext(ctx, eventID, name, p+1)
			if err != nil {
				return err
			}
			phaseID, _ := res.LastInsertId()
			n := perEvent / len(phases)
			if p < perEvent%len(phases) {
				n++
			}
			for i := range n {
				var by, at any
				if departs.Before(now) || rng.IntN(4) == 0 {
					by, at = personIDs[rng.IntN(len(personIDs))], stamp(departs.Add(-time.Hour))
				}
				if _, err := itIns.ExecContext(ctx, i+1, phaseID, fmt.Sprintf("Generated task %d", i+1), i+1, by, at, by, at); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
