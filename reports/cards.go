package reports

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// In the HTML email a table of more than cardColumns columns is laid out
// as cards, one per row: its lead (the row's first cell, after the rank
// when the rows are numbered) in bold, then a "Header: value" line for
// each other cell that is not empty. Eight columns cannot fit a phone's
// 375 px, a table scrolling in its own box hides the columns past the
// edge, and media queries cannot switch layouts because many mail
// clients drop <style> blocks; stacked blocks with inline styles read the
// same in every client and at every width. Narrower tables stay tables.
const cardColumns = 3

var (
	cardStyle      = "margin:8px 0;padding:8px 12px;border:1px solid #d8dde3;border-left:4px solid #1565c0;background:#ffffff;font-size:14px;line-height:1.45;overflow-wrap:anywhere;word-break:break-word"
	cardLeadStyle  = "margin:0 0 4px;font-size:15px;color:#1a2b3c"
	cardLineStyle  = "margin:2px 0"
	cardLabelStyle = "color:#555555"
	cardRankStyle  = "color:#1565c0;font-weight:bold"
)

// cardRenderer draws the tables wider than cardColumns; narrower ones are
// left to goldmark's table renderer.
type cardRenderer struct {
	table renderer.NodeRenderer
}

func newCardRenderer(table renderer.NodeRenderer) renderer.NodeRenderer {
	return &cardRenderer{table: table}
}

// tableFuncs captures the functions goldmark's table renderer registers.
type tableFuncs map[ast.NodeKind]renderer.NodeRendererFunc

func (f tableFuncs) Register(k ast.NodeKind, fn renderer.NodeRendererFunc) { f[k] = fn }

func (r *cardRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	plain := tableFuncs{}
	r.table.RegisterFuncs(plain)
	for _, k := range []ast.NodeKind{extast.KindTable, extast.KindTableHeader, extast.KindTableRow, extast.KindTableCell} {
		fallback := plain[k]
		reg.Register(k, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
			t := tableOf(n)
			if t == nil || len(t.Alignments) <= cardColumns {
				return fallback(w, src, n, entering)
			}
			return r.card(w, src, t, n, entering)
		})
	}
}

// tableOf is the table n belongs to.
func tableOf(n ast.Node) *extast.Table {
	for ; n != nil; n = n.Parent() {
		if t, ok := n.(*extast.Table); ok {
			return t
		}
	}
	return nil
}

func (r *cardRenderer) card(w util.BufWriter, src []byte, t *extast.Table, n ast.Node, entering bool) (ast.WalkStatus, error) {
	switch n.Kind() {
	case extast.KindTable:
		if entering {
			w.WriteString(`<div style="margin:8px 0">` + "\n")
		} else {
			w.WriteString("</div>\n")
		}
	case extast.KindTableHeader:
		// The header names the lines of every card; it is not drawn.
		return ast.WalkSkipChildren, nil
	case extast.KindTableRow:
		if entering {
			w.WriteString(`<div style="` + cardStyle + `">` + "\n")
		} else {
			w.WriteString("</div>\n")
		}
	case extast.KindTableCell:
		i, rank := cellIndex(n), rankedTable(t, src)
		lead := 0
		if rank {
			lead = 1
		}
		switch {
		case i < lead: // the rank opens the lead line
			if entering {
				w.WriteString(`<div style="` + cardLeadStyle + `"><span style="` + cardRankStyle + `">`)
			} else {
				w.WriteString(".</span> ")
			}
		case i == lead:
			bold := !hasStrong(n)
			if entering {
				if !rank {
					w.WriteString(`<div style="` + cardLeadStyle + `">`)
				}
				if bold {
					w.WriteString("<strong>")
				}
			} else {
				if bold {
					w.WriteString("</strong>")
				}
				w.WriteString("</div>\n")
			}
		default:
			if !n.HasChildren() {
				return ast.WalkSkipChildren, nil
			}
			if entering {
				w.WriteString(`<div style="` + cardLineStyle + `">`)
				if name := headerName(t, i, src); name != "" {
					w.WriteString(`<span style="` + cardLabelStyle + `">` + name + `:</span> `)
				}
			} else {
				w.WriteString("</div>\n")
			}
		}
	}
	return ast.WalkContinue, nil
}

// cellIndex is n's column.
func cellIndex(n ast.Node) int {
	i := 0
	for c := n.PreviousSibling(); c != nil; c = c.PreviousSibling() {
		i++
	}
	return i
}

// hasStrong says whether a cell sets bold text of its own.
func hasStrong(n ast.Node) bool {
	found := false
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if e, ok := c.(*ast.Emphasis); ok && entering && e.Level == 2 {
			found = true
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return found
}

// cellText is the plain text of a cell, for reading the header and ranks.
func cellText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			b.Write(t.Segment.Value(src))
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// headerName is the heading of column i, as HTML (the header cell's text
// escaped; the templates' headers carry no markup).
func headerName(t *extast.Table, i int, src []byte) string {
	h := t.FirstChild()
	if h == nil || h.Kind() != extast.KindTableHeader {
		return ""
	}
	c := h.FirstChild()
	for ; c != nil && i > 0; i-- {
		c = c.NextSibling()
	}
	if c == nil {
		return ""
	}
	return string(util.EscapeHTML([]byte(strings.TrimSpace(cellText(c, src)))))
}

// rankedTable says, as ranked does for the terminal, whether the table's
// first column numbers its rows.
func rankedTable(t *extast.Table, src []byte) bool {
	var rows [][]string
	for r := t.FirstChild(); r != nil; r = r.NextSibling() {
		var row []string
		for c := r.FirstChild(); c != nil; c = c.NextSibling() {
			row = append(row, cellText(c, src))
		}
		rows = append(rows, row)
	}
	return ranked(rows)
}
