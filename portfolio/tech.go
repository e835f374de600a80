package portfolio

// Finding is a security, performance, cost or reliability problem found in
// one of the portfolio's technical stacks.
type Finding struct {
	ID            int64    `json:"id"`
	Key           string   `json:"key"`
	EntityID      int64    `json:"entity_id,omitempty"`
	EntityCode    string   `json:"entity,omitempty"`
	Stack         string   `json:"stack"`
	Category      string   `json:"category"`
	Severity      Severity `json:"severity"`
	Title         string   `json:"title"`
	Detail        string   `json:"detail"`
	Remediation   string   `json:"remediation"`
	MonthlySaving Money    `json:"monthly_saving_cents"`
	EffortDays    float64  `json:"effort_days"`
	Status        string   `json:"status"` // open or fixed
}

// Validate checks f before it is written.
func (f *Finding) Validate() error {
	if err := checkText("stack", f.Stack, true, 80); err != nil {
		return err
	}
	switch f.Category {
	case "security", "performance", "cost", "reliability":
	default:
		return Errorf(EINVALID, "finding category %q must be security, performance, cost or reliability", f.Category)
	}
	if !f.Severity.Valid() {
		return Errorf(EINVALID, "severity %q must be critical, high, medium or low", f.Severity)
	}
	if err := checkText("finding title", f.Title, true, 200); err != nil {
		return err
	}
	if err := checkText("remediation", f.Remediation, true, 1000); err != nil {
		return err
	}
	if f.MonthlySaving < 0 {
		return Errorf(EINVALID, "monthly saving must not be negative")
	}
	if err := checkFinite("effort", f.EffortDays); err != nil {
		return err
	}
	if f.EffortDays <= 0 {
		return Errorf(EINVALID, "effort must be more than 0 days")
	}
	if f.Status != "open" && f.Status != "fixed" {
		return Errorf(EINVALID, "finding status %q must be open or fixed", f.Status)
	}
	return nil
}

// DevGap is a missing piece of the development cycle (CI, staging...).
type DevGap struct {
	ID       int64  `json:"id"`
	Key      string `json:"key"`
	Position int    `json:"position"`
	Title    string `json:"title"`
	Detail   string `json:"detail"`
	Status   string `json:"status"` // missing, partial or done
}

// Validate checks g before it is written.
func (g *DevGap) Validate() error {
	if err := checkText("gap title", g.Title, true, 200); err != nil {
		return err
	}
	switch g.Status {
	case "missing", "partial", "done":
		return nil
	}
	return Errorf(EINVALID, "gap status %q must be missing, partial or done", g.Status)
}
