package portfolio

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Record is one record an owner keeps: an entity, a KPI, a cost line...
// Every record checks itself; the kind it belongs to says what its fields
// are.
type Record interface {
	Validate() error
}

// A Kind is one kind of record, declared once: its fields, with their
// types, allowed values and references to other kinds, and the fields
// whose values name a record. The console's forms, the CLI's add and edit
// flags and the portfolio file are all made from this declaration, so a
// new field is added here and nowhere else (but for its column in the
// store).
type Kind struct {
	// Name is the kind as the command line writes it: "cost-line".
	Name string
	// Plural names the kind's section of the portfolio file: "cost_lines".
	Plural string
	// Title is the kind as a heading says it: "Cost line".
	Title string
	// Group is the report the kind feeds, for the console's pages.
	Group Group
	// Doc says in a sentence what the records are.
	Doc    string
	Fields []Field
	// KeyFields name the fields whose values, joined by "/", are a
	// record's key: "JADA" for an entity, "JADA/charters" for a KPI.
	KeyFields []string

	new func() Record
	id  func(Record) *int64
	// title is what a missing key is made from, for kinds whose key is a
	// made one (a shortfall's title).
	title func(Record) string
}

// Group gathers kinds by the report they feed.
type Group string

// The groups, in the order the console shows them.
const (
	GroupPortfolio  Group = "portfolio"
	GroupActions    Group = "actions"
	GroupFinance    Group = "finance"
	GroupMarketing  Group = "marketing"
	GroupTechnology Group = "technology"
	GroupAccounting Group = "accounting"
	GroupEvents     Group = "events"
)

// Groups lists the groups in display order.
var Groups = []Group{GroupPortfolio, GroupActions, GroupFinance, GroupMarketing, GroupTechnology, GroupAccounting, GroupEvents}

// New returns an empty record of the kind, with the kind's defaults.
func (k *Kind) New() Record { return k.new() }

// MakesKeys reports whether the kind's key is made from its title when
// left empty.
func (k *Kind) MakesKeys() bool { return k.title != nil }

// NewKey is the key a record without one gets: a slug of its title (the
// store adds -2, -3... when it is taken).
func (k *Kind) NewKey(r Record) string { return Slug(k.title(r)) }

// ID points at a record's row id, or is nil for kinds whose key is their
// identity (an account's code).
func (k *Kind) ID(r Record) *int64 {
	if k.id == nil {
		return nil
	}
	return k.id(r)
}

// Copy returns a copy of r.
func (k *Kind) Copy(r Record) Record {
	c := k.New()
	for i := range k.Fields {
		f := &k.Fields[i]
		f.set(c, f.get(r))
		if id := f.RefID(r); id != nil {
			*f.RefID(c) = *id
		}
	}
	if id := k.ID(r); id != nil {
		*k.ID(c) = *id
	}
	return c
}

// Field returns the field called name.
func (k *Kind) Field(name string) (*Field, bool) {
	for i := range k.Fields {
		if k.Fields[i].Name == name {
			return &k.Fields[i], true
		}
	}
	return nil, false
}

// Key is the record's key: its key fields' values joined by "/".
func (k *Kind) Key(r Record) string {
	parts := make([]string, len(k.KeyFields))
	for i, name := range k.KeyFields {
		f, _ := k.Field(name)
		parts[i] = f.Text(r)
	}
	return strings.Join(parts, "/")
}

