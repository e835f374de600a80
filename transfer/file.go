// Package transfer moves a portfolio in and out of the store: the
// portfolio file (YAML or JSON, everything the reports read, the people
// and the events) and spreadsheet rows (CSV). Both go through the record
// kinds declared in portfolio, so a field added there is in the file too.
package transfer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// Format is how a portfolio file is written.
type Format string

// Formats.
const (
	YAML Format = "yaml"
	JSON Format = "json"
)

// ParseFormat reads a format name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case YAML, JSON:
		return f, nil
	case "yml":
		return YAML, nil
	}
	return "", portfolio.Errorf(portfolio.EINVALID, "format %q must be yaml or json", s)
}

// versionKey names the file's format version; every file starts with it.
const versionKey = "opsdeck_portfolio"

const fileVersion = 1

const fileComment = `An opsdeck portfolio: everything the reports read, the people and the events.
Edit it, then bring it back with: opsdeck import FILE (add --dry-run to see
what would change first). Money is in dollars, times are RFC 3339, and a
field left out takes its default (opsdeck kinds KIND shows each kind's).`

// section is one kind's records in file order, each as its fields' text.
type section struct {
	kind    *portfolio.Kind
	records []portfolio.Record
}

// sections reads the store into file order: kinds in declaration order,
// and within a kind the records grouped by the records their key refers
// to, in those records' own order, so the order does not depend on row ids
// (a file imported and exported again comes out the same).
func sections(recs map[string][]portfolio.Record) []section {
	rank := map[string]map[string]int{}
	var out []section
	for _, k := range portfolio.Kinds {
		rs := append([]portfolio.Record{}, recs[k.Name]...)
		var refs []*portfolio.Field
		for _, name := range k.KeyFields {
			if f, _ := k.Field(name); f.Type == portfolio.RefField {
				refs = append(refs, f)
			}
		}
		if len(refs) > 0 {
			// Each record's place among the records it refers to, worked
			// out once, not in every comparison of the sort.
			places := make([][]int, len(rs))
			order := make([]int, len(rs))
			for i, r := range rs {
				order[i] = i
				for _, f := range refs {
					places[i] = append(places[i], rank[f.Ref][strings.ToLower(f.Text(r))])
				}
			}
			sort.SliceStable(order, func(a, b int) bool {
				pa, pb := places[order[a]], places[order[b]]
				for x := range pa {
					if pa[x] != pb[x] {
						return pa[x] < pb[x]
					}
				}
				return false
			})
			sorted := make([]portfolio.Record, len(rs))
			for i, o := range order {
				sorted[i] = rs[o]
			}
			rs = sorted
		}
		rank[k.Name] = map[string]int{}
		for i, r := range rs {
			rank[k.Name][strings.ToLower(k.Key(r))] = i
		}
		if len(rs) > 0 {
			out = append(out, section{k, rs})
		}
	}
	return out
}

// Export writes the whole portfolio to w as a portfolio file.
func Export(ctx context.Context, s *store.Store, w io.Writer, f Format) error {
	name, recs, err := s.Portfolio(ctx)
	if err != nil {
		return fmt.Errorf("read the portfolio: %w", err)
	}
	secs := sections(recs)
	if f == JSON {
		return writeJSON(w, name, secs)
	}
	return writeYAML(w, name, secs)
}

// fieldsWritten are the fields of r a file writes: its key, and the fields
// that differ from a new record's (a field left out means the default).
func fieldsWritten(k *portfolio.Kind, r portfolio.Record) []*portfolio.Field {
	fresh := k.New()
	var out []*portfolio.Field
	for i := range k.Fields {
		f := &k.Fields[i]
		if f.Text(r) != f.Text(fresh) || isKeyField(k, f.Name) {
			out = append(out, f)
		}
	}
	return out
}

func isKeyField(k *portfolio.Kind, name string) bool {
	for _, n := range k.KeyFields {
		if n == name {
			return true
		}
	}
	return false
}

