package testpeer

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// Chromium starts Debian's chromium headless for the test, with the flags
// this closed network needs, and returns a chromedp context for it. The
// test's end stops it.
func Chromium(t testing.TB, width, height int) context.Context {
	t.Helper()
	path := LookPath(t, "chromium")
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height))
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		Missing(t, "chromium", fmt.Sprintf("does not start: %v", err))
	}
	return ctx
}
