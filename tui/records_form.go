package tui

import (
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// The Records page's form is made from a kind's declaration: a field per
// kind field, of the huh type its FieldType calls for, checked as typed by
// the field's own Parse. References offer the keys of the kind they name.

type (
	// recordFormMsg brings what a form needs: the record (nil to add one)
	// and the records its references may name, read in a Cmd.
	recordFormMsg struct {
		kind *portfolio.Kind
		key  string // the record's key; "" adds
		rec  portfolio.Record
		refs map[string][]refOption // by the kind they are records of
		err  error
	}
	refOption struct{ key, label string }
)

// bigRef is how many records a reference offers in a list; past it, the
// key is typed (with completion and a check against them), since a huh
// Select draws every option on every frame.
const bigRef = 200

// loadForm reads, in a Cmd, the record to edit (key "" adds one) and the
// keys its references may take.
func (p *recordsPage) loadForm(k *portfolio.Kind, key string) tea.Cmd {
	st, ctx := p.c.Store, p.c.Ctx
	return func() tea.Msg {
		msg := recordFormMsg{kind: k, key: key, rec: k.New(), refs: map[string][]refOption{}}
		if key != "" {
			if msg.rec, msg.err = st.Record(ctx, k, key); msg.err != nil {
				return msg
			}
		}
		for _, f := range k.Fields {
			if f.Type != portfolio.RefField || msg.refs[f.Ref] != nil {
				continue
			}
			ref, err := portfolio.KindNamed(f.Ref)
			if err != nil {
				msg.err = err
				return msg
			}
			recs, err := st.Records(ctx, ref)
			if err != nil {
				msg.err = err
				return msg
			}
			opts := make([]refOption, 0, len(recs))
			for _, r := range recs {
				opts = append(opts, refOption{key: ref.Key(r), label: refLabel(ref, r)})
			}
			msg.refs[f.Ref] = opts
		}
		return msg
	}
}

// refLabel is a record as a reference offers it: its key, and its name or
// title when that is not the key.
func refLabel(k *portfolio.Kind, r portfolio.Record) string {
	label := k.Key(r)
	for _, name := range []string{"name", "title"} {
		if f, ok := k.Field(name); ok && !isKeyField(k, name) {
			if t := f.Text(r); t != "" {
				label += "  " + t
			}
			break
		}
	}
	return label
}

// fieldValue is what one field of the form holds, bound to its huh field;
// a form reopened after a failed save comes back over the same values.
type fieldValue struct {
	f    *portfolio.Field
	text string
	on   bool
	many []string
}

// String is the value as Field.Parse reads it.
func (v *fieldValue) String() string {
	switch v.f.Type {
	case portfolio.BoolField:
		return strconv.FormatBool(v.on)
	case portfolio.ChoicesField:
		return strings.Join(v.many, ",")
	}
	return v.text
}

// openForm opens the form msg brought, unless the user has moved on.
func (p *recordsPage) openForm(msg recordFormMsg) tea.Cmd {
	k := msg.kind
	if p.form != nil || k != p.current() {
		return nil
	}
	if msg.err != nil {
		return status(portfolio.ErrorMessage(msg.err), true)
	}
	for _, f := range k.Fields {
		if f.Type == portfolio.RefField && f.Required && len(msg.refs[f.Ref]) == 0 {
			ref, _ := portfolio.KindNamed(f.Ref)
			return status(fmt.Sprintf("%s needs %s: add one first (%s, in %s)", k.A(), ref.A(), ref.Title,
				groupLabel(ref.Group, false)), true)
		}
	}
	values := make([]*fieldValue, len(k.Fields))
	for i := range k.Fields {
		f := &k.Fields[i]
		v := &fieldValue{f: f, text: f.Text(msg.rec)}
		switch f.Type {
		case portfolio.BoolField:
			v.on, _ = f.Value(msg.rec).(bool)
		case portfolio.ChoicesField:
			v.many, _ = f.Value(msg.rec).([]string)
		}
		values[i] = v
	}
	heading := "New " + k.Noun()
	if msg.key != "" {
		heading = "Edit " + k.Noun() + " " + msg.key
	}
	base, key := msg.rec, msg.key
	submit := func() tea.Cmd {
		texts := make([]string, len(values))
		for i, v := range values {
			texts[i] = v.String()
		}
		return saveRecord(p.c, k, key, base, texts)
	}
	now := p.c.Now()
	checks := &formChecks{fieldOf: k.ErrorField, whole: func(touched func(string) bool) (error, []portfolio.Warning) {
		// As the save will see it, but for the references' rows, which
		// only the store resolves. A required text not yet reached stands
		// in as filled: Validate stops at its first error, and "name is
		// required" would hide what is wrong with the email being typed.
		rec := k.Copy(base)
		for _, v := range values {
			text := v.String()
			if v.f.Required && strings.TrimSpace(text) == "" && !touched(v.f.Name) &&
				(v.f.Type == portfolio.TextField || v.f.Type == portfolio.LongTextField) {
				text = "x"
			}
			if err := v.f.Parse(rec, text); err != nil {
				return err, nil
			}
		}
		return rec.Validate(), portfolio.Warnings(rec, now)
	}}
	f, cmd := newCheckedForm(heading+" (* required)", submit, checks, func() []*huh.Group { return formGroups(k, values, msg.refs, checks) })
	p.form = f
	return cmd
}

// saveRecord writes the record in a Cmd: base with the form's texts parsed
// into it, checked by its Validate, then PutRecord (which checks it again,
// with its references, in the transaction). A failure comes back to the
// form, which reopens with what was typed.
func saveRecord(c *Context, k *portfolio.Kind, key string, base portfolio.Record, texts []string) tea.Cmd {
	return func() tea.Msg {
		rec := k.Copy(base)
		for i := range k.Fields {
			if err := k.Fields[i].Parse(rec, texts[i]); err != nil {
				return savedMsg{err: err}
			}
		}
		if err := rec.Validate(); err != nil {
			return savedMsg{err: err}
		}
		err := c.Store.Update(c.Ctx, c.Actor, func(tx *store.Tx) error {
			_, err := tx.PutRecord(c.Ctx, k, key, rec)
			return err
		})
		verb := "added"
		if key != "" {
			verb = "saved"
		}
		return savedMsg{label: verb + " " + k.Noun() + " " + k.Key(rec), key: k.Key(rec), err: err}
	}
}

// formGroups lays the fields out in groups (pages of the form) short
// enough for an 80×24 terminal.
func formGroups(k *portfolio.Kind, values []*fieldValue, refs map[string][]refOption, checks *formChecks) []*huh.Group {
	var groups []*huh.Group
	var fields []huh.Field
	lines := 0
	for _, v := range values {
		field, height, own := formField(k, v, refs[v.f.Ref])
		field = checks.field(v.f.Name, field, own)
		if len(fields) > 0 && (lines+height > 12 || len(fields) == 5) {
			groups = append(groups, huh.NewGroup(fields...))
			fields, lines = nil, 0
		}
		fields = append(fields, field)
		lines += height
	}
	return append(groups, huh.NewGroup(fields...))
}

// selectHeight is how many options a select shows before it scrolls.
const selectHeight = 6

// formField makes the huh field for v, says about how many lines it
// takes, and gives the check of a typed value (nil for a choice).
func formField(k *portfolio.Kind, v *fieldValue, refs []refOption) (huh.Field, int, func(string) error) {
	f := v.f
	title := f.Label
	if f.Required {
		title += " *"
	}
	desc := fieldHelp(f)
	lines := 2
	if desc != "" {
		lines++
	}
	check := func(s string) error {
		if f.Required && strings.TrimSpace(s) == "" && (f.Type == portfolio.TextField || f.Type == portfolio.LongTextField) {
			return portfolio.Errorf(portfolio.EINVALID, "%s is required", strings.ToLower(f.Label))
		}
		// A scratch record: the form's values are only written on save.
		return f.Parse(k.New(), s)
	}
	switch f.Type {
	case portfolio.LongTextField:
		return huh.NewText().Title(title).Description(desc).Lines(3).CharLimit(4000).Value(&v.text), lines + 2, check
	case portfolio.BoolField:
		return huh.NewConfirm().Title(title).Description(desc).Affirmative("Yes").Negative("No").Value(&v.on), lines, nil
	case portfolio.ChoicesField:
		head := lines - 1
		// The height is given: left to itself, huh takes the title's lines
		// out of the options' and hides the last.
		return huh.NewMultiSelect[string]().Title(title).Description(desc).Options(huh.NewOptions(f.Choices...)...).Value(&v.many).
			Height(head + len(f.Choices)), head + len(f.Choices), nil
	case portfolio.ChoiceField:
		var opts []huh.Option[string]
		if !f.Required {
			opts = append(opts, huh.NewOption("none", ""))
		}
		for _, c := range f.Choices {
			opts = append(opts, huh.NewOption(c, c))
		}
		field, height := selectField(title, desc, opts, &v.text)
		return field, height, nil
	case portfolio.RefField:
		if len(refs) > bigRef {
			field, own := refInput(title, desc, f, refs, &v.text)
			return field, lines, own
		}
		var opts []huh.Option[string]
		if !f.Required {
			opts = append(opts, huh.NewOption("none", ""))
		}
		for _, r := range refs {
			opts = append(opts, huh.NewOption(r.label, r.key))
		}
		field, height := selectField(title, desc, opts, &v.text)
		return field, height, nil
	}
	return huh.NewInput().Title(title).Description(desc).CharLimit(4000).Value(&v.text), lines, check
}

func selectField(title, desc string, opts []huh.Option[string], value *string) (huh.Field, int) {
	s := huh.NewSelect[string]().Title(title).Description(desc).Value(value).Options(opts...)
	head := 1
	if desc != "" {
		head++
	}
	if len(opts) > selectHeight {
		s.Height(head + selectHeight)
		return s, head + selectHeight
	}
	return s, head + len(opts)
}

// refInput takes a reference to one of many records as a typed key,
// completed from their keys and checked against them.
func refInput(title, desc string, f *portfolio.Field, refs []refOption, value *string) (huh.Field, func(string) error) {
	keys := make([]string, len(refs))
	known := make(map[string]bool, len(refs))
	for i, r := range refs {
		keys[i] = r.key
		known[strings.ToLower(r.key)] = true
	}
	if desc != "" {
		desc += "; "
	}
	desc += "type a key (tab completes)"
	return huh.NewInput().Title(title).Description(desc).Suggestions(keys).Value(value), func(s string) error {
		s = strings.TrimSpace(s)
		switch {
		case s == "" && f.Required:
			return portfolio.Errorf(portfolio.EINVALID, "%s is required", strings.ToLower(f.Label))
		case s != "" && !known[strings.ToLower(s)]:
			return portfolio.Errorf(portfolio.EINVALID, "%s: no %s %q", f.Name, f.Ref, s)
		}
		return nil
	}
}

// fieldHelp is the line under a field's title: its own help, and how to
// write its type.
func fieldHelp(f *portfolio.Field) string {
	var parts []string
	if f.Help != "" {
		parts = append(parts, f.Help)
	}
	switch f.Type {
	case portfolio.DateField:
		parts = append(parts, "YYYY-MM-DD")
	case portfolio.TimeField:
		parts = append(parts, "e.g. 2026-12-24T17:30:00-08:00")
	case portfolio.ChoicesField:
		parts = append(parts, "x picks, enter goes on")
	case portfolio.LongTextField:
		parts = append(parts, "alt+enter: new line")
	}
	if f.Optional && f.Help == "" {
		parts = append(parts, "empty: not known")
	}
	return strings.Join(parts, "; ")
}
