package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"opsdeck/portfolio"
)

// The record verbs (list, add, edit, rm) have one subcommand per kind,
// made from the kind's declaration: its fields become flags, with the
// values a choice or a reference may take offered by shell completion.

// kindCommands makes verb's subcommand for every kind. A kind may also be
// named by its plural, as the portfolio file's sections and opsdeck kinds
// name it (list kpis, list cost_lines, list cost-lines); help shows the
// name alone.
func kindCommands(verb *cobra.Command, make func(k *portfolio.Kind) *cobra.Command) *cobra.Command {
	for _, k := range portfolio.Kinds {
		cmd := make(k)
		cmd.Aliases = kindAliases(k)
		verb.AddCommand(cmd)
	}
	verb.Annotations = map[string]string{groupAnnotation: "kind"}
	return verb
}

// kindAliases are the other names of k that portfolio.KindNamed takes.
func kindAliases(k *portfolio.Kind) []string {
	var out []string
	for _, a := range []string{k.Plural, strings.ReplaceAll(k.Plural, "_", "-")} {
		if a != k.Name && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// fieldFlags declares a flag for every field of k (--monthly-impact, or
// --monthly_impact as the portfolio file writes it).
func (m *Main) fieldFlags(cmd *cobra.Command, k *portfolio.Kind) {
	fs := cmd.Flags()
	fs.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		return pflag.NormalizedName(strings.ReplaceAll(name, "_", "-"))
	})
	// In the kind's order, as opsdeck kinds lists them.
	fs.SortFlags = false
	for _, f := range k.Fields {
		usage := f.Label
		if f.Help != "" {
			usage += ": " + f.Help
		}
		switch {
		case f.Type == portfolio.BoolField:
			// Any of the words the portfolio file takes (yes, no, on,
			// off...), read by the field itself; alone, true.
			fs.Var(new(boolText), f.Name, usage)
			fs.Lookup(f.Name).NoOptDefVal = "true"
		case len(f.Choices) > 0:
			fs.Var(&fieldText{typ: string(f.Type)}, f.Name, usage+" ("+strings.Join(f.Choices, ", ")+")")
			choices := f.Choices
			_ = cmd.RegisterFlagCompletionFunc(f.Name, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
				return choices, cobra.ShellCompDirectiveNoFileComp
			})
		default:
			fs.Var(&fieldText{typ: flagType(f)}, f.Name, usage)
			if f.Type == portfolio.RefField {
				ref, _ := portfolio.KindNamed(f.Ref)
				_ = cmd.RegisterFlagCompletionFunc(f.Name, m.completeKeys(ref))
			}
		}
	}
}

// fieldText is a field's flag: the text as given, read by the field once
// every flag is in. Its type is the field's, for help: --low money.
type fieldText struct{ text, typ string }

func (t *fieldText) String() string     { return t.text }
func (t *fieldText) Set(s string) error { t.text = s; return nil }
func (t *fieldText) Type() string       { return t.typ }

// flagType names a field's kind of value in help.
func flagType(f portfolio.Field) string {
	switch f.Type {
	case portfolio.LongTextField:
		return "text"
	case portfolio.RefField:
		return "key"
	}
	return string(f.Type)
}

// fieldArgs checks that a command with k's field flags has n arguments.
// A word left over after a yes-or-no field's flag (--mandatory no) was
// meant as its value, which such a flag takes only after =.
func fieldArgs(k *portfolio.Kind, n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			for i := range k.Fields {
				f := &k.Fields[i]
				flag := cmd.Flags().Lookup(strings.ReplaceAll(f.Name, "_", "-"))
				if f.Type != portfolio.BoolField || flag == nil || !flag.Changed {
					continue
				}
				for _, a := range args {
					if _, err := portfolio.ParseBool(a); err == nil {
						return usagef("--%s takes its value after =: --%s=%s (alone it means yes)", flag.Name, flag.Name, a)
					}
				}
			}
		}
		if n == 0 {
			return noArgs(cmd, args)
		}
		return exactArgs(n)(cmd, args)
	}
}

// boolText is a bool field's flag: the text as given, left to the field
// to read, so --mandatory=yes is as good as mandatory: yes in a file.
type boolText string

func (b *boolText) String() string     { return string(*b) }
func (b *boolText) Set(s string) error { *b = boolText(s); return nil }
func (b *boolText) Type() string       { return "bool" }
func (b *boolText) IsBoolFlag() bool   { return true }

// fieldDefault is what field f of a new record of kind k holds when it is
// not given: the kind's default ("medium", "0"), or, for a field the store
// fills, what its help says it gets ("empty: today"); "" for none.
func fieldDefault(k *portfolio.Kind, f *portfolio.Field) string {
	if f.Filled {
		_, last := filledHelp(f)
		return last
	}
	return f.Text(k.New())
}

// filledHelp splits a filled field's help into what it is and, in its last
// clause, what the store gives it: "order among entities" and "0 goes
// last"; "" and "today" for "empty: today".
func filledHelp(f *portfolio.Field) (what, given string) {
	i := strings.LastIndex(f.Help, "; ")
	if i < 0 {
		return "", strings.TrimPrefix(f.Help, "empty: ")
	}
	return f.Help[:i], strings.TrimPrefix(f.Help[i+2:], "empty: ")
}

