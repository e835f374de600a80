package tui

import (
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// Removing a record asks first, and says what it touches: a record that
// others refer to (an entity with shortfalls) is not removed, and the page
// names what refers to it; what would go with it (a KPI's readings), and
// what would stay with the reference emptied (a person's actions), are
// listed in the question, and change only after yes.

// notice is a message that stays on the page until a key is pressed: a
// removal refused, with what stops it.
type notice struct{ title, body string }

// dependentsMsg says what refers to a record about to be removed: the
// answer to loadDependents, or, with changed set, to a removal that found
// something else referring to it by then (the store's *ErrDependents, or
// other records going with it than the user agreed to). The page asks
// again with what is there now.
type dependentsMsg struct {
	kind                 *portfolio.Kind
	key                  string
	refuse, goes, clears []store.Dependent
	changed              bool
	err                  error
}

func (p *recordsPage) loadDependents(k *portfolio.Kind, key string) tea.Cmd {
	st, ctx := p.c.Store, p.c.Ctx
	return func() tea.Msg {
		deps, err := st.Dependents(ctx, k, key)
		msg := dependentsMsg{kind: k, key: key, err: err}
		for _, d := range deps {
			switch {
			case d.Goes:
				msg.goes = append(msg.goes, d)
			case d.Cleared:
				msg.clears = append(msg.clears, d)
			default:
				msg.refuse = append(msg.refuse, d)
			}
		}
		return msg
	}
}

// askRemove refuses the removal, naming what stops it, or asks whether to
// remove the record and what goes with it.
func (p *recordsPage) askRemove(msg dependentsMsg) tea.Cmd {
	if msg.changed && p.form != nil && p.form.submitted {
		p.form = nil // the removal it asked for was not made
	}
	if p.form != nil || msg.kind != p.current() {
		return nil
	}
	if msg.err != nil {
		return status("not removed: "+portfolio.ErrorMessage(msg.err), true)
	}
	what := msg.kind.Noun() + " " + msg.key
	since := ""
	if msg.changed {
		since = "Something changed while you were asked, and nothing was removed. "
	}
	if len(msg.refuse) > 0 {
		p.notice = &notice{title: "Not removed: " + what + " is still referred to",
			body: since + "It is referred to by " + describeDependents(msg.refuse) + ". Change or remove those first."}
		return status(fmt.Sprintf("not removed: %s is referred to by %s", what, countOf(len(msg.refuse), "record")), true)
	}
	question := "Remove " + what + "?"
	detail := strings.TrimSpace(since)
	if len(msg.goes) > 0 {
		detail = since + "Removing " + what + " also removes " + describeDependents(msg.goes) + "."
	}
	if len(msg.clears) > 0 {
		detail = strings.TrimSpace(detail + " It is taken off " + describeClears(msg.clears) + ".")
	}
	yes := false
	k, key, goes := msg.kind, msg.key, msg.goes
	submit := func() tea.Cmd {
		if !yes {
			return func() tea.Msg { return savedMsg{label: "nothing removed"} }
		}
		return removeRecord(p.c, k, key, goes)
	}
	f, cmd := newPageForm("Remove "+k.Noun(), submit, func() []*huh.Group {
		return []*huh.Group{huh.NewGroup(huh.NewConfirm().Title(question).Description(detail).
			Affirmative("Remove").Negative("Keep").Value(&yes))}
	})
	p.form = f
	if msg.changed {
		return tea.Batch(cmd, status("not removed: what goes with "+what+" changed while you were asked", true))
	}
	return cmd
}

// errOthersGo rolls back a removal that took other records with it than
// the ones the user agreed to.
var errOthersGo = errors.New("other records would go")

// removeRecord removes a record in a write transaction, with the records
// in goes when the user agreed to them. If the store refuses (someone
// made a record refer to it meanwhile) or other records would go, nothing
// is removed and the page is told what refers to it now.
func removeRecord(c *Context, k *portfolio.Kind, key string, goes []store.Dependent) tea.Cmd {
	label := "removed " + k.Noun() + " " + key
	if len(goes) > 0 {
		label += " and " + dependentCounts(goes)
	}
	return func() tea.Msg {
		var gone []store.Dependent
		var undo *store.Deleted
		err := c.Store.Update(c.Ctx, c.Actor, func(tx *store.Tx) (err error) {
			if gone, err = tx.RemoveRecord(c.Ctx, k, key, len(goes) > 0); err == nil && !sameDependents(gone, goes) {
				return errOthersGo
			}
			undo = tx.Deleted()
			return err
		})
		var refused *store.ErrDependents
		switch {
		case errors.As(err, &refused):
			return dependentsMsg{kind: k, key: key, refuse: refused.Refuse, goes: refused.Cascade, changed: true}
		case errors.Is(err, errOthersGo):
			return dependentsMsg{kind: k, key: key, goes: gone, changed: true}
		}
		return savedMsg{label: label, err: err, undo: undo}
	}
}

// sameDependents reports whether a and b name the same records.
func sameDependents(a, b []store.Dependent) bool {
	if len(a) != len(b) {
		return false
	}
	names := make(map[string]bool, len(a))
	for _, d := range a {
		names[strings.ToLower(d.String())] = true
	}
	for _, d := range b {
		if !names[strings.ToLower(d.String())] {
			return false
		}
	}
	return true
}

// describeDependents counts records by kind and names the first five:
// "4 KPI readings: KPI reading JADA/charters/…, …, and 2 more".
func describeDependents(ds []store.Dependent) string {
	var names []string
	for i, d := range ds {
		if i == 5 {
			names = append(names, fmt.Sprintf("and %d more", len(ds)-5))
			break
		}
		names = append(names, d.Kind.Noun()+" "+d.Key)
	}
	return dependentCounts(ds) + ": " + strings.Join(names, ", ")
}

// describeClears says which records keep going without the one removed,
// field by field: "2 actions (person): fix-the-site, call-the-bank".
func describeClears(ds []store.Dependent) string {
	var parts []string
	for _, d := range ds[:min(len(ds), 5)] {
		parts = append(parts, d.Kind.Noun()+" "+d.Key+" ("+strings.ReplaceAll(d.Field, "_", " ")+")")
	}
	if len(ds) > 5 {
		return strings.Join(parts, ", ") + fmt.Sprintf(" and %d more", len(ds)-5)
	}
	return joinAnd(parts)
}

// dependentCounts counts records by kind: "2 KPIs and 8 KPI readings".
func dependentCounts(ds []store.Dependent) string {
	var kinds []*portfolio.Kind
	count := map[*portfolio.Kind]int{}
	for _, d := range ds {
		if count[d.Kind] == 0 {
			kinds = append(kinds, d.Kind)
		}
		count[d.Kind]++
	}
	var counts []string
	for _, k := range kinds {
		counts = append(counts, k.Count(count[k]))
	}
	return joinAnd(counts)
}

// joinAnd joins "a", "b" and "c" as a sentence does.
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func (p *recordsPage) noticeView() string {
	s := p.c.Styles
	w := min(p.width-4, 72)
	body := s.Error.Render(p.notice.title) + "\n\n" + wrap(p.notice.body, w) + "\n\n" + s.Subtle.Render("press any key")
	return lipgloss.NewStyle().Padding(1, 2, 0).Render(s.Box.Width(w + 4).Render(body))
}
