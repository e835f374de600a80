package cli

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"opsdeck/internal/testpeer"
)

// TestConsoleColourInTmux runs the real binary in tmux with and without
// NO_COLOR and reads the pane with its escape sequences: with NO_COLOR the
// console draws no colour at all (bold stays, and the cursor row is marked
// in text), without it the console is coloured.
func TestConsoleColourInTmux(t *testing.T) {
	bin, db := demoBinary(t)
	for _, tc := range []struct {
		name, env string
		colour    bool
	}{
		{"no-color", "NO_COLOR=1", false},
		{"colour", "COLORTERM=truecolor", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A tmux server of its own per case: one that just lost its
			// last session may still be exiting when the next case starts.
			tm := testpeer.StartTmux(t, 100, 30,
				"env TERM=xterm-256color OPSDECK_WEB_ADDR=127.0.0.1:0 "+tc.env+" "+bin+" --db "+db+" console --theme dark")
			// pane waits for want in the plain text, then returns it and
			// the screen with its escape sequences.
			pane := func(want string) (plain, escaped string) {
				t.Helper()
				return tm.WaitFor(want), tm.Escaped()
			}
			pane("Break-even JADA")
			tm.Keys("2")
			plain, escaped := pane("Charters per month")
			if got := hasColour(escaped); got != tc.colour {
				t.Errorf("colour in the pane = %v, want %v:\n%q", got, tc.colour, escaped)
			}
			if !strings.Contains(escaped, "\x1b[1m") {
				t.Error("no bold text in the pane")
			}
			if !strings.Contains(plain, "▸JADA   Charters per month") {
				t.Errorf("the cursor row is not marked:\n%s", plain)
			}
		})
	}
}

var sgr = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// hasColour reports whether any SGR sequence in s sets a foreground or
// background colour (39 and 49, back to the default, do not count).
func hasColour(s string) bool {
	for _, m := range sgr.FindAllStringSubmatch(s, -1) {
		for _, param := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' }) {
			n, _ := strconv.Atoi(param)
			switch {
			case n == 38, n == 48, n >= 30 && n <= 37, n >= 40 && n <= 47, n >= 90 && n <= 97, n >= 100 && n <= 107:
				return true
			}
		}
	}
	return false
}

// A theme setting that is neither dark nor light is refused before the
// console starts, from the flag and from the environment alike.
func TestConsoleThemeSetting(t *testing.T) {
	path := demoDB(t)
	for _, tc := range []struct {
		env  map[string]string
		args []string
	}{
		{nil, []string{"--db", path, "console", "--theme", "sepia"}},
		{map[string]string{"OPSDECK_THEME": "sepia"}, []string{"--db", path, "console"}},
	} {
		_, stderr, code := cli(t, tc.env, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, `theme "sepia" must be dark or light`) {
			t.Errorf("%v %v: exit %d, %q", tc.env, tc.args, code, stderr)
		}
	}
}
