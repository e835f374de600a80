package portfolio

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
	Key           string          `json:"key"`
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
		return FieldErrorf("effort_days", EINVALID, "%s", ErrorMessage(err))
	}
	if s.EffortDays <= 0 || s.EffortDays > 365 {
		return FieldErrorf("effort_days", EINVALID, "effort must be more than 0 and at most 365 days, not %v", s.EffortDays)
	}
	switch s.Status {
	case ShortfallOpen, ShortfallInProgress:
		if !s.ResolvedOn.IsZero() {
			return FieldErrorf("resolved_on", EINVALID, "an unresolved shortfall cannot have a resolved date")
		}
	case ShortfallResolved:
		if s.ResolvedOn.IsZero() {
			return FieldErrorf("resolved_on", EINVALID, "a resolved shortfall needs a resolved date")
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
	Key            string       `json:"key"`
	ShortfallID    int64        `json:"shortfall_id,omitempty"`
	ShortfallKey   string       `json:"shortfall_key,omitempty"`
	Title          string       `json:"title"`
	OwnerRole      ReportRole   `json:"owner_role"`
	PersonID       int64        `json:"person_id,omitempty"`
	PersonName     string       `json:"person,omitempty"`
	PersonEmail    string       `json:"person_email,omitempty"`
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
		return FieldErrorf("done_on", EINVALID, "a done action needs a done date, and only a done action has one")
	}
	return nil
}
