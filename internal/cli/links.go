package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (m *Main) linksCommand() *cobra.Command {
	var event string
	var asJSON *bool
	cmd := &cobra.Command{
		Use:   "links [--event ID] [--json]",
		Short: "List magic links and whether each still works",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var eventID int64
			if event != "" {
				var err error
				if eventID, err = parseID("event", event); err != nil {
					return err
				}
			}
			s, err := m.openStore(cmd.Context(), false)
			if err != nil {
				return err
			}
			links, err := s.CrewLinks(cmd.Context(), eventID)
			if err != nil {
				return err
			}
			if eventID != 0 && len(links) == 0 {
				// No links for an event that is not there is a wrong ID,
				// not an empty list.
				if _, err := s.Event(cmd.Context(), eventID); err != nil {
					return err
				}
			}
			rows := make([]linkRow, 0, len(links))
			for _, l := range links {
				rows = append(rows, linkRow{CrewLink: l, State: l.State(m.Clock.Now())})
			}
			return printList(m, *asJSON, rows, "no links (opsdeck link EVENT PERSON mints one)", "ID\tEVENT\tPERSON\tROLE\tSTATE\tEXPIRES\tSINGLE-USE", func(r linkRow) string {
				return fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%s\t%v", r.ID, r.EventTitle, r.PersonName, r.Role, r.State,
					m.listTime(r.ExpiresAt), r.SingleUse)
			})
		},
	}
	cmd.Flags().StringVar(&event, "event", "", "only this event's links")
	cmd.RegisterFlagCompletionFunc("event", func(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return m.eventChoices(cmd, toComplete)
	})
	asJSON = jsonFlag(cmd)
	return cmd
}