// SetKey fills a new record's key fields from key (as Key writes it). A
// reference takes as many parts as its kind's keys have (a reading's KPI
// is ENTITY/KEY), and the last field the rest.
func (k *Kind) SetKey(r Record, key string) error {
	rest := key
	for i, name := range k.KeyFields {
		f, _ := k.Field(name)
		part := rest
		if i < len(k.KeyFields)-1 {
			n := 1
			if f.Type == RefField {
				n = MustKind(f.Ref).keyParts()
			}
			segs := strings.SplitN(rest, "/", n+1)
			if len(segs) != n+1 {
				return Errorf(EINVALID, "%s key %q must be %s", k.Name, key, k.KeyHint())
			}
			part, rest = strings.Join(segs[:n], "/"), segs[n]
		}
		if strings.TrimSpace(part) == "" {
			return Errorf(EINVALID, "%s key %q must be %s", k.Name, key, k.KeyHint())
		}
		if err := f.Parse(r, part); err != nil {
			return err
		}
	}
	return nil
}

// keyParts is how many "/"-separated parts a key of the kind has.
func (k *Kind) keyParts() int {
	n := 0
	for _, name := range k.KeyFields {
		if f, _ := k.Field(name); f.Type == RefField {
			n += MustKind(f.Ref).keyParts()
		} else {
			n++
		}
	}
	return n
}

// KeyHint says how a key of the kind is written: "ENTITY/KEY".
func (k *Kind) KeyHint() string {
	return strings.ToUpper(strings.ReplaceAll(strings.Join(k.KeyFields, "/"), "_", "-"))
}

// FieldType is the kind of value a field holds.
type FieldType string

// Field types.
const (
	TextField     FieldType = "text"      // one line
	LongTextField FieldType = "long_text" // paragraphs
	IntField      FieldType = "int"
	NumberField   FieldType = "number"
	MoneyField    FieldType = "money" // dollars and cents
	DateField     FieldType = "date"  // YYYY-MM-DD
	TimeField     FieldType = "time"  // an instant, RFC 3339
	BoolField     FieldType = "bool"
	ChoiceField   FieldType = "choice"  // one of Choices
	ChoicesField  FieldType = "choices" // any of Choices
	RefField      FieldType = "ref"     // the key of a record of kind Ref
)

// OnDelete is what becomes of a record when the record it refers to is
// removed.
type OnDelete int

const (
	// Refuse: the removal is refused, naming the records that refer.
	Refuse OnDelete = iota
	// Cascade: the record goes too (a KPI's readings with the KPI), once
	// the person removing has seen the list and agreed.
	Cascade
	// Clear: the reference is emptied (who ticked an item, when that
	// person is removed).
	Clear
)

// Field is one field of a kind.
type Field struct {
	// Name is the field as the CLI's flags and the portfolio file write
	// it: "monthly_impact".
	Name string
	// Label is the field as a form shows it: "Monthly impact".
	Label string
	Type  FieldType
	// Required fields must have a value; the kind's Validate says so too
	// (a test keeps the two the same).
	Required bool
	// Optional values may be absent, which is not the same as zero (an
	// audience size nobody knows).
	Optional bool
	// Choices are the values a choice field takes.
	Choices []string
	// Ref is the kind a reference field names a record of.
	Ref string
	// Help says in a few words what goes in the field.
	Help string
	// OnDelete says what removing the record a reference names does to
	// the record that names it.
	OnDelete OnDelete
	// Filled fields are given a value of the store's own when left empty
	// (the next position, today's date), so a file or a spreadsheet that
	// leaves one out keeps the value a record already has.
	Filled bool

	get   func(Record) any
	set   func(Record, any)
	refID func(Record) *int64
}

// Value is the field's value in r, as its Go type: string (text, choice,
// ref), int64, float64, Money, Date, time.Time, bool or []string; nil for an
// optional value that is absent.
func (f *Field) Value(r Record) any { return f.get(r) }

// SetValue stores v (of the type Value returns) in r.
func (f *Field) SetValue(r Record, v any) { f.set(r, v) }

// RefID points at the row id a reference resolves to, or is nil when the
// key itself is what is stored (an account's code).
func (f *Field) RefID(r Record) *int64 {
	if f.refID == nil {
		return nil
	}
	return f.refID(r)
}

