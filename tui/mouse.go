package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"opsdeck/portfolio"
)

// clickMsg is a left click inside the page area, in the page's own
// coordinates: X from the screen's left edge, Y from the page's first
// line (below the header and any sending line). The root model makes it
// from a tea.MouseClickMsg, so no page needs to know what is drawn above it.
type clickMsg struct{ X, Y int }

// enterKey is the key press a second click on a row stands for.
var enterKey = tea.KeyPressMsg{Code: tea.KeyEnter}

// click handles a left click on the screen: a tab in the header switches
// pages, a click in the page area goes to the page as a clickMsg, and one
// on the footer does nothing.
func (m *Model) click(msg tea.MouseClickMsg) tea.Cmd {
	// The palette drawn over the page has the keys, and the clicks: one
	// must not act on the page hidden under it.
	if msg.Button != tea.MouseLeft || m.pageTop < 0 || m.palette.open {
		return nil
	}
	if msg.Y == 0 {
		i := m.tabAt(msg.X)
		// A form or a filter open on the page keeps it, as it keeps the
		// number keys.
		if i < 0 || m.pages[m.active].Capturing() {
			return nil
		}
		m.showHelp = false
		return m.switchTo(i)
	}
	y := msg.Y - m.pageTop
	if m.showHelp || y < 0 || y >= m.pageHeight {
		return nil
	}
	return m.pages[m.active].Update(clickMsg{X: msg.X, Y: y})
}

// tabAt is the page whose tab is drawn at column x of the header, or -1.
func (m *Model) tabAt(x int) int {
	for i, r := range m.tabX {
		if x >= r[0] && x < r[1] {
			return i
		}
	}
	return -1
}

// clickList turns a click on the list l into what the keyboard would do:
// a click on a row puts the cursor on it, and a click on the row already
// under the cursor (the second of two, or a double click) is enter, which
// opens it on every list page. view draws the page as it is now; where the
// list sits in it is found there rather than counted, so a line added
// above a list (a filter, a notice) keeps its clicks right. Any other
// message comes back as it was; a click used up or missing every row
// comes back nil.
func clickList(l *List, msg tea.Msg, view func() string) tea.Msg {
	c, ok := msg.(clickMsg)
	if !ok {
		return msg
	}
	top, ok := listTop(view(), l.View())
	if !ok {
		return nil
	}
	before := l.Index()
	i, ok := l.Click(c.Y - top)
	if ok && i == before {
		return enterKey
	}
	return nil
}

// listTop is the line of page at which the list drawn as list starts.
func listTop(page, list string) (int, bool) {
	i := strings.LastIndex(page, list)
	if i < 0 || (i > 0 && page[i-1] != '\n') {
		return 0, false
	}
	return strings.Count(page[:i], "\n"), true
}

// confirmClick translates a click on a confirm's button into the key huh
// takes for it: y for the affirmative, n for the negative, each of which
// chooses and moves on (submitting a one-question dialog). huh draws the
// buttons but takes no mouse; they are found on the form as drawn (drawn,
// in page lines from the form's top), on the line that is the focused
// confirm's row of buttons. A click anywhere else is no key at all.
func confirmClick(form *huh.Form, drawn string, c clickMsg) (tea.KeyPressMsg, bool) {
	conf, ok := form.GetFocusedField().(*huh.Confirm)
	if !ok {
		return tea.KeyPressMsg{}, false
	}
	// The confirm says its labels in its keys' help once drawn.
	own := conf.View()
	yes, no := "", ""
	for _, b := range conf.KeyBinds() {
		switch h := b.Help(); {
		case h.Key == "y" && b.Enabled():
			yes = h.Desc
		case h.Key == "n" && b.Enabled():
			no = h.Desc
		}
	}
	lines := strings.Split(drawn, "\n")
	if yes == "" || c.Y < 0 || c.Y >= len(lines) {
		return tea.KeyPressMsg{}, false
	}
	ownLines := strings.Split(ansiStrip(own), "\n")
	row := strings.TrimRight(ownLines[len(ownLines)-1], " ")
	line := ansiStrip(lines[c.Y])
	at := strings.Index(line, row)
	if row == "" || at < 0 {
		return tea.KeyPressMsg{}, false
	}
	// The buttons' padding is part of the button, as it is coloured.
	pad := huh.ThemeBase16(true).Focused.FocusedButton.GetPaddingLeft()
	start := lipgloss.Width(line[:at])
	hit := func(label string, from int) (int, bool) {
		i := strings.Index(row[from:], label)
		if i < 0 {
			return len(row), false
		}
		x := start + lipgloss.Width(row[:from+i])
		return from + i + len(label), c.X >= x-pad && c.X < x+lipgloss.Width(label)+pad
	}
	end, onYes := hit(yes, 0)
	if onYes {
		return tea.KeyPressMsg{Code: 'y', Text: "y"}, true
	}
	if no != "" {
		if _, onNo := hit(no, end); onNo {
			return tea.KeyPressMsg{Code: 'n', Text: "n"}, true
		}
	}
	return tea.KeyPressMsg{}, false
}

// click on the Overview puts the cursor on the row drawn y lines down if
// the cursor stops there (an entity, an event); on the row already under
// the cursor it opens it, as enter does.
func (p *overviewPage) click(y int) tea.Cmd {
	// The first line drawn, as View reckons it.
	line := y + max(0, min(p.vp.YOffset(), len(p.lines)-p.vp.Height()))
	for i, t := range p.targets {
		if t.line == line {
			if i == p.cursor {
				return p.open()
			}
			p.cursor = i
			return nil
		}
	}
	return nil
}

// clickStrip takes a click on the Records page's strips, as ←/→ and [/]
// move over them: a group on the first line goes to its first kind, a kind
// on the second shows it. handled is false for a click below the strips.
func (p *recordsPage) clickStrip(c clickMsg) (cmd tea.Cmd, handled bool) {
	lines := strings.Split(ansiStrip(p.strips), "\n")
	if p.strips == "" || c.Y < 0 || c.Y >= len(lines) {
		return nil, false
	}
	line := lines[c.Y]
	// on reports whether the click is on label where it stands as a whole
	// word of the strip (one name may be part of another).
	on := func(label string) bool {
		for from := 0; ; {
			i := strings.Index(line[from:], label)
			if i < 0 {
				return false
			}
			i += from
			end := i + len(label)
			before, after := i == 0 || strings.ContainsAny(line[i-1:i], " ["), end == len(line) || strings.ContainsAny(line[end:end+1], " ]")
			if x := lipgloss.Width(line[:i]); before && after && c.X >= x && c.X < x+lipgloss.Width(label) {
				return true
			}
			from = end
		}
	}
	cur := p.current()
	switch c.Y {
	case 0:
		for gi, g := range portfolio.Groups {
			if on(groupLabel(g, false)) || on(groupLabel(g, true)) {
				return p.moveGroup(gi - groupIndex(cur.Group)), true
			}
		}
	case 1:
		for i, k := range p.kinds {
			if k.Group == cur.Group && on(k.Title) {
				return p.setKind(i), true
			}
		}
	}
	return nil, true
}
