package tui

import (
	"context"
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
// names what refers to it; what would go with it (a KPI's readings) is
// listed in the question, and goes only after yes.

// notice is a message that stays on the page until a key is pressed: a
// removal refused, with what stops it.
type notice struct{ title, body string }

// dependentsMsg answers loadDependents.
type dependentsMsg struct {
	kind *portfolio.Kind
	key  string
	deps []store.Dependent
	err  error
}

func (p *recordsPage) loadDependents(k *portfolio.Kind, key string) tea.Cmd {
	st, ctx := p.c.Store, p.c.Ctx
	return func() tea.Msg {
		deps, err := st.Dependents(ctx, k, key)
		return dependentsMsg{kind: k, key: key, deps: deps, err: err}
	}
}

// askRemove refuses the removal, naming what stops it, or asks whether to
// remove the record and what goes with it.
func (p *recordsPage) askRemove(msg dependentsMsg) tea.Cmd {
	if p.form != nil || msg.kind != p.current() {
		return nil
	}
	if msg.err != nil {
		return status("not removed: "+portfolio.ErrorMessage(msg.err), true)
	}
	var refuse, goes []store.Dependent
	for _, d := range msg.deps {
		if d.Goes {
			goes = append(goes, d)
		} else {
			refuse = append(refuse, d)
		}
	}
	what := msg.kind.Noun() + " " + msg.key
	if len(refuse) > 0 {
		p.notice = &notice{title: "Not removed: " + what + " is still referred to",
			body: "It is referred to by " + describeDependents(refuse) + ". Change or remove those first."}
		return status(fmt.Sprintf("not removed: %s is referred to by %s", what, countOf(len(refuse), "record")), true)
	}
	question := "Remove " + what + "?"
	detail := ""
	if len(goes) > 0 {
		detail = "Removing " + what + " also removes " + describeDependents(goes) + "."
	}
	yes := false
	k, key, n := msg.kind, msg.key, len(goes)
	submit := func() tea.Cmd {
		if !yes {
			return func() tea.Msg { return savedMsg{label: "nothing removed"} }
		}
		return removeRecord(p.c, k, key, n, dependentCounts(goes))
	}
	f, cmd := newPageForm("Remove "+k.Noun(), submit, func() []*huh.Group {
		return []*huh.Group{huh.NewGroup(huh.NewConfirm().Title(question).Description(detail).
			Affirmative("Remove").Negative("Keep").Value(&yes))}
	})
	p.form = f
	return cmd
}

// removeRecord removes a record in a write transaction, with the want
// records that go with it (counted in also) when the user agreed to them:
// if another number would go now, nothing is removed.
func removeRecord(c *Context, k *portfolio.Kind, key string, want int, also string) tea.Cmd {
	what := k.Noun() + " " + key
	label := "removed " + what
	if want > 0 {
		label += " and " + also
	}
	return write(c, label, func(ctx context.Context, tx *store.Tx) error {
		gone, err := tx.RemoveRecord(ctx, k, key, want > 0)
		if err == nil && len(gone) != want {
			return portfolio.Errorf(portfolio.ECONFLICT, "what goes with %s changed while you were asked (%d, not %d): nothing removed; press d again",
				what, len(gone), want)
		}
		return err
	})
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
