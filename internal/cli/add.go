package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

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
			Long: "Add " + k.A() + ". Fields not given take their defaults, shown below; those marked (required)\n" +
				"must be given. opsdeck kinds " + k.Name + " lists them too.",
			Args: fieldArgs(k, 0),
		}
		m.fieldFlags(cmd, k)
		// Help shows each field's default, and which must be given, as
		// opsdeck kinds does.
		for i := range k.Fields {
			f := &k.Fields[i]
			flag := cmd.Flags().Lookup(strings.ReplaceAll(f.Name, "_", "-"))
			if mustGive(k, f) {
				flag.Usage += " (required)"
			} else if !f.Filled {
				flag.DefValue = fieldDefault(k, f)
			}
		}
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
				m.warn(rec, nil)
				return nil
			})(cmd, args)
		}
		return cmd
	})
}

// warn says on stderr what looks suspicious about rec (an event dated in
// the past, an address without a dot in its domain), the same warnings a
// console form shows: the record is written all the same, and the exit
// status stays 0. An edit passes the record as it was, and is warned only
// of what the change brought.
func (m *Main) warn(rec, before portfolio.Record) {
	now := m.Clock.Now()
	var had []portfolio.Warning
	if before != nil {
		had = portfolio.Warnings(before, now)
	}
	for _, w := range portfolio.Warnings(rec, now) {
		if !slices.Contains(had, w) {
			fmt.Fprintf(m.Stderr, "opsdeck: warning: %s: %s\n", w.Field, w.Message)
		}
	}
}
