package tui

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"opsdeck/portfolio"
	"opsdeck/store/storetest"
)

// longCrew mints links under a long --base-url.
type longCrew struct {
	fakeCrew
	url string
}

func (c longCrew) MintLink(context.Context, string, int64, int64, portfolio.AccessRole, bool) (string, error) {
	return c.url, nil
}

// At 80×24 a link under a long base URL is wrapped, never cut, and its QR
// code, too tall to share the page with it, is shown whole on c; in
// either theme the code on screen is the one drawn for that theme.
func TestLongLinkWrapsAndItsQRCodeShowsWhole(t *testing.T) {
	// 102 characters: version 5, 21 lines, the whole page at 80×24; 110:
	// version 6, 23 lines, drawn on the whole terminal without the header
	// and the footer.
	for _, tc := range []struct{ theme, base string }{
		{"dark", "https://crew.queen-of-san-diego-charters.example.com"},
		{"light", "https://crew.queen-of-san-diego-charters.example.com"},
		{"dark", "https://crew.queen-of-san-diego-charters.example.com/opsdeck"},
		{"light", "https://crew.queen-of-san-diego-charters.example.com/opsdeck"},
	} {
		theme, url := tc.theme, tc.base+"/l/odl_"+strings.Repeat("Q", 43)
		t.Run(theme+"-"+strconv.Itoa(len(url)), func(t *testing.T) {
			s := startAt(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour, Crew: longCrew{url: url}, Theme: theme}), 80, 24)
			s.keys("4")
			s.waitFor("2 upcoming events")
			s.keys("enter")
			s.waitFor("Crew 16:00")
			s.keys("L")
			s.waitFor("No links yet")
			s.keys("m")
			for _, title := range []string{"For", "Role", "Single use"} {
				s.focus(title)
				s.keys("enter")
			}
			screen := s.waitFor("New magic link", "c shows it alone")
			var joined strings.Builder
			for _, line := range strings.Split(screen, "\n") {
				if ansi.StringWidth(line) > 80 {
					t.Errorf("a line is wider than 80 columns: %q", line)
				}
				if l := strings.TrimSpace(line); strings.HasPrefix(l, "https://") || joined.Len() > 0 && !strings.Contains(l, " ") && l != "" {
					joined.WriteString(l)
				}
			}
			if !strings.Contains(joined.String(), url) {
				t.Errorf("the URL is not shown whole (%q):\n%s", joined.String(), screen)
			}
			s.keys("c")
			qr, err := qrBlock(url, theme == "dark")
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Split(ansi.Strip(qr), "\n")
			screen = s.waitGone("New magic link")
			lines := strings.Split(screen, "\n")
			if len(lines) > 24 {
				t.Fatalf("%d lines on a 24-line terminal", len(lines))
			}
			start := -1
			for i, l := range lines {
				if strings.Contains(l, want[1]) {
					start = i - 1
					break
				}
			}
			if start < 0 || start+len(want) > len(lines) {
				t.Fatalf("the QR code (%d lines) is not on the screen whole:\n%s", len(want), screen)
			}
			for i, w := range want {
				if !strings.Contains(lines[start+i], w) {
					t.Fatalf("QR line %d is cut or wrong: %q, want %q\n%s", i, lines[start+i], w, screen)
				}
			}
			s.keys("esc")
			s.waitFor("New magic link", "c shows it alone")
			s.keys("esc")
			s.waitFor("No links yet")
		})
	}
}
