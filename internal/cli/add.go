package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"opsdeck/portfolio"
	"opsdeck/store"
)

func (m *Main) addCommand() *cobra.Command {
	verb := group("add", "Add a record of a kind, its fields given as flags")
	return kindCommands(verb, func(k *portfolio.Kind) *cobra.Command {
		cmd := &cobra.Command{
			Use:   k.Name + " --FIELD VALUE ...",
			Short: "Add " + k.A() + ": " + k.Doc,
			Long:  "Add " + k.A() + ". Fields not given take their defaults; opsdeck kinds " + k.Name + " lists them.",
			Args:  noArgs,
		}
		m.fieldFlags(cmd, k)
		cmd.RunE = func(cmd *cobra.Command, args []string) error {
			rec := k.New()
			// The fields are read before the store opens: a mistyped value
			// touches nothing.
			if _, err := applyFlags(cmd, k, rec); err != nil {
				return err
			}
			return m.withStore(func(ctx context.Context, s *store.Store, _ []string) error {
				if err := s.Update(ctx, m.actor(), func(tx *store.Tx) error {
					_, err := tx.PutRecord(ctx, k, "", rec)
					return err
				}); err != nil {
					return err
				}
				fmt.Fprintf(m.Stdout, "added %s %s\n", k.Name, k.Key(rec))
				return nil
			})(cmd, args)
		}
		return cmd
	})
}
