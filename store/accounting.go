package store

import (
	"context"
	"fmt"
)

// Account is a line of the chart of accounts.
type Account struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Type        string `json:"type"` // asset, liability, equity, income, expense
	ParentCode  string `json:"parent_code,omitempty"`
	Description string `json:"description"`
}

// Validate checks a before it is written.
func (a *Account) Validate() error {
	if err := checkText("account code", a.Code, true, 12); err != nil {
		return err
	}
	if err := checkText("account name", a.Name, true, 120); err != nil {
		return err
	}
	switch a.Type {
	case "asset", "liability", "equity", "income", "expense":
		return nil
	}
	return Errorf(EINVALID, "account type %q must be asset, liability, equity, income or expense", a.Type)
}

func listAccounts(ctx context.Context, q querier) ([]Account, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (Account, error) {
		var a Account
		err := row.Scan(&a.Code, &a.Name, &a.Type, &a.ParentCode, &a.Description)
		return a, err
	}, "SELECT code, name, type, coalesce(parent_code, ''), description FROM accounts ORDER BY code")
}

// CreateAccount inserts a.
func (tx *Tx) CreateAccount(ctx context.Context, a *Account) error {
	if err := a.Validate(); err != nil {
		return err
	}
	var parent any
	if a.ParentCode != "" {
		parent = a.ParentCode
	}
	if _, err := tx.insert(ctx, "account", a.Code,
		"INSERT INTO accounts (code, name, type, parent_code, description) VALUES (?, ?, ?, ?, ?)",
		a.Code, a.Name, a.Type, parent, a.Description); err != nil {
		return err
	}
	return tx.audit(ctx, "create", "account", 0, a)
}

// RecognitionGap is a way revenue is earned but not (yet) recognised in
// the books: deposits without a policy, cash sales without records.
type RecognitionGap struct {
	ID         int64    `json:"id"`
	EntityID   int64    `json:"entity_id,omitempty"`
	EntityCode string   `json:"entity,omitempty"`
	Title      string   `json:"title"`
	Detail     string   `json:"detail"`
	Severity   Severity `json:"severity"`
	Status     string   `json:"status"` // open or closed
}

func listRecognitionGaps(ctx context.Context, q querier) ([]RecognitionGap, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (RecognitionGap, error) {
		var g RecognitionGap
		err := row.Scan(&g.ID, &g.EntityID, &g.EntityCode, &g.Title, &g.Detail, &g.Severity, &g.Status)
		return g, err
	}, `SELECT g.id, coalesce(g.entity_id, 0), coalesce(e.code, ''), g.title, g.detail, g.severity, g.status
		FROM recognition_gaps g LEFT JOIN entities e ON e.id = g.entity_id ORDER BY g.id`)
}

// CreateRecognitionGap inserts g.
func (tx *Tx) CreateRecognitionGap(ctx context.Context, g *RecognitionGap) error {
	if err := checkText("gap title", g.Title, true, 200); err != nil {
		return err
	}
	if !g.Severity.Valid() {
		return Errorf(EINVALID, "severity %q must be critical, high, medium or low", g.Severity)
	}
	if g.Status != "open" && g.Status != "closed" {
		return Errorf(EINVALID, "gap status %q must be open or closed", g.Status)
	}
	id, err := tx.insert(ctx, "recognition gap", fmt.Sprintf("%q", g.Title),
		"INSERT INTO recognition_gaps (entity_id, title, detail, severity, status) VALUES (?, ?, ?, ?, ?)",
		nullID(g.EntityID), g.Title, g.Detail, g.Severity, g.Status)
	if err != nil {
		return err
	}
	g.ID = id
	return tx.audit(ctx, "create", "recognition_gap", id, g)
}

// Milestone is a dated step on the road to profitability.
type Milestone struct {
	ID       int64  `json:"id"`
	Position int    `json:"position"`
	Title    string `json:"title"`
	Criteria string `json:"criteria"`
	DueOn    Date   `json:"due_on"`
	DoneOn   Date   `json:"done_on"`
}

func listMilestones(ctx context.Context, q querier) ([]Milestone, error) {
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (Milestone, error) {
		var m Milestone
		var due string
		var done *string
		if err := row.Scan(&m.ID, &m.Position, &m.Title, &m.Criteria, &due, &done); err != nil {
			return m, err
		}
		var err error
		if m.DueOn, err = ParseDate(due); err != nil {
			return m, err
		}
		m.DoneOn, err = scanDate(done)
		return m, err
	}, "SELECT id, position, title, criteria, due_on, done_on FROM milestones ORDER BY due_on, position, id")
}

// CreateMilestone inserts m.
func (tx *Tx) CreateMilestone(ctx context.Context, m *Milestone) error {
	if err := checkText("milestone title", m.Title, true, 200); err != nil {
		return err
	}
	if m.DueOn.IsZero() {
		return Errorf(EINVALID, "milestone %q needs a due date", m.Title)
	}
	id, err := tx.insert(ctx, "milestone", fmt.Sprintf("%q", m.Title),
		"INSERT INTO milestones (position, title, criteria, due_on, done_on) VALUES (?, ?, ?, ?, ?)",
		m.Position, m.Title, m.Criteria, m.DueOn.String(), dateColumn(m.DoneOn))
	if err != nil {
		return err
	}
	m.ID = id
	return tx.audit(ctx, "create", "milestone", id, m)
}
