package reports

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"

	"opsdeck/portfolio"

	"charm.land/glamour/v2"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// A KPI attainment bar travels through the markdown as a marker that each
// format draws its own way: block characters for terminals and text, a row
// of table cells with widths for email (mail clients block images).
var barMarker = regexp.MustCompile(`⟦bar ([0-9.]+) ([a-z_]+)⟧`)

func barToken(attainment float64, status portfolio.KPIStatus) string {
	return fmt.Sprintf("⟦bar %.2f %s⟧", attainment, status)
}

func parseBar(m []string) (float64, portfolio.KPIStatus) {
	a, _ := strconv.ParseFloat(m[1], 64)
	return a, portfolio.KPIStatus(m[2])
}

const barCells = 10

// barsAsText draws each bar as ten block characters and a percentage.
func barsAsText(s string) string {
	return barMarker.ReplaceAllStringFunc(s, func(tok string) string {
		a, status := parseBar(barMarker.FindStringSubmatch(tok))
		if status == portfolio.StatusMissing {
			return strings.Repeat("░", barCells) + " —"
		}
		filled := int(a*barCells + 0.5)
		return strings.Repeat("█", filled) + strings.Repeat("░", barCells-filled) + fmt.Sprintf(" %.0f%%", a*100)
	})
}

// barColours are per status, chosen to read on white and in dark mode.
var barColours = map[portfolio.KPIStatus]string{
	portfolio.StatusOnTarget: "#2e7d32", portfolio.StatusAtRisk: "#f9a825", portfolio.StatusOffTarget: "#c62828", portfolio.StatusMissing: "#9e9e9e",
}

// barsAsHTML draws each bar as a one-row table whose cell widths are the
// attainment, which every mail client renders without images or CSS support.
func barsAsHTML(s string) string {
	return barMarker.ReplaceAllStringFunc(s, func(tok string) string {
		a, status := parseBar(barMarker.FindStringSubmatch(tok))
		pct := int(a*100 + 0.5)
		label := fmt.Sprintf("%d%%", pct)
		if status == portfolio.StatusMissing {
			pct, label = 0, "no reading"
		}
		cell := func(width int, colour string) string {
			if width <= 0 {
				return ""
			}
			return fmt.Sprintf(`<td width="%d%%" style="width:%d%%;background:%s;height:8px;font-size:0;line-height:0">&nbsp;</td>`,
				width, width, colour)
		}
		return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;min-width:90px;margin:0"><tr>` +
			cell(pct, barColours[status]) + cell(100-pct, "#e0e0e0") + `</tr></table>` +
			`<span style="font-size:12px;color:#555555">` + label + `</span>`
	})
}

// renderTerm styles the markdown for a terminal with an explicit glamour
// style (glamour does not detect the background by itself).
func renderTerm(md string, o RenderOptions) (string, error) {
	style := o.Style
	if style == "" {
		style = "dark"
	}
	if _, err := ParseStyle(style); err != nil {
		return "", err
	}
	r, err := glamour.NewTermRenderer(glamour.WithStandardStyle(style), glamour.WithWordWrap(o.width()))
	if err != nil {
		return "", fmt.Errorf("terminal renderer: %w", err)
	}
	// glamour keeps a margin of two columns on each side.
	out, err := r.Render(narrowTables(barsAsText(md), o.width()-4))
	if err != nil {
		return "", fmt.Errorf("render for terminal: %w", err)
	}
	return out, nil
}

// newMarkdown is the goldmark parser both the HTML and text renderers use.
// Raw HTML in the markdown is not passed through (goldmark's default), and
// every string people typed was escaped before it reached the markdown.
func newMarkdown(extra ...goldmark.Option) goldmark.Markdown {
	opts := append([]goldmark.Option{goldmark.WithExtensions(extension.Table, extension.Strikethrough)}, extra...)
	return goldmark.New(opts...)
}

// emailStyles are inlined on each element: many mail clients drop <style>
// blocks, and none may load external CSS or fonts.
var emailStyles = map[ast.NodeKind]string{
	ast.KindHeading:       "font-family:Helvetica,Arial,sans-serif;color:#1a2b3c;margin:24px 0 8px",
	ast.KindParagraph:     "margin:8px 0;line-height:1.5",
	ast.KindList:          "margin:8px 0;padding-left:22px;line-height:1.5",
	ast.KindListItem:      "margin:2px 0",
	ast.KindBlockquote:    "margin:12px 0;padding:8px 12px;border-left:4px solid #1565c0;background:#eef4fb;color:#1a2b3c",
	ast.KindCodeSpan:      "font-family:Menlo,Consolas,monospace;font-size:13px;background:#f0f0f0;padding:1px 4px",
	ast.KindEmphasis:      "",
	extast.KindTable:      "border-collapse:collapse;width:100%;font-size:14px;margin:8px 0",
	extast.KindTableCell:  "border:1px solid #d8dde3;padding:6px 8px;vertical-align:top;text-align:left",
	ast.KindThematicBreak: "border:0;border-top:1px solid #d8dde3;margin:20px 0",
}

// inlineStyles is an AST transformer that puts emailStyles on every node.
type inlineStyles struct{}

func (inlineStyles) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		style, ok := emailStyles[n.Kind()]
		if n.Kind() == extast.KindTableCell && n.Parent() != nil && n.Parent().Kind() == extast.KindTableHeader {
			style += ";background:#f3f5f8;font-weight:bold"
		}
		if h, isHeading := n.(*ast.Heading); isHeading {
			style += map[int]string{1: ";font-size:24px", 2: ";font-size:19px;border-bottom:2px solid #1565c0;padding-bottom:4px",
				3: ";font-size:16px"}[h.Level]
		}
		if ok && style != "" {
			n.SetAttributeString("style", []byte(style))
		}
		return ast.WalkContinue, nil
	})
}

// renderHTML turns the markdown into a complete, self-contained HTML email
// document: no scripts, no external resources, readable at phone width.
func renderHTML(md, title string) (string, error) {
	var body bytes.Buffer
	gm := newMarkdown(goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(inlineStyles{}, 100))),
		goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(newCardRenderer(extension.NewTableHTMLRenderer()), 100))))
	if err := gm.Convert([]byte(md), &body); err != nil {
		return "", fmt.Errorf("render HTML: %w", err)
	}
	// A table that is still too wide (a long word) scrolls in its own box
	// rather than widening the page; wide tables are cards (see cards.go).
	content := strings.ReplaceAll(body.String(), "<table", `<div style="overflow-x:auto;-webkit-overflow-scrolling:touch"><table`)
	content = strings.ReplaceAll(content, "</table>", "</table></div>")
	content = barsAsHTML(content)
	var doc strings.Builder
	doc.WriteString(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>` + html.EscapeString(title) + `</title>
</head>
<body style="margin:0;padding:0;background:#f4f6f8">
<div style="max-width:720px;margin:0 auto;padding:16px;background:#ffffff;color:#222222;font-family:Helvetica,Arial,sans-serif;font-size:15px">
`)
	doc.WriteString(content)
	doc.WriteString(`<p style="margin:24px 0 0;font-size:12px;color:#777777">Computed by opsdeck from the portfolio database.</p>
</div>
</body>
</html>
`)
	return doc.String(), nil
}
