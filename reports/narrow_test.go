package reports

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

const wideTable = `## Shortfalls

| # | Shortfall | Entity | Severity | Impact | Effort | Return |
|---|---|---|---|---|---|---|
| 1 | **Payment keys exposed** Stripe keys sit in a repository \| and in env files | CLOUD | critical | $2,500/mo | 1.5 days | $1,667/day |
| 2 | **Zero OTA listings** Not on any marketplace | JADA | critical | $4,500/mo |  | $1,500/day |

Text after.
`

const narrowTable = `| Entity | KPI |
|---|---|
| JADA | Charters |
`

// A table that does not fit becomes one record per row, keeping every
// cell and its markup; one that fits stays a table.
func TestNarrowTablesBecomeRecords(t *testing.T) {
	got := narrowTables(wideTable, 76)
	for _, want := range []string{
		"## Shortfalls\n\n- 1\\. **Payment keys exposed** Stripe keys sit in a repository \\| and in env files\\\n  Entity: CLOUD\u00a0· Severity: critical",
		"- 2\\. **Zero OTA listings** Not on any marketplace\\\n  Entity: JADA\u00a0· Severity: critical\u00a0· Impact: $4,500/mo\u00a0· Return: $1,500/day\n\nText after.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("records lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "|---") {
		t.Errorf("the wide table is still a table:\n%s", got)
	}
	if narrowTables(narrowTable, 76) != narrowTable {
		t.Error("a table that fits was rewritten")
	}
	if got := narrowTables(wideTable, 200); got != wideTable {
		t.Errorf("on a wide page the table was rewritten:\n%s", got)
	}
}

// In the terminal (notty shows markup as typed) the records keep the
// rank as text, not a nested numbered list, and no line is wider than
// asked.
func TestTerminalRecordsFitTheWidth(t *testing.T) {
	out, err := renderTerm(wideTable, RenderOptions{Style: "notty", Width: 60})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"• 1. **Payment keys exposed**", "repository | and in env files", "Entity: CLOUD", "Return: $1,500/day"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if w := ansi.StringWidth(line); w > 60 {
			t.Errorf("line of %d columns: %q", w, line)
		}
	}
}

// The plain-text email does the same, within its width, and a record's
// separators never start a line.
func TestTextRecordsFitTheWidth(t *testing.T) {
	out, err := renderText(wideTable, 50)
	if err != nil {
		t.Fatal(err)
	}
	// A ranked record's number is its marker, with no bullet before it.
	if !strings.Contains(out, "\n1. Payment keys exposed — Stripe keys sit in a\n   repository | and in env files\n   Entity: CLOUD ·") {
		t.Errorf("text records:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if w := ansi.StringWidth(line); w > 50 {
			t.Errorf("line of %d columns: %q", w, line)
		}
		if strings.HasPrefix(strings.TrimSpace(line), "·") {
			t.Errorf("a line starts with a separator: %q", line)
		}
	}
	if out, _ := renderText(narrowTable, 50); !strings.Contains(out, "Entity  KPI\n------  --------\nJADA    Charters") {
		t.Errorf("a table that fits is not aligned:\n%s", out)
	}
}
