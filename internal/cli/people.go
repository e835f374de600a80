package cli

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// personRow is a person as `people --json` prints them.
type personRow struct {
	portfolio.Person
	Reports []portfolio.ReportRole `json:"reports"`
}

func (m *Main) peopleCommand() *cobra.Command {
	var asJSON *bool
	cmd := &cobra.Command{
		Use:   "people [--json]",
		Short: "List people with their access role and the reports they receive",
		Args:  noArgs,
		RunE: m.withStore(func(ctx context.Context, s *store.Store, args []string) error {
			people, err := s.People(ctx)
			if err != nil {
				return err
			}
			recipients, err := s.Recipients(ctx)
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
			return printList(m, *asJSON, rows, "", "ID\tNAME\tEMAIL\tPHONE\tROLE\tTITLE\tREPORTS", func(r personRow) string {
				titles := make([]string, 0, len(r.Reports))
				for _, role := range r.Reports {
					titles = append(titles, role.Title())
				}
				return fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%s\t%s", r.ID, r.Name, r.Email, cmp.Or(r.Phone, "—"), r.Role, cmp.Or(r.Title, "—"),
					cmp.Or(strings.Join(titles, ", "), "—"))
			})
		}),
	}
	asJSON = jsonFlag(cmd)
	return cmd
}
