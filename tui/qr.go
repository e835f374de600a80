package tui

import (
	"strings"

	"charm.land/lipgloss/v2"
	goqr "github.com/piglig/go-qr"
)

// qrBlock draws text as a QR code in the terminal, two modules a line with
// half blocks, with the quiet zone phones need. Its colours are explicit,
// black modules on white, whatever the theme: a code drawn in the theme's
// own colours comes out inverted on a light terminal, and no scanner reads
// that. Without colour (NO_COLOR) the terminal's own take over, so the
// blocks are the light modules on a dark terminal and the dark ones on a
// light terminal.
func qrBlock(text string, dark bool) (string, error) {
	q, err := goqr.EncodeText(text, goqr.Low)
	if err != nil {
		return "", err
	}
	const quiet = 2
	size := q.Size()
	// inked: the module is drawn with the block's foreground.
	inked := func(x, y int) bool {
		x, y = x-quiet, y-quiet
		on := x >= 0 && y >= 0 && x < size && y < size && q.Module(x, y)
		return on != dark
	}
	black, white := lipgloss.Color("#000000"), lipgloss.Color("#ffffff")
	style := lipgloss.NewStyle().Foreground(black).Background(white)
	if dark {
		style = lipgloss.NewStyle().Foreground(white).Background(black)
	}
	var lines []string
	total := size + 2*quiet
	for y := 0; y < total; y += 2 {
		var b strings.Builder
		for x := 0; x < total; x++ {
			top, bottom := inked(x, y), inked(x, y+1)
			switch {
			case top && bottom:
				b.WriteRune('█')
			case top:
				b.WriteRune('▀')
			case bottom:
				b.WriteRune('▄')
			default:
				b.WriteRune(' ')
			}
		}
		lines = append(lines, style.Render(b.String()))
	}
	return strings.Join(lines, "\n"), nil
}

// hardWrap breaks s, which has no spaces to break at (a URL), into lines
// of at most w columns, so none is cut at the terminal's edge.
func hardWrap(s string, w int) []string {
	w = max(w, 1)
	var out []string
	r := []rune(s)
	for len(r) > w {
		out = append(out, string(r[:w]))
		r = r[w:]
	}
	return append(out, string(r))
}
