package reports

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// renderText turns the markdown into the plain-text part of an email:
// underlined headings, wrapped paragraphs, aligned tables, and none of
// markdown's punctuation.
func renderText(md string, width int) (string, error) {
	src := []byte(barsAsText(md))
	doc := newMarkdown().Parser().Parse(text.NewReader(src))
	t := &textWriter{src: src, width: width}
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		t.block(n, "")
	}
	return strings.TrimRight(t.out.String(), "\n") + "\n", nil
}

type textWriter struct {
	src   []byte
	width int
	out   bytes.Buffer
}

// block writes one block node and a blank line after it; indent prefixes
// every line (list items, quotes).
func (t *textWriter) block(n ast.Node, indent string) {
	switch n := n.(type) {
	case *ast.Heading:
		title := t.inline(n)
		switch n.Level {
		case 1:
			title = strings.ToUpper(title)
			fmt.Fprintf(&t.out, "%s\n%s\n\n", title, strings.Repeat("=", utf8.RuneCountInString(title)))
		case 2:
			fmt.Fprintf(&t.out, "%s\n%s\n\n", title, strings.Repeat("-", utf8.RuneCountInString(title)))
		default:
			fmt.Fprintf(&t.out, "%s\n\n", title)
		}
	case *ast.Paragraph, *ast.TextBlock:
		t.out.WriteString(wrap(t.inline(n), t.width, indent, indent))
		t.out.WriteString("\n\n")
	case *ast.List:
		num := n.Start
		for item := n.FirstChild(); item != nil; item = item.NextSibling() {
			marker := "- "
			if n.IsOrdered() {
				marker = fmt.Sprintf("%d. ", num)
				num++
			}
			hang := indent + strings.Repeat(" ", len(marker))
			first := true
			for c := item.FirstChild(); c != nil; c = c.NextSibling() {
				if _, nested := c.(*ast.List); nested {
					t.block(c, hang)
					continue
				}
				lead := hang
				if first {
					lead = indent + marker
				}
				t.out.WriteString(wrap(t.inline(c), t.width, lead, hang))
				t.out.WriteString("\n")
				first = false
			}
		}
		if indent == "" {
			t.out.WriteString("\n")
		}
	case *ast.Blockquote:
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			t.block(c, indent+"  ")
		}
	case *ast.ThematicBreak:
		t.out.WriteString(strings.Repeat("-", 20) + "\n\n")
	case *extast.Table:
		t.table(n, indent)
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			t.out.WriteString(indent + "    " + string(seg.Value(t.src)))
		}
		t.out.WriteString("\n")
	default:
		t.out.WriteString(wrap(t.inline(n), t.width, indent, indent) + "\n\n")
	}
}

// table aligns cells in columns, a header underlined with dashes; a table
// wider than the page becomes a list of records.
func (t *textWriter) table(n *extast.Table, indent string) {
	var rows [][]string
	for r := n.FirstChild(); r != nil; r = r.NextSibling() {
		var cells []string
		for c := r.FirstChild(); c != nil; c = c.NextSibling() {
			cells = append(cells, t.cell(c))
		}
		rows = append(rows, cells)
	}
	if len(rows) > 1 && len(indent)+tableWidth(rows, 2) > t.width {
		rank := ranked(rows)
		// A ranked row leads with its number ("1. "), which is its
		// marker; any other row is a bullet.
		marker := "- "
		if rank {
			marker = ""
		}
		for _, row := range rows[1:] {
			lead, details := record(rows[0], row, rank)
			hang := indent + "  "
			if rank {
				hang = indent + strings.Repeat(" ", len(strings.TrimSpace(row[0]))+2)
			}
			t.out.WriteString(wrap(lead, t.width, indent+marker, hang) + "\n")
			if len(details) > 0 {
				t.out.WriteString(wrap(strings.Join(details, " · "), t.width, hang, hang) + "\n")
			}
		}
		t.out.WriteString("\n")
		return
	}
	widths := map[int]int{}
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for ri, row := range rows {
		var line strings.Builder
		line.WriteString(indent)
		for i, c := range row {
			line.WriteString(c)
			if i < len(row)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		t.out.WriteString(strings.TrimRight(line.String(), " ") + "\n")
		if ri == 0 {
			var rule []string
			for i := range row {
				rule = append(rule, strings.Repeat("-", widths[i]))
			}
			t.out.WriteString(indent + strings.Join(rule, "  ") + "\n")
		}
	}
	t.out.WriteString("\n")
}

// cell flattens a table cell. A cell that leads with a bold title and
// goes on to explain it keeps the two apart, as the bold did; a bold
// figure followed by a remark in brackets ("**6** (5 at low burn)") reads
// as it is.
func (t *textWriter) cell(c ast.Node) string {
	text := t.inline(c)
	if e, ok := c.FirstChild().(*ast.Emphasis); ok && e.Level == 2 && e.NextSibling() != nil {
		if title := t.inline(e); strings.HasPrefix(text, title+" ") && !strings.HasPrefix(text[len(title)+1:], "(") {
			return title + " — " + text[len(title)+1:]
		}
	}
	return text
}

// inline flattens a node's inline content to text.
func (t *textWriter) inline(n ast.Node) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(util.UnescapePunctuations(c.Segment.Value(t.src)))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.CodeSpan:
			for g := c.FirstChild(); g != nil; g = g.NextSibling() {
				if s, ok := g.(*ast.Text); ok {
					b.Write(s.Segment.Value(t.src))
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.AutoLink:
			b.Write(c.URL(t.src))
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

// wrap breaks s into lines of at most width runes, the first prefixed by
// first and the rest by rest.
func wrap(s string, width int, first, rest string) string {
	var words []string
	for _, w := range strings.Fields(s) {
		// A separator dot stays at the end of a line, never starts one.
		if w == "·" && len(words) > 0 {
			words[len(words)-1] += " ·"
			continue
		}
		words = append(words, w)
	}
	if len(words) == 0 {
		return strings.TrimRight(first, " ")
	}
	var b strings.Builder
	line, lineLen := first, utf8.RuneCountInString(first)
	fresh := true
	for _, w := range words {
		wl := utf8.RuneCountInString(w)
		if !fresh && lineLen+1+wl > width {
			b.WriteString(line + "\n")
			line, lineLen, fresh = rest, utf8.RuneCountInString(rest), true
		}
		if !fresh {
			line += " "
			lineLen++
		}
		line += w
		lineLen += wl
		fresh = false
	}
	b.WriteString(line)
	return b.String()
}
