package tui

import (
	"reflect"
	"runtime"
	"strings"

	"opsdeck/portfolio"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
)

// pageForm is a huh form shown in place of a page's content. Field
// validators give inline errors as the user types; submit runs only once
// every field is valid, and must return the Cmd that writes.
type pageForm struct {
	form   *huh.Form
	title  string
	build  func() []*huh.Group
	submit func() tea.Cmd
	err    string // a write that failed after submit, shown above the form
	// submitted is set once submit has run: huh keeps reporting
	// StateCompleted to every later message, and the write must run once.
	submitted bool
	// natural is the form's height before any limit, at width naturalW:
	// a form taller than the page scrolls to the field in focus instead
	// of running off it.
	natural, naturalW int
	groups            []*huh.Group
	// groupH are the groups' heights when last laid out, and groupMsg the
	// lines their fields' messages took then: a message that grows or
	// shrinks changes its group's height by as much, without every group
	// being drawn again to measure it.
	groupH, groupMsg []int
	// fitted is the height and error count the groups were last given:
	// giving it draws every field of every group, so it is done again
	// only when one of them changes.
	fitted [3]int
	// checks, when the form has them, say under each field what is wrong
	// or suspicious as it is typed, and which field a failed save was
	// about.
	checks *formChecks
	// drawn is the form as last drawn, where a click finds the buttons.
	drawn string
}

// formKeys makes esc cancel a form, as it closes everything else.
func formKeys() *huh.KeyMap {
	km := huh.NewDefaultKeyMap()
	km.Quit = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	return km
}

// newPageForm builds the form from build, which binds its fields to the
// caller's variables; reopen calls it again, so a failed write comes back
// with everything the user typed.
func newPageForm(title string, submit func() tea.Cmd, build func() []*huh.Group) (*pageForm, tea.Cmd) {
	return newCheckedForm(title, submit, nil, build)
}

// newCheckedForm is newPageForm for a form whose fields build makes
// through checks (checks.field), so they are checked as they are typed.
func newCheckedForm(title string, submit func() tea.Cmd, checks *formChecks, build func() []*huh.Group) (*pageForm, tea.Cmd) {
	pf := &pageForm{title: title, build: build, submit: submit, checks: checks}
	return pf, pf.reopen()
}

// reopen starts the form afresh over the same values. The fields the user
// had been in keep saying what is wrong with them.
func (pf *pageForm) reopen() tea.Cmd {
	pf.submitted, pf.natural = false, 0
	var touched []string
	if pf.checks != nil {
		for _, f := range pf.checks.fields {
			if f.touched {
				touched = append(touched, f.name)
			}
		}
		pf.checks.fields = nil
	}
	pf.groups = pf.build()
	pf.form = huh.NewForm(pf.groups...).WithKeyMap(formKeys()).WithShowHelp(true).WithTheme(formTheme)
	// huh draws errors at the group's foot wrapped to its left edge: the
	// checked fields draw theirs under themselves, and view draws the
	// others' indented.
	pf.form.WithShowErrors(false)
	if pf.checks != nil {
		for _, name := range touched {
			if f := pf.checks.named(name); f != nil {
				f.touched = true
			}
		}
		pf.checks.run()
	}
	return pf.form.Init()
}

// focusOn moves the focus from the form's first field to the checked
// field called name, and has it say msg (what a failed save said of it)
// until it is changed. It reports whether the form has such a field.
func (pf *pageForm) focusOn(name, msg string) (tea.Cmd, bool) {
	if pf.checks == nil {
		return nil, false
	}
	target := pf.checks.named(name)
	if target == nil {
		return nil, false
	}
	// Passing a field on the way leaves it, which marks it touched: the
	// fields say what they said before.
	touched := make([]bool, len(pf.checks.fields))
	for i, f := range pf.checks.fields {
		touched[i] = f.touched
	}
	defer func() {
		for i, f := range pf.checks.fields {
			f.touched = touched[i]
		}
		target.touched, target.saveErr = true, msg
		pf.checks.run()
	}()
	var cmds []tea.Cmd
	for range pf.checks.fields {
		if pf.form.GetFocusedField() == huh.Field(target) || pf.form.State != huh.StateNormal {
			break
		}
		m, cmd := pf.form.Update(huh.NextField())
		pf.form = m.(*huh.Form)
		cmds = append(cmds, pf.settle(cmd))
	}
	pf.natural = 0
	return tea.Batch(cmds...), pf.form.GetFocusedField() == huh.Field(target)
}