// Text is the field's value in r as the CLI and the portfolio file write
// it; "" when it has none.
func (f *Field) Text(r Record) string {
	switch v := f.get(r).(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return FormatNumber(v)
	case Money:
		return v.Plain()
	case Date:
		return v.String()
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.Format(time.RFC3339)
	case bool:
		return strconv.FormatBool(v)
	case []string:
		return strings.Join(v, ",")
	}
	panic(fmt.Sprintf("field %s: unexpected value %T", f.Name, f.get(r)))
}

// Same reports whether the field says the same in a and b: times as the
// same instant whatever zone they are written in, references without
// regard to case (as keys are found).
func (f *Field) Same(a, b Record) bool {
	if f.Type == TimeField {
		return f.get(a).(time.Time).Equal(f.get(b).(time.Time))
	}
	x, y := f.Text(a), f.Text(b)
	return x == y || f.Type == RefField && strings.EqualFold(x, y)
}

// timeLayouts are the ways a time may be written: RFC 3339, with a space
// for the T or without seconds, as people type it. Each has its offset, as
// an instant without one would be read in whatever zone the reader is in.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04Z07:00", "2006-01-02 15:04Z07:00"}

// ParseTime reads a time written in any of timeLayouts, as the instant in
// UTC, so that one instant has one text and a key made from it (a
// reading's) is the same however it was typed.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	var err error
	for _, layout := range timeLayouts {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}

// Parse reads s (as Text writes it, or as people type it: "$1,200",
// "yes") into the field of r. An empty s clears the field.
func (f *Field) Parse(r Record, s string) error {
	s = strings.TrimSpace(s)
	v, err := f.parse(s)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Field == "" {
			c := *e
			c.Field = f.Name
			return &c
		}
		return err
	}
	f.set(r, v)
	return nil
}

func (f *Field) parse(s string) (any, error) {
	bad := func(want string) error { return Errorf(EINVALID, "%s: %q is not %s", f.Name, s, want) }
	if s == "" && f.Optional {
		return nil, nil
	}
	switch f.Type {
	case TextField, LongTextField, RefField:
		return s, nil
	case ChoiceField:
		if s == "" || slices.Contains(f.Choices, strings.ToLower(s)) {
			return strings.ToLower(s), nil
		}
		return nil, Errorf(EINVALID, "%s: %q is not one of %s", f.Name, s, strings.Join(f.Choices, ", "))
	case ChoicesField:
		var out []string
		for _, c := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || r == ' ' }) {
			if !slices.Contains(f.Choices, c) {
				return nil, Errorf(EINVALID, "%s: %q is not one of %s", f.Name, c, strings.Join(f.Choices, ", "))
			}
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
		return out, nil
	case IntField:
		if s == "" {
			return int64(0), nil
		}
		n, err := ParseWhole(s)
		if err != nil {
			return nil, Errorf(EINVALID, "%s: %s", f.Name, ErrorMessage(err))
		}
		return n, nil
	case NumberField:
		if s == "" {
			return float64(0), nil
		}
		n, err := ParseNumber(s)
		if err != nil {
			return nil, bad("a number")
		}
		return n, nil
	case MoneyField:
		if s == "" {
			return Money(0), nil
		}
		m, err := ParseMoney(s)
		if err != nil {
			// ParseMoney says why: no amount, finer than a cent, too large.
			return nil, Errorf(EINVALID, "%s: %s", f.Name, ErrorMessage(err))
		}
		return m, nil
	case DateField:
		if s == "" {
			return Date{}, nil
		}
		d, err := ParseDate(s)
		if err != nil {
			if w := DateWords(s); w != "" {
				return nil, bad("a date: " + w)
			}
			return nil, bad("a date (YYYY-MM-DD)")
		}
		return d, nil
	case TimeField:
		if s == "" {
			return time.Time{}, nil
		}
		t, err := ParseTime(s)
		if err != nil {
			if w := InstantWords(s); w != "" {
				return nil, bad("a time: " + w)
			}
			return nil, bad("a time such as 2026-12-24T17:30:00-08:00")
		}
		return t, nil
	case BoolField:
		if s == "" {
			return false, nil
		}
		b, err := ParseBool(s)
		if err != nil {
			return nil, Errorf(EINVALID, "%s: %s", f.Name, ErrorMessage(err))
		}
		return b, nil
	}
	return nil, fmt.Errorf("field %s: unknown type %s", f.Name, f.Type)
}

