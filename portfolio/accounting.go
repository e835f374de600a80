package portfolio

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

// RecognitionGap is a way revenue is earned but not (yet) recognised in
// the books: deposits without a policy, cash sales without records.
type RecognitionGap struct {
	ID         int64    `json:"id"`
	Key        string   `json:"key"`
	EntityID   int64    `json:"entity_id,omitempty"`
	EntityCode string   `json:"entity,omitempty"`
	Title      string   `json:"title"`
	Detail     string   `json:"detail"`
	Severity   Severity `json:"severity"`
	Status     string   `json:"status"` // open or closed
}

// Milestone is a dated step on the road to profitability.
type Milestone struct {
	ID       int64  `json:"id"`
	Key      string `json:"key"`
	Position int    `json:"position"`
	Title    string `json:"title"`
	Criteria string `json:"criteria"`
	DueOn    Date   `json:"due_on"`
	DoneOn   Date   `json:"done_on"`
}

// Validate checks g before it is written.
func (g *RecognitionGap) Validate() error {
	if err := checkText("gap title", g.Title, true, 200); err != nil {
		return err
	}
	if !g.Severity.Valid() {
		return Errorf(EINVALID, "severity %q must be critical, high, medium or low", g.Severity)
	}
	if g.Status != "open" && g.Status != "closed" {
		return Errorf(EINVALID, "gap status %q must be open or closed", g.Status)
	}
	return nil
}

// Validate checks m before it is written.
func (m *Milestone) Validate() error {
	if err := checkText("milestone title", m.Title, true, 200); err != nil {
		return err
	}
	if m.DueOn.IsZero() {
		return Errorf(EINVALID, "milestone %q needs a due date", m.Title)
	}
	return nil
}
