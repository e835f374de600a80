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
