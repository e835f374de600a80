package cli

import (
	"context"
	"encoding/json"

	"github.com/spf13/cobra"

	"opsdeck/portfolio"
	"opsdeck/store"
)

func (m *Main) listCommand() *cobra.Command {
	verb := group("list", "List the records of a kind (opsdeck kinds names them)")
	return kindCommands(verb, func(k *portfolio.Kind) *cobra.Command {
		var asJSON *bool
		cmd := &cobra.Command{
			Use:   k.Name + " [--json]",
			Short: "List the " + k.Nouns() + ": " + k.Doc,
			Args:  noArgs,
			RunE: m.withStore(func(ctx context.Context, s *store.Store, args []string) error {
				recs, err := s.Records(ctx, k)
				if err != nil {
					return err
				}
				if *asJSON {
					rows := make([]json.RawMessage, 0, len(recs))
					for _, r := range recs {
						rows = append(rows, recordJSON(k, r))
					}
					return writeJSON(m.Stdout, rows)
				}
				return printList(m, false, recs, "no "+k.Nouns()+" yet (opsdeck add "+k.Name+" adds one)", listHeader(k),
					func(r portfolio.Record) string { return recordLine(k, r) })
			}),
		}
		asJSON = jsonFlag(cmd)
		return cmd
	})
}