// update feeds msg to the form. It reports whether the form is finished
// (submitted or cancelled) and returns any command, including the write.
func (pf *pageForm) update(msg tea.Msg) (done bool, cmd tea.Cmd) {
	if pf.submitted {
		return true, nil // waiting for the write's answer
	}
	if c, ok := msg.(clickMsg); ok {
		// huh takes no mouse: a click on a confirm's button is its key.
		k, ok := confirmClick(pf.form, pf.drawn, c)
		if !ok {
			return false, nil
		}
		msg = k
	}
	var field huh.Field
	var before any
	_, typed := msg.(tea.KeyPressMsg)
	if _, pasted := msg.(tea.PasteMsg); typed || pasted {
		typed = true
		if field = pf.form.GetFocusedField(); field != nil {
			before = field.GetValue()
		}
	}
	m, cmd := pf.form.Update(msg)
	pf.form = m.(*huh.Form)
	cmd = pf.settle(cmd)
	if typed {
		// What the failed save said is stale once something is changed.
		if pf.err != "" && field != nil && !reflect.DeepEqual(before, field.GetValue()) {
			pf.err, pf.fitted = "", [3]int{}
		}
		// The field typed in has checked the form already (as it drew).
		if pf.checks != nil && pf.checks.moved {
			pf.checks.moved = false
			pf.refit()
		}
		if pf.checks == nil && pf.form.State == huh.StateNormal {
			cmd = tea.Batch(cmd, recheck(pf.form.GetFocusedField()))
		}
	}
	switch pf.form.State {
	case huh.StateCompleted:
		pf.submitted = true
		return true, tea.Batch(cmd, pf.submit())
	case huh.StateAborted:
		return true, tea.Batch(cmd, func() tea.Msg { return StatusMsg{Text: pf.title + ": cancelled", Note: true} })
	}
	return false, cmd
}

// settle makes the focus moves in cmd at once. huh moves the focus with a
// command (NextField on enter, then the next group's), which the program
// runs only after the messages already queued: keys typed straight after
// enter reached the old field (AAA, enter, BBB typed quickly made the title
// AAAB). settle takes those commands out of cmd, batches included, and
// feeds their messages to the form now, as the moves they cause; what is
// left (cursor blinks, dynamic titles) runs as before.
func (pf *pageForm) settle(cmd tea.Cmd) tea.Cmd {
	var rest []tea.Cmd
	var walk func(tea.Cmd)
	walk = func(c tea.Cmd) {
		if c == nil {
			return
		}
		name := cmdName(c)
		switch {
		case focusMoves[name]:
			if pf.form.State != huh.StateNormal {
				return // the form is done: no field left to move to
			}
			m, next := pf.form.Update(c())
			pf.form = m.(*huh.Form)
			walk(next)
		case strings.Contains(name, "compactCmds["):
			// tea.Batch or tea.Sequence of several (named after where it
			// was inlined, so found by its inside): calling it only
			// returns the list. A batch's commands may run in any order,
			// so its moves may as well run now; a sequence is kept whole.
			if b, ok := c().(tea.BatchMsg); ok {
				for _, x := range b {
					walk(x)
				}
				return
			}
			rest = append(rest, c)
		default:
			rest = append(rest, c)
		}
	}
	walk(cmd)
	return tea.Batch(rest...)
}

// recheck runs the validation of an input that is not a checked field
// on what it holds now: huh runs it only on enter or when the field is
// left, which leaving and coming back to it does without moving its
// cursor. The error is drawn under the form (view).
func recheck(f huh.Field) tea.Cmd {
	in, ok := f.(*huh.Input)
	if !ok {
		return nil
	}
	in.Blur()
	return in.Focus()
}

// focusMoves are huh's commands that move a form's focus, by function
// name: each only returns its message.
var focusMoves = map[string]bool{
	"charm.land/huh/v2.NextField": true, "charm.land/huh/v2.PrevField": true,
	"charm.land/huh/v2.nextGroup": true, "charm.land/huh/v2.prevGroup": true,
}

func cmdName(c tea.Cmd) string {
	if f := runtime.FuncForPC(reflect.ValueOf(c).Pointer()); f != nil {
		return f.Name()
	}
	return ""
}