// mustGive reports whether a new record of kind k must be given field f:
// it is required and has no default, nor is it filled by the store.
func mustGive(k *portfolio.Kind, f *portfolio.Field) bool {
	return f.Required && !f.Filled && f.Text(k.New()) == ""
}

// applyFlags parses the fields given on the command line into rec and
// returns their names, in declaration order.
func applyFlags(cmd *cobra.Command, k *portfolio.Kind, rec portfolio.Record) ([]string, error) {
	var given []string
	for i := range k.Fields {
		f := &k.Fields[i]
		flag := cmd.Flags().Lookup(strings.ReplaceAll(f.Name, "_", "-"))
		if flag == nil || !flag.Changed {
			continue
		}
		if err := f.Parse(rec, flag.Value.String()); err != nil {
			return nil, usageError{err}
		}
		given = append(given, f.Name)
	}
	return given, nil
}

// completeKeys offers the keys of k's records, from a database that
// exists (completion never creates one).
func (m *Main) completeKeys(k *portfolio.Kind) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if m.cfg == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		if path, _, err := m.cfg.dbPath(); err != nil || !fileExists(path) {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		s, err := m.openStore(cmd.Context(), true)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		recs, err := s.Records(cmd.Context(), k)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		var keys []string
		for _, r := range recs {
			keys = append(keys, k.Key(r))
		}
		return filterPrefix(keys, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

func fileExists(path string) bool {
	st, err := os.Stat(filepath.Clean(path))
	return err == nil && st.Mode().IsRegular()
}

// recordJSON writes a record as a JSON object, its key (as record_key)
// first and then its fields in declaration order: money as integer cents in a field whose
// name ends in _cents, numbers as numbers, an absent value as null.
func recordJSON(k *portfolio.Kind, r portfolio.Record) json.RawMessage {
	var b bytes.Buffer
	b.WriteString(`{"record_key":`)
	writeJSONValue(&b, k.Key(r))
	for i := range k.Fields {
		f := &k.Fields[i]
		name := f.Name
		v := f.Value(r)
		if f.Type == portfolio.MoneyField {
			name += "_cents"
			if m, ok := v.(portfolio.Money); ok {
				v = int64(m)
			}
		}
		switch x := v.(type) {
		case portfolio.Date:
			if x.IsZero() {
				v = nil
			} else {
				v = x.String()
			}
		case []string:
			if x == nil {
				v = []string{}
			}
		}
		if f.Type == portfolio.TimeField && f.Text(r) == "" {
			v = nil
		}
		b.WriteString(",")
		writeJSONValue(&b, name)
		b.WriteString(":")
		writeJSONValue(&b, v)
	}
	b.WriteString("}")
	return b.Bytes()
}

func writeJSONValue(b *bytes.Buffer, v any) {
	out, err := json.Marshal(v)
	if err != nil {
		panic(err) // every field value is plain data
	}
	b.Write(out)
}

// recordLine is a record as one row of `opsdeck list`: its key, then its
// short fields.
func recordLine(k *portfolio.Kind, r portfolio.Record) string {
	cells := []string{k.Key(r)}
	for _, f := range listedFields(k) {
		text := f.Text(r)
		if f.Type == portfolio.MoneyField && text != "" {
			text = f.Value(r).(portfolio.Money).String()
		}
		if len([]rune(text)) > 40 {
			text = string([]rune(text)[:39]) + "…"
		}
		cells = append(cells, text)
	}
	return strings.Join(cells, "\t")
}

// listedFields are the fields `opsdeck list` shows as columns: the short
// ones that are not part of the key, which the KEY column already shows
// (a KPI's entity and key as JADA/charters).
func listedFields(k *portfolio.Kind) []*portfolio.Field {
	var out []*portfolio.Field
	for i := range k.Fields {
		f := &k.Fields[i]
		if f.Type == portfolio.LongTextField || slices.Contains(k.KeyFields, f.Name) {
			continue
		}
		if len(out) < 7 {
			out = append(out, f)
		}
	}
	return out
}

func listHeader(k *portfolio.Kind) string {
	cells := []string{"KEY"}
	for _, f := range listedFields(k) {
		cells = append(cells, strings.ToUpper(strings.ReplaceAll(f.Name, "_", " ")))
	}
	return strings.Join(cells, "\t")
}

// describeChange says what changed in a record, field by field.
func describeChange(k *portfolio.Kind, before, after portfolio.Record, fields []string) string {
	var parts []string
	for _, name := range fields {
		f, _ := k.Field(name)
		parts = append(parts, fmt.Sprintf("%s %s → %s", name, quoteOrNone(f.Text(before)), quoteOrNone(f.Text(after))))
	}
	return strings.Join(parts, ", ")
}

// describeValues says what fields of a record hold: name "Harbor",
// actual none.
func describeValues(k *portfolio.Kind, r portfolio.Record, fields []string) string {
	var parts []string
	for _, name := range fields {
		f, _ := k.Field(name)
		parts = append(parts, name+" "+quoteOrNone(f.Text(r)))
	}
	return strings.Join(parts, ", ")
}

func quoteOrNone(s string) string {
	if s == "" {
		return "none"
	}
	return fmt.Sprintf("%q", s)
}
