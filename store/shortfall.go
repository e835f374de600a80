package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ShortfallStatus tracks a shortfall from discovery to resolution.
type ShortfallStatus string

// Shortfall statuses.
const (
	ShortfallOpen       ShortfallStatus = "open"
	ShortfallInProgress ShortfallStatus = "in_progress"
	ShortfallResolved   ShortfallStatus = "resolved"
)

// Shortfall is a gap that costs the portfolio money every month it stays open.
type Shortfall struct {
	ID            int64           `json:"id"`
	EntityID      int64           `json:"entity_id,omitempty"` // 0: portfolio-wide
	EntityCode    string          `json:"entity,omitempty"`
	Title         string          `json:"title"`
	Detail        string          `json:"detail"`
	OwnerRole     ReportRole      `json:"owner_role"`
	Severity      Severity        `json:"severity"`
	MonthlyImpact Money           `json:"monthly_impact_cents"`
	EffortDays    float64         `json:"effort_days"`
	Status        ShortfallStatus `json:"status"`
	OpenedOn      Date            `json:"opened_on"`
	ResolvedOn    Date            `json:"resolved_on"`
}

// Validate checks s before it is written.
func (s *Shortfall) Validate() error {
	if err := checkText("title", s.Title, true, 200); err != nil {
		return err
	}
	if err := checkText("detail", s.Detail, false, 4000); err != nil {
		return err
	}
	if !s.OwnerRole.Valid() {
		return Errorf(EINVALID, "owner role %q is not a report role", s.OwnerRole)
	}
	if !s.Severity.Valid() {
		return Errorf(EINVALID, "severity %q must be critical, high, medium or low", s.Severity)
	}
	if s.MonthlyImpact < 0 {
		return Errorf(EINVALID, "monthly impact must not be negative")
	}
	if err := checkFinite("effort", s.EffortDays); err != nil {
		return err
	}
	if s.EffortDays <= 0 || s.EffortDays > 365 {
		return Errorf(EINVALID, "effort must be more than 0 and at most 365 days, not %v", s.EffortDays)
	}
	switch s.Status {
	case ShortfallOpen, ShortfallInProgress:
		if !s.ResolvedOn.IsZero() {
			return Errorf(EINVALID, "an unresolved shortfall cannot have a resolved date")
		}
	case ShortfallResolved:
		if s.ResolvedOn.IsZero() {
			return Errorf(EINVALID, "a resolved shortfall needs a resolved date")
		}
	default:
		return Errorf(EINVALID, "status %q must be open, in_progress or resolved", s.Status)
	}
	if s.OpenedOn.IsZero() {
		return Errorf(EINVALID, "opened date is required")
	}
	if !s.ResolvedOn.IsZero() && s.ResolvedOn.Before(s.OpenedOn) {
		return Errorf(EINVALID, "resolved date %s is before opened date %s", s.ResolvedOn, s.OpenedOn)
	}
	return nil
}

// IsOpen reports whether the shortfall still needs work.
func (s Shortfall) IsOpen() bool { return s.Status != ShortfallResolved }

// ROI is the monthly impact in dollars recovered per day of effort, the
// figure shortfalls and actions are ranked by.
func (s Shortfall) ROI() float64 {
	if s.EffortDays <= 0 {
		return 0
	}
	return float64(s.MonthlyImpact) / 100 / s.EffortDays
}

const shortfallSelect = `SELECT s.id, coalesce(s.entity_id, 0), coalesce(e.code, ''), s.title, s.detail, s.owner_role, s.severity,
	s.monthly_impact_cents, s.effort_days, s.status, s.opened_on, s.resolved_on
	FROM shortfalls s LEFT JOIN entities e ON e.id = s.entity_id`

