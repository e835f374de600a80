// Package portfolio holds what opsdeck is about, with no storage in it:
// the records an owner keeps (entities, people, KPIs, shortfalls and their
// actions, finances, channels, findings, accounts, events and their
// checklists), their validation, the values they are made of (money,
// dates, roles, severities), the application error with its codes, and
// the figures derived from them (KPI health, burn, break-even, the ranked
// shortfalls, the portfolio roll-up).
//
// The store reads and writes these records; the reports, the console, the
// CLI and the crew web compute and show from them.
package portfolio

import (
	"net/mail"
	"regexp"
)

// EntityKind separates the businesses that earn from the assets that
// support them.
type EntityKind string

// Entity kinds.
const (
	KindOperating EntityKind = "operating"
	KindAncillary EntityKind = "ancillary"
)

// Entity is a business in the portfolio or an asset that supports them.
type Entity struct {
	ID          int64      `json:"id"`
	Code        string     `json:"code"`
	Name        string     `json:"name"`
	Kind        EntityKind `json:"kind"`
	Description string     `json:"description"`
	Position    int        `json:"position"`
}

var entityCode = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,15}$`)

// Validate checks e before it is written.
func (e *Entity) Validate() error {
	if !entityCode.MatchString(e.Code) {
		return Errorf(EINVALID, "entity code %q must be 1-16 letters, digits, '-' or '_', starting with a letter", e.Code)
	}
	if e.Kind != KindOperating && e.Kind != KindAncillary {
		return Errorf(EINVALID, "entity kind %q must be operating or ancillary", e.Kind)
	}
	if err := checkText("entity name", e.Name, true, 120); err != nil {
		return err
	}
	return checkText("entity description", e.Description, false, 2000)
}

// Person is anyone opsdeck mails or puts on a crew.
type Person struct {
	ID    int64      `json:"id"`
	Name  string     `json:"name"`
	Email string     `json:"email"`
	Phone string     `json:"phone"`
	Title string     `json:"title"`
	Role  AccessRole `json:"role"`
	// Reports are the roles whose reports the person receives.
	Reports []ReportRole `json:"reports"`
}

var phonePattern = regexp.MustCompile(`^\+?[0-9 ().-]{7,24}$`)

// Validate checks p before it is written.
func (p *Person) Validate() error {
	if err := checkText("name", p.Name, true, 120); err != nil {
		return err
	}
	if err := ValidateEmail(p.Email); err != nil {
		return FieldErrorf("email", EINVALID, "%s", ErrorMessage(err))
	}
	if p.Phone != "" && !phonePattern.MatchString(p.Phone) {
		return FieldErrorf("phone", EINVALID, "phone %q is not a phone number", p.Phone)
	}
	if !p.Role.Valid() {
		return Errorf(EINVALID, "role %q must be admin, captain, crew or guest", p.Role)
	}
	return checkText("title", p.Title, false, 120)
}

// ValidateEmail accepts a bare address (no display name) that net/mail can
// parse, the same check the mailer applies before queueing.
func ValidateEmail(addr string) error {
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr || a.Name != "" {
		return Errorf(EINVALID, "%q is not a valid email address", addr)
	}
	return nil
}

// Recipient is a person who receives one role's report.
type Recipient struct {
	Role   ReportRole `json:"role"`
	Person Person     `json:"person"`
}

// ValidateMeta checks a portfolio-wide setting, such as the portfolio's
// name, before it is written.
func ValidateMeta(key, value string) error { return checkText(key, value, true, 200) }
