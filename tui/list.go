package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// List is a scrolling, filterable list of rows. A row is drawn the first
// time it scrolls into view and kept until the data or the width changes,
// so a key press only moves the cursor and joins the visible lines, and
// new data costs nothing until it is seen: fast at 10,000 rows.
type List struct {
	n       int
	draw    func(i int) string // draws row i
	text    func(i int) string // the text row i is filtered on
	lines   []string           // drawn rows, by index; see drawn
	drawn   []bool
	search  []string // lower-cased filter text, built on the first filter
	visible []int    // indexes of the rows that pass the filter
	cursor  int      // index into visible
	offset  int      // first visible row on screen
	height  int
	width   int
	filter  string
	styles  *Styles // shared, so a theme change reaches the cursor row
	header  string
	empty   string // said when there are no rows at all
}

// cursorMark starts the cursor row, so the cursor shows without colour
// (NO_COLOR, monochrome terminals) as well as with it.
const cursorMark = "▸"

// NewList returns an empty list drawing its cursor row with the styles'
// Selected style.
func NewList(styles *Styles) *List { return &List{styles: styles} }

// SetRows replaces the rows with lines already drawn, filtered on search.
// The cursor stays on the same index where possible, so a reload after an
// edit does not jump.
func (l *List) SetRows(lines, search []string) {
	l.SetRowFunc(len(lines), func(i int) string { return lines[i] }, func(i int) string { return search[i] })
}

// SetRowFunc replaces the rows with n rows drawn by draw when they first
// come into view; text gives a row's filter text, lower-cased.
func (l *List) SetRowFunc(n int, draw, text func(i int) string) {
	l.n, l.draw, l.text = n, draw, text
	l.lines = slicesResize(l.lines, n)
	l.drawn = slicesResize(l.drawn, n)
	clear(l.drawn)
	l.search = l.search[:0]
	l.applyFilter()
}

// slicesResize returns s with length n, reusing its storage when it can.
func slicesResize[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

func (l *List) line(i int) string {
	if !l.drawn[i] {
		l.lines[i], l.drawn[i] = l.draw(i), true
	}
	return l.lines[i]
}

// SetEmpty sets what the list says when it has no rows at all: which key
// adds the first one. (A filter that hides every row says so instead.)
func (l *List) SetEmpty(text string) { l.empty = text }

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
	if len(words) == 0 {
		for i := range l.n {
			l.visible = append(l.visible, i)
		}
		l.clamp()
		return
	}
	if len(l.search) != l.n {
		l.search = l.search[:0]
		for i := range l.n {
			l.search = append(l.search, l.text(i))
		}
	}
outer:
	for i := range l.n {
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

// Selected is the row under l's cursor in rows (the slice whose lines were
// given to SetRows), and false when no row is visible.
func Selected[T any](l *List, rows []T) (T, bool) {
	i := l.Index()
	if i < 0 || i >= len(rows) {
		var none T
		return none, false
	}
	return rows[i], true
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

// Click puts the cursor on the row drawn y lines below the list's top (its
// header line counts) and returns that row's index, as Index would; ok is
// false, and the cursor stays, when no row is drawn there.
func (l *List) Click(y int) (index int, ok bool) {
	if l.header != "" {
		y--
	}
	vi := l.offset + y
	if y < 0 || y >= l.rowsHeight() || vi >= len(l.visible) {
		return -1, false
	}
	l.cursor = vi
	l.clamp()
	return l.visible[vi], true
}

// Len is the number of rows passing the filter.
func (l *List) Len() int { return len(l.visible) }

// Move moves the cursor by n rows.
func (l *List) Move(n int) {
	l.cursor += n
	l.clamp()
}

// Key hands msg to the list (the cursor, scrolling, the mouse wheel) and
// returns what is left for the page: a key press the list did not take.
func (l *List) Key(msg tea.Msg, keys KeyMap) (tea.KeyPressMsg, bool) {
	if l.Update(msg, keys) {
		return tea.KeyPressMsg{}, false
	}
	k, ok := msg.(tea.KeyPressMsg)
	return k, ok
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
// colours so the selection colour reads on any background, and starts with
// a mark so it shows without colour too.
func (l *List) View() string {
	var b strings.Builder
	if l.header != "" {
		b.WriteString(l.header)
		b.WriteByte('\n')
	}
	h := l.rowsHeight()
	if len(l.visible) == 0 {
		switch {
		case l.n > 0:
			b.WriteString("  (nothing matches the filter; esc clears it)")
		case l.empty != "":
			b.WriteString("  " + l.empty)
		default:
			b.WriteString("  (nothing to show)")
		}
		return b.String()
	}
	end := min(len(l.visible), l.offset+h)
	for vi := l.offset; vi < end; vi++ {
		// A row wider than the list is cut, never wrapped: a wrapped row
		// would push the rows below it down a line.
		line := ansi.Truncate(l.line(l.visible[vi]), l.width, "…")
		if vi == l.cursor {
			plain := ansiStrip(line)
			if rest, ok := strings.CutPrefix(plain, " "); ok {
				plain = cursorMark + rest
			}
			line = l.styles.Selected.Width(l.width).Render(plain)
		}
		b.WriteString(line)
		if vi < end-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// typeFilter feeds msg to a list's filter while it is being typed: esc
// clears it and stops, enter keeps it and stops, anything else edits it.
func typeFilter(filter *textinput.Model, filtering *bool, list *List, msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			*filtering = false
			filter.SetValue("")
			filter.Blur()
			list.SetFilter("")
			return nil
		case "enter":
			*filtering = false
			filter.Blur()
			return nil
		}
	}
	var cmd tea.Cmd
	*filter, cmd = filter.Update(msg)
	list.SetFilter(filter.Value())
	return cmd
}
