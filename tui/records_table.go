package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"opsdeck/portfolio"
)

// recordTable is one kind's records as the Records page shows them: each
// record's key and the text of its short fields, with the columns' widths.
// It is made in the Cmd that reads the records, so a kind of 100,000
// records costs the interface nothing but the rows on screen.
type recordTable struct {
	kind   *portfolio.Kind
	recs   []portfolio.Record
	keys   []string
	fields []*portfolio.Field // the columns after the key
	cells  [][]string         // by record, then column
	search []string           // what the filter matches, lower-cased
	widths []int              // each column's widest text (capped), the key's first
}

// Column widths are capped, so one long title does not push the other
// columns off the screen.
const maxColumnWidth = 28

func newRecordTable(k *portfolio.Kind, recs []portfolio.Record) *recordTable {
	t := &recordTable{kind: k, recs: recs, fields: tableFields(k)}
	t.widths = make([]int, len(t.fields)+1)
	t.widths[0] = len("KEY")
	for i, f := range t.fields {
		// A long heading is cut to fit its column rather than widen it.
		t.widths[i+1] = min(len(f.Name), 8)
	}
	t.keys = make([]string, len(recs))
	t.cells = make([][]string, len(recs))
	t.search = make([]string, len(recs))
	for i, r := range recs {
		t.keys[i] = k.Key(r)
		t.widths[0] = max(t.widths[0], textWidth(t.keys[i]))
		row := make([]string, len(t.fields))
		for c, f := range t.fields {
			row[c] = cellText(f, r)
			t.widths[c+1] = min(maxColumnWidth, max(t.widths[c+1], textWidth(row[c])))
		}
		t.cells[i] = row
		t.search[i] = strings.ToLower(t.keys[i] + " " + strings.Join(row, " "))
	}
	return t
}

// tableFields are the columns a kind's table shows after the key: its
// fields but the key's own and the long texts, seven at most.
func tableFields(k *portfolio.Kind) []*portfolio.Field {
	var out []*portfolio.Field
	for i := range k.Fields {
		f := &k.Fields[i]
		if f.Type == portfolio.LongTextField || isKeyField(k, f.Name) {
			continue
		}
		if len(out) < 7 {
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

// cellText is a field's value as a table cell: money in dollars, a time in
// minutes, yes or no, one line.
func cellText(f *portfolio.Field, r portfolio.Record) string {
	switch v := f.Value(r).(type) {
	case nil:
		return ""
	case portfolio.Money:
		return v.String()
	case bool:
		if v {
			return "yes"
		}
		return "no"
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.Format("2006-01-02 15:04")
	}
	text := f.Text(r)
	if strings.ContainsAny(text, "\n\r\t") {
		text = strings.Join(strings.Fields(text), " ")
	}
	return text
}

// textWidth is the columns plain text takes; most is ASCII, measured by
// its length (a kind's table measures every cell of every record).
func textWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// layout fits the columns into width. The key takes what it needs, up to
// a quarter; then as many columns as fit at their narrowest, in order; what
// is left widens them, in order, up to their widest text. Numbers, dates,
// times and choices never narrow (cut, they mislead); text narrows to 10,
// but the widest text column (a title, a name) only to 20.
func (t *recordTable) layout(width int) []int {
	out := []int{min(t.widths[0], max(16, width/4))}
	used := out[0]
	widest := -1
	for c, f := range t.fields {
		if shrinks(f) && (widest < 0 || t.widths[c+1] > t.widths[widest+1]) {
			widest = c
		}
	}
	for c, w := range t.widths[1:] {
		least := w
		switch {
		case c == widest:
			least = min(w, 20)
		case shrinks(t.fields[c]):
			least = min(w, 10)
		}
		if used+2+least > width {
			break
		}
		out = append(out, least)
		used += 2 + least
	}
	for c := 1; c < len(out) && used < width; c++ {
		more := min(t.widths[c]-out[c], width-used)
		out[c] += more
		used += more
	}
	return out
}

// shrinks reports whether a column of the field may be narrowed (and its
// text cut): free text may, a number or a date may not.
func shrinks(f *portfolio.Field) bool {
	return f.Type == portfolio.TextField || f.Type == portfolio.RefField || f.Type == portfolio.ChoicesField
}

func (t *recordTable) numeric(c int) bool {
	switch t.fields[c].Type {
	case portfolio.IntField, portfolio.NumberField, portfolio.MoneyField:
		return true
	}
	return false
}

// align pads column c's text s to w, numbers to the right.
func (t *recordTable) align(c int, s string, w int) string {
	if t.numeric(c) {
		return rcell(s, w)
	}
	return cell(s, w)
}
