package tui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/sahilm/fuzzy"
)

// List is a scrolling, filterable list of rows. A row is drawn the first
// time it scrolls into view and kept until the data or the width changes,
// so a key press only moves the cursor and joins the visible lines, and
// new data costs nothing until it is seen: fast at 10,000 rows.
type List struct {
	// gen counts SetRowFunc calls, so filter texts built off the
	// interface for rows since replaced are not taken (see PrepareSearch).
	gen     int
	n       int
	draw    func(i int) string // draws row i
	text    func(i int) string // the text row i is filtered on
	lines   []string           // drawn rows, by index; see drawn
	drawn   []bool
	search  []string // lower-cased filter text, built on the first filter
	visible []int    // indexes of the rows that pass the filter, best match first
	// matched is the rows that passed the filter, in row order: a filter
	// typed further only looks among them.
	matched []int
	scored  []scoredRow    // scratch for the ranking, kept to save allocations
	words   []string       // the filter's lower-cased words
	marked  map[int]string // on-screen rows with the filter's letters marked
	steps   []filterStep   // the filter as it was typed, for backspace
	cursor  int            // index into visible
	offset  int            // first visible row on screen
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
// come into view; text gives a row's filter text, lower-cased. The cursor
// keeps its place in the list (a page that knows its records puts it back
// on one with Select).
func (l *List) SetRowFunc(n int, draw, text func(i int) string) {
	at := l.cursor
	l.gen++
	l.n, l.draw, l.text = n, draw, text
	l.lines = slicesResize(l.lines, n)
	l.drawn = slicesResize(l.drawn, n)
	clear(l.drawn)
	clear(l.marked)
	l.search = l.search[:0]
	l.matched = l.matched[:0]
	l.steps = l.steps[:0]
	l.applyFilter(false)
	l.pushStep()
	l.cursor = at
	l.clamp()
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
	if w != l.width {
		clear(l.marked)
	}
	l.width, l.height = w, h
	l.clamp()
}

func (l *List) rowsHeight() int {
	if l.header != "" {
		return max(1, l.height-1)
	}
	return max(1, l.height)
}

// SetFilter keeps only the rows whose search text holds every word of f
// as a fuzzy match (its letters in order, not necessarily together:
// "chrpm" finds "charters per month"), best match first and in row order
// among equals. A new filter puts the cursor on the best match; clearing
// it leaves the cursor on the row it was on.
func (l *List) SetFilter(f string) {
	if f == l.filter {
		return
	}
	row := l.Index()
	if !l.stepBack(f) {
		// Typing on only narrows: the rows that failed before still fail.
		narrow := len(l.words) > 0 && strings.HasPrefix(f, l.filter)
		if !narrow {
			l.steps = l.steps[:0]
		}
		l.filter = f
		l.applyFilter(narrow)
		l.pushStep()
	}
	clear(l.marked)
	l.cursor, l.offset = 0, 0
	if len(l.words) == 0 && row >= 0 {
		l.Select(row)
	}
	l.clamp()
}

// filterStep is what a filter typed on the way to the current one found:
// a backspace goes back to it instead of searching every row again.
type filterStep struct {
	filter           string
	matched, visible []int
}

// pushStep keeps what the filter found, for a backspace to come back to.
// The steps' storage is reused: a key press typing over 10,000 rows would
// otherwise allocate two copies of them.
func (l *List) pushStep() {
	if len(l.words) == 0 {
		return
	}
	if len(l.steps) < cap(l.steps) {
		l.steps = l.steps[:len(l.steps)+1]
	} else {
		l.steps = append(l.steps, filterStep{})
	}
	st := &l.steps[len(l.steps)-1]
	st.filter = l.filter
	st.matched = append(st.matched[:0], l.matched...)
	st.visible = append(st.visible[:0], l.visible...)
}

// stepBack restores the result of f if it was typed on the way to the
// current filter.
func (l *List) stepBack(f string) bool {
	for i := len(l.steps) - 1; i >= 0; i-- {
		st := l.steps[i]
		if st.filter != f {
			continue
		}
		l.filter = f
		l.words = strings.Fields(strings.ToLower(f))
		l.matched = append(l.matched[:0], st.matched...)
		l.visible = append(l.visible[:0], st.visible...)
		l.steps = l.steps[:i+1]
		return true
	}
	return false
}

// Filter is the current filter text.
func (l *List) Filter() string { return l.filter }

// preciseRows is how many rows the matcher scores letter by letter. It
// takes some microseconds a row, so a few letters typed over 10,000 events
// would hold a key press for tens of milliseconds; past this many, rows
// are ranked by wholeWord alone, which is enough to order the first
// screenful, until more letters narrow them down.
const preciseRows = 400

// wholeWord ranks a row holding a filter word as typed above every row
// matching it only letter by letter, and above those a row where it
// starts a word ("cy" finds cy@example.com before "policy"). The matcher
// prefers letters starting words ("fay" as Failed… After… Yes) to the word
// itself; someone typing a whole word wants the rows that hold it first.
func wholeWord(s, w string) int {
	const held, starts = 1 << 16, 1 << 17
	bonus := 0
	for at := 0; ; {
		i := strings.Index(s[at:], w)
		if i < 0 {
			return bonus
		}
		i += at
		if i == 0 || !isWordByte(s[i-1]) {
			return starts
		}
		bonus, at = held, i+1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 0x80
}

// scoredRow is a row passing the filter and how well it matches.
type scoredRow struct{ row, score int }

// candidates is a fuzzy.Source over the rows still in the running.
type candidates struct {
	search []string
	rows   []scoredRow
}

func (c candidates) String(i int) string { return c.search[c.rows[i].row] }
func (c candidates) Len() int            { return len(c.rows) }

func (l *List) applyFilter(narrow bool) {
	l.visible = l.visible[:0]
	l.words = strings.Fields(strings.ToLower(l.filter))
	if len(l.words) == 0 {
		l.matched = l.matched[:0]
		for i := range l.n {
			l.visible = append(l.visible, i)
		}
		l.clamp()
		return
	}
	l.buildSearch()
	// A byte scan throws out the rows lacking a word's letters in order
	// (most of them, once a few letters are typed) before the matcher
	// scores the rest.
	rows := l.scored[:0]
	add := func(i int) {
		for _, w := range l.words {
			if !inOrder(l.search[i], w) {
				return
			}
		}
		rows = append(rows, scoredRow{row: i})
	}
	if narrow {
		for _, i := range l.matched {
			add(i)
		}
	} else {
		for i := range l.n {
			add(i)
		}
	}
	if len(rows) > preciseRows {
		// Too many to score letter by letter within a key press: rank by
		// whether each word is held as typed, and where.
		for i := range rows {
			for _, w := range l.words {
				rows[i].score += wholeWord(l.search[rows[i].row], w)
			}
		}
	} else {
		for _, w := range l.words {
			kept := rows[:0]
			// Matches come in the candidates' order, so kept never overtakes
			// the match being read.
			for _, m := range fuzzy.FindFromNoSort(w, candidates{l.search, rows}) {
				r := rows[m.Index]
				// The matcher takes a point off for every letter that does
				// not match; here that would only rank rows with more to
				// search (a long error) below shorter ones. Put them back.
				r.score += m.Score + len(m.Str) - len(m.MatchedIndexes)
				r.score += wholeWord(m.Str, w)
				kept = append(kept, r)
			}
			rows = kept
		}
	}
	l.matched = l.matched[:0]
	for _, r := range rows {
		l.matched = append(l.matched, r.row)
	}
	if len(rows) > preciseRows {
		// Few ranks (wholeWord's, summed): one pass per rank keeps the
		// rows' order within it, in less time than sorting.
		top := 0
		for _, r := range rows {
			top = max(top, r.score>>16)
		}
		for rank := top; rank >= 0; rank-- {
			for _, r := range rows {
				if r.score>>16 == rank {
					l.visible = append(l.visible, r.row)
				}
			}
		}
	} else {
		slices.SortStableFunc(rows, func(a, b scoredRow) int { return cmp.Compare(b.score, a.score) })
		for _, r := range rows {
			l.visible = append(l.visible, r.row)
		}
	}
	l.scored = rows
	l.clamp()
}

// buildSearch gets every row's filter text, once per SetRows: when the
// filter line opens (a page's / key), so the first letter typed over
// 10,000 rows does not pay for it too.
func (l *List) buildSearch() {
	if len(l.search) == l.n {
		return
	}
	l.search = l.search[:0]
	for i := range l.n {
		l.search = append(l.search, l.text(i))
	}
}

// searchReadyMsg carries a list's filter texts, built in a command.
type searchReadyMsg struct {
	list  *List
	gen   int
	texts []string
}

// PrepareSearch is a command that builds the rows' filter texts with build
// off the interface, so the first letter typed after / does not lower-case
// ten thousand rows between two frames. build must read only data that is
// not written again (a slice the page no longer appends to). Until the
// texts arrive, a filter builds them itself, as before.
func (l *List) PrepareSearch(build func() []string) tea.Cmd {
	gen := l.gen
	return func() tea.Msg { return searchReadyMsg{list: l, gen: gen, texts: build()} }
}

// searchReady takes texts PrepareSearch built, if they are still of the
// list's rows and no filter has built its own meanwhile.
func (l *List) searchReady(msg searchReadyMsg) {
	if msg.gen == l.gen && len(msg.texts) == l.n && len(l.search) != l.n {
		l.search = msg.texts
	}
}

// inOrder reports whether the bytes of word appear in s in order.
func inOrder(s, word string) bool {
	for i := 0; i < len(word); i++ {
		j := strings.IndexByte(s, word[i])
		if j < 0 {
			return false
		}
		s = s[j+1:]
	}
	return true
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
		row := l.visible[vi]
		// A row wider than the list is cut, never wrapped: a wrapped row
		// would push the rows below it down a line.
		line := ansi.Truncate(l.line(row), l.width, "…")
		if vi == l.cursor {
			plain := ansiStrip(line)
			if rest, ok := strings.CutPrefix(plain, " "); ok {
				plain = cursorMark + rest
			}
			line = l.styles.Selected.Width(l.width).Render(plain)
			line = l.mark(line)
		} else if len(l.words) > 0 {
			if l.marked == nil {
				l.marked = map[int]string{}
			}
			marked, ok := l.marked[row]
			if !ok {
				marked = l.mark(line)
				l.marked[row] = marked
			}
			line = marked
		}
		b.WriteString(line)
		if vi < end-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// mark underlines the letters of line that the filter's words match, so
// the eye finds why a row is there. The words are matched again on the
// row as drawn (the search text may hold more than shows); a word that
// matches only hidden text marks nothing. Underlining leaves the row's own
// colours as they are, and shows without colour too.
func (l *List) mark(line string) string {
	if len(l.words) == 0 {
		return line
	}
	plain := ansiStrip(line)
	var spans [][2]int // byte offsets in plain
	for _, w := range l.words {
		for _, m := range fuzzy.Find(w, []string{plain}) {
			for _, at := range m.MatchedIndexes {
				_, size := utf8.DecodeRuneInString(plain[at:])
				spans = append(spans, [2]int{at, at + size})
			}
		}
	}
	if len(spans) == 0 {
		return line
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
	merged := spans[:1]
	for _, sp := range spans[1:] {
		if last := &merged[len(merged)-1]; sp[0] <= last[1] {
			last[1] = max(last[1], sp[1])
		} else {
			merged = append(merged, sp)
		}
	}
	return underline(line, merged)
}

// underline underlines the text of line (escape codes and all) between
// the plain-text byte offsets of each span. The row's own codes pass
// through; one that resets the style inside a span is followed by the
// underline again.
func underline(line string, spans [][2]int) string {
	const on, off = "\x1b[4m", "\x1b[24m"
	var b strings.Builder
	b.Grow(len(line) + len(spans)*(len(on)+len(off)))
	pos, si, in := 0, 0, false
	for i := 0; i < len(line); {
		if line[i] == '\x1b' {
			j := escapeEnd(line, i)
			b.WriteString(line[i:j])
			if in {
				b.WriteString(on)
			}
			i = j
			continue
		}
		if !in && si < len(spans) && pos == spans[si][0] {
			b.WriteString(on)
			in = true
		}
		b.WriteByte(line[i])
		i++
		pos++
		if in && pos == spans[si][1] {
			b.WriteString(off)
			in, si = false, si+1
		}
	}
	if in {
		b.WriteString(off)
	}
	return b.String()
}

// escapeEnd is the end of the escape sequence starting at line[i]: a CSI
// (colours), an OSC (a link) or a two-byte escape.
func escapeEnd(line string, i int) int {
	if i+1 >= len(line) {
		return len(line)
	}
	switch line[i+1] {
	case '[':
		for j := i + 2; j < len(line); j++ {
			if line[j] >= 0x40 && line[j] <= 0x7e {
				return j + 1
			}
		}
	case ']':
		for j := i + 2; j < len(line); j++ {
			if line[j] == '\a' {
				return j + 1
			}
			if line[j] == '\x1b' && j+1 < len(line) && line[j+1] == '\\' {
				return j + 2
			}
		}
	default:
		return i + 2
	}
	return len(line)
}

// FilterLine is a page's filter line for l: what is typed, and how many
// of the rows pass ("3 of 120").
func (l *List) FilterLine(in *textinput.Model) string {
	line := " " + in.View()
	if l.filter != "" {
		line += "  " + l.styles.Subtle.Render(strconv.Itoa(len(l.visible))+" of "+strconv.Itoa(l.n))
	}
	return line
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

// filterLine is a page's "/" filter over one of its lists: the line typed
// into, and whether it has the keys.
type filterLine struct {
	input  textinput.Model
	typing bool
}

func newFilterLine(placeholder string) filterLine {
	in := textinput.New()
	in.Prompt = "/ "
	in.Placeholder = placeholder
	return filterLine{input: in}
}

// start gives the filter of l the keys.
func (f *filterLine) start(l *List) tea.Cmd {
	f.typing = true
	l.buildSearch()
	return f.input.Focus()
}

// update types msg into the filter of l (esc clears it, enter keeps it).
func (f *filterLine) update(l *List, msg tea.Msg) tea.Cmd {
	return typeFilter(&f.input, &f.typing, l, msg)
}

// clear empties the filter of l, and reports whether there was one.
func (f *filterLine) clear(l *List) bool {
	had := l.Filter() != ""
	f.typing = false
	f.input.SetValue("")
	f.input.Blur()
	l.SetFilter("")
	return had
}

// shown reports whether the page shows the filter line instead of its
// usual one: while typed, and while a filter is kept.
// set filters l on text as if it had been typed and kept with enter.
func (f *filterLine) set(l *List, text string) {
	f.typing = false
	f.input.Blur()
	f.input.SetValue(text)
	l.SetFilter(text)
}

func (f *filterLine) shown(l *List) bool { return f.typing || l.Filter() != "" }

func (f *filterLine) view(l *List) string { return l.FilterLine(&f.input) }

// setDark follows a theme change.
func (f *filterLine) setDark(dark bool) { f.input.SetStyles(textinput.DefaultStyles(dark)) }

// searchTexts builds the filter text of n rows at once, lower-cased, in
// one buffer: on the Events page the first filter after a load needs it
// for 10,000 rows, and a string each would cost most of a key press.
// row appends row i's text to b.
func searchTexts(n int, row func(b []byte, i int) []byte) []string {
	// Room for rows of about 48 bytes (an event's code, title and status)
	// saves growing the buffer a dozen times over 10,000 rows.
	buf := make([]byte, 0, n*48)
	ends := make([]int, n)
	for i := range n {
		start := len(buf)
		buf = row(buf, i)
		ascii := true
		for j := start; j < len(buf); j++ {
			c := buf[j]
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
			if 'A' <= c && c <= 'Z' {
				buf[j] = c + 'a' - 'A'
			}
		}
		if !ascii {
			buf = append(buf[:start], strings.ToLower(string(buf[start:]))...)
		}
		ends[i] = len(buf)
	}
	// The buffer is not written again: the strings share it, as a
	// strings.Builder's result does, instead of a copy of half a megabyte.
	all := unsafe.String(unsafe.SliceData(buf), len(buf))
	out := make([]string, n)
	start := 0
	for i, end := range ends {
		out[i], start = all[start:end], end
	}
	return out
}
