package main

import (
	"fmt"
	"strings"
	"time"

	"opsdeck/portfolio"

	"github.com/spf13/cobra"
)

// eventRow is an event as `events --json` prints it.
type eventRow struct {
	portfolio.Event
	Timing portfolio.Timing `json:"timing"`
	Done   int              `json:"checklist_done"`
	Total  int              `json:"checklist_total"`
}

func (m *Main) eventsCommand() *cobra.Command {
	var all, asJSON bool
	cmd := &cobra.Command{
		Use:   "events [--all] [--json]",
		Short: "List upcoming events (--all: past ones too) with crew and checklist progress",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := m.openStore(cmd.Context(), false)
			if err != nil {
				return err
			}
			var since time.Time
			if !all {
				// Still listed while the crew are turning the boat round:
				// no event plus turnaround runs beyond 15 days.
				since = m.Clock.Now().Add(-15 * 24 * time.Hour)
			}
			events, err := s.Events(cmd.Context(), since)
			if err != nil {
				return err
			}
			rows := make([]eventRow, 0, len(events))
			for _, e := range events {
				if !all && !e.Timing().TurnaroundDone.After(m.Clock.Now()) {
					continue
				}
				done, total := e.Progress()
				rows = append(rows, eventRow{Event: e, Timing: e.Timing(), Done: done, Total: total})
			}
			if asJSON {
				return writeJSON(m.Stdout, rows)
			}
			if len(rows) == 0 {
				fmt.Fprintln(m.Stdout, "no upcoming events (opsdeck events --all lists past ones)")
				return nil
			}
			t := newTable(m.Stdout)
			fmt.Fprintln(t, "ID\tDEPARTS\tENTITY\tTITLE\tSTATUS\tCREW\tCHECKLIST")
			for _, r := range rows {
				fmt.Fprintf(t, "%d\t%s\t%s\t%s\t%s\t%s\t%d/%d\n", r.ID, localTime(r.DepartsAt, r.TimeZone), r.EntityCode, r.Title,
					r.Status, crewNames(r.Crew), r.Done, r.Total)
			}
			return t.Flush()
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "include past events")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print machine-readable JSON")
	return cmd
}

func crewNames(crew []portfolio.CrewMember) string {
	names := make([]string, 0, len(crew))
	for _, c := range crew {
		names = append(names, fmt.Sprintf("%s (%s)", c.Name, c.Role))
	}
	if len(names) == 0 {
		return "—"
	}
	return strings.Join(names, ", ")
}

// personRow is a person as `people --json` prints them.
type personRow struct {
	portfolio.Person
	Reports []portfolio.ReportRole `json:"reports"`
}

func (m *Main) peopleCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "people [--json]",
		Short: "List people with their access role and the reports they receive",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := m.openStore(cmd.Context(), false)
			if err != nil {
				return err
			}
			people, err := s.People(cmd.Context())
			if err != nil {
				return err
			}
			recipients, err := s.Recipients(cmd.Context())
			if err != nil {
				return err
			}
			reports := map[int64][]portfolio.ReportRole{}
			for _, r := range recipients {
				reports[r.Person.ID] = append(reports[r.Person.ID], r.Role)
			}
			rows := make([]personRow, 0, len(people))
			for _, p := range people {
				rows = append(rows, personRow{Person: p, Reports: append([]portfolio.ReportRole{}, reports[p.ID]...)})
			}
			if asJSON {
				return writeJSON(m.Stdout, rows)
			}
			t := newTable(m.Stdout)
			fmt.Fprintln(t, "ID\tNAME\tEMAIL\tPHONE\tROLE\tTITLE\tREPORTS")
			for _, r := range rows {
				titles := make([]string, 0, len(r.Reports))
				for _, role := range r.Reports {
					titles = append(titles, role.Title())
				}
				fmt.Fprintf(t, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Name, r.Email, orDash(r.Phone), r.Role, orDash(r.Title),
					orDash(strings.Join(titles, ", ")))
			}
			return t.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print machine-readable JSON")
	return cmd
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
