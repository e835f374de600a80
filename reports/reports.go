// Package reports computes the five role reports (CEO, CTO, CMO, CFO,
// Accounting) from a store snapshot and renders them as markdown, styled
// terminal text (glamour), HTML email (goldmark) and plain text.
//
// Every figure is computed here from the snapshot; templates only lay the
// figures out, so an owner who overrides a template changes wording, never
// numbers.
package reports

import (
	"fmt"
	"strings"

	"opsdeck/portfolio"
)

// Format is an output form of a report.
type Format string

// Output formats.
const (
	Markdown Format = "md"
	Term     Format = "term" // glamour-styled for a terminal
	HTML     Format = "html" // a complete HTML email body, styles inlined
	Text     Format = "text" // the plain-text alternative of an email
)

// Formats lists every format.
var Formats = []Format{Markdown, Term, HTML, Text}

// ParseFormat accepts a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == strings.ToLower(strings.TrimSpace(s)) {
			return f, nil
		}
	}
	return "", portfolio.Errorf(portfolio.EINVALID, "unknown format %q (want md, term, html or text)", s)
}

// Ext is the file extension for the format.
func (f Format) Ext() string {
	switch f {
	case Term:
		return "ans"
	case HTML:
		return "html"
	case Text:
		return "txt"
	}
	return "md"
}

// Styles are the glamour styles a terminal rendering may use. glamour does
// not detect the background itself, so callers choose.
var Styles = []string{"dark", "light", "notty", "ascii"}

// ParseStyle accepts a terminal style name.
func ParseStyle(s string) (string, error) {
	for _, v := range Styles {
		if v == strings.ToLower(strings.TrimSpace(s)) {
			return v, nil
		}
	}
	return "", portfolio.Errorf(portfolio.EINVALID, "unknown style %q (want dark, light, notty or ascii)", s)
}

// RenderOptions tune one rendering.
type RenderOptions struct {
	// Width wraps Term and Text output; 0 means 80.
	Width int
	// Style is the glamour style for Term: dark (default), light, notty or
	// ascii.
	Style string
	// Previous holds the figures of the last report sent for this role;
	// when set, the report opens with what changed since.
	Previous *Figures
}

func (o RenderOptions) width() int {
	if o.Width <= 0 {
		return 80
	}
	return o.Width
}

// Subject is the email subject line for a report.
func Subject(snap *portfolio.Snapshot, role portfolio.ReportRole) string {
	return fmt.Sprintf("%s: %s report, %s", snap.PortfolioName, role.Title(), snap.TakenAt.Format("2 Jan 2006"))
}
