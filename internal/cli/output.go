package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// printList is how every list command prints its rows: as JSON with
// --json (an empty list as []), else as a table under header, one line a
// row, or the empty message when there are no rows (with no message, the
// header alone).
func printList[T any](m *Main, asJSON bool, rows []T, empty, header string, line func(T) string) error {
	if asJSON {
		if rows == nil {
			rows = []T{}
		}
		return writeJSON(m.Stdout, rows)
	}
	if len(rows) == 0 && empty != "" {
		fmt.Fprintln(m.Stdout, empty)
		return nil
	}
	t := newTable(m.Stdout)
	fmt.Fprintln(t, header)
	for _, r := range rows {
		fmt.Fprintln(t, line(r))
	}
	return t.Flush()
}

// writeJSON prints v as indented JSON: the --json output of commands.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newTable returns a writer for aligned columns: cells end in a tab, rows
// in a newline; call Flush when done.
func newTable(w io.Writer) *table { return &table{w: w} }

// table aligns tab-separated cells like text/tabwriter (two spaces between
// columns, the last cell of a row left as it is), but by display width
// (ansi.StringWidth): an emoji or a CJK character takes two columns, an
// accented letter one, whatever their bytes. tabwriter counts runes, so a
// name with an emoji pushed the rest of its row out of line.
type table struct {
	w   io.Writer
	buf bytes.Buffer
}

func (t *table) Write(p []byte) (int, error) { return t.buf.Write(p) }

// Flush writes the rows buffered so far, aligned.
func (t *table) Flush() error {
	const gap = 2
	text := t.buf.String()
	t.buf.Reset()
	if text == "" {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	rows := make([][]string, len(lines))
	var widths []int
	for i, l := range lines {
		rows[i] = strings.Split(l, "\t")
		for j, c := range rows[i][:len(rows[i])-1] {
			if j == len(widths) {
				widths = append(widths, 0)
			}
			widths[j] = max(widths[j], ansi.StringWidth(c))
		}
	}
	var out strings.Builder
	for _, r := range rows {
		for j, c := range r[:len(r)-1] {
			out.WriteString(c)
			out.WriteString(strings.Repeat(" ", widths[j]-ansi.StringWidth(c)+gap))
		}
		out.WriteString(r[len(r)-1])
		out.WriteByte('\n')
	}
	_, err := io.WriteString(t.w, out.String())
	return err
}

// listTime is how listings print a moment: to the minute, in the local
// zone, with the zone's abbreviation (2026-11-26 19:00 UTC), so a reader
// never has to guess which zone a bare time is in.
func (m *Main) listTime(t time.Time) string {
	return t.In(m.Clock.Now().Location()).Format("2006-01-02 15:04 MST")
}
