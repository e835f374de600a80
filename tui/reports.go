package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"opsdeck/portfolio"
	"opsdeck/reports"
	"opsdeck/store"
)

// reportPage previews the role reports: roles on the left, the rendered
// report on the right. Rendering (glamour is the slow part) runs in a Cmd
// and is redone when the role, the width or the data changes.
type reportPage struct {
	c       *Context
	role    int
	vp      viewport.Model // scroll state; View draws lines itself
	lines   []string       // the rendering on screen, split into lines
	snap    *portfolio.Snapshot
	supp    []store.Suppression
	width   int
	height  int
	pending int // the render generation the view is waiting for
	shown   int // the generation on screen
	form    *pageForm
	keys    struct{ export, send key.Binding }
}

// renderedMsg carries a finished rendering; gen ties it to the request, so
// an old, slow render never replaces a newer one.
type renderedMsg struct {
	gen  int
	text string
	err  error
}

type exportedMsg struct {
	path string
	err  error
}

const roleListWidth = 16

func newReportPage(c *Context) *reportPage {
	p := &reportPage{c: c, vp: viewport.New()}
	p.keys.export = binding("x", "export to file")
	p.keys.send = binding("s", "send by email")
	return p
}

func (p *reportPage) Title() string   { return "Reports" }
func (p *reportPage) Capturing() bool { return p.form != nil }

func (p *reportPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.vp.SetWidth(max(20, w-roleListWidth-1))
	p.vp.SetHeight(h)
}

func (p *reportPage) SetData(d *Data) tea.Cmd {
	p.snap, p.supp = d.Snap, d.Suppressions
	return p.render()
}

func (p *reportPage) currentRole() portfolio.ReportRole { return portfolio.ReportRoles[p.role] }

// render asks for the current role at the current width.
func (p *reportPage) render() tea.Cmd {
	if p.snap == nil || p.width == 0 {
		return nil
	}
	p.pending++
	gen, snap, role, eng := p.pending, p.snap, p.currentRole(), p.c.Reports
	opts := reports.RenderOptions{Width: p.vp.Width() - 2, Style: "dark"}
	if !p.c.Styles.Dark {
		opts.Style = "light"
	}
	return func() tea.Msg {
		text, err := eng.Render(snap, role, reports.Term, opts)
		return renderedMsg{gen, text, err}
	}
}

func (p *reportPage) Update(msg tea.Msg) tea.Cmd {
	if p.form != nil {
		switch msg.(type) {
		case tea.KeyPressMsg, clickMsg:
			done, cmd := p.form.update(msg)
			if done {
				p.form = nil
			}
			return cmd
		}
		if _, ok := msg.(savedMsg); !ok {
			done, cmd := p.form.update(msg)
			if done {
				p.form = nil
			}
			if cmd != nil {
				return cmd
			}
		}
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return p.render()
	case renderedMsg:
		if msg.gen < p.shown {
			return nil
		}
		p.shown = msg.gen
		if msg.err != nil {
			p.setContent("could not render the report:\n\n" + msg.err.Error())
			return nil
		}
		p.setContent(msg.text)
		return nil
	case exportedMsg:
		if msg.err != nil {
			return status("export failed: "+msg.err.Error(), true)
		}
		return status("exported "+msg.path, false)
	case clickMsg:
		// The role column is its heading, then a role a line, as View
		// draws it.
		if i := msg.Y - 1; msg.X < roleListWidth && i >= 0 && i < len(portfolio.ReportRoles) && i != p.role {
			return p.selectRole(i)
		}
		return nil
	case tea.KeyPressMsg:
		switch msg.String() {
		case "left", "h", "[":
			return p.selectRole(p.role - 1)
		case "right", "l", "]":
			return p.selectRole(p.role + 1)
		}
		if key.Matches(msg, p.keys.export) {
			return p.export()
		}
		if key.Matches(msg, p.keys.send) {
			return p.confirmSend()
		}
	}
	var cmd tea.Cmd
	p.vp, cmd = p.vp.Update(msg)
	return cmd
}

func (p *reportPage) setContent(text string) {
	p.lines = strings.Split(text, "\n")
	p.vp.SetContentLines(p.lines)
}

func (p *reportPage) selectRole(i int) tea.Cmd {
	n := len(portfolio.ReportRoles)
	p.role = (i + n) % n
	p.vp.GotoTop()
	return p.render()
}

// export writes the current report as markdown and as the HTML email.
func (p *reportPage) export() tea.Cmd {
	if p.snap == nil {
		return nil
	}
	snap, role, eng, dir := p.snap, p.currentRole(), p.c.Reports, p.c.ExportDir
	date := p.c.Now().Format("2006-01-02")
	return func() tea.Msg {
		if dir == "" {
			dir = "."
		}
		var written []string
		for _, f := range []reports.Format{reports.Markdown, reports.HTML} {
			text, err := eng.Render(snap, role, f, reports.RenderOptions{Width: 80})
			if err != nil {
				return exportedMsg{err: err}
			}
			path := filepath.Join(dir, fmt.Sprintf("opsdeck-%s-%s.%s", role, date, f.Ext()))
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				return exportedMsg{err: err}
			}
			written = append(written, path)
		}
		return exportedMsg{path: strings.Join(written, " and ")}
	}
}

