package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"opsdeck/portfolio"
	"opsdeck/store"
)

func (m *Main) recipientsCommand() *cobra.Command {
	var asJSON *bool
	list := &cobra.Command{
		Use:   "list [--json]",
		Short: "Every report role with its recipients",
		Args:  noArgs,
		RunE: m.withStore(func(ctx context.Context, s *store.Store, args []string) error {
			rs, err := s.Recipients(ctx)
			if err != nil {
				return err
			}
			return printList(m, *asJSON, rs, "", "REPORT\tNAME\tEMAIL", func(r portfolio.Recipient) string {
				return fmt.Sprintf("%s\t%s\t%s", r.Role.Title(), r.Person.Name, r.Person.Email)
			})
		}),
	}
	asJSON = jsonFlag(list)
	var name string
	add := &cobra.Command{
		Use:   "add ROLE EMAIL [--name NAME]",
		Short: "Send ROLE's report to EMAIL too (adding the person if new)",
		Args:  exactArgs(2),
		RunE: m.withRole(func(ctx context.Context, s *store.Store, role portfolio.ReportRole, args []string) error {
			var p portfolio.Person
			var created bool
			if err := s.Update(ctx, m.actor(), func(tx *store.Tx) (err error) {
				p, created, err = tx.AddRecipientByEmail(ctx, role, args[1], name)
				return err
			}); err != nil {
				return err
			}
			note := ""
			if created {
				note = " (added as a new person)"
			}
			fmt.Fprintf(m.Stdout, "%s <%s> now receives the %s report%s\n", p.Name, p.Email, role.Title(), note)
			if created {
				m.warn(&p, nil)
			}
			return nil
		}),
	}
	add.Flags().StringVar(&name, "name", "", "the person's name, if they are new")
	remove := &cobra.Command{
		Use:   "remove ROLE EMAIL",
		Short: "Stop sending ROLE's report to EMAIL",
		Args:  exactArgs(2),
		RunE: m.withRole(func(ctx context.Context, s *store.Store, role portfolio.ReportRole, args []string) error {
			if err := s.Update(ctx, m.actor(), func(tx *store.Tx) error { return tx.RemoveRecipient(ctx, role, args[1]) }); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "%s no longer receives the %s report\n", args[1], role.Title())
			return nil
		}),
	}
	return group("recipients", "Who receives which report", list, add, remove)
}
