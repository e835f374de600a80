package portfolio

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Money is an amount in US cents. Integer cents keep sums and the
// break-even division exact.
type Money int64

// Dollars returns d whole dollars as Money.
func Dollars(d int64) Money { return Money(d * 100) }

// String formats m as dollars with thousands separators, showing cents
// only when there are some: $8,900 or $12.50.
func (m Money) String() string {
	neg := m < 0
	if neg {
		m = -m
	}
	whole := groupThousands(int64(m) / 100)
	s := "$" + whole
	if c := int64(m) % 100; c != 0 {
		s += fmt.Sprintf(".%02d", c)
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Plain writes m as a plain number of dollars, as a file or a script
// writes it: 8900, 12.5, -0.25.
func (m Money) Plain() string { return FormatNumber(float64(m) / 100) }

// Short formats m compactly for tight columns: $950, $8.9K, $1.2M.
func (m Money) Short() string {
	d := float64(m) / 100
	switch a := math.Abs(d); {
	case a >= 1e6:
		return "$" + trimZero(strconv.FormatFloat(d/1e6, 'f', 1, 64)) + "M"
	case a >= 1e4:
		return "$" + strconv.FormatFloat(math.Round(d/1e3), 'f', 0, 64) + "K"
	case a >= 1e3:
		return "$" + trimZero(strconv.FormatFloat(d/1e3, 'f', 1, 64)) + "K"
	default:
		return Money(math.Round(d) * 100).String()
	}
}

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// MaxMoney is the largest amount ParseMoney reads, either way of zero: ten
// trillion dollars, small enough that every amount up to it is written by
// Plain exactly and read back the same.
const MaxMoney = Money(1e15)

// ParseMoney reads a dollar amount as people type it: "2400", "$2,400.50",
// "-$12.5", "2.4k", "1M". It is refused when it is no number, a
// percentage, finer than a cent ("12.345": rounding it would change what
// was typed) or larger than MaxMoney.
func ParseMoney(s string) (Money, error) {
	t := strings.TrimSpace(s)
	shift := 2 // the cents of a dollar; a thousand more for k, a million for m
	switch {
	case strings.HasSuffix(t, "k") || strings.HasSuffix(t, "K"):
		shift, t = 5, t[:len(t)-1]
	case strings.HasSuffix(t, "m") || strings.HasSuffix(t, "M"):
		shift, t = 8, t[:len(t)-1]
	}
	text, ok := plainNumber(t)
	if !ok || strings.HasSuffix(t, "%") {
		return 0, Errorf(EINVALID, "%q is not a dollar amount", s)
	}
	// Exactly, in decimal: the value is digits × 10^-scale cents.
	neg := text[0] == '-'
	mantissa, exponent, _ := strings.Cut(strings.ToLower(strings.TrimLeft(text, "+-")), "e")
	whole, frac, _ := strings.Cut(mantissa, ".")
	digits := strings.TrimLeft(whole+frac, "0")
	if digits == "" {
		return 0, nil
	}
	tooLarge := Errorf(EINVALID, "%q is too large (at most %s)", s, MaxMoney)
	exp := 0
	if exponent != "" {
		var err error
		exp, err = strconv.Atoi(strings.TrimPrefix(exponent, "+"))
		switch {
		case (err != nil || exp > 1000) && !strings.HasPrefix(exponent, "-"):
			return 0, tooLarge
		case err != nil || exp < -1000:
			return 0, Errorf(EINVALID, "%q has more than cents", s)
		}
	}
	scale := len(frac) - exp - shift
	switch {
	case scale > 0:
		if len(digits)-len(strings.TrimRight(digits, "0")) < scale {
			return 0, Errorf(EINVALID, "%q has more than cents", s)
		}
		digits = digits[:len(digits)-scale]
	case len(digits)-scale > 16:
		return 0, tooLarge
	default:
		digits += strings.Repeat("0", -scale)
	}
	cents, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || cents > int64(MaxMoney) {
		return 0, tooLarge
	}
	if neg {
		cents = -cents
	}
	return Money(cents), nil
}

// thousands matches digits grouped by commas in threes: 1,234,567.5.
var thousands = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$`)

// decimal matches a plain decimal number, with an exponent if it has one:
// 12, 12.5, .5, 12., 1.5e3.
var decimal = regexp.MustCompile(`^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$`)

// plainNumber is s as strconv reads it, without what people write around
// a number: a sign, then a dollar sign, commas between thousands, a
// percent sign. It is false when what is left is no plain decimal number
// (hex, NaN, "1_000", "2,5").
func plainNumber(s string) (string, bool) {
	t := strings.TrimSpace(s)
	sign := ""
	if strings.HasPrefix(t, "-") || strings.HasPrefix(t, "+") {
		sign, t = t[:1], t[1:]
	}
	t = strings.TrimSuffix(strings.TrimPrefix(t, "$"), "%")
	if strings.Contains(t, ",") {
		if !thousands.MatchString(t) {
			return "", false
		}
		t = strings.ReplaceAll(t, ",", "")
	}
	if !decimal.MatchString(t) {
		return "", false
	}
	return sign + t, true
}

// ParseNumber reads a number as people type it: "1234.5", "1,234.5",
// "$2,400", "96%", "-0.25", "1.5e3". A comma is only a thousands
// separator ("2,5" is not two and a half, nor twenty-five), and NaN,
// infinities and numbers too large for a float64 are not numbers.
func ParseNumber(s string) (float64, error) {
	text, ok := plainNumber(s)
	if !ok {
		return 0, Errorf(EINVALID, "%q is not a number", s)
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, Errorf(EINVALID, "%q is not a number", s)
	}
	if f == 0 {
		return 0, nil // not -0, which would be written "-0"
	}
	return f, nil
}

// wholeThousands matches a whole number grouped by commas in threes.
var wholeThousands = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+$`)

// ParseWhole reads a whole number as people type it: "12", "-3",
// "12,000". As in ParseNumber a comma only separates thousands ("1,23" is
// refused, not read as 123).
func ParseWhole(s string) (int64, error) {
	t := strings.TrimSpace(s)
	sign := ""
	if strings.HasPrefix(t, "-") || strings.HasPrefix(t, "+") {
		sign, t = t[:1], t[1:]
	}
	if strings.Contains(t, ",") {
		if !wholeThousands.MatchString(t) {
			return 0, Errorf(EINVALID, "%q is not a whole number", s)
		}
		t = strings.ReplaceAll(t, ",", "")
	}
	if t == "" || strings.Trim(t, "0123456789") != "" {
		return 0, Errorf(EINVALID, "%q is not a whole number", s)
	}
	n, err := strconv.ParseInt(sign+t, 10, 64)
	if err != nil {
		return 0, Errorf(EINVALID, "%q is too large for a whole number", s)
	}
	return n, nil
}

// ParseBool reads yes or no as people and files write it: yes, no, y, n,
// true, false, on, off, 1, 0, in any case.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "y", "1", "on":
		return true, nil
	case "false", "no", "n", "0", "off":
		return false, nil
	}
	return false, Errorf(EINVALID, "%q is not yes or no", s)
}