func writeYAML(w io.Writer, name string, secs []section) error {
	pair := func(m *yaml.Node, key string, value *yaml.Node) {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, value)
	}
	head := &yaml.Node{Kind: yaml.MappingNode, HeadComment: fileComment}
	pair(head, versionKey, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(fileVersion)})
	if name != "" {
		pair(head, "name", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name})
	}
	out := bufio.NewWriter(w)
	if err := encodeYAML(out, head, ""); err != nil {
		return err
	}
	// Record by record: the YAML emitter, handed the whole portfolio as one
	// document, used memory growing faster than the portfolio (1.4 GB for
	// a hundred demos). Each record is the one item of a sequence, moved
	// in under its section's key as the emitter would have put it.
	for _, sec := range secs {
		out.WriteString(sec.kind.Plural + ":\n")
		for _, r := range sec.records {
			m := &yaml.Node{Kind: yaml.MappingNode}
			for _, f := range fieldsWritten(sec.kind, r) {
				pair(m, f.Name, yamlValue(f, r))
			}
			if err := encodeYAML(out, &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{m}}, "  "); err != nil {
				return err
			}
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write the portfolio file: %w", err)
	}
	return nil
}

// encodeYAML writes n as YAML indented by two, each line after indent.
func encodeYAML(w *bufio.Writer, n *yaml.Node, indent string) error {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{n}}); err != nil {
		return fmt.Errorf("write the portfolio file: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("write the portfolio file: %w", err)
	}
	for line := range bytes.Lines(b.Bytes()) {
		if indent != "" && len(bytes.TrimRight(line, "\n")) > 0 {
			w.WriteString(indent)
		}
		w.Write(line)
	}
	return nil
}

func yamlValue(f *portfolio.Field, r portfolio.Record) *yaml.Node {
	text := f.Text(r)
	switch f.Type {
	case portfolio.IntField:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: text}
	case portfolio.NumberField, portfolio.MoneyField:
		tag := "!!int"
		if strings.ContainsAny(text, ".e") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: text}
	case portfolio.BoolField:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: text}
	case portfolio.ChoicesField:
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, v := range f.Value(r).([]string) {
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v})
		}
		return seq
	}
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: text}
	if strings.Contains(text, "\n") {
		n.Style = yaml.LiteralStyle
	}
	return n
}

