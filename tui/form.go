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
	pf := &pageForm{title: title, build: build, submit: submit}
	return pf, pf.reopen()
}

// reopen starts the form afresh over the same values.
func (pf *pageForm) reopen() tea.Cmd {
	pf.submitted, pf.natural = false, 0
	pf.groups = pf.build()
	pf.form = huh.NewForm(pf.groups...).WithKeyMap(formKeys()).WithShowHelp(true).WithTheme(huh.ThemeFunc(huh.ThemeBase16))
	return pf.form.Init()
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
	m, cmd := pf.form.Update(msg)
	pf.form = m.(*huh.Form)
	cmd = pf.settle(cmd)
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
	body := s.Title.Render(pf.title) + "\n\n"
	if pf.err != "" {
		body += s.Error.Render("not saved: "+pf.err) + "\n\n"
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
	if avail := height - 2 - lipgloss.Height(body); pf.natural > avail {
		pf.form.WithHeight(max(avail, 5))
	} else {
		pf.form.WithHeight(pf.natural)
	}
	body += pf.form.View()
	pf.drawn = lipgloss.NewStyle().Padding(0, 2).Render(s.Box.Width(w + 4).Render(body))
	return pf.drawn
}

// formRelayout makes a form lay its current group out again.
type formRelayout struct{}

// tallest is the height of the form's tallest group at its width. Every
// group is given it, so a later, taller group (a long select, a wrapped
// description) is not cut to the first one's height; each group's content
// is drawn afresh, since a group redraws its own only on a message.
func (pf *pageForm) tallest() int {
	tallest := 0
	for _, g := range pf.groups {
		h := lipgloss.Height(g.Content())
		if head := g.Header(); head != "" {
			h += lipgloss.Height(head)
		}
		if foot := g.Footer(); foot != "" {
			h += 1 + lipgloss.Height(foot) // a blank line, then the help
		}
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
			return pf.reopen(), true
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
