package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	goqr "github.com/piglig/go-qr"
)

func TestQRBlock(t *testing.T) {
	q, err := qrBlock("http://127.0.0.1:8080/l/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", true)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(ansi.Strip(q), "\n")
	// Version 4 at low correction: 33 modules and a quiet zone of two each
	// side, 37 columns, two rows a line.
	if len(lines) != 19 || len([]rune(lines[0])) != 37 {
		t.Errorf("%d lines of %d columns", len(lines), len([]rune(lines[0])))
	}
	if lines[0] != strings.Repeat("█", 37) {
		t.Errorf("the quiet zone is not light: %q", lines[0])
	}
}

// Whatever the theme, the code is dark modules on a light ground in
// explicit colours: read back through those colours, every module is what
// the encoder made, and the quiet zone is light.
func TestQRBlockIsDarkOnLightInEitherTheme(t *testing.T) {
	const text = "https://crew.example.com/l/odl_QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ"
	q, err := goqr.EncodeText(text, goqr.Low)
	if err != nil {
		t.Fatal(err)
	}
	const quiet = 2
	isDark := func(x, y int) bool {
		x, y = x-quiet, y-quiet
		return x >= 0 && y >= 0 && x < q.Size() && y < q.Size() && q.Module(x, y)
	}
	for _, dark := range []bool{true, false} {
		block, err := qrBlock(text, dark)
		if err != nil {
			t.Fatal(err)
		}
		// Black modules on white: in the light theme the blocks are black
		// on white, in the dark one white on black.
		fgBlack := !dark
		for i, line := range strings.Split(block, "\n") {
			black, white := "38;2;0;0;0", "48;2;255;255;255"
			if !fgBlack {
				black, white = "48;2;0;0;0", "38;2;255;255;255"
			}
			if !strings.Contains(line, black) || !strings.Contains(line, white) {
				t.Fatalf("dark %v: line %d is not drawn in explicit black and white: %q", dark, i, line)
			}
			for x, r := range []rune(ansi.Strip(line)) {
				fgTop := r == '█' || r == '▀'
				fgBottom := r == '█' || r == '▄'
				top, bottom := fgTop == fgBlack, fgBottom == fgBlack // dark?
				if top != isDark(x, 2*i) || (2*i+1 < q.Size()+2*quiet && bottom != isDark(x, 2*i+1)) {
					t.Fatalf("dark %v: module (%d, %d) reads wrong", dark, x, 2*i)
				}
			}
		}
	}
}

func TestHardWrap(t *testing.T) {
	got := hardWrap("abcdefghij", 4)
	if strings.Join(got, "|") != "abcd|efgh|ij" {
		t.Errorf("hardWrap = %q", got)
	}
}
