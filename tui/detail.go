package tui

import (
	"cmp"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// detailView is one record shown whole: lines already wrapped at the
// page's width, scrolled when taller than the page. The page builds the
// lines when its data or its width changes; a key press only moves the
// offset.
type detailView struct {
	lines  []string
	offset int
	height int
}

func (d *detailView) setLines(lines []string) {
	d.lines = lines
	d.scroll(0)
}

func (d *detailView) setHeight(h int) {
	d.height = max(1, h)
	d.scroll(0)
}

func (d *detailView) scroll(n int) {
	d.offset = max(0, min(d.offset+n, len(d.lines)-d.rows()))
}

// rows is how many of the lines show: all the height, less the line that
// says where they are when they do not all fit.
func (d *detailView) rows() int {
	if len(d.lines) <= d.height {
		return d.height
	}
	return max(1, d.height-1)
}

// update scrolls for the navigation keys and the wheel, and reports
// whether it used msg.
func (d *detailView) update(msg tea.Msg, keys KeyMap) bool {
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			d.scroll(-3)
		case tea.MouseWheelDown:
			d.scroll(3)
		default:
			return false
		}
		return true
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, keys.Up):
			d.scroll(-1)
		case key.Matches(msg, keys.Down):
			d.scroll(1)
		case key.Matches(msg, keys.PageUp):
			d.scroll(-d.rows())
		case key.Matches(msg, keys.PageDown):
			d.scroll(d.rows())
		case key.Matches(msg, keys.Home):
			d.offset = 0
		case key.Matches(msg, keys.End):
			d.scroll(len(d.lines))
		default:
			return false
		}
		return true
	}
	return false
}

// view is the lines on screen, and a last line saying where in the
// record they are when it does not all fit.
func (d *detailView) view(s *Styles) string {
	if len(d.lines) <= d.height {
		return strings.Join(d.lines, "\n")
	}
	h := d.rows()
	off := max(0, min(d.offset, len(d.lines)-h))
	more := s.Subtle.Render(" ── lines " + itoa(off+1) + "–" + itoa(min(len(d.lines), off+h)) + " of " + itoa(len(d.lines)) + " · j/k pgup/pgdn scroll")
	return window(d.lines, off, h) + "\n" + more
}

func itoa(n int) string { return strconv.Itoa(n) }

// detailLines builds a detail view's lines at a width: labelled fields
// whose values wrap under themselves, headings and indented text.
type detailLines struct {
	s     *Styles
	width int
	lines []string
	// labelW is the labels' width; 0 is detailLabelW.
	labelW int
}

// field adds label and value, the value wrapped beside the label; an empty
// value adds nothing.
func (b *detailLines) field(label, value string, st ...lipgloss.Style) {
	if value == "" {
		return
	}
	lw := cmp.Or(b.labelW, detailLabelW)
	vw := max(20, b.width-lw-3)
	for i, l := range strings.Split(wrap(safeLines(value), vw), "\n") {
		if len(st) > 0 {
			l = st[0].Render(l)
		}
		if i == 0 {
			b.lines = append(b.lines, " "+b.s.Subtle.Render(cell(safe(label), lw))+" "+l)
		} else {
			b.lines = append(b.lines, " "+strings.Repeat(" ", lw)+" "+l)
		}
	}
}

func (b *detailLines) heading(text string) {
	if len(b.lines) > 0 && b.lines[len(b.lines)-1] != "" {
		b.lines = append(b.lines, "")
	}
	b.lines = append(b.lines, " "+b.s.Title.Render(safe(text)))
}

// text adds s wrapped at the width, indented by indent columns; a first
// line may carry its own prefix (a tick box, a date).
func (b *detailLines) text(indent int, s string, st ...lipgloss.Style) {
	pad := strings.Repeat(" ", indent)
	for _, l := range strings.Split(wrap(safeLines(s), max(20, b.width-indent-1)), "\n") {
		if len(st) > 0 {
			l = st[0].Render(l)
		}
		b.lines = append(b.lines, pad+l)
	}
}

func (b *detailLines) blank() { b.lines = append(b.lines, "") }

// history adds the audit entries of a record under title, newest first:
// when, who, what, and each field that changed, before → after.
func (b *detailLines) history(title string, entries []store.AuditEntry, err error, loaded bool, loc *time.Location, historyKey string) {
	s := b.s
	b.heading(title)
	switch {
	case !loaded:
		b.text(3, "reading…", s.Subtle)
		return
	case err != nil:
		b.text(3, "could not be read: "+portfolio.ErrorMessage(err), s.Error)
		return
	case len(entries) == 0:
		b.text(3, "no change recorded", s.Subtle)
		return
	}
	for _, e := range entries {
		b.text(3, auditWhen(e.At, loc)+"  "+e.Actor+"  "+auditWhat(e, ""), s.Bold)
		for _, f := range e.Fields() {
			if f.Changed || f.After != "" {
				b.text(5, fieldChange(f))
			}
		}
	}
	if historyKey != "" {
		b.blank()
		b.text(3, historyKey+" opens it on the Audit page, with every change", s.Subtle)
	}
}

// auditWhen is when an entry was written, in the console's zone, named.
func auditWhen(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 2 Jan 2006 15:04 MST")
}

// fieldChange is one field of an entry: "name: before → after" for a
// change, "name: value" for what an older entry kept.
func fieldChange(f store.AuditField) string {
	if !f.Changed {
		return f.Name + ": " + f.After
	}
	before, after := f.Before, f.After
	if before == "" {
		before = "(empty)"
	}
	if after == "" {
		after = "(empty)"
	}
	return f.Name + ": " + before + " → " + after
}

// auditWhat says what an entry did to what: "update shortfall "Fix the
// website"", named by its details or else by name.
func auditWhat(e store.AuditEntry, name string) string {
	what := e.Action + " " + strings.ReplaceAll(e.SubjectType, "_", " ")
	if n := e.Name(); n != "" {
		name = n
	}
	switch {
	case name != "":
		what += " " + `"` + name + `"`
	case e.SubjectID != 0:
		what += " #" + itoa(int(e.SubjectID))
	}
	return safe(what)
}

// Messages between a detail view and the Audit page.
type (
	// auditForMsg asks the Audit page to show the history of subjects,
	// called title (it comes inside a goToMsg, which puts the page on
	// screen).
	auditForMsg struct {
		title    string
		subjects []store.AuditSubject
	}
	// historyMsg answers a detail view's read of a record's history.
	historyMsg struct {
		of      string // what the history is of, as the page names it
		entries []store.AuditEntry
		err     error
	}
)

// historyShown is how many of a record's changes its detail view lists;
// the Audit page pages through them all.
const historyShown = 50

// loadHistory reads the history of subjects for a detail view.
func loadHistory(c *Context, of string, subjects []store.AuditSubject) tea.Cmd {
	st, ctx := c.Store, c.Ctx
	return func() tea.Msg {
		entries, err := st.AuditPage(ctx, store.AuditQuery{Subjects: subjects, Limit: historyShown})
		return historyMsg{of: of, entries: entries, err: err}
	}
}

// showHistory opens the Audit page on subjects.
func showHistory(title string, subjects []store.AuditSubject) tea.Cmd {
	return goTo("Audit", auditForMsg{title: title, subjects: subjects})
}
