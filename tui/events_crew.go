package tui

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// The open event's crew: c puts a person on it with their role there (or
// changes the role of one already on it), C takes one off. Both write the
// crew kind (key EVENT/email) through the one record path.

var (
	crewAddKey    = binding("c", "add to crew")
	crewRemoveKey = binding("C", "remove from crew")
)

// crewForm opens c's form (put a person on the open event's crew, or
// change their role) or, with remove, C's (take one off). The event as
// loaded has its key and its crew's emails, which name the crew records.
func (p *eventPage) crewForm(remove bool) tea.Cmd {
	if p.detail == nil || p.form != nil {
		return nil
	}
	event := p.detail
	names := map[string]string{}
	for _, person := range p.people {
		names[strings.ToLower(person.Email)] = person.Name
	}
	nameOf := func(email string) string {
		if n := names[strings.ToLower(email)]; n != "" {
			return n
		}
		return email
	}
	crewKind := mustKind("crew")
	keyOf := func(email string) string {
		return crewKind.Key(&portfolio.CrewMember{EventKey: event.Key, PersonEmail: email})
	}
	if remove {
		if len(event.Crew) == 0 {
			return status("nobody is on the crew yet: c adds someone", true)
		}
		var opts []huh.Option[string]
		for _, c := range event.Crew {
			opts = append(opts, huh.NewOption(fmt.Sprintf("%s (%s)", c.Name, c.Role), c.PersonEmail))
		}
		email, yes := event.Crew[0].PersonEmail, false
		submit := func() tea.Cmd {
			if !yes {
				return func() tea.Msg { return savedMsg{label: "nobody removed from the crew"} }
			}
			key := keyOf(email)
			return write(p.c, nameOf(email)+" is off the crew", func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.RemoveRecord(ctx, crewKind, key, false)
				return err
			})
		}
		f, cmd := newPageForm("Remove from the crew of "+event.Title, submit, func() []*huh.Group {
			return []*huh.Group{huh.NewGroup(
				huh.NewSelect[string]().Title("Who").Options(opts...).Value(&email),
				huh.NewConfirm().Title("Take them off the crew?").Affirmative("Remove").Negative("Keep").Value(&yes),
			)}
		})
		p.form = f
		return cmd
	}
	if len(p.people) == 0 {
		return tea.Batch(status("the crew is made of people: add one first (press "+p.c.recordsKey+" for Records, then n)", true),
			func() tea.Msg { return showKindMsg{kind: "person"} })
	}
	on := map[string]portfolio.AccessRole{}
	for _, c := range event.Crew {
		on[strings.ToLower(c.PersonEmail)] = c.Role
	}
	var people []huh.Option[string]
	for _, person := range p.people {
		label := person.Name + " <" + person.Email + ">"
		if role, ok := on[strings.ToLower(person.Email)]; ok {
			label += " (on it: " + string(role) + ")"
		}
		people = append(people, huh.NewOption(label, person.Email))
	}
	roleField, _ := crewKind.Field("role")
	email, role := p.people[0].Email, string(portfolio.AccessCrew)
	submit := func() tea.Cmd {
		rec := &portfolio.CrewMember{EventKey: event.Key, PersonEmail: email, Role: portfolio.AccessRole(role)}
		key, label := "", fmt.Sprintf("%s is on the crew as %s", nameOf(email), role)
		if _, ok := on[strings.ToLower(email)]; ok {
			// Already on it: the role changes.
			key, label = keyOf(email), fmt.Sprintf("%s is now %s on the crew", nameOf(email), role)
		}
		return write(p.c, label, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.PutRecord(ctx, crewKind, key, rec)
			return err
		})
	}
	f, cmd := newPageForm("Crew of "+event.Title, submit, func() []*huh.Group {
		return []*huh.Group{huh.NewGroup(
			selectOf("Person", people, &email),
			huh.NewSelect[string]().Title(roleField.Label).Options(huh.NewOptions(roleField.Choices...)...).Value(&role),
		)}
	})
	p.form = f
	return cmd
}

// selectOf is a select of opts that scrolls past selectHeight of them.
func selectOf(title string, opts []huh.Option[string], value *string) *huh.Select[string] {
	s := huh.NewSelect[string]().Title(title).Value(value).Options(opts...)
	if len(opts) > selectHeight {
		s.Height(selectHeight + 1)
	}
	return s
}
