package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"opsdeck/internal/safefile"
	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/transfer"
)

func (m *Main) exportCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "export [FILE] [--format yaml|json]",
		Short: "Write the whole portfolio as one editable file (standard output without FILE, or for -)",
		Long: `Write the whole portfolio as one human-editable file: everything the reports
read, the people and the events, with each record's key, in a stable order.
No secrets, sessions, links, outbox or audit log. opsdeck import brings a file
back, into this database or a new one (opsdeck init --empty).`,
		Example: `  opsdeck export portfolio.yaml
  opsdeck export --format json > portfolio.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("%s takes at most one file (usage: %s)", commandName(cmd), cmd.UseLine())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 && args[0] == "-" {
				args = nil // standard output, as import - reads standard input
			}
			f := transfer.YAML
			if format != "" {
				var err error
				if f, err = transfer.ParseFormat(format); err != nil {
					return err
				}
			} else if len(args) == 1 && strings.EqualFold(filepath.Ext(args[0]), ".json") {
				f = transfer.JSON
			}
			// A file that cannot be written is said before the database
			// is opened (or, on a first run, made).
			protected := m.databaseFiles()
			if len(args) == 1 {
				if err := checkDestination(args[0], protected...); err != nil {
					return exportFileError(args[0], err)
				}
			}
			return m.withStore(func(ctx context.Context, s *store.Store, args []string) error {
				var b bytes.Buffer
				if err := transfer.Export(ctx, s, &b, f); err != nil {
					return err
				}
				if len(args) == 0 {
					_, err := m.Stdout.Write(b.Bytes())
					return err
				}
				if err := writeFileAtomic(args[0], b.Bytes(), protected...); err != nil {
					return exportFileError(args[0], err)
				}
				fmt.Fprintf(m.Stderr, "wrote %s\n", args[0])
				return nil
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "yaml or json (default: from FILE's extension, else yaml)")
	return cmd
}

// exportFileError is the portfolio file refused as one of the database's
// (the command line's mistake) or failed to be written.
func exportFileError(dest string, err error) error {
	var refused *safefile.RefusedError
	if errors.As(err, &refused) {
		return portfolio.Errorf(portfolio.EINVALID, "refusing to export to %s: it %s", dest, refused.Reason)
	}
	return fmt.Errorf("export to %s: %w", dest, err)
}
