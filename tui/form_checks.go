package tui

import (
	"reflect"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"opsdeck/portfolio"
)

// formChecks says under each field of a form what is wrong with its value,
// or suspicious about it, as it is typed: huh checks a field only on enter
// or when it is left, and shows the error at the foot of the page, where a
// long one wrapped to the box's edge.
//
// Each field has its own check (the one huh runs on enter too, which keeps
// enter from going on past an error). whole, if the form has it, checks the
// values together, the way the save will (a record's Validate, and the
// warnings that do not refuse): its error and warnings are shown under the
// field they name. Both are parses and comparisons of what is typed, with
// no store reads, so they run on every key.
type formChecks struct {
	// whole checks all the values as they stand; nil when each field's own
	// check is all there is. touched says whether the user has been in
	// the field called name yet.
	whole func(touched func(name string) bool) (error, []portfolio.Warning)
	// fieldOf names the field of the form an error is about ("" for
	// none): a failed save goes back to it.
	fieldOf func(error) string

	fields []*checkedField
	styles *Styles
	// moved is set when a message has grown or shrunk since the form last
	// fitted its height.
	moved bool
}

// field makes f a checked field called name (the name errors and warnings
// give it): own, if not nil, checks its value alone and becomes huh's
// validation too.
func (c *formChecks) field(name string, f huh.Field, own func(string) error) huh.Field {
	switch x := f.(type) {
	case *huh.Input:
		if own != nil {
			x.Validate(own)
		}
	case *huh.Text:
		if own != nil {
			x.Validate(own)
		}
	}
	cf := &checkedField{Field: f, name: name, own: own, checks: c}
	c.fields = append(c.fields, cf)
	return cf
}

// named is the checked field called name, or nil.
func (c *formChecks) named(name string) *checkedField {
	for _, f := range c.fields {
		if f.name == name {
			return f
		}
	}
	return nil
}

// run checks every field again, and reports whether any field's message
// takes more or fewer lines than before.
func (c *formChecks) run() (relayout bool) {
	var wholeErr error
	var warns []portfolio.Warning
	if c.whole != nil {
		wholeErr, warns = c.whole(func(name string) bool { f := c.named(name); return f != nil && f.touched })
	}
	errField := ""
	if wholeErr != nil && c.fieldOf != nil {
		errField = c.fieldOf(wholeErr)
	}
	// An error that names no field of the form waits for the save, which
	// says it above the form: put under the field being typed, "event
	// needs a departure time" would blame the title.
	for _, f := range c.fields {
		f.msg, f.warn = "", false
		// A warning is about the values as they stand, typed here or not
		// (crew call moved past boarding warns under boarding); an error
		// waits until the field has been reached.
		switch {
		case !f.touched:
		case f.saveErr != "":
			f.msg = f.saveErr
		case f.own != nil && f.ownErr() != nil:
			f.msg = portfolio.ErrorMessage(f.ownErr())
		case errField == f.name:
			f.msg = portfolio.ErrorMessage(wholeErr)
		}
		if f.msg == "" {
			var said []string
			for _, w := range warns {
				if w.Field == f.name {
					said = append(said, w.Message)
				}
			}
			f.msg, f.warn = strings.Join(said, "; "), len(said) > 0
		}
		was := f.lines
		f.lines = 0
		if f.msg != "" {
			f.lines = strings.Count(f.message(), "\n") + 1
		}
		relayout = relayout || f.lines != was
	}
	return relayout
}

// groupLines is how many lines the messages take in each of n groups
// (all zero for a form without checks).
func (c *formChecks) groupLines(n int) []int {
	out := make([]int, n)
	if c == nil {
		return out
	}
	for _, f := range c.fields {
		if f.group < n {
			out[f.group] += f.lines
		}
	}
	return out
}

