package reports

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"opsdeck/internal/testpeer"
	"opsdeck/portfolio"
	"opsdeck/store/storetest"
)

// TestHTMLFitsAPhone opens each HTML report in Debian's chromium at a
// phone's width: the page must not scroll sideways (wide tables scroll
// inside their own box) and every bar must have drawn.
func TestHTMLFitsAPhone(t *testing.T) {
	chromium := testpeer.LookPath(t, "chromium")
	snap := snapshot(t, storetest.Demo(t, nil))
	dir := t.TempDir()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()

	const phoneWidth = 390
	for _, role := range portfolio.ReportRoles {
		path := filepath.Join(dir, string(role)+".html")
		page := render(t, snap, role, HTML)
		if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(phoneWidth, 844), chromedp.Navigate("file://"+path)); err != nil {
			t.Fatalf("%s: chromium: %v", role, err)
		}
		title, err := chromedp.Run(ctx, chromedp.Title())
		if err != nil {
			t.Fatal(err)
		}
		pageWidth, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil {
			t.Fatal(err)
		}
		bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('td[width]').length`))
		if err != nil {
			t.Fatal(err)
		}
		if pageWidth > phoneWidth {
			t.Errorf("%s: the page is %d px wide on a %d px phone", role, pageWidth, phoneWidth)
		}
		if want := fmt.Sprintf("%s report", role.Title()); !strings.Contains(title, want) {
			t.Errorf("%s: title %q lacks %q", role, title, want)
		}
		if want := strings.Count(page, "<td width="); bars != want {
			t.Errorf("%s: chromium drew %d bar cells, the HTML has %d", role, bars, want)
		}
	}
}
