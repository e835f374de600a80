package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestFitBlock(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		w, h int
		want string
	}{
		{"pads short lines and adds rows", "ab\nc", 3, 3, "ab \nc  \n   "},
		{"cuts long lines and extra rows", "abcdef\nxyz\nmore", 4, 2, "abcd\nxyz "},
		{"wide runes count two columns", "日本語", 4, 1, "日本"},
		{"keeps styles", "\x1b[1mbold\x1b[0m", 6, 1, "\x1b[1mbold\x1b[0m  "},
		{"empty", "", 2, 2, "  \n  "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fitBlock(tc.in, tc.w, tc.h)
			if ansi.Strip(got) != ansi.Strip(tc.want) {
				t.Errorf("fitBlock(%q, %d, %d) = %q, want %q", tc.in, tc.w, tc.h, got, tc.want)
			}
			for i, line := range strings.Split(got, "\n") {
				if w := ansi.StringWidth(line); w != tc.w {
					t.Errorf("line %d is %d columns, want %d", i, w, tc.w)
				}
			}
		})
	}
}

func TestWindow(t *testing.T) {
	lines := []string{"a", "b", "c", "d", "e"}
	for _, tc := range []struct {
		offset, h int
		want      string
	}{
		{0, 2, "a\nb"}, {3, 2, "d\ne"}, {4, 2, "d\ne"}, {-1, 2, "a\nb"}, {0, 9, "a\nb\nc\nd\ne"},
	} {
		if got := window(lines, tc.offset, tc.h); got != tc.want {
			t.Errorf("window(offset %d, h %d) = %q, want %q", tc.offset, tc.h, got, tc.want)
		}
	}
	if got := window(nil, 0, 3); got != "" {
		t.Errorf("window of nothing = %q", got)
	}
}

// A wrapped sentence breaks at spaces, never at a key's hyphen.
func TestWrapKeepsWordsWhole(t *testing.T) {
	got := wrap("cost line bayside-marina, cost line marine-underwriter and 6 more", 20)
	want := "cost line\nbayside-marina, cost\nline\nmarine-underwriter\nand 6 more"
	if got != want {
		t.Errorf("wrap = %q, want %q", got, want)
	}
	if got := wrap("abcdefghij", 4); got != "abcd\nefgh\nij" {
		t.Errorf("a long word: %q", got)
	}
}

// Text from outside the console is drawn with its control characters
// visible, never obeyed.
func TestSafe(t *testing.T) {
	for _, tc := range []struct{ in, want, lines string }{
		{"plain ascii", "plain ascii", "plain ascii"},
		{"naïve café 日本", "naïve café 日本", "naïve café 日本"},
		{"a\x1b[31mred", "a␛[31mred", "a␛[31mred"},
		{"one\r\ntwo\nthree\tfour", "one two three four", "one\ntwo\nthree four"},
		{"bell\a del\x7f", "bell␇ del␡", "bell␇ del␡"},
		{"c1 \u009b2J", "c1 �2J", "c1 �2J"},
		{"bidi \u202egnp.exe\u202c", "bidi gnp.exe", "bidi gnp.exe"},
		{"bad \xff byte", "bad � byte", "bad � byte"},
		{"lone\rcr", "lone cr", "lone cr"},
	} {
		if got := safe(tc.in); got != tc.want {
			t.Errorf("safe(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := safeLines(tc.in); got != tc.lines {
			t.Errorf("safeLines(%q) = %q, want %q", tc.in, got, tc.lines)
		}
	}
}

// Every bar in a column is as long as the others whatever its count, so
// bars compare at a glance ("2/14" and "10/14" used to get 12 and 11 cells).
func TestProgressBarsHaveOneLength(t *testing.T) {
	for _, width := range []int{12, 16, 30} {
		bars := map[int]bool{}
		for _, c := range [][2]int{{0, 3}, {2, 14}, {10, 14}, {14, 14}, {9, 99}} {
			line := progressBar(c[0], c[1], width)
			if w := ansi.StringWidth(line); w != width {
				t.Errorf("progressBar(%d, %d, %d) is %d wide: %q", c[0], c[1], width, w, line)
			}
			bars[strings.Count(line, "█")+strings.Count(line, "░")] = true
		}
		if len(bars) != 1 {
			t.Errorf("at width %d the bars have %d different lengths", width, len(bars))
		}
	}
}

// A cell is cut between words where that keeps half its room, and inside
// a word only when the word alone is too long.
func TestCellCutsBetweenWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		w    int
		want string
	}{
		{"Payment keys are stored in plain text", 16, "Payment keys…   "},
		{"Sunset harbor cruise, private party", 27, "Sunset harbor cruise…      "},
		{"short", 8, "short   "},
		{"bayside-marina-slip-lease", 10, "bayside-m…"},
		{"a verylongwordthatgoeson", 10, "a verylon…"},
	} {
		if got := cell(c.in, c.w); got != c.want {
			t.Errorf("cell(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
	}
}
