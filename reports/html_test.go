package reports

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

const hostile = `<img src=x onerror=alert(1)>`

// Every HTML report parses, carries no script or external resource, and
// shows hostile text people typed as text.
func TestHTMLIsSafe(t *testing.T) {
	s := storetest.Demo(t, nil)
	change(t, s, func(ctx context.Context, tx *store.Tx) error {
		for _, role := range portfolio.ReportRoles {
			if err := tx.CreateShortfall(ctx, &portfolio.Shortfall{Title: hostile, Detail: `<script>alert("x")</script> [click](https://evil.example)`,
				OwnerRole: role, Severity: portfolio.SeverityCritical, MonthlyImpact: portfolio.Dollars(99999), EffortDays: 1}); err != nil {
				return err
			}
		}
		return put(ctx, tx, "finding", "", &portfolio.Finding{Stack: "<b>stack</b>", Category: "security", Severity: portfolio.SeverityHigh,
			Title: "![x](http://evil.example/x.png)", Remediation: "`<iframe>`", EffortDays: 1, Status: "open"})
	})
	snap := snapshot(t, s)
	for _, role := range portfolio.ReportRoles {
		out := render(t, snap, role, HTML)
		doc, err := html.Parse(strings.NewReader(out))
		if err != nil {
			t.Fatalf("%s: HTML does not parse: %v", role, err)
		}
		var texts []string
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				switch n.Data {
				case "script", "img", "iframe", "link", "object", "embed", "style":
					t.Errorf("%s: report contains a <%s> element", role, n.Data)
				}
				for _, a := range n.Attr {
					if strings.HasPrefix(a.Key, "on") {
						t.Errorf("%s: <%s> has an event handler %s", role, n.Data, a.Key)
					}
					if (a.Key == "href" || a.Key == "src") && strings.Contains(a.Val, "//") {
						t.Errorf("%s: <%s %s=%q> points outside the message", role, n.Data, a.Key, a.Val)
					}
				}
			}
			if n.Type == html.TextNode {
				texts = append(texts, n.Data)
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		all := strings.Join(texts, "")
		if !strings.Contains(all, hostile) {
			t.Errorf("%s: the hostile title does not appear as text", role)
		}
		if strings.Contains(out, "<img") || strings.Contains(out, "<script") || strings.Contains(out, "<a ") {
			t.Errorf("%s: raw markup leaked into the HTML", role)
		}
		if role == portfolio.RoleCTO && !strings.Contains(all, "![x](http://evil.example/x.png)") {
			t.Errorf("a title written as a markdown image is not shown literally")
		}
		if !strings.Contains(all, "[click](https://evil.example)") {
			t.Errorf("%s: a markdown link typed into a detail is not shown literally", role)
		}
	}
}

// The attainment bar is a row of table cells with widths, so it shows in
// mail clients that block images and ignore CSS.
func TestHTMLBarsAreTableCells(t *testing.T) {
	out := render(t, snapshot(t, storetest.Demo(t, nil)), portfolio.RoleCEO, HTML)
	if !strings.Contains(out, `<td width="33%" style="width:33%;background:#c62828`) {
		t.Error("the charters bar (2 of 6, off target) is not a 33% red cell")
	}
	if !strings.Contains(out, `<td width="100%" style="width:100%;background:#2e7d32`) {
		t.Error("no full green bar for the on-target average price")
	}
	if strings.Contains(out, "⟦") {
		t.Error("a bar marker survived into the HTML")
	}
}
