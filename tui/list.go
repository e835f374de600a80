package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// List is a scrolling, filterable list of pre-rendered rows. Rows are
// rendered once when the data or the width changes; a key press only moves
// the cursor and joins the visible lines, so it stays fast at 10,000 rows.
type List struct {
	lines    []string // rendered rows
	search   []string // lower-cased text each row is filtered on
	visible  []int    // indexes into lines that pass the filter
	cursor   int      // index into visible
	offset   int      // first visible row on screen
	height   int
	width    int
	filter   string
	selected lipgloss.Style
	header   string
}

// NewList returns an empty list drawing the cursor row with selected.
func NewList(selected lipgloss.Style) *List { return &List{selected: selected} }

// SetRows replaces the rows, keeping the cursor on the same index where
// possible (a reload after an edit should not jump).
func (l *List) SetRows(lines, search []string) {
	l.lines, l.search = lines, search
	l.applyFilter()
}

// SetHeader sets a fixed line drawn above the rows.
func (l *List) SetHeader(h string) { l.header = h }

// SetSize sets the rows' area, header included.
func (l *List) SetSize(w, h int) {
	l.width, l.height = w, h
	l.clamp()
}

func (l *List) rowsHeight() int {
	if l.header != "" {
		return max(1, l.height-1)
	}
	return max(1, l.height)
}

// SetFilter keeps only rows whose search text contains every word of f.
func (l *List) SetFilter(f string) {
	l.filter = f
	l.applyFilter()
}

// Filter is the current filter text.
func (l *List) Filter() string { return l.filter }

func (l *List) applyFilter() {
	l.visible = l.visible[:0]
	words := strings.Fields(strings.ToLower(l.filter))
outer:
	for i := range l.lines {
		for _, w := range words {
			if !strings.Contains(l.search[i], w) {
				continue outer
			}
		}
		l.visible = append(l.visible, i)
	}
	l.clamp()
}

func (l *List) clamp() {
	if l.cursor >= len(l.visible) {
		l.cursor = len(l.visible) - 1
	}
	if l.cursor < 0 {
		l.cursor = 0
	}
	h := l.rowsHeight()
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+h {
		l.offset = l.cursor - h + 1
	}
	if maxOff := max(0, len(l.visible)-h); l.offset > maxOff {
		l.offset = maxOff
	}
}

// Index is the row under the cursor (an index into the rows given to
// SetRows), or -1 when no row is visible.
func (l *List) Index() int {
	if len(l.visible) == 0 {
		return -1
	}
	return l.visible[l.cursor]
}

// Select puts the cursor on row i if it is visible.
func (l *List) Select(i int) {
	for vi, r := range l.visible {
		if r == i {
			l.cursor = vi
			l.clamp()
			return
		}
	}
}

// Len is the number of rows passing the filter.
func (l *List) Len() int { return len(l.visible) }

// Move moves the cursor by n rows.
func (l *List) Move(n int) {
	l.cursor += n
	l.clamp()
}

// Update moves the cursor for navigation keys and the mouse wheel; it
// reports whether it used the message.
func (l *List) Update(msg tea.Msg, keys KeyMap) bool {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, keys.Up):
			l.Move(-1)
		case key.Matches(msg, keys.Down):
			l.Move(1)
		case key.Matches(msg, keys.PageUp):
			l.Move(-l.rowsHeight())
		case key.Matches(msg, keys.PageDown):
			l.Move(l.rowsHeight())
		case key.Matches(msg, keys.Home):
			l.cursor = 0
			l.clamp()
		case key.Matches(msg, keys.End):
			l.cursor = len(l.visible) - 1
			l.clamp()
		default:
			return false
		}
		return true
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			l.Move(-3)
		case tea.MouseWheelDown:
			l.Move(3)
		default:
			return false
		}
		return true
	}
	return false
}

// View joins the visible rows. The cursor row is drawn without its own
// colours so the selection colour reads on any background.
func (l *List) View() string {
	var b strings.Builder
	if l.header != "" {
		b.WriteString(l.header)
		b.WriteByte('\n')
	}
	h := l.rowsHeight()
	if len(l.visible) == 0 {
		b.WriteString("  (nothing to show)")
		return b.String()
	}
	end := min(len(l.visible), l.offset+h)
	for vi := l.offset; vi < end; vi++ {
		line := l.lines[l.visible[vi]]
		if vi == l.cursor {
			line = l.selected.Width(l.width).Render(ansiStrip(line))
		}
		b.WriteString(line)
		if vi < end-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}
