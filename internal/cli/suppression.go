package cli

import (
	"cmp"
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"opsdeck/portfolio"
	"opsdeck/store"
)

func (m *Main) suppressionCommand() *cobra.Command {
	var asJSON *bool
	list := &cobra.Command{
		Use:   "list [--json]",
		Short: "Every suppressed address, newest first, with why",
		Args:  noArgs,
		RunE: m.withStore(func(ctx context.Context, s *store.Store, args []string) error {
			sps, err := s.Suppressions(ctx)
			if err != nil {
				return err
			}
			return printList(m, *asJSON, sps, "no address is suppressed", "ADDRESS\tREASON\tSINCE\tBY\tOUTBOX\tDETAIL", func(sp store.Suppression) string {
				outbox := "—"
				if sp.OutboxID != 0 {
					outbox = fmt.Sprint(sp.OutboxID)
				}
				return fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s", sp.Address, sp.Reason,
					m.listTime(sp.CreatedAt), sp.CreatedBy, outbox, cmp.Or(oneLine(sp.Detail), "—"))
			})
		}),
	}
	asJSON = jsonFlag(list)

	var reason string
	add := &cobra.Command{
		Use:   "add ADDRESS [--reason TEXT]",
		Short: "Stop mailing ADDRESS: later batches skip it",
		Long: `Put ADDRESS on the suppression list: later batches skip it, with the reason on
its outbox row. A hard bounce or a complaint reported by SES puts an address
there by itself; remove takes it off.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// The address is checked before the database is opened, so a
			// mistyped one touches nothing.
			addr, err := store.NormalizeAddress(args[0])
			if err != nil {
				return err
			}
			return m.withStore(func(ctx context.Context, s *store.Store, _ []string) error {
				err := s.Update(ctx, m.actor(), func(tx *store.Tx) error {
					if sp, ok, err := s.Suppression(ctx, addr); err != nil {
						return err
					} else if ok {
						return portfolio.Errorf(portfolio.ECONFLICT, "%s is already suppressed (%s, since %s)", addr, sp.Reason,
							sp.CreatedAt.In(m.Clock.Now().Location()).Format("2006-01-02"))
					}
					_, err := tx.Suppress(ctx, addr, store.SuppressedManual, oneLine(reason), 0)
					return err
				})
				if err != nil {
					return err
				}
				fmt.Fprintf(m.Stdout, "%s is suppressed: later batches skip it\n", addr)
				return nil
			})(cmd, args)
		},
	}
	add.Flags().StringVar(&reason, "reason", "", "why, for whoever reads the list")

	remove := &cobra.Command{
		Use:   "remove ADDRESS",
		Short: "Mail ADDRESS again",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := store.NormalizeAddress(args[0])
			if err != nil {
				return err
			}
			return m.withStore(func(ctx context.Context, s *store.Store, _ []string) error {
				if err := s.Update(ctx, m.actor(), func(tx *store.Tx) error { return tx.Unsuppress(ctx, addr) }); err != nil {
					return err
				}
				fmt.Fprintf(m.Stdout, "%s is no longer suppressed\n", addr)
				return nil
			})(cmd, args)
		},
	}
	return group("suppression", "Addresses later batches skip (bounced, complained, or added by hand)", list, add, remove)
}
