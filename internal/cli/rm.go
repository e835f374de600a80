package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"opsdeck/portfolio"
	"opsdeck/store"
)

func (m *Main) rmCommand() *cobra.Command {
	verb := group("rm", "Remove a record, given by its key")
	return kindCommands(verb, func(k *portfolio.Kind) *cobra.Command {
		var yes bool
		cmd := &cobra.Command{
			Use:               k.Name + " " + k.KeyHint() + " [--yes]",
			Short:             "Remove " + k.A() + " (and, once agreed, what goes with it)",
			Args:              exactArgs(1),
			ValidArgsFunction: m.completeKeys(k),
			RunE: m.withStore(func(ctx context.Context, s *store.Store, args []string) error {
				deps, err := s.Dependents(ctx, k, args[0])
				if err != nil {
					return err
				}
				var goes []string
				for _, d := range deps {
					if d.Goes {
						goes = append(goes, d.String())
					}
				}
				// What goes with the record is said before anything goes.
				if len(goes) > 0 && len(goes) == len(deps) && !yes {
					if !m.interactive() {
						return usagef("removing %s %s also removes %s; add --yes to remove them all", k.Name, args[0], strings.Join(goes, ", "))
					}
					fmt.Fprintf(m.Stdout, "Removing %s %s also removes:\n  %s\nRemove them all? [y/N] ", k.Name, args[0], strings.Join(goes, "\n  "))
					answer, _ := bufio.NewReader(m.Stdin).ReadString('\n')
					if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
						fmt.Fprintln(m.Stdout, "nothing removed")
						return nil
					}
				}
				var gone []store.Dependent
				if err := s.Update(ctx, m.actor(), func(tx *store.Tx) (err error) {
					gone, err = tx.RemoveRecord(ctx, k, args[0], true)
					return err
				}); err != nil {
					return err
				}
				fmt.Fprintf(m.Stdout, "removed %s %s", k.Name, args[0])
				if len(gone) > 0 {
					fmt.Fprintf(m.Stdout, " and with it %s", countKinds(gone))
				}
				fmt.Fprintln(m.Stdout)
				return nil
			}),
		}
		cmd.Flags().BoolVarP(&yes, "yes", "y", false, "remove what goes with it without asking")
		return cmd
	})
}

// countKinds says how many of each kind ds holds, in the kinds' order: "1
// KPI, 2 KPI readings and 1 revenue month".
func countKinds(ds []store.Dependent) string {
	var parts []string
	for _, k := range portfolio.Kinds {
		n := 0
		for _, d := range ds {
			if d.Kind == k {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, k.Count(n))
		}
	}
	if len(parts) > 1 {
		return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	}
	return strings.Join(parts, "")
}
