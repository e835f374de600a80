package cli

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// Tables line up by what a terminal shows: an emoji or a CJK character is
// two columns wide however many bytes or runes it is.
func TestTableAlignsByDisplayWidth(t *testing.T) {
	var b strings.Builder
	w := newTable(&b)
	for _, row := range []string{
		"NAME\tKIND\tNOTE",
		"Harbor\tboat\tplain",
		"🚤 Sunset\tboat\temoji",
		"港口\tdock\tCJK",
		"Café\tbar\taccent",
	} {
		if _, err := w.Write([]byte(row + "\n")); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("got %d lines, want 5:\n%s", len(lines), b.String())
	}
	// The second column starts at the same display column on every line.
	want := -1
	for _, l := range lines {
		i := strings.Index(l, "boat")
		if i < 0 {
			for _, w := range []string{"KIND", "dock", "bar"} {
				if i = strings.Index(l, w); i >= 0 {
					break
				}
			}
		}
		col := ansi.StringWidth(l[:i])
		if want < 0 {
			want = col
		}
		if col != want {
			t.Errorf("second column at display column %d, want %d:\n%s", col, want, b.String())
		}
	}
	if want != len("🚤 Sunset")-len("🚤")+2+2 {
		t.Errorf("second column at %d, want the widest name's width (9) plus 2:\n%s", want, b.String())
	}
}