func scanShortfall(row interface{ Scan(...any) error }) (Shortfall, error) {
	var s Shortfall
	var opened string
	var resolved *string
	if err := row.Scan(&s.ID, &s.EntityID, &s.EntityCode, &s.Title, &s.Detail, &s.OwnerRole, &s.Severity,
		&s.MonthlyImpact, &s.EffortDays, &s.Status, &opened, &resolved); err != nil {
		return s, err
	}
	var err error
	if s.OpenedOn, err = ParseDate(opened); err != nil {
		return s, err
	}
	s.ResolvedOn, err = scanDate(resolved)
	return s, err
}

func listShortfalls(ctx context.Context, q querier) ([]Shortfall, error) {
	return queryAll(ctx, q, scanShortfall, shortfallSelect+" ORDER BY s.id")
}

// Shortfalls lists every shortfall, open and resolved.
func (s *Store) Shortfalls(ctx context.Context) ([]Shortfall, error) {
	return listShortfalls(ctx, s.read)
}

func shortfallByID(ctx context.Context, q querier, id int64) (Shortfall, error) {
	sf, err := scanShortfall(q.QueryRowContext(ctx, shortfallSelect+" WHERE s.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return sf, Errorf(ENOTFOUND, "no shortfall with id %d", id)
	}
	return sf, err
}

// Shortfall finds one shortfall by id.
func (s *Store) Shortfall(ctx context.Context, id int64) (Shortfall, error) {
	return shortfallByID(ctx, s.read, id)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateShortfall inserts sf; a zero OpenedOn means today.
func (tx *Tx) CreateShortfall(ctx context.Context, sf *Shortfall) error {
	if sf.OpenedOn.IsZero() {
		sf.OpenedOn = DateOf(tx.now)
	}
	if sf.Status == "" {
		sf.Status = ShortfallOpen
	}
	if err := sf.Validate(); err != nil {
		return err
	}
	id, err := tx.insert(ctx, "shortfall", fmt.Sprintf("%q", sf.Title),
		`INSERT INTO shortfalls (entity_id, title, detail, owner_role, severity, monthly_impact_cents, effort_days, status, opened_on, resolved_on)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullID(sf.EntityID), sf.Title, sf.Detail, sf.OwnerRole, sf.Severity, sf.MonthlyImpact, sf.EffortDays,
		sf.Status, sf.OpenedOn.String(), dateColumn(sf.ResolvedOn))
	if err != nil {
		return err
	}
	sf.ID = id
	return tx.audit(ctx, "create", "shortfall", id, sf)
}

// UpdateShortfall rewrites every field of an existing shortfall.
func (tx *Tx) UpdateShortfall(ctx context.Context, sf *Shortfall) error {
	if err := sf.Validate(); err != nil {
		return err
	}
	if err := tx.execOne(ctx, "shortfall", sf.ID,
		`UPDATE shortfalls SET entity_id = ?, title = ?, detail = ?, owner_role = ?, severity = ?, monthly_impact_cents = ?,
		effort_days = ?, status = ?, opened_on = ?, resolved_on = ? WHERE id = ?`,
		nullID(sf.EntityID), sf.Title, sf.Detail, sf.OwnerRole, sf.Severity, sf.MonthlyImpact, sf.EffortDays,
		sf.Status, sf.OpenedOn.String(), dateColumn(sf.ResolvedOn), sf.ID); err != nil {
		return err
	}
	return tx.audit(ctx, "update", "shortfall", sf.ID, sf)
}

// ResolveShortfall marks a shortfall resolved today.
func (tx *Tx) ResolveShortfall(ctx context.Context, id int64) error {
	sf, err := shortfallByID(ctx, tx.tx, id)
	if err != nil {
		return err
	}
	if !sf.IsOpen() {
		return Errorf(ECONFLICT, "shortfall %d is already resolved", id)
	}
	sf.Status, sf.ResolvedOn = ShortfallResolved, DateOf(tx.now)
	if sf.ResolvedOn.Before(sf.OpenedOn) {
		sf.ResolvedOn = sf.OpenedOn
	}
	return tx.UpdateShortfall(ctx, &sf)
}

// ReopenShortfall puts a resolved shortfall back on the open list.
func (tx *Tx) ReopenShortfall(ctx context.Context, id int64) error {
	sf, err := shortfallByID(ctx, tx.tx, id)
	if err != nil {
		return err
	}
	if sf.IsOpen() {
		return Errorf(ECONFLICT, "shortfall %d is not resolved", id)
	}
	sf.Status, sf.ResolvedOn = ShortfallOpen, Date{}
	return tx.UpdateShortfall(ctx, &sf)
}

// ActionStatus tracks a step of the action plan.
type ActionStatus string

// Action statuses.
const (
	ActionOpen ActionStatus = "open"
	ActionDone ActionStatus = "done"
)

// Action is one dated step of the 30-day action plan.
type Action struct {
	ID             int64        `json:"id"`
	ShortfallID    int64        `json:"shortfall_id,omitempty"`
	Title          string       `json:"title"`
	OwnerRole      ReportRole   `json:"owner_role"`
	PersonID       int64        `json:"person_id,omitempty"`
	PersonName     string       `json:"person,omitempty"`
	DueOn          Date         `json:"due_on"`
	Status         ActionStatus `json:"status"`
	DoneOn         Date         `json:"done_on"`
	ShortfallTitle string       `json:"shortfall,omitempty"`
}

// Validate checks a before it is written.
func (a *Action) Validate() error {
	if err := checkText("action title", a.Title, true, 200); err != nil {
		return err
	}
	if !a.OwnerRole.Valid() {
		return Errorf(EINVALID, "owner role %q is not a report role", a.OwnerRole)
	}
	if a.DueOn.IsZero() {
		return Errorf(EINVALID, "action %q needs a due date", a.Title)
	}
	if a.Status != ActionOpen && a.Status != ActionDone {
		return Errorf(EINVALID, "action status %q must be open or done", a.Status)
	}
	if (a.Status == ActionDone) == a.DoneOn.IsZero() {
		return Errorf(EINVALID, "a done action needs a done date, and only a done action has one")
	}
	return nil
}

func listActions(ctx context.Context, q querier) ([]Action, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (Action, error) {
		var a Action
		var due string
		var done *string
		if err := row.Scan(&a.ID, &a.ShortfallID, &a.Title, &a.OwnerRole, &a.PersonID, &a.PersonName, &due, &a.Status,
			&done, &a.ShortfallTitle); err != nil {
			return a, err
		}
		var err error
		if a.DueOn, err = ParseDate(due); err != nil {
			return a, err
		}
		a.DoneOn, err = scanDate(done)
		return a, err
	}, `SELECT a.id, coalesce(a.shortfall_id, 0), a.title, a.owner_role, coalesce(a.person_id, 0), coalesce(p.name, ''),
		a.due_on, a.status, a.done_on, coalesce(s.title, '')
		FROM actions a LEFT JOIN people p ON p.id = a.person_id LEFT JOIN shortfalls s ON s.id = a.shortfall_id
		ORDER BY a.due_on, a.id`)
}

// CreateAction inserts a step of the action plan.
func (tx *Tx) CreateAction(ctx context.Context, a *Action) error {
	if a.Status == "" {
		a.Status = ActionOpen
	}
	if err := a.Validate(); err != nil {
		return err
	}
	id, err := tx.insert(ctx, "action", fmt.Sprintf("%q", a.Title),
		"INSERT INTO actions (shortfall_id, title, owner_role, person_id, due_on, status, done_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
		nullID(a.ShortfallID), a.Title, a.OwnerRole, nullID(a.PersonID), a.DueOn.String(), a.Status, dateColumn(a.DoneOn))
	if err != nil {
		return err
	}
	a.ID = id
	return tx.audit(ctx, "create", "action", id, a)
}
