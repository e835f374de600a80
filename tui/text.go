package tui

import (
	"math"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

func ansiStrip(s string) string { return ansi.Strip(s) }

// cell pads or truncates s to exactly w columns.
func cell(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if pad := w - lipgloss.Width(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// rcell right-aligns s in w columns.
func rcell(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
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

// progressBar draws done/total as a bar of width cells and a count.
func progressBar(done, total, width int) string {
	if total == 0 {
		return cell("no checklist", width)
	}
	label := " " + itoa(done) + "/" + itoa(total)
	bar := max(4, width-lipgloss.Width(label))
	filled := done * bar / total
	return strings.Repeat("█", filled) + strings.Repeat("░", bar-filled) + label
}

func itoa(n int) string { return strconv.Itoa(n) }