// Date is a calendar day without a time zone (due dates, opened-on dates).
// The zero Date means "no date".
type Date struct{ t time.Time }

// DateOf returns the calendar day of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// NewDate returns the given calendar day.
func NewDate(y int, m time.Month, d int) Date {
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		if w := DateWords(s); w != "" {
			return Date{}, Errorf(EINVALID, "%q is not a date: %s", s, w)
		}
		return Date{}, Errorf(EINVALID, "%q is not a date (want YYYY-MM-DD)", s)
	}
	return Date{t}, nil
}

// IsZero reports whether d is "no date".
func (d Date) IsZero() bool { return d.t.IsZero() }

// String returns YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time { return d.t }

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// DaysUntil returns the whole days from d to e (negative if e is earlier).
func (d Date) DaysUntil(e Date) int { return int(e.t.Sub(d.t).Hours() / 24) }

// MarshalJSON writes "YYYY-MM-DD" or null.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "YYYY-MM-DD" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseDate(s)
	*d = v
	return err
}

// ReportRole is one of the five executive roles a report is written for.
type ReportRole string

// The report roles, in the order reports are listed.
const (
	RoleCEO        ReportRole = "ceo"
	RoleCTO        ReportRole = "cto"
	RoleCMO        ReportRole = "cmo"
	RoleCFO        ReportRole = "cfo"
	RoleAccounting ReportRole = "accounting"
)

// ReportRoles lists every report role in display order.
var ReportRoles = []ReportRole{RoleCEO, RoleCTO, RoleCMO, RoleCFO, RoleAccounting}

// ParseReportRole accepts a role name in any case ("CFO", "cfo").
func ParseReportRole(s string) (ReportRole, error) {
	r := ReportRole(strings.ToLower(strings.TrimSpace(s)))
	if r.Valid() {
		return r, nil
	}
	return "", Errorf(EINVALID, "unknown role %q (want one of ceo, cto, cmo, cfo, accounting)", s)
}

// Valid reports whether r is a known role.
func (r ReportRole) Valid() bool {
	switch r {
	case RoleCEO, RoleCTO, RoleCMO, RoleCFO, RoleAccounting:
		return true
	}
	return false
}

