package reports

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// A table wider than the page is laid out as one record per row, the
// way a phone app lists things: a terminal or a plain-text email cannot
// scroll sideways, and squeezing eight columns into eighty characters
// breaks words in the middle. The record leads with the row's first cell
// (after the rank, when the first column is "#" or a step number), then
// names the rest; so a template puts the column that says what the row
// is first.

// ranked says whether the first column numbers the rows.
func ranked(rows [][]string) bool {
	if len(rows) < 2 || len(rows[0]) < 2 {
		return false
	}
	if strings.TrimSpace(rows[0][0]) == "#" {
		return true
	}
	for _, row := range rows[1:] {
		if _, err := strconv.Atoi(strings.TrimSpace(row[0])); err != nil {
			return false
		}
	}
	return true
}

// record splits a table row into its lead and its "Header: value"
// details; empty cells are left out.
func record(header, row []string, rank bool) (lead string, details []string) {
	first := 0
	if rank && len(row) > 1 {
		lead, first = row[0]+". ", 1
	}
	if first < len(row) {
		lead += row[first]
	}
	for i := first + 1; i < len(row); i++ {
		if strings.TrimSpace(row[i]) == "" {
			continue
		}
		name := ""
		if i < len(header) {
			name = header[i]
		}
		if strings.TrimSpace(name) == "" {
			details = append(details, row[i])
			continue
		}
		details = append(details, name+": "+row[i])
	}
	return lead, details
}

// tableWidth is how wide the rows are laid out as a table, with
// separators of sep cells between columns.
func tableWidth(rows [][]string, sep int) int {
	var widths []int
	for _, row := range rows {
		for i, c := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], ansi.StringWidth(c))
		}
	}
	total := 0
	for _, w := range widths {
		total += w
	}
	return total + sep*max(0, len(widths)-1)
}

// narrowTables rewrites each top-level markdown table that would be wider
// than width as a list of records, for glamour. Cells keep their own
// markup; the rest of the markdown is untouched.
func narrowTables(md string, width int) string {
	src := []byte(md)
	doc := newMarkdown().Parser().Parse(text.NewReader(src))
	type edit struct {
		start, stop int
		with        string
	}
	var edits []edit
	flat := &textWriter{src: src}
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		table, ok := n.(*extast.Table)
		if !ok {
			continue
		}
		var raw, plain [][]string
		start, stop := -1, -1
		for r := table.FirstChild(); r != nil; r = r.NextSibling() {
			var rawRow, plainRow []string
			for c := r.FirstChild(); c != nil; c = c.NextSibling() {
				cell := ""
				if lines := c.Lines(); lines.Len() > 0 {
					seg := lines.At(0)
					cell = string(seg.Value(src))
					if start < 0 {
						start = seg.Start
					}
					stop = max(stop, seg.Stop)
				}
				rawRow = append(rawRow, cell)
				plainRow = append(plainRow, flat.inline(c))
			}
			raw, plain = append(raw, rawRow), append(plain, plainRow)
		}
		// glamour draws " │ " between columns and one space of padding at
		// each edge.
		if start < 0 || len(raw) < 2 || tableWidth(plain, 3)+2 <= width {
			continue
		}
		start = bytes.LastIndexByte(src[:start], '\n') + 1
		if end := bytes.IndexByte(src[stop:], '\n'); end >= 0 {
			stop += end
		} else {
			stop = len(src)
		}
		var b strings.Builder
		rank := ranked(plain)
		for _, row := range raw[1:] {
			lead, details := record(raw[0], row, rank)
			if strings.Contains(lead, "**") {
				lead = escapeListStart(lead)
			} else if strings.TrimSpace(lead) != "" {
				lead = "**" + strings.TrimSpace(lead) + "**"
			}
			b.WriteString("- " + lead)
			if len(details) > 0 {
				// A no-break space keeps each "·" at the end of its line.
				b.WriteString("\\\n  " + strings.Join(details, "\u00a0· "))
			}
			b.WriteString("\n")
		}
		edits = append(edits, edit{start, stop, strings.TrimSuffix(b.String(), "\n")})
	}
	slices.Reverse(edits)
	for _, e := range edits {
		src = slices.Concat(src[:e.start], []byte(e.with), src[e.stop:])
	}
	return string(src)
}

// escapeListStart keeps a lead such as "1. Rotate the keys" from starting
// an ordered list inside the item.
func escapeListStart(lead string) string {
	i := 0
	for i < len(lead) && lead[i] >= '0' && lead[i] <= '9' {
		i++
	}
	if i > 0 && i < len(lead) && (lead[i] == '.' || lead[i] == ')') {
		return lead[:i] + `\` + lead[i:]
	}
	return lead
}
