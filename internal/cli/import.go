package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"opsdeck/portfolio"
	"opsdeck/transfer"
)

// maxImport bounds a file read for import: far above any portfolio, far
// below what would hurt.
const maxImport = 64 << 20

func (m *Main) importCommand() *cobra.Command {
	var dryRun, prune bool
	var kind string
	cmd := &cobra.Command{
		Use:   "import FILE [--dry-run] [--prune] | import FILE.csv [--kind KIND]",
		Short: "Bring in a portfolio file (or a spreadsheet's rows): checked whole, then applied in one go",
		Long: `Bring in a portfolio file written by opsdeck export (YAML or JSON), or edited by
hand. The whole file is checked first: every mistake is listed with its line and
nothing is written if there is any. Then the difference is applied in one
transaction: new records are added and changed ones changed; with --prune the
records the file leaves out of the sections it has are removed. --dry-run shows
what would change and writes nothing. FILE - reads standard input.`,
		Example: `  opsdeck import portfolio.yaml --dry-run
  opsdeck init --empty && opsdeck import portfolio.yaml`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sheet := transfer.IsCSV(args[0]) || kind != ""
			if sheet && prune {
				return usagef("--prune is for portfolio files; a spreadsheet only adds and changes")
			}
			if kind != "" {
				k, err := kindNamed(kind)
				if err == nil {
					kind = k.Name
					err = transfer.CheckSheetKind(kind)
				}
				if err != nil {
					return usagef("--kind: %s", portfolio.ErrorMessage(err))
				}
			}
			data, err := m.readInput(args[0])
			if err != nil {
				return err
			}
			// The name mistakes are reported against.
			name := args[0]
			if name == "-" {
				name = "stdin"
			}
			// A database that is not there yet is made for the file, empty:
			// the file is the portfolio, not something to merge into the
			// demo. If nothing comes of the import, it goes again.
			ctx := cmd.Context()
			m.mayCreateStore = true
			s, err := m.openStore(ctx, true)
			if err != nil {
				return err
			}
			path, isNew := s.Path(), m.madeStore
			opts := transfer.Options{DryRun: dryRun, Prune: prune}
			var res transfer.Result
			if sheet {
				res, err = transfer.ImportCSV(ctx, s, m.actor(), name, data, kind, opts)
			} else {
				res, err = transfer.Import(ctx, s, m.actor(), name, data, opts)
			}
			if isNew && (err != nil || dryRun) {
				m.removeNewDatabase(path)
			} else if isNew {
				fmt.Fprintf(m.Stderr, "opsdeck: created %s for the imported portfolio\n", path)
			}
			var probs *transfer.Problems
			if errors.As(err, &probs) {
				for _, p := range probs.List {
					fmt.Fprintf(m.Stderr, "%s:%d: %s\n", probs.File, p.Line, p.Message)
				}
				return usagef("%s: %s; nothing was imported", name, portfolio.Plural(int64(len(probs.List)), "mistake", "mistakes"))
			}
			if err != nil {
				return err
			}
			if dryRun && !res.Empty() {
				fmt.Fprintln(m.Stdout, "dry run; would change:")
			}
			fmt.Fprintln(m.Stdout, res)
			return nil
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "check and show what would change; write nothing")
	cmd.Flags().BoolVar(&prune, "prune", false, "remove the records the file leaves out (in the sections it has)")
	cmd.Flags().StringVar(&kind, "kind", "", "for a CSV file: what its rows are (reading, revenue-month, cost-line); default from its header")
	return cmd
}

// readInput reads a file named on the command line, or standard input for
// "-", refusing one too big to be a portfolio.
func (m *Main) readInput(name string) ([]byte, error) {
	var r io.Reader = m.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, usagef("cannot read %s: %v", name, errors.Unwrap(err))
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxImport+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxImport {
		return nil, usagef("%s is over %d MiB; that is no portfolio file", name, maxImport>>20)
	}
	return data, nil
}

// removeNewDatabase takes away a database this run made and did not fill,
// with its write-ahead log, so a refused import leaves no trace.
func (m *Main) removeNewDatabase(path string) {
	if err := m.Close(); err != nil {
		fmt.Fprintf(m.Stderr, "opsdeck: close %s: %v\n", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(m.Stderr, "opsdeck: remove %s: %v\n", p, err)
		}
	}
}
