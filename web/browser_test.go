package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"opsdeck/internal/testpeer"
	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/demo"
)

// browser starts headless Debian chromium for the test and returns a
// context for it; each phone is a new browser context (its own cookies
// and storage) inside it.
func startChromium(t *testing.T) context.Context {
	t.Helper()
	path := testpeer.LookPath(t, "chromium")
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(375, 812),
	)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		testpeer.Missing(t, "chromium", fmt.Sprintf("does not start: %v", err))
	}
	return ctx
}

// phone is one crew member's browser at a 375×812 mobile viewport.
type phone struct {
	t    *testing.T
	ctx  context.Context
	name string
}

func newPhone(t *testing.T, browser context.Context, name string) *phone {
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelT)
	p := &phone{t: t, ctx: ctx, name: name}
	p.do(chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
	return p
}

func (p *phone) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", p.name, err)
	}
}

func (p *phone) eval(js string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		p.t.Fatalf("%s: %s: %v", p.name, js, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds or limit passes,
// and returns how long it took.
func (p *phone) waitFor(cond string, limit time.Duration) (time.Duration, error) {
	start := time.Now()
	_, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](cond,
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(limit)))
	return time.Since(start), err
}

// open follows a magic link as a person would: GET shows the button,
// pressing it opens the checklist.
func (p *phone) open(url string) {
	p.t.Helper()
	p.do(chromedp.Navigate(url))
	if got := p.eval(`document.querySelector("button").textContent`); got != "Open checklist" {
		p.t.Fatalf("%s: the link page shows %q, want an Open checklist button", p.name, got)
	}
	p.do(chromedp.Click(chromedp.CSS("form button")), chromedp.WaitVisible(chromedp.ID("summary")))
}

func (p *phone) screenshot(name string) {
	dir := os.Getenv("OPSDECK_SCREENSHOTS")
	if dir == "" {
		dir = p.t.TempDir()
	}
	buf, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
	}
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
	}
}

func linkURL(f *fixture, who string, role portfolio.AccessRole, eventID int64) string {
	_, token := f.mint(who, eventID, role, false)
	return f.base + "/l/" + token
}

