package reports

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"opsdeck/internal/testpeer"
	"opsdeck/portfolio"
	"opsdeck/store/storetest"
)

// layout is what the page measures in chromium at one viewport width.
type layout struct {
	Title       string   `json:"title"`
	ScrollWidth int      `json:"scrollWidth"`
	Column      float64  `json:"column"`  // width of the message's content column
	Texts       int      `json:"texts"`   // text pieces measured
	Outside     []string `json:"outside"` // text drawn outside the viewport or clipped by a box
	Labels      []string `json:"labels"`  // "Impact" and the like, as drawn
	Impacts     []string `json:"impacts"` // the "$N/mo" figures, as drawn
	Bars        int      `json:"bars"`    // bar cells drawn
	Tables      int      `json:"tables"`  // data tables left as tables
	MaxColumns  int      `json:"maxCols"` // columns of the widest of them
	Right       float64  `json:"right"`   // right edge of the widest box drawn
}

// measure is run in the page: every piece of text must lie inside the
// viewport and inside every box that clips it (a table scrolling in its
// own box hides what is past its edge).
const measure = `(() => {
  const vw = window.innerWidth, out = [], labels = [], impacts = [];
  let texts = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const s = n.data.trim();
    if (!s || s === '\u00a0') continue;
    const el = n.parentElement;
    if (getComputedStyle(el).fontSize === '0px') continue;
    texts++;
    const r = document.createRange(); r.selectNodeContents(n);
    const b = r.getBoundingClientRect();
    let ok = b.left >= -0.5 && b.right <= vw + 0.5 && b.width > 0;
    for (let a = el; ok && a && a !== document.body; a = a.parentElement) {
      const ov = getComputedStyle(a).overflowX;
      if (ov !== 'visible') {
        const c = a.getBoundingClientRect();
        if (b.left < c.left - 0.5 || b.right > c.right + 0.5) ok = false;
      }
    }
    if (!ok) out.push(s.slice(0, 40) + ' @' + Math.round(b.left) + '..' + Math.round(b.right));
    if (/^Impact:?$/.test(s)) labels.push(s);
    if (/^\$[0-9,]+\/mo$/.test(s)) impacts.push(s);
  }
  const data = [...document.querySelectorAll('table')].filter(t => t.getAttribute('role') !== 'presentation');
  return {
    title: document.title,
    scrollWidth: document.documentElement.scrollWidth,
    column: document.body.firstElementChild.getBoundingClientRect().width,
    texts, outside: out, labels, impacts,
    bars: document.querySelectorAll('td[width]').length,
    tables: data.length,
    right: Math.max(0, ...[...document.body.querySelectorAll('*')].map(e => e.getBoundingClientRect().right)),
    maxCols: Math.max(0, ...data.map(t => t.rows[0] ? t.rows[0].cells.length : 0)),
  };
})()`

var monthlyFigure = regexp.MustCompile(`>\s*\$[0-9,]+/mo<`)

// TestHTMLFitsAPhone opens each HTML report in Debian's chromium at a
// phone's width (375 px, a phone's mail app) and at 1024 px. On the phone
// the page must not scroll sideways and every piece of text, the Impact
// figures above all, must be drawn inside the screen: wide tables are
// laid out as cards, without media queries (mail clients strip <style>).
// At 1024 px the message keeps its 720 px column. Every bar must draw.
// OPSDECK_HTML_SHOTS=dir saves a screenshot of each page there.
func TestHTMLFitsAPhone(t *testing.T) {
	ctx := testpeer.Chromium(t, 1024, 900)
	snap := snapshot(t, storetest.Demo(t, nil))
	dir := t.TempDir()
	shots := os.Getenv("OPSDECK_HTML_SHOTS")

	for _, role := range portfolio.ReportRoles {
		path := filepath.Join(dir, string(role)+".html")
		page := render(t, snap, role, HTML)
		if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		impacts := len(monthlyFigure.FindAllString(page, -1))
		if impacts == 0 {
			t.Errorf("%s: no monthly figures in the HTML", role)
		}
		for _, width := range []int{375, 1024} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 800), chromedp.Navigate("file://"+path)); err != nil {
				t.Fatalf("%s: chromium: %v", role, err)
			}
			got, err := chromedp.Run(ctx, chromedp.Evaluate[layout](measure))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s at %d px: scrollWidth %d, column %.0f px, %d texts, %d outside, %d tables (widest %d columns), right edge %.0f px",
				role, width, got.ScrollWidth, got.Column, got.Texts, len(got.Outside), got.Tables, got.MaxColumns, got.Right)
			if shots != "" {
				saveScreens(t, ctx, filepath.Join(shots, fmt.Sprintf("%s-%d", role, width)))
			}
			if got.ScrollWidth > width {
				t.Errorf("%s: the page is %d px wide in a %d px viewport", role, got.ScrollWidth, width)
			}
			if got.Texts == 0 {
				t.Errorf("%s at %d px: no text measured", role, width)
			}
			for _, s := range got.Outside {
				t.Errorf("%s at %d px: text not visible: %s", role, width, s)
			}
			if len(got.Impacts) < impacts {
				t.Errorf("%s at %d px: %d of the %d monthly figures are drawn", role, width, len(got.Impacts), impacts)
			}
			if len(got.Labels) == 0 {
				t.Errorf("%s at %d px: no Impact label drawn", role, width)
			}
			if got.MaxColumns > 3 {
				t.Errorf("%s: a table of %d columns is left as a table", role, got.MaxColumns)
			}
			if want := fmt.Sprintf("%s report", role.Title()); !strings.Contains(got.Title, want) {
				t.Errorf("%s: title %q lacks %q", role, got.Title, want)
			}
			if want := strings.Count(page, "<td width="); got.Bars != want {
				t.Errorf("%s: chromium drew %d bar cells, the HTML has %d", role, got.Bars, want)
			}
			if width == 1024 && (got.Column < 700 || got.Column > 760) {
				t.Errorf("%s at 1024 px: the content column is %.0f px wide, want 720 to 752", role, got.Column)
			}
		}
	}
}

// saveScreens saves the page a screen at a time, as base-N.png, scrolling
// down 800 px each time.
func saveScreens(t *testing.T, ctx context.Context, base string) {
	height, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollHeight`))
	if err != nil {
		t.Fatal(err)
	}
	for i, y := 0, 0; y < height; i, y = i+1, y+800 {
		png, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`window.scrollTo(0, %d), 0`, y)))
		_ = png
		if err != nil {
			t.Fatal(err)
		}
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err == nil {
			err = os.WriteFile(fmt.Sprintf("%s-%d.png", base, i), shot, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// A word longer than a phone is wide (a URL, a key someone pasted) in a
// card breaks rather than widening the page.
func TestHTMLLongWordFitsAPhone(t *testing.T) {
	ctx := testpeer.Chromium(t, 375, 800)
	long := strings.Repeat("sk_live_0123456789", 8)
	md := "| # | Shortfall | Entity | Severity | Impact | Effort | Return |\n|---|---|---|---|---|---|---|\n" +
		"| 1 | **" + long + "** " + long + " | CLOUD | critical | $2,500/mo | 1 day | " + long + " |\n"
	page, err := renderHTML(md, "long words")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "long.html")
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 800), chromedp.Navigate("file://"+path)); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[layout](measure))
	if err != nil {
		t.Fatal(err)
	}
	if got.ScrollWidth > 375 {
		t.Errorf("the page is %d px wide in a 375 px viewport", got.ScrollWidth)
	}
	for _, s := range got.Outside {
		t.Errorf("text not visible: %s", s)
	}
}