// view draws the form in a box within width×height.
func (pf *pageForm) view(s *Styles, width, height int) string {
	w := min(width-4, 72)
	if pf.checks != nil {
		pf.checks.styles = s
	}
	body := s.Title.Render(pf.title) + "\n\n"
	if pf.err != "" {
		body += s.Error.Render(lipgloss.Wrap("not saved: "+pf.err, w, " ")) + "\n\n"
	}
	// The errors of fields that do not say their own, as huh found them
	// (on enter), under the form.
	var foot []string
	if pf.checks == nil {
		for _, err := range pf.form.Errors() {
			foot = append(foot, fieldMessage(s, portfolio.ErrorMessage(err), false, w))
		}
	}
	if pf.natural == 0 || pf.naturalW != w {
		pf.form.WithWidth(w)
		// A group lays its fields out only when it updates: text it wrapped
		// at the terminal's width (from a window-size message) would be cut
		// at the box's until the next key.
		m, _ := pf.form.Update(formRelayout{})
		pf.form = m.(*huh.Form)
		pf.natural, pf.naturalW = pf.tallest(), w
	}
	// The box's borders take two lines.
	footH := 0
	if len(foot) > 0 {
		footH = lipgloss.Height(strings.Join(foot, "\n"))
	}
	fit := pf.natural
	if avail := height - 2 - lipgloss.Height(body) - footH; pf.natural > avail {
		fit = max(avail, 5)
	}
	// A group's viewport is its height less its foot, which is the help
	// only while its fields have no error.
	if f := [3]int{fit, len(pf.form.Errors()), pf.natural}; f != pf.fitted {
		pf.form.WithHeight(fit)
		pf.fitted = f
	}
	body += pf.form.View()
	if len(foot) > 0 {
		body += "\n" + strings.Join(foot, "\n")
	}
	pf.drawn = lipgloss.NewStyle().Padding(0, 2).Render(s.Box.Width(w + 4).Render(body))
	return pf.drawn
}

// formTheme is huh's Base16 theme made once for each background: huh
// asks its theme for the styles on every field and option it draws, and
// ThemeBase16 builds them afresh each time, most of a key press's cost.
var formTheme = func() huh.Theme {
	made := map[bool]*huh.Styles{true: huh.ThemeBase16(true), false: huh.ThemeBase16(false)}
	return huh.ThemeFunc(func(dark bool) *huh.Styles { return made[dark] })
}()

// formRelayout makes a form lay its current group out again.
type formRelayout struct{}

// tallest is the height of the form's tallest group at its width. Every
// group is given it, so a later, taller group (a long select, a wrapped
// description) is not cut to the first one's height; each group's content
// is drawn afresh, since a group redraws its own only on a message.
func (pf *pageForm) tallest() int {
	tallest := 0
	pf.groupH, pf.groupMsg = pf.groupH[:0], pf.checks.groupLines(len(pf.groups))
	pf.fitted = [3]int{}
	for _, g := range pf.groups {
		h := lipgloss.Height(g.Content())
		if head := g.Header(); head != "" {
			h += lipgloss.Height(head)
		}
		if foot := g.Footer(); foot != "" {
			h += 1 + lipgloss.Height(foot) // a blank line, then the help
		}
		pf.groupH = append(pf.groupH, h)
		tallest = max(tallest, h)
	}
	return tallest
}

// updateForm feeds msg to the open form *f and closes the form when its
// work is over: cancelled, or its own write answered (a failed write
// reopens it with the error, keeping what was typed). The answer to some
// other write passes it by: a move or a resolve may land while a new form
// is open. It reports whether a form was open to take the message.
func updateForm(f **pageForm, msg tea.Msg) (tea.Cmd, bool) {
	pf := *f
	if pf == nil {
		return nil, false
	}
	if saved, ok := msg.(savedMsg); ok {
		if !pf.submitted {
			return nil, true
		}
		if saved.err != nil {
			pf.err = portfolio.ErrorMessage(saved.err)
			cmd := pf.reopen()
			// Back to the field in error, not the first one.
			if pf.checks != nil && pf.checks.fieldOf != nil {
				if name := pf.checks.fieldOf(saved.err); name != "" {
					move, _ := pf.focusOn(name, pf.err)
					cmd = tea.Batch(cmd, move)
				}
			}
			return cmd, true
		}
		*f = nil
		return nil, true
	}
	done, cmd := pf.update(msg)
	if done && pf.form.State == huh.StateAborted {
		*f = nil
	}
	return cmd, true
}

// refit is the form's height once its fields' messages have changed: each
// group's height changes by the lines its messages gained or lost.
func (pf *pageForm) refit() {
	if pf.natural == 0 || len(pf.groupH) != len(pf.groups) {
		return // laid out afresh on the next view
	}
	now := pf.checks.groupLines(len(pf.groups))
	tallest := 0
	for g, h := range pf.groupH {
		tallest = max(tallest, h-pf.groupMsg[g]+now[g])
	}
	pf.natural = tallest
}
