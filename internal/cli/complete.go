package cli

import (
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"opsdeck/portfolio"
)

// completeRole completes a command's first argument with the report
// roles (report, send, schedule set …).
func completeRole(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, r := range portfolio.ReportRoles {
		out = append(out, string(r)+"\t"+r.Title()+" report")
	}
	return filterPrefix(out, strings.ToLower(toComplete)), cobra.ShellCompDirectiveNoFileComp
}

// eventChoices are the events as completions, "ID\tdate title", the
// ones to come first: those are the ones links are minted for.
func (m *Main) eventChoices(cmd *cobra.Command, toComplete string) ([]string, cobra.ShellCompDirective) {
	if m.cfg == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	s, err := m.openStore(cmd.Context(), true)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	events, err := s.Events(cmd.Context(), time.Time{})
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	now := m.Clock.Now()
	var soon, past []string
	for _, e := range events {
		choice := strconv.FormatInt(e.ID, 10) + "\t" + e.Timing().Departure.Format("2 Jan 2006") + " " + e.Title
		if e.Timing().TurnaroundDone.Before(now) {
			past = append(past, choice)
		} else {
			soon = append(soon, choice)
		}
	}
	return filterPrefix(append(soon, past...), toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
}

// completeLinkArgs completes `link EVENT PERSON`: the events, then the
// people on that event's crew by email.
func (m *Main) completeLinkArgs(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	switch len(args) {
	case 0:
		return m.eventChoices(cmd, toComplete)
	case 1:
		if m.cfg == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		id, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		s, err := m.openStore(cmd.Context(), true)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		e, err := s.Event(cmd.Context(), id)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, c := range e.Crew {
			out = append(out, c.PersonEmail+"\t"+c.Name+" ("+string(c.Role)+")")
		}
		return filterPrefix(out, strings.ToLower(toComplete)), cobra.ShellCompDirectiveNoFileComp
	}
	return nil, cobra.ShellCompDirectiveNoFileComp
}
