package tui

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"opsdeck/portfolio"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

func ansiStrip(s string) string { return ansi.Strip(s) }

// cell pads or truncates s to exactly w columns (see clip).
func cell(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = clip(s, w)
	if pad := w - lipgloss.Width(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// clip cuts s to at most w columns, ending in "…" when it cut. Plain text
// is cut between words where that keeps at least half the room, so a
// name reads "Payment keys…" rather than "Payment keys a…"; a single long
// word, or text with colours in it, is cut where the room ends.
func clip(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	cut := ansi.Truncate(s, w-1, "")
	if strings.IndexByte(s, ansi.ESC) < 0 && !strings.HasPrefix(s[len(cut):], " ") {
		if i := strings.LastIndexByte(cut, ' '); i > 0 && ansi.StringWidth(cut[:i]) >= w/2 {
			cut = cut[:i]
		}
	}
	return strings.TrimRight(cut, " ,;:·-–") + "…"
}

// rcell right-aligns s in w columns.
func rcell(s string, w int) string {
	s = clip(s, w)
	if pad := w - lipgloss.Width(s); pad > 0 {
		s = strings.Repeat(" ", pad) + s
	}
	return s
}

var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// sparkline draws values as block characters scaled between their minimum
// and maximum; a flat series draws a flat line.
func sparkline(values []float64, width int) string {
	if len(values) == 0 {
		return strings.Repeat(" ", width)
	}
	if len(values) > width {
		values = values[len(values)-width:]
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	var b strings.Builder
	for _, v := range values {
		i := 3
		if hi > lo {
			i = int((v - lo) / (hi - lo) * float64(len(sparkBlocks)-1))
		}
		b.WriteRune(sparkBlocks[i])
	}
	return cell(b.String(), width)
}

// progressBar draws done/total as a bar and a count in width cells. The
// bar's length depends on width alone, never on the count's digits, so
// the bars of a column line up and compare at a glance: the count gets
// room for "99/99" and pads to it (a longer count shortens its own bar).
func progressBar(done, total, width int) string {
	if total == 0 {
		return cell("no checklist", width)
	}
	label := " " + strconv.Itoa(done) + "/" + strconv.Itoa(total)
	bar := max(4, width-max(len(" 99/99"), len(label)))
	filled := min(bar, max(0, done*bar/total))
	return strings.Repeat("█", filled) + strings.Repeat("░", bar-filled) + cell(label, max(lipgloss.Width(label), width-bar))
}

// fitBlock makes s exactly w columns by h rows: long lines are cut, short
// ones padded, missing rows added. It measures each line once, where a
// lipgloss style with Width and Height wraps, aligns and measures the whole
// screen several times over on every frame.
func fitBlock(s string, w, h int) string {
	var b strings.Builder
	b.Grow(h * (w + 16))
	rows := 0
	for line := range strings.SplitSeq(s, "\n") {
		if rows == h {
			break
		}
		if rows > 0 {
			b.WriteByte('\n')
		}
		width := ansi.StringWidth(line)
		if width > w {
			line = ansi.Truncate(line, w, "")
			width = ansi.StringWidth(line)
		}
		b.WriteString(line)
		b.WriteString(strings.Repeat(" ", max(0, w-width)))
		rows++
	}
	for ; rows < h; rows++ {
		if rows > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strings.Repeat(" ", w))
	}
	return b.String()
}

// window is the h lines from offset: what a viewport scrolled to offset
// shows, without its per-frame re-measuring (fitBlock pads the screen).
func window(lines []string, offset, h int) string {
	offset = max(0, min(offset, len(lines)-h))
	return strings.Join(lines[offset:min(len(lines), offset+h)], "\n")
}

// countOf says "1 item" or "4 items".
func countOf(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + portfolio.PluralOf(unit)
}

// wrap breaks s into lines of at most w columns at spaces only, never
// inside a word: a key such as bayside-marina stays whole to be read and
// typed. A word wider than w is cut at w.
func wrap(s string, w int) string {
	var out []string
	for para := range strings.SplitSeq(s, "\n") {
		line, lineW := "", 0
		for _, word := range strings.Fields(para) {
			ww := ansi.StringWidth(word)
			if lineW > 0 && lineW+1+ww > w {
				out = append(out, line)
				line, lineW = "", 0
			}
			for ww > w {
				out = append(out, ansi.Truncate(word, w, ""))
				word = ansi.TruncateLeft(word, w, "")
				ww = ansi.StringWidth(word)
			}
			if lineW > 0 {
				line += " "
				lineW++
			}
			line += word
			lineW += ww
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// safe makes text the console did not write itself (an address, a name, a
// subject, a provider's error) harmless to draw on one line: an escape
// sequence in it could otherwise recolour, move the cursor, retitle the
// window or clear the screen. Every control character becomes its visible
// picture (ESC is ␛, so "␛[2J" shows what was there), C1 controls and
// bytes that are not UTF-8 become �, the invisible marks that reorder
// text (bidirectional overrides and isolates) go, and line breaks and
// tabs become spaces.
func safe(s string) string { return sanitize(s, false) }

// safeLines is safe keeping line breaks, for text shown wrapped.
func safeLines(s string) string { return sanitize(s, true) }

func sanitize(s string, keepNewlines bool) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				b.WriteRune('�')
			} else {
				b.WriteRune(r) // a real U+FFFD
			}
		case r == '\n' && keepNewlines:
			b.WriteByte('\n')
		case r == '\n' || r == '\t':
			b.WriteByte(' ')
		case r == '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				continue // a CRLF is one line break
			}
			b.WriteByte(' ')
		case r < 0x20:
			b.WriteRune(0x2400 + r) // ␀ … ␟, ␛ for ESC
		case r == 0x7f:
			b.WriteRune('␡')
		case r >= 0x80 && r < 0xa0:
			b.WriteRune('�') // C1 controls: 0x9b is a CSI to some terminals
		case r == 0x061c || r == 0x200e || r == 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
			// bidirectional marks, overrides and isolates: dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
