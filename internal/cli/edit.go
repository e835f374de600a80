package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"opsdeck/portfolio"
	"opsdeck/store"
)

func (m *Main) editCommand() *cobra.Command {
	verb := group("edit", "Change fields of a record, given by its key")
	return kindCommands(verb, func(k *portfolio.Kind) *cobra.Command {
		cmd := &cobra.Command{
			Use:               k.Name + " " + k.KeyHint() + " --FIELD VALUE ...",
			Short:             "Change " + k.A() + ", given by its key",
			Args:              fieldArgs(k, 1),
			ValidArgsFunction: m.completeKeys(k),
		}
		m.fieldFlags(cmd, k)
		cmd.RunE = func(cmd *cobra.Command, args []string) error {
			// The flags are checked against a blank record first, so a bad
			// value is a usage mistake before anything is opened.
			given, err := applyFlags(cmd, k, k.New())
			if err != nil {
				return err
			}
			if len(given) == 0 {
				return usagef("say what to change: a --FIELD VALUE (opsdeck kinds %s lists the fields)", k.Name)
			}
			return m.withStore(func(ctx context.Context, s *store.Store, args []string) error {
				var before, after portfolio.Record
				var changed []string
				if err := s.Update(ctx, m.actor(), func(tx *store.Tx) error {
					found, err := tx.Record(ctx, k, args[0])
					if err != nil {
						return err
					}
					before, after = k.Copy(found), k.Copy(found)
					if _, err := applyFlags(cmd, k, after); err != nil {
						return err
					}
					for _, name := range given {
						if f, _ := k.Field(name); !f.Same(before, after) {
							changed = append(changed, name)
						}
					}
					if len(changed) == 0 {
						return nil // nothing to write, nor to audit
					}
					_, err = tx.PutRecord(ctx, k, args[0], after)
					return err
				}); err != nil {
					return err
				}
				if len(changed) == 0 {
					fmt.Fprintf(m.Stdout, "nothing to change: %s %s already has %s\n", k.Name, k.Key(before), describeValues(k, before, given))
					return nil
				}
				fmt.Fprintf(m.Stdout, "changed %s %s: %s\n", k.Name, k.Key(after), describeChange(k, before, after, changed))
				m.warn(after, before)
				return nil
			})(cmd, args)
		}
		return cmd
	})
}