// confirmSend asks before a report goes out: to whom, and how.
func (p *reportPage) confirmSend() tea.Cmd {
	f, cmd := confirmSend(p.c, p.snap, p.supp, p.currentRole())
	if f != nil {
		p.form = f
	}
	return cmd
}

// confirmSend builds the form that asks before role's report goes out, to
// whom and how, and on Send queues it; the Reports and the Schedules pages
// both ask with it. The form is nil, and the Cmd says why, when nothing
// could go out. The form's submit answers with no savedMsg: a page closes
// it as soon as it is done.
func confirmSend(c *Context, snap *portfolio.Snapshot, supp []store.Suppression, role portfolio.ReportRole) (*pageForm, tea.Cmd) {
	if c.Mail == nil {
		return nil, status("sending is not set up (see the README: mail settings)", true)
	}
	if c.sender.running {
		return nil, status("a batch is being sent; wait for it to finish", true)
	}
	suppressed := map[string]bool{}
	for _, sp := range supp {
		suppressed[sp.Address] = true
	}
	// One message per address, as the outbox will have it.
	var to, skipped []string
	seen := map[string]bool{}
	if snap != nil {
		for _, r := range snap.Recipients {
			bare := strings.ToLower(r.Person.Email)
			if r.Role != role || seen[bare] {
				continue
			}
			seen[bare] = true
			if suppressed[bare] {
				skipped = append(skipped, safe(r.Person.Email))
			} else {
				to = append(to, safe(r.Person.Email))
			}
		}
	}
	if len(to)+len(skipped) == 0 {
		// The message would only fail in the outbox: say who to add.
		return nil, status(fmt.Sprintf("nobody receives the %s report: add it to a person's reports on Records (%s)", role.Title(), c.recordsKey), true)
	}
	if len(to) == 0 {
		return nil, status(fmt.Sprintf("every recipient of the %s report is on the suppression list (Outbox page, S): nothing would go out", role.Title()), true)
	}
	who := strings.Join(to, ", ")
	if len(to) > 3 {
		who = fmt.Sprintf("%d recipients, one message each (%s and %d more)", len(to), strings.Join(to[:3], ", "), len(to)-3)
	}
	if bcc := c.Mail.Config.Bcc; bcc != "" {
		who += " and an audit copy to " + safe(bcc)
	}
	skip := ""
	if len(skipped) > 0 {
		skip = fmt.Sprintf("Skipped, on the suppression list (Outbox page, S): %s.", strings.Join(skipped, ", "))
		if len(skipped) > 3 {
			skip = fmt.Sprintf("Skipped, on the suppression list (Outbox page, S): %s and %d more.", strings.Join(skipped[:3], ", "), len(skipped)-3)
		}
	}
	yes := false
	submit := func() tea.Cmd {
		if !yes {
			return status("nothing sent", false)
		}
		return c.sender.enqueue([]portfolio.ReportRole{role})
	}
	f, cmd := newPageForm("Send the "+role.Title()+" report", submit, func() []*huh.Group {
		return []*huh.Group{huh.NewGroup(huh.NewConfirm().
			Title(fmt.Sprintf("Send to %s via %s?", who, safe(c.Mail.Transport.Name()))).Description(wrap(skip, 62)).
			Affirmative("Send").Negative("Cancel").Value(&yes))}
	})
	return f, cmd
}

func (p *reportPage) View() string {
	if p.form != nil {
		return p.form.view(p.c.Styles, p.width, p.height)
	}
	s := p.c.Styles
	var roles []string
	roles = append(roles, s.Subtle.Render(" Role"))
	for i, r := range portfolio.ReportRoles {
		label := cell(" "+r.Title(), roleListWidth-1)
		if i == p.role {
			// Marked in text too, as list cursors are, for NO_COLOR.
			label = s.Selected.Render(cell(cursorMark+r.Title(), roleListWidth-1))
		}
		roles = append(roles, label)
	}
	roles = append(roles, "", s.Subtle.Render(" ←/→ role"), s.Subtle.Render(" ↑/↓ scroll"), s.Subtle.Render(" x export"),
		s.Subtle.Render(" s send"))
	left := strings.Split(lipgloss.NewStyle().Width(roleListWidth).Render(strings.Join(roles, "\n")), "\n")
	right := []string{s.Subtle.Render("rendering…")}
	if p.shown != 0 {
		right = strings.Split(window(p.lines, p.vp.YOffset(), p.vp.Height()), "\n")
	}
	// Side by side, line by line: the role column is a fixed width and the
	// rendering already fits its column.
	var b strings.Builder
	blank := strings.Repeat(" ", roleListWidth)
	for i := range max(len(left), len(right)) {
		if i > 0 {
			b.WriteByte('\n')
		}
		l, r := blank, ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		b.WriteString(l + " " + r)
	}
	return b.String()
}

func (p *reportPage) ShortHelp() []key.Binding {
	return []key.Binding{binding("←/→", "role"), p.c.Keys.Up, p.c.Keys.Down, p.keys.export, p.keys.send}
}

func (p *reportPage) FullHelp() [][]key.Binding {
	k := p.c.Keys
	return [][]key.Binding{{binding("←/→", "previous/next role"), k.Up, k.Down, k.PageUp, k.PageDown}, {p.keys.export, p.keys.send}}
}