// checkedField is a huh field with its message drawn under it.
type checkedField struct {
	huh.Field
	name   string
	own    func(string) error
	checks *formChecks
	width  int
	// group is the index of the form's group the field is in.
	group int
	// lines is how many lines its message takes.
	lines int
	// touched is set once the field has had a key or been left: a field
	// not yet reached says nothing of being empty.
	touched bool
	// saveErr is what a failed save said of this field, shown until the
	// field is changed.
	saveErr string
	msg     string
	warn    bool
	// drawn is the message as last drawn, from drawnFrom.
	drawn     string
	drawnFrom drawnMessage
}

func (f *checkedField) ownErr() error {
	if s, ok := f.Field.GetValue().(string); ok {
		return f.own(s)
	}
	return nil
}

// Update passes msg to the field, and keeps itself in the group (huh puts
// back whatever the field's Update returns).
func (f *checkedField) Update(msg tea.Msg) (huh.Model, tea.Cmd) {
	switch msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg:
		// A group gives keys only to the field in focus.
		before := f.Field.GetValue()
		m, cmd := f.Field.Update(msg)
		f.Field = m.(huh.Field)
		f.touched = true
		if f.saveErr != "" && !reflect.DeepEqual(before, f.Field.GetValue()) {
			f.saveErr = ""
		}
		// Now, before the group draws its fields again after this key:
		// checked later, the messages on screen would be a key behind.
		if f.checks.run() {
			f.checks.moved = true
		}
		return f, cmd
	}
	m, cmd := f.Field.Update(msg)
	f.Field = m.(huh.Field)
	return f, cmd
}

func (f *checkedField) Blur() tea.Cmd {
	f.touched = true
	return f.Field.Blur()
}

func (f *checkedField) WithWidth(w int) huh.Field {
	f.width = w
	f.Field.WithWidth(w)
	return f
}

func (f *checkedField) WithTheme(t huh.Theme) huh.Field    { f.Field.WithTheme(t); return f }
func (f *checkedField) WithKeyMap(k *huh.KeyMap) huh.Field { f.Field.WithKeyMap(k); return f }
func (f *checkedField) WithHeight(h int) huh.Field         { f.Field.WithHeight(h); return f }
func (f *checkedField) WithPosition(p huh.FieldPosition) huh.Field {
	f.group = p.Group
	f.Field.WithPosition(p)
	return f
}

// message is the field's message as drawn, kept while what it is drawn
// from stays the same: the group draws every field on every key.
func (f *checkedField) message() string {
	key := drawnMessage{f.msg, f.warn, f.width, f.checks.styles}
	if key != f.drawnFrom {
		f.drawn, f.drawnFrom = fieldMessage(f.checks.styles, f.msg, f.warn, f.width), key
	}
	return f.drawn
}

// drawnMessage is what a field's message is drawn from.
type drawnMessage struct {
	msg    string
	warn   bool
	width  int
	styles *Styles
}

// fieldMessage draws what is said of a field, marked as an error or a
// warning: wrapped within width and indented under the field's text, each
// line past the mark, never from the box's edge.
func fieldMessage(s *Styles, msg string, warn bool, width int) string {
	if msg == "" {
		return ""
	}
	mark, style := "✗ ", lipgloss.NewStyle()
	if s != nil {
		style = s.Error
	}
	if warn {
		mark = "⚠ "
		if s != nil {
			style = s.Warn
		}
	}
	const indent = "  " // the focus bar and its gap
	width = max(width-len(indent)-2, 20)
	lines := strings.Split(lipgloss.Wrap(mark+msg, width, " "), "\n")
	for i, l := range lines {
		if i > 0 {
			l = "  " + l // under the text, past the mark
		}
		lines[i] = indent + style.Render(strings.TrimRight(l, " "))
	}
	return strings.Join(lines, "\n")
}

func (f *checkedField) View() string {
	v := f.Field.View()
	if m := f.message(); m != "" {
		v += "\n" + m
	}
	return v
}
