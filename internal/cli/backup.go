package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"opsdeck/portfolio"
	"opsdeck/store"
)

func (m *Main) backupCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the database to FILE (safe while others write)",
		Long: `Write a consistent copy of the database to FILE, safe while others write.

The copy is made under a temporary name beside FILE, checked with SQLite's
integrity check, and only then given its name: a failure (a full disk, a
database that fails the check) leaves nothing behind. FILE must not exist,
and must not be the database, its -wal or -shm file, or a link to them.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// A target that cannot be used is said before the database
			// is opened (or, on a first run, made).
			if db, _, err := m.cfg.dbPath(); err == nil {
				if err := store.CheckBackup(db, args[0]); err != nil {
					return err
				}
			}
			return m.withStore(func(ctx context.Context, s *store.Store, args []string) error {
				if err := s.Backup(ctx, args[0]); err != nil {
					return err
				}
				st, err := os.Stat(args[0])
				if err != nil {
					return fmt.Errorf("check backup: %w", err)
				}
				fmt.Fprintf(m.Stdout, "backed up %s to %s (%s)\n", s.Path(), args[0], portfolio.Plural(st.Size(), "byte", "bytes"))
				return nil
			})(cmd, args)
		},
	}
}