func writeJSON(w io.Writer, name string, secs []section) error {
	var b bytes.Buffer
	put := func(v any) {
		out, _ := json.Marshal(v)
		b.Write(out)
	}
	b.WriteString("{\n  ")
	put(versionKey)
	fmt.Fprintf(&b, ": %d", fileVersion)
	if name != "" {
		b.WriteString(",\n  ")
		put("name")
		b.WriteString(": ")
		put(name)
	}
	for _, sec := range secs {
		b.WriteString(",\n  ")
		put(sec.kind.Plural)
		b.WriteString(": [")
		for i, r := range sec.records {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n    {")
			for j, f := range fieldsWritten(sec.kind, r) {
				if j > 0 {
					b.WriteString(", ")
				}
				put(f.Name)
				b.WriteString(": ")
				b.Write(jsonValue(f, r))
			}
			b.WriteString("}")
		}
		b.WriteString("\n  ]")
	}
	b.WriteString("\n}\n")
	_, err := w.Write(b.Bytes())
	return err
}

func jsonValue(f *portfolio.Field, r portfolio.Record) []byte {
	text := f.Text(r)
	switch f.Type {
	case portfolio.IntField, portfolio.NumberField, portfolio.MoneyField, portfolio.BoolField:
		return []byte(text)
	case portfolio.ChoicesField:
		out, _ := json.Marshal(f.Value(r))
		return out
	}
	out, _ := json.Marshal(text)
	return out
}

// parsed is a record read from a file, with where it stands in it.
type parsed struct {
	kind *portfolio.Kind
	rec  portfolio.Record
	line int
	// given names the fields a spreadsheet row has columns for; nil for a
	// portfolio file, where a field left out takes its default.
	given map[string]bool
}

// document is a portfolio file read and checked, not yet applied.
type document struct {
	name     string
	hasName  bool
	records  []parsed
	sections map[string]bool // the kinds the file has a section for
}

// Problems are the mistakes found in a file, each with its line.
type Problems struct {
	File string
	List []Problem
}

// Problem is one mistake in a file.
type Problem struct {
	Line    int
	Message string
}

func (p *Problems) add(line int, format string, args ...any) {
	p.List = append(p.List, Problem{line, fmt.Sprintf(format, args...)})
}

func (p *Problems) Error() string {
	var lines []string
	for i, pr := range p.List {
		if i == 20 {
			lines = append(lines, fmt.Sprintf("and %d more", len(p.List)-20))
			break
		}
		lines = append(lines, fmt.Sprintf("%s:%d: %s", p.File, pr.Line, pr.Message))
	}
	return strings.Join(lines, "\n")
}

// Unwrap makes the problems invalid input, for exit statuses and HTTP.
func (p *Problems) Unwrap() error {
	return portfolio.Errorf(portfolio.EINVALID, "%s has %s", p.File, portfolio.Plural(int64(len(p.List)), "mistake", "mistakes"))
}

// parse reads a portfolio file (YAML, or JSON, which YAML reads too),
// checking its shape and every value it holds. The document holds the
// records that read well, the problems the rest; it is nil when the file
// is not a portfolio file at all.
func parse(name string, data []byte) (*document, *Problems) {
	probs := &Problems{File: name}
	if looksLikeJSON(name, data) {
		// The YAML parser reads JSON too, but it places a JSON syntax
		// error at the start of the object around it; the JSON decoder
		// knows the byte.
		if line, msg, bad := jsonSyntax(data); bad {
			probs.add(line, "%s", msg)
			return nil, probs
		}
	}
	var top yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&top); err != nil && !errors.Is(err, io.EOF) {
		line, msg := yamlSyntax(data, err)
		probs.add(line, "%s", msg)
		return nil, probs
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		// A second document would be silently left out.
		probs.add(max(1, next.Line), "a second document (after ---); a portfolio file holds one")
		return nil, probs
	}
	if len(top.Content) == 0 || top.Content[0].Kind != yaml.MappingNode {
		probs.add(max(1, top.Line), "not a portfolio file: it must be a mapping that starts with %s: %d", versionKey, fileVersion)
		return nil, probs
	}
	root := top.Content[0]
	if !hasKey(root, versionKey) {
		// Some other YAML: say so once, not once for each of its keys.
		probs.add(root.Line, "not a portfolio file: it must start with %s: %d", versionKey, fileVersion)
		return nil, probs
	}
	doc := &document{sections: map[string]bool{}}
	version := false
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		if at, dup := seen[key.Value]; dup {
			probs.add(key.Line, "%s is given twice (first on line %d)", key.Value, at)
			continue
		}
		seen[key.Value] = key.Line
		switch key.Value {
		case versionKey:
			if value.Value != strconv.Itoa(fileVersion) {
				probs.add(value.Line, "%s %s is not a version this opsdeck reads (%d)", versionKey, value.Value, fileVersion)
			}
			version = true
			continue
		case "name":
			if value.Kind != yaml.ScalarNode {
				probs.add(value.Line, "name must be text")
				continue
			}
			doc.name, doc.hasName = value.Value, true
			continue
		}
		k, err := portfolio.KindNamed(key.Value)
		if err != nil {
			probs.add(key.Line, "%s is not a section of a portfolio file (opsdeck kinds lists them)", key.Value)
			continue
		}
		doc.sections[k.Name] = true
		if value.Kind == yaml.ScalarNode && (value.Tag == "!!null" || value.Value == "") {
			continue // an empty section
		}
		if value.Kind != yaml.SequenceNode {
			probs.add(value.Line, "%s must be a list of records", key.Value)
			continue
		}
		for _, item := range value.Content {
			if rec, ok := parseRecord(k, item, probs); ok {
				doc.records = append(doc.records, parsed{kind: k, rec: rec, line: item.Line})
			}
		}
	}
	if !version {
		probs.add(root.Line, "not a portfolio file: it must start with %s: %d", versionKey, fileVersion)
		return nil, probs
	}
	return doc, probs
}

func hasKey(m *yaml.Node, key string) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return true
		}
	}
	return false
}

