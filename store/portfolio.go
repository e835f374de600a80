package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
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
}

var phonePattern = regexp.MustCompile(`^\+?[0-9 ().-]{7,24}$`)

// Validate checks p before it is written.
func (p *Person) Validate() error {
	if err := checkText("name", p.Name, true, 120); err != nil {
		return err
	}
	if err := ValidateEmail(p.Email); err != nil {
		return err
	}
	if p.Phone != "" && !phonePattern.MatchString(p.Phone) {
		return Errorf(EINVALID, "phone %q is not a phone number", p.Phone)
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

const entityColumns = "id, code, name, kind, description, position"

func scanEntity(row interface{ Scan(...any) error }) (Entity, error) {
	var e Entity
	err := row.Scan(&e.ID, &e.Code, &e.Name, &e.Kind, &e.Description, &e.Position)
	return e, err
}

func listEntities(ctx context.Context, q querier) ([]Entity, error) {
	return queryAll(ctx, q, scanEntity, "SELECT "+entityColumns+" FROM entities ORDER BY kind DESC, position, code")
}

// Entities lists the portfolio: operating businesses first.
func (s *Store) Entities(ctx context.Context) ([]Entity, error) {
	return listEntities(ctx, s.read)
}

func entityByCode(ctx context.Context, q querier, code string) (Entity, error) {
	e, err := scanEntity(q.QueryRowContext(ctx, "SELECT "+entityColumns+" FROM entities WHERE code = ?", code))
	if errors.Is(err, sql.ErrNoRows) {
		return Entity{}, Errorf(ENOTFOUND, "no entity %q (see opsdeck status for the list)", code)
	}
	if err != nil {
		return Entity{}, fmt.Errorf("find entity %s: %w", code, err)
	}
	return e, nil
}

// CreateEntity inserts e and records it in the audit log.
func (tx *Tx) CreateEntity(ctx context.Context, e *Entity) error {
	if err := e.Validate(); err != nil {
		return err
	}
	id, err := tx.insert(ctx, "entity", e.Code,
		"INSERT INTO entities (code, name, kind, description, position) VALUES (?, ?, ?, ?, ?)",
		e.Code, e.Name, e.Kind, e.Description, e.Position)
	if err != nil {
		return err
	}
	e.ID = id
	return tx.audit(ctx, "create", "entity", id, e)
}

const personColumns = "id, name, email, phone, title, role"

func scanPerson(row interface{ Scan(...any) error }) (Person, error) {
	var p Person
	err := row.Scan(&p.ID, &p.Name, &p.Email, &p.Phone, &p.Title, &p.Role)
	return p, err
}

func listPeople(ctx context.Context, q querier) ([]Person, error) {
	return queryAll(ctx, q, scanPerson, "SELECT "+personColumns+" FROM people ORDER BY name, id")
}

// People lists everyone, by name.
func (s *Store) People(ctx context.Context) ([]Person, error) { return listPeople(ctx, s.read) }

// CreatePerson inserts p and records it in the audit log.
func (tx *Tx) CreatePerson(ctx context.Context, p *Person) error {
	p.Email = strings.TrimSpace(p.Email)
	if err := p.Validate(); err != nil {
		return err
	}
	id, err := tx.insert(ctx, "person", p.Email,
		"INSERT INTO people (name, email, phone, title, role) VALUES (?, ?, ?, ?, ?)",
		p.Name, p.Email, p.Phone, p.Title, p.Role)
	if err != nil {
		return err
	}
	p.ID = id
	return tx.audit(ctx, "create", "person", id, p)
}

// AddRecipient makes person receive role's report.
func (tx *Tx) AddRecipient(ctx context.Context, role ReportRole, personID int64) error {
	if !role.Valid() {
		return Errorf(EINVALID, "unknown report role %q", role)
	}
	if _, err := tx.insert(ctx, "recipient", string(role),
		"INSERT INTO report_recipients (report_role, person_id) VALUES (?, ?)", role, personID); err != nil {
		return err
	}
	return tx.audit(ctx, "add_recipient", "person", personID, map[string]any{"role": role})
}

func listRecipients(ctx context.Context, q querier) ([]Recipient, error) {
	cols := "p." + strings.ReplaceAll(personColumns, ", ", ", p.")
	return queryAll(ctx, q, func(row interface{ Scan(...any) error }) (Recipient, error) {
		var r Recipient
		p := &r.Person
		err := row.Scan(&r.Role, &p.ID, &p.Name, &p.Email, &p.Phone, &p.Title, &p.Role)
		return r, err
	}, `SELECT r.report_role, `+cols+` FROM report_recipients r JOIN people p ON p.id = r.person_id
		ORDER BY CASE r.report_role WHEN 'ceo' THEN 1 WHEN 'cto' THEN 2 WHEN 'cmo' THEN 3 WHEN 'cfo' THEN 4 ELSE 5 END, p.name`)
}

// Recipients lists who receives which report.
func (s *Store) Recipients(ctx context.Context) ([]Recipient, error) {
	return listRecipients(ctx, s.read)
}
