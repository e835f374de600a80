package cli

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// eventRow is an event as `events --json` prints it.
type eventRow struct {
	portfolio.Event
	Timing portfolio.Timing `json:"timing"`
	Done   int              `json:"checklist_done"`
	Total  int              `json:"checklist_total"`
}

func (m *Main) eventsCommand() *cobra.Command {
	var all bool
	var asJSON *bool
	cmd := &cobra.Command{
		Use:   "events [--all] [--json]",
		Short: "List upcoming events (--all: past ones too) with crew and checklist progress",
		Args:  noArgs,
		RunE: m.withStore(func(ctx context.Context, s *store.Store, args []string) error {
			now := m.Clock.Now()
			var since time.Time
			if !all {
				// Still listed while the crew are turning the boat round:
				// no event plus turnaround runs beyond 15 days.
				since = now.Add(-15 * 24 * time.Hour)
			}
			events, err := s.Events(ctx, since)
			if err != nil {
				return err
			}
			rows := make([]eventRow, 0, len(events))
			for _, e := range events {
				if !all && !e.Timing().TurnaroundDone.After(now) {
					continue
				}
				done, total := e.Progress()
				rows = append(rows, eventRow{Event: e, Timing: e.Timing(), Done: done, Total: total})
			}
			return printList(m, *asJSON, rows, "no upcoming events (opsdeck events --all lists past ones)",
				"ID\tDEPARTS\tENTITY\tTITLE\tSTATUS\tCREW\tCHECKLIST", func(r eventRow) string {
					return fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%s\t%d/%d", r.ID, localTime(r.DepartsAt, r.TimeZone), r.EntityCode, r.Title,
						r.Status, crewNames(r.Crew), r.Done, r.Total)
				})
		}),
	}
	cmd.Flags().BoolVar(&all, "all", false, "include past events")
	asJSON = jsonFlag(cmd)
	return cmd
}

func crewNames(crew []portfolio.CrewMember) string {
	names := make([]string, 0, len(crew))
	for _, c := range crew {
		names = append(names, fmt.Sprintf("%s (%s)", c.Name, c.Role))
	}
	return cmp.Or(strings.Join(names, ", "), "—")
}

// localTime shows t in the event's own time zone, where the crew are.
func localTime(t time.Time, zone string) string {
	return portfolio.InZone(t, zone).Format("Mon 2 Jan 15:04 MST")
}
