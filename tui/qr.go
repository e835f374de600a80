package tui

import (
	"strings"

	goqr "github.com/piglig/go-qr"
)

// qrBlock draws text as a QR code in the terminal, two modules a line with
// half blocks, dark modules as spaces on a light ground so it scans on a
// dark terminal too. It includes the quiet zone phones need.
func qrBlock(text string) (string, error) {
	q, err := goqr.EncodeText(text, goqr.Low)
	if err != nil {
		return "", err
	}
	const quiet = 2
	size := q.Size()
	dark := func(x, y int) bool {
		x, y = x-quiet, y-quiet
		return x >= 0 && y >= 0 && x < size && y < size && q.Module(x, y)
	}
	var b strings.Builder
	total := size + 2*quiet
	for y := 0; y < total; y += 2 {
		for x := 0; x < total; x++ {
			top, bottom := dark(x, y), dark(x, y+1)
			switch {
			case top && bottom:
				b.WriteRune(' ')
			case top:
				b.WriteRune('▄')
			case bottom:
				b.WriteRune('▀')
			default:
				b.WriteRune('█')
			}
		}
		b.WriteByte('\n')
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}
