package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
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

// newTable returns a tabwriter for aligned columns; call Flush when done.
func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) }

// listTime is how listings print a moment: to the minute, in the local
// zone, with the zone's abbreviation (2026-11-26 19:00 UTC), so a reader
// never has to guess which zone a bare time is in.
func (m *Main) listTime(t time.Time) string {
	return t.In(m.Clock.Now().Location()).Format("2006-01-02 15:04 MST")
}
