package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/demo"
)

func (m *Main) initCommand() *cobra.Command {
	var withDemo, empty, force bool
	var name string
	cmd := &cobra.Command{
		Use:   "init [--demo|--empty [--name NAME]] [--force]",
		Short: "Create the database, with the demo portfolio (default) or empty",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if name != "" && !empty {
				return usagef("--name names an empty portfolio (the demo has its own); add --empty")
			}
			if err := portfolio.ValidateMeta("portfolio name", name); name != "" && err != nil {
				return err
			}
			m.mayCreateStore = true
			s, err := m.openStore(ctx, true)
			if err != nil {
				return err
			}
			isEmpty, err := s.IsEmpty(ctx)
			if err != nil {
				return fmt.Errorf("inspect %s: %w", s.Path(), err)
			}
			if !isEmpty && !force {
				return portfolio.Errorf(portfolio.ECONFLICT,
					"%s already holds a portfolio; add --force to replace it (opsdeck backup FILE keeps a copy)", s.Path())
			}
			err = s.Update(ctx, m.actor(), func(tx *store.Tx) error {
				if !isEmpty {
					if err := tx.Reset(ctx); err != nil {
						return err
					}
				}
				if empty {
					if name != "" {
						return tx.SetMeta(ctx, "portfolio_name", name)
					}
					return nil
				}
				return demo.Load(ctx, tx)
			})
			if err != nil {
				return fmt.Errorf("initialise %s: %w", s.Path(), err)
			}
			what := "the demo portfolio"
			if empty {
				what = "an empty portfolio"
			}
			fmt.Fprintf(m.Stdout, "initialised %s with %s\n", s.Path(), what)
			return nil
		},
	}
	cmd.Flags().BoolVar(&withDemo, "demo", false, "load the demo portfolio (the default)")
	cmd.Flags().BoolVar(&empty, "empty", false, "start with no data")
	cmd.Flags().BoolVar(&force, "force", false, "replace a database that already holds a portfolio")
	cmd.Flags().StringVar(&name, "name", "", "the empty portfolio's name, as reports title it")
	cmd.MarkFlagsMutuallyExclusive("demo", "empty")
	return cmd
}