// Two crew members on phones: one claims and ticks an item, the other
// sees both within a second through the event stream; neither sees the
// captain's dialogs.
func TestBrowserLiveChecklist(t *testing.T) {
	browser := startChromium(t)
	f := newFixture(t)
	sam, jess := newPhone(t, browser, "Sam"), newPhone(t, browser, "Jess")
	sam.open(linkURL(f, "sam", "", f.event.ID))
	jess.open(linkURL(f, "jess", "", f.event.ID))
	clean := f.item("Clean")
	li := fmt.Sprintf("#i%d", clean.ID)

	if n := sam.eval(`String(document.querySelectorAll(".captain-dialog, .admin-dialog").length)`); n != "0" {
		t.Errorf("a crew member's page has %s captain or admin dialogs", n)
	}
	if _, err := jess.waitFor(`document.body.dataset.v && window.EventSource`, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // let both streams connect

	// Count how often Sam's phase block is swapped out: his action's reply
	// and the stream carry the same change, and swapping it twice would
	// replace a button under his finger.
	sam.eval(`window.swaps = 0; new MutationObserver(function (ms) { ms.forEach(function (m) {
		m.removedNodes.forEach(function (n) { if (/^p\d+$/.test(n.id || "")) window.swaps++; }); }); })
		.observe(document.querySelector("main"), {childList: true, subtree: true}); ""`)
	for _, step := range []struct{ button, sees string }{
		{"claim", "Sam Okafor · since"},
		{"done", "✓ Sam Okafor"},
	} {
		before := sam.eval(`window.swaps = 0; document.body.dataset.v`)
		sam.do(chromedp.Click(chromedp.CSS(li + ` form[action$="/` + step.button + `"] button`)))
		took, err := jess.waitFor(fmt.Sprintf(`(document.querySelector(%q)||{}).textContent.includes(%q)`, li+" .who", step.sees), time.Second)
		if err != nil {
			t.Fatalf("after Sam's %s, Jess did not see %q within a second: %v", step.button, step.sees, err)
		}
		t.Logf("Jess saw Sam's %s after %v", step.button, took.Round(time.Millisecond))
		// Sam's next tap waits until his own page shows what he did, as
		// a person waits for the button to change.
		if _, err := sam.waitFor(fmt.Sprintf(`(document.querySelector(%q)||{}).textContent.includes(%q)`, li+" .who", step.sees), time.Second); err != nil {
			t.Fatalf("after Sam's %s, his own page does not show %q: %v", step.button, step.sees, err)
		}
		if _, err := sam.waitFor(fmt.Sprintf(`document.body.dataset.v !== %q`, before), time.Second); err != nil {
			t.Fatalf("Sam's stream did not deliver his own %s: %v", step.button, err)
		}
		if n := sam.eval(`String(window.swaps)`); n != "1" {
			t.Errorf("Sam's %s swapped his phase block %s times, want once", step.button, n)
		}
	}
	if got := sam.eval(`document.querySelector("` + li + `").className`); !strings.Contains(got, "done") {
		t.Errorf("Sam's own page shows the item as %q", got)
	}
	sam.screenshot("crew-sam")
	jess.screenshot("crew-jess")

	captain := newPhone(t, browser, "Morgan")
	captain.open(linkURL(f, "morgan", "", f.event.ID))
	if n := captain.eval(`String(document.querySelectorAll(".captain-dialog").length)`); n == "0" {
		t.Error("the captain's page has no captain dialogs")
	}
	captain.screenshot("captain")
}

// An item titled with markup shows as text and runs nothing.
func TestBrowserEscapesItemTitles(t *testing.T) {
	browser := startChromium(t)
	f := newFixture(t)
	ctx := context.Background()
	evil := `<img src=x onerror=alert(1)>`
	ev := portfolio.Event{EntityID: f.event.EntityID, Kind: "charter", Title: `<script>alert(2)</script> cruise`, DepartsAt: time.Now().Add(48 * time.Hour),
		TimeZone: demo.TimeZone, Duration: 120, Status: portfolio.EventPlanned, Notes: evil,
		Crew:   []portfolio.CrewMember{{PersonID: f.people["sam"].ID, Role: portfolio.AccessCrew}},
		Phases: []portfolio.Phase{{Name: evil, Items: []portfolio.ChecklistItem{{Title: evil, Note: evil}}}}}
	if err := f.store.Update(ctx, "test", func(tx *store.Tx) error { return tx.CreateEvent(ctx, &ev) }); err != nil {
		t.Fatal(err)
	}
	p := newPhone(t, browser, "Sam")
	watch, stopWatching := context.WithCancel(p.ctx)
	defer stopWatching()
	dialogs := chromedp.Events(watch, page.JavascriptDialogOpening)
	p.open(linkURL(f, "sam", "", ev.ID))
	if n := p.eval(`String(document.querySelectorAll("main img, main script, header script").length)`); n != "0" {
		t.Errorf("the title became %s element(s)", n)
	}
	if got := p.eval(`document.querySelector("main li .t").textContent.trim()`); got != evil {
		t.Errorf("item title shows as %q, want the literal text", got)
	}
	if got := p.eval(`document.querySelector("h1").textContent`); !strings.HasPrefix(got, "<script>") {
		t.Errorf("event title shows as %q", got)
	}
	// Tick the item so its parts also come through the stream and fetch.
	p.do(chromedp.Click(chromedp.CSS(`main li form[action$="/done"] button`)))
	if _, err := p.waitFor(`document.querySelector("main li").className.includes("done")`, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(500*time.Millisecond, stopWatching)
	for ev, err := range dialogs {
		if err != nil {
			break
		}
		t.Errorf("a script ran and opened a dialog: %q", ev.Message)
		break
	}
	p.screenshot("escaped")
}

// Actions taken with no signal wait on the phone and are replayed when
// it returns; one that lost a race says so.
func TestBrowserOfflineQueueReplays(t *testing.T) {
	browser := startChromium(t)
	f := newFixture(t)
	sam, jess := newPhone(t, browser, "Sam"), newPhone(t, browser, "Jess")
	sam.open(linkURL(f, "sam", "", f.event.ID))
	jess.open(linkURL(f, "jess", "", f.event.ID))
	clean, photos := f.item("Clean"), f.item("Take photos")

	// No signal: requests really fail, and the page is told it is offline.
	offline := func(off bool) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
				return fmt.Errorf("enable: %w", err)
			}
			if _, err := chromedp.Call(ctx, emulateNetworkConditions, networkConditions{
				Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
				return fmt.Errorf("conditions: %w", err)
			}
			_, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
				Offline: off, DownloadThroughput: -1, UploadThroughput: -1})
			return err
		})
	}
	sam.do(offline(true))
	if _, err := sam.waitFor(`!navigator.onLine`, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{clean.ID, photos.ID} {
		sam.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#i%d form[action$="/claim"] button`, id))))
	}
	if _, err := sam.waitFor(`((document.getElementById("offline")||{}).textContent||"").includes("2 actions kept")`, 2*time.Second); err != nil {
		t.Fatalf("the phone does not say it kept the actions: %v", err)
	}
	// The queue is kept in the phone's storage, so closing the page
	// loses nothing.
	if n := sam.eval(fmt.Sprintf(`String(JSON.parse(localStorage.getItem("odq%d")).length)`, f.event.ID)); n != "2" {
		t.Fatalf("%s actions in the phone's storage, want 2", n)
	}
	sam.screenshot("offline-queued")

	// Meanwhile Jess, with signal, claims one of them.
	jess.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#i%d form[action$="/claim"] button`, clean.ID))))
	if _, err := jess.waitFor(fmt.Sprintf(`document.querySelector("#i%d .who").textContent.includes("Jess Tran")`, clean.ID), 2*time.Second); err != nil {
		t.Fatal(err)
	}

	sam.do(offline(false))
	if _, err := sam.waitFor(`!document.getElementById("offline")`, 10*time.Second); err != nil {
		t.Fatalf("the queue was not replayed: %v", err)
	}
	if _, err := sam.waitFor(`document.getElementById("msg").textContent.includes("already claimed by Jess Tran")`, 3*time.Second); err != nil {
		t.Errorf("no message for the action that lost the race: %q", sam.eval(`document.getElementById("msg").textContent`))
	}
	if _, err := sam.waitFor(fmt.Sprintf(`document.querySelector("#i%d .who").textContent.includes("Sam Okafor")`, photos.ID), 3*time.Second); err != nil {
		t.Errorf("the queued claim that did not conflict was not applied")
	}
	if it := f.item("Take photos"); it.ClaimedByName != "Sam Okafor" {
		t.Errorf("server: photos claimed by %q", it.ClaimedByName)
	}
	sam.screenshot("offline-replayed")
}

// emulateNetworkConditions is the protocol's Network.emulateNetworkConditions,
// which cdproto no longer lists but Chromium still honours: unlike the
// by-rule variant it makes every request of the page fail while offline.
var emulateNetworkConditions = cdp.Command[networkConditions, cdp.Empty]{Method: "Network.emulateNetworkConditions"}

type networkConditions struct {
	Offline            bool    `json:"offline"`
	Latency            float64 `json:"latency"`
	DownloadThroughput float64 `json:"downloadThroughput"`
	UploadThroughput   float64 `json:"uploadThroughput"`
}