// The declarations below build fields over a record's own struct fields:
// at points at where the value lives in a record of type T.

type fieldOption func(*Field)

func required(f *Field) { f.Required = true }

func cascade(f *Field) { f.OnDelete = Cascade }

func filled(f *Field) { f.Filled = true }

func clears(f *Field) { f.OnDelete = Clear }

func help(s string) fieldOption { return func(f *Field) { f.Help = s } }

func field[T any, V any](name, label string, typ FieldType, at func(*T) *V, opts []fieldOption) Field {
	f := Field{Name: name, Label: label, Type: typ,
		get: func(r Record) any { return *at(as[T](r)) },
		set: func(r Record, v any) { *at(as[T](r)) = v.(V) }}
	for _, o := range opts {
		o(&f)
	}
	return f
}

func text[T any](name, label string, at func(*T) *string, opts ...fieldOption) Field {
	return field(name, label, TextField, at, opts)
}

func longText[T any](name, label string, at func(*T) *string, opts ...fieldOption) Field {
	return field(name, label, LongTextField, at, opts)
}

func number[T any](name, label string, at func(*T) *float64, opts ...fieldOption) Field {
	return field(name, label, NumberField, at, opts)
}

func money[T any](name, label string, at func(*T) *Money, opts ...fieldOption) Field {
	return field(name, label, MoneyField, at, opts)
}

func date[T any](name, label string, at func(*T) *Date, opts ...fieldOption) Field {
	return field(name, label, DateField, at, opts)
}

func instant[T any](name, label string, at func(*T) *time.Time, opts ...fieldOption) Field {
	return field(name, label, TimeField, at, opts)
}

func boolean[T any](name, label string, at func(*T) *bool, opts ...fieldOption) Field {
	return field(name, label, BoolField, at, opts)
}

func integer[T any](name, label string, at func(*T) *int, opts ...fieldOption) Field {
	f := Field{Name: name, Label: label, Type: IntField,
		get: func(r Record) any { return int64(*at(as[T](r))) },
		set: func(r Record, v any) { *at(as[T](r)) = int(v.(int64)) }}
	for _, o := range opts {
		o(&f)
	}
	return f
}

// optional is a value that may be absent: *V in the record, nil for none.
func optional[T any, V any](name, label string, typ FieldType, at func(*T) **V, opts []fieldOption) Field {
	f := Field{Name: name, Label: label, Type: typ, Optional: true,
		get: func(r Record) any {
			if p := *at(as[T](r)); p != nil {
				return *p
			}
			return nil
		},
		set: func(r Record, v any) {
			if v == nil {
				*at(as[T](r)) = nil
				return
			}
			x := v.(V)
			*at(as[T](r)) = &x
		}}
	for _, o := range opts {
		o(&f)
	}
	return f
}

func optMoney[T any](name, label string, at func(*T) **Money, opts ...fieldOption) Field {
	return optional(name, label, MoneyField, at, opts)
}

func optInt64[T any](name, label string, at func(*T) **int64, opts ...fieldOption) Field {
	return optional(name, label, IntField, at, opts)
}

func optInt[T any](name, label string, at func(*T) **int, opts ...fieldOption) Field {
	f := Field{Name: name, Label: label, Type: IntField, Optional: true,
		get: func(r Record) any {
			if p := *at(as[T](r)); p != nil {
				return int64(*p)
			}
			return nil
		},
		set: func(r Record, v any) {
			if v == nil {
				*at(as[T](r)) = nil
				return
			}
			x := int(v.(int64))
			*at(as[T](r)) = &x
		}}
	for _, o := range opts {
		o(&f)
	}
	return f
}