func looksLikeJSON(name string, data []byte) bool {
	if strings.EqualFold(pathExt(name), ".json") {
		return true
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '{'
}

// jsonSyntax finds the line of a JSON syntax error, if there is one.
func jsonSyntax(data []byte) (line int, msg string, bad bool) {
	lineAt := func(offset int64) int { return 1 + bytes.Count(data[:min(int(offset), len(data))], []byte("\n")) }
	dec := json.NewDecoder(bytes.NewReader(data))
	depth, values := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if depth > 0 {
				return lineAt(int64(len(bytes.TrimRight(data, " \t\r\n")))), "the file ends inside an object or a list (a } or ] is missing)", true
			}
			return 0, "", false
		}
		if err == nil {
			switch tok {
			case json.Delim('{'), json.Delim('['):
				depth++
			case json.Delim('}'), json.Delim(']'):
				depth--
			}
			if depth == 0 {
				if values++; values == 2 {
					return lineAt(dec.InputOffset()), "a second value after the portfolio; a file holds one", true
				}
			}
			continue
		}
		var se *json.SyntaxError
		offset := dec.InputOffset()
		if errors.As(err, &se) {
			offset = se.Offset
		} else if errors.Is(err, io.ErrUnexpectedEOF) {
			offset = int64(len(data))
		}
		return lineAt(offset), strings.TrimPrefix(err.Error(), "json: "), true
	}
}

// yamlSyntax is the line and message of a YAML syntax error. The parser
// names the line where the broken list or mapping starts, not the line
// that breaks it, so the message says so; a tab in an indent is found
// exactly.
func yamlSyntax(data []byte, err error) (int, string) {
	line := 1
	var te *yaml.TypeError
	if errors.As(err, &te) {
		line = 0
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if n, rest, ok := strings.Cut(strings.TrimPrefix(msg, "line "), ": "); ok && strings.HasPrefix(msg, "line ") {
		if l, err := strconv.Atoi(n); err == nil {
			line, msg = l, rest
		}
	}
	switch {
	case strings.Contains(msg, "tab character"):
		for i, text := range strings.Split(string(data), "\n") {
			indent := text[:len(text)-len(strings.TrimLeft(text, " \t"))]
			if strings.Contains(indent, "\t") {
				return i + 1, "a tab in the indent; YAML indents with spaces"
			}
		}
	case strings.HasPrefix(msg, "did not find expected"):
		msg = "the list or mapping that starts here is broken below: " + msg + " (check the indents of the lines that follow)"
	}
	return line, msg
}

// parseRecord reads one record of kind k, starting from a new record's
// defaults: a field left out keeps its default.
func parseRecord(k *portfolio.Kind, n *yaml.Node, probs *Problems) (portfolio.Record, bool) {
	if n.Kind != yaml.MappingNode {
		probs.add(n.Line, "a %s must be a mapping of its fields", k.Name)
		return nil, false
	}
	rec := k.New()
	ok := true
	given := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		name := strings.ReplaceAll(key.Value, "-", "_")
		f, known := k.Field(name)
		if !known {
			probs.add(key.Line, "%s has no field %s (opsdeck kinds %s lists them)", k.Name, key.Value, k.Name)
			ok = false
			continue
		}
		if given[name] {
			probs.add(key.Line, "%s %s is given twice", k.Name, name)
			ok = false
			continue
		}
		given[name] = true
		text, good := scalarText(f, value)
		if !good {
			probs.add(value.Line, "%s %s must be %s", k.Name, name, describeType(f))
			ok = false
			continue
		}
		if err := f.Parse(rec, text); err != nil {
			probs.add(value.Line, "%s %s", k.Name, portfolio.ErrorMessage(err))
			ok = false
		}
	}
	return rec, ok
}

// scalarText is a value's text, as Field.Parse reads it.
func scalarText(f *portfolio.Field, n *yaml.Node) (string, bool) {
	if f.Type == portfolio.ChoicesField && n.Kind == yaml.SequenceNode {
		var parts []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return "", false
			}
			parts = append(parts, c.Value)
		}
		return strings.Join(parts, ","), true
	}
	if n.Kind != yaml.ScalarNode {
		return "", false
	}
	if n.Tag == "!!null" {
		return "", true
	}
	return n.Value, true
}

func describeType(f *portfolio.Field) string {
	switch f.Type {
	case portfolio.ChoicesField:
		return "a list of " + strings.Join(f.Choices, ", ")
	case portfolio.RefField:
		return "the key of a " + f.Ref
	}
	return "one " + string(f.Type) + " value"
}
