package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"opsdeck/store"
)

func (m *Main) backupCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the database to FILE (safe while others write)",
		Args:  exactArgs(1),
		RunE: m.withStore(func(ctx context.Context, s *store.Store, args []string) error {
			if err := s.Backup(ctx, args[0]); err != nil {
				return err
			}
			st, err := os.Stat(args[0])
			if err != nil {
				return fmt.Errorf("check backup: %w", err)
			}
			fmt.Fprintf(m.Stdout, "backed up %s to %s (%d bytes)\n", s.Path(), args[0], st.Size())
			return nil
		}),
	}
}