// Title is the role as people write it: CEO, CFO, Accounting.
func (r ReportRole) Title() string {
	if r == RoleAccounting {
		return "Accounting"
	}
	return strings.ToUpper(string(r))
}

// AccessRole is what a person may do on an event's checklist.
type AccessRole string

// The access roles, most to least privileged.
const (
	AccessAdmin   AccessRole = "admin"
	AccessCaptain AccessRole = "captain"
	AccessCrew    AccessRole = "crew"
	AccessGuest   AccessRole = "guest"
)

// Valid reports whether r is a known access role.
func (r AccessRole) Valid() bool {
	switch r {
	case AccessAdmin, AccessCaptain, AccessCrew, AccessGuest:
		return true
	}
	return false
}

// Severity grades shortfalls, findings and gaps.
type Severity string

// Severities, worst first.
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
)

// Severities lists every severity, worst first.
var Severities = []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow}

// Rank orders severities: 0 for critical, 3 for low, 4 for unknown.
func (s Severity) Rank() int {
	for i, v := range Severities {
		if v == s {
			return i
		}
	}
	return len(Severities)
}

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool { return s.Rank() < len(Severities) }

// checkFinite rejects NaN and ±Inf, which SQLite would store and every
// later sum would then carry.
func checkFinite(field string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Errorf(EINVALID, "%s must be a finite number, not %v", field, v)
	}
	return nil
}

// checkText rejects empty required text and overlong input.
func checkText(field, v string, required bool, maxLen int) error {
	if required && strings.TrimSpace(v) == "" {
		return Errorf(EINVALID, "%s is required", field)
	}
	if len(v) > maxLen {
		return Errorf(EINVALID, "%s is too long (%d characters, at most %d)", field, len(v), maxLen)
	}
	return nil
}

// Plural says how many there are of something: Plural(1, "charter",
// "charters") is "1 charter", Plural(6, ...) "6 charters". An empty many
// is made from one by PluralOf.
func Plural(n int64, one, many string) string {
	if many == "" {
		many = PluralOf(one)
	}
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}

// Slug makes a key from a title: "Zero OTA listings!" is
// "zero-ota-listings". Letters and digits stay (lower-cased), runs of
// anything else become one dash, and a long one is cut at a word to at
// most 48 characters.
func Slug(title string) string {
	const most = 48
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	s := b.String()
	if len(s) > most {
		s = s[:most+1]
		if i := strings.LastIndexByte(s, '-'); i > 0 {
			s = s[:i]
		} else {
			s = s[:most]
		}
	}
	if s == "" {
		return "record"
	}
	return s
}

// irregular are the plurals an owner's unit of sale may need that the
// rules in PluralOf do not make.
var irregular = map[string]string{
	"person": "people", "child": "children", "man": "men", "woman": "women", "foot": "feet", "tooth": "teeth",
	"mouse": "mice", "goose": "geese", "loaf": "loaves", "leaf": "leaves", "half": "halves", "shelf": "shelves",
	"calf": "calves", "wolf": "wolves", "knife": "knives", "life": "lives", "wife": "wives", "thief": "thieves",
	"sheep": "sheep", "fish": "fish", "series": "series", "species": "species", "hero": "heroes", "potato": "potatoes",
	"tomato": "tomatoes", "cargo": "cargoes", "echo": "echoes",
}

// PluralOf is the plural of an English noun as an owner names a unit of
// sale ("charter", "guest night", "bus", "delivery", "loaf"): the last
// word is made plural, by the common rules and a list of irregular ones.
func PluralOf(noun string) string {
	head, word := "", noun
	if i := strings.LastIndexByte(noun, ' '); i >= 0 {
		head, word = noun[:i+1], noun[i+1:]
	}
	lower := strings.ToLower(word)
	if p, ok := irregular[lower]; ok {
		if word != lower && len(word) > 0 && strings.ToUpper(word[:1]) == word[:1] {
			p = strings.ToUpper(p[:1]) + p[1:]
		}
		return head + p
	}
	switch {
	case word == "":
		return noun
	case strings.HasSuffix(lower, "s") || strings.HasSuffix(lower, "x") || strings.HasSuffix(lower, "z") ||
		strings.HasSuffix(lower, "ch") || strings.HasSuffix(lower, "sh"):
		return head + word + "es"
	case len(lower) > 1 && lower[len(lower)-1] == 'y' && !strings.ContainsRune("aeiou", rune(lower[len(lower)-2])):
		return head + word[:len(word)-1] + "ies"
	}
	return head + word + "s"
}