// choice is one of a set of values of a string type V (a severity, a role).
func choice[T any, V ~string](name, label string, values []V, at func(*T) *V, opts ...fieldOption) Field {
	f := Field{Name: name, Label: label, Type: ChoiceField,
		get: func(r Record) any { return string(*at(as[T](r))) },
		set: func(r Record, v any) { *at(as[T](r)) = V(v.(string)) }}
	for _, v := range values {
		f.Choices = append(f.Choices, string(v))
	}
	for _, o := range opts {
		o(&f)
	}
	return f
}

// choices is any number of a set of values (the reports a person gets).
func choices[T any, V ~string](name, label string, values []V, at func(*T) *[]V, opts ...fieldOption) Field {
	f := Field{Name: name, Label: label, Type: ChoicesField,
		get: func(r Record) any {
			var out []string
			for _, v := range *at(as[T](r)) {
				out = append(out, string(v))
			}
			return out
		},
		set: func(r Record, v any) {
			var out []V
			for _, s := range v.([]string) {
				out = append(out, V(s))
			}
			*at(as[T](r)) = out
		}}
	for _, v := range values {
		f.Choices = append(f.Choices, string(v))
	}
	for _, o := range opts {
		o(&f)
	}
	return f
}

// ref names a record of kind by its key (kept in key); id, if the store
// keeps a row id for the reference, is where it goes once resolved.
func ref[T any](name, label, kind string, key func(*T) *string, id func(*T) *int64, opts ...fieldOption) Field {
	f := field(name, label, RefField, key, opts)
	f.Ref = kind
	if id != nil {
		f.refID = func(r Record) *int64 { return id(as[T](r)) }
	}
	return f
}

// as is the record r as its own type.
func as[T any](r Record) *T { return any(r).(*T) }

// declare builds a kind over records of type *T, new ones made by fresh.
func declare[T any, P interface {
	*T
	Record
}](k Kind, fresh func() *T, id func(*T) *int64) *Kind {
	k.new = func() Record { return P(fresh()) }
	if id != nil {
		k.id = func(r Record) *int64 { return id(P(as[T](r))) }
	}
	return &k
}

// ErrorField names the field of the kind that err is about: the one the
// error names itself (a field's Parse does), else the one its message
// starts with ("time zone ... is not an IANA zone", "event title is
// required", "duration must be..."), else, for a key another record
// already has, the key field a person types. It is "" when err names
// none of them.
func (k *Kind) ErrorField(err error) string {
	if err == nil {
		return ""
	}
	if name := ErrorField(err); name != "" {
		if _, ok := k.Field(name); ok {
			return name
		}
	}
	msg := strings.ToLower(ErrorMessage(err))
	msg = strings.TrimPrefix(msg, strings.ReplaceAll(k.Name, "-", " ")+" ")
	best, bestLen := "", 0
	for i := range k.Fields {
		f := &k.Fields[i]
		for _, said := range []string{f.Name, strings.ReplaceAll(f.Name, "_", " "), strings.ToLower(f.Label)} {
			if len(said) > bestLen && strings.HasPrefix(msg, said) && (len(msg) == len(said) || strings.ContainsRune(" :", rune(msg[len(said)]))) {
				best, bestLen = f.Name, len(said)
			}
		}
	}
	if best != "" {
		return best
	}
	if ErrorCode(err) == ECONFLICT && strings.Contains(msg, "already exists") {
		for i := len(k.KeyFields) - 1; i >= 0; i-- {
			if f, _ := k.Field(k.KeyFields[i]); f.Type != RefField {
				return f.Name
			}
		}
		return k.KeyFields[len(k.KeyFields)-1]
	}
	return ""
}
