package reports

import (
	"strings"
	"testing"
)

// A table wider than three columns becomes one card per row: the rank and
// the lead first, then a "Header: value" line per non-empty cell, with no
// table left to scroll; a narrower table stays a table.
func TestHTMLWideTablesAreCards(t *testing.T) {
	md := "| # | Shortfall | Entity | Severity | Impact | Effort & days | Return |\n" +
		"|---|---|---|---|---|---|---|\n" +
		"| 1 | **Keys exposed** Stripe keys in git. | CLOUD | critical | $2,500/mo | | $1,667/day |\n" +
		"| 2 | Plain lead | QOS | high | $400/mo | 5 days | $80/day |\n\n" +
		"| Gap | Status | Detail |\n|---|---|---|\n| No CI | missing | By hand. |\n"
	out, err := renderHTML(md, "t")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<span style="` + cardRankStyle + `">1.</span> <strong>Keys exposed</strong> Stripe keys in git.</div>`,
		`<span style="` + cardRankStyle + `">2.</span> <strong>Plain lead</strong></div>`,
		`<span style="` + cardLabelStyle + `">Impact:</span> $2,500/mo</div>`,
		`<span style="` + cardLabelStyle + `">Entity:</span> QOS</div>`,
		`<span style="` + cardLabelStyle + `">Effort &amp; days:</span> 5 days</div>`,
		`>Detail</th>`, `>By hand.</td>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the HTML lacks %s", want)
		}
	}
	if n := strings.Count(out, "<table"); n != 1 {
		t.Errorf("%d tables in the HTML, want only the 3-column one", n)
	}
	if n := strings.Count(out, "Effort"); n != 1 {
		t.Errorf("the empty Effort cell of row 1 has a line (Effort appears %d times)", n)
	}
	if strings.Contains(out, ">Shortfall<") || strings.Contains(out, "<b>") || strings.Contains(out, "@media") {
		t.Error("the wide table's header row, raw markup or a media query reached the HTML")
	}
}
