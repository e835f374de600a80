package cli

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"opsdeck/internal/testpeer"
)

// TestLinkFromConsoleToPhone: the owner mints a magic link on the console's
// Events page; a crew member opens it on a phone-sized browser and claims
// an item; the console shows the claim live.
func TestLinkFromConsoleToPhone(t *testing.T) {
	browser := testpeer.Chromium(t, 375, 812)
	bin, db := demoBinary(t)
	tm := testpeer.StartTmux(t, 110, 45, "env TERM=xterm-256color OPSDECK_WEB_ADDR=127.0.0.1:0 "+bin+" --db "+db)
	screen, keys := tm.WaitFor, tm.Keys
	screen("Break-even JADA")
	keys("4")
	screen("Sunset harbor cruise")
	keys("Enter")
	screen("Crew call 16:00")
	keys("L")
	screen("No links yet")
	keys("m")
	screen("┃ For")
	keys("Down", "Enter") // Jess Tran (crew)
	screen("┃ Role")
	keys("Enter") // their role on this event
	screen("┃ Single use")
	keys("Enter")
	pane := screen("New magic link")
	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+/l/[A-Za-z0-9_-]+`).FindString(pane)
	if url == "" {
		t.Fatalf("no link URL on the screen:\n%s", pane)
	}
	if !strings.Contains(pane, "█▀") && !strings.Contains(pane, "▀█") {
		t.Errorf("no QR code on the screen:\n%s", pane)
	}

	phone, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	defer cancel()
	phone, cancelT := context.WithTimeout(phone, 60*time.Second)
	defer cancelT()
	if err := chromedp.Do(phone, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile), chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(phone, chromedp.Click(chromedp.CSS("form button")), chromedp.WaitVisible(chromedp.ID("summary"))); err != nil {
		t.Fatal(err)
	}
	// Claim the first item that is free: cleaning the head and galley.
	if err := chromedp.Do(phone, chromedp.Click(chromedp.CSS(`main li form[action$="/claim"] button`))); err != nil {
		t.Fatal(err)
	}
	keys("Escape")
	time.Sleep(100 * time.Millisecond)
	keys("Escape") // back from the links to the checklist
	screen("claimed by Jess Tran")

	// The links list shows the link as opened.
	keys("L")
	screen("Jess Tran")
}
