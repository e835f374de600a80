package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"opsdeck/internal/safefile"
	"opsdeck/portfolio"
	"opsdeck/reports"
	"opsdeck/store"
)

func (m *Main) reportCommand() *cobra.Command {
	var format, style, out, dir string
	var width int
	var all bool
	cmd := &cobra.Command{
		Use:               "report ROLE|--all [--format md|term|html|text] [--width N] [--out FILE | --dir DIR]",
		ValidArgsFunction: completeRole,
		Short:             "Render a role report (ceo, cto, cmo, cfo, accounting) from the portfolio data",
		Long: `Render a role report computed from the portfolio data.

Formats: md (markdown), term (styled for a terminal; the default on a terminal),
html (a self-contained email document), text (the plain-text email part).
--all writes every role to --dir, one file per role and format (all four formats
unless --format picks one). Templates can be reworded without rebuilding: put a
file of the same name (ceo.md.tmpl, common.md.tmpl, ...) in --templates DIR.`,
		Example: `  opsdeck report ceo
  opsdeck report cfo --format html --out cfo.html
  opsdeck report --all --dir reports/`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case all && len(args) > 0:
				return usagef("give a role or --all, not both")
			case all && dir == "":
				return usagef("--all needs --dir DIR")
			case !all && len(args) != 1:
				return usagef("name one role (ceo, cto, cmo, cfo, accounting) or use --all --dir DIR")
			case !all && dir != "":
				return usagef("--dir goes with --all; for one role use --out FILE")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			roles := portfolio.ReportRoles
			if !all {
				role, err := portfolio.ParseReportRole(args[0])
				if err != nil {
					return err
				}
				roles = []portfolio.ReportRole{role}
			}
			formats := reports.Formats
			if format != "" || !all {
				f, err := m.reportFormat(format, out)
				if err != nil {
					return err
				}
				formats = []reports.Format{f}
			}
			opts := reports.RenderOptions{Width: width, Style: style}
			if err := m.reportDefaults(&opts, out != "" || all); err != nil {
				return err
			}
			// Parse templates before touching the database, so a broken
			// override fails fast and nothing else happens.
			eng, err := m.reportEngine()
			if err != nil {
				return err
			}
			// The database's own files are never a report's: said, like
			// any other unusable --out, before anything is read.
			protected := m.databaseFiles()
			if out != "" {
				if err := checkDestination(out, protected...); err != nil {
					return reportFileError(roles[0], out, "write to "+out, err)
				}
			}
			snap, err := m.snapshot(cmd.Context())
			if err != nil {
				return err
			}
			if all {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return fmt.Errorf("create report directory: %w", err)
				}
			}
			rendered, err := eng.RenderAll(snap, roles, formats, opts, nil)
			if err != nil {
				return err
			}
			for _, r := range rendered {
				dest := out
				if all {
					dest = filepath.Join(dir, string(r.Role)+"."+r.Format.Ext())
				}
				if dest == "" {
					fmt.Fprint(m.Stdout, r.Text)
					continue
				}
				if err := writeFileAtomic(dest, []byte(r.Text), protected...); err != nil {
					return reportFileError(r.Role, dest, fmt.Sprintf("write %s report to %s", r.Role.Title(), dest), err)
				}
				fmt.Fprintf(m.Stderr, "wrote %s\n", dest)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "every role, one file per role and format in --dir")
	cmd.Flags().StringVar(&format, "format", "", "md, term, html or text (default: term on a terminal, else md)")
	cmd.Flags().IntVar(&width, "width", 0, "wrap width for term and text (default: the terminal's, else 80)")
	cmd.Flags().StringVar(&style, "style", "", "term style: dark, light, notty or ascii (default dark; notty when NO_COLOR is set)")
	cmd.Flags().StringVar(&out, "out", "", "write to FILE instead of standard output")
	cmd.Flags().StringVar(&dir, "dir", "", "directory for --all")
	settingFlag(cmd.Flags(), "templates", "OPSDECK_TEMPLATES", "directory of template overrides (env OPSDECK_TEMPLATES)")
	return cmd
}

// reportFormat picks the format: the flag, else term when printing to a
// terminal, else markdown.
func (m *Main) reportFormat(flag, out string) (reports.Format, error) {
	if flag != "" {
		return reports.ParseFormat(flag)
	}
	if out == "" && m.stdoutIsTerminal() {
		return reports.Term, nil
	}
	return reports.Markdown, nil
}

// reportDefaults fills width and style from the terminal and NO_COLOR, and
// checks what the user gave.
func (m *Main) reportDefaults(o *reports.RenderOptions, toFile bool) error {
	if o.Width < 0 || o.Width > 1000 {
		return usagef("--width %d must be between 20 and 1000", o.Width)
	}
	if o.Width != 0 && o.Width < 20 {
		return usagef("--width %d must be between 20 and 1000", o.Width)
	}
	if o.Width == 0 && !toFile {
		if f, ok := m.Stdout.(*os.File); ok {
			if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
				o.Width = w
			}
		}
	}
	if o.Style == "" {
		o.Style = "dark"
		if _, noColor := m.LookupEnv("NO_COLOR"); noColor {
			o.Style = "notty"
		}
	}
	_, err := reports.ParseStyle(o.Style)
	return err
}

func (m *Main) stdoutIsTerminal() bool {
	f, ok := m.Stdout.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// databaseFiles are the configured database's files, which no command
// writes but through SQLite. Without a database path there is nothing to
// protect (and opening the store will say why).
func (m *Main) databaseFiles() []safefile.Protected {
	path, _, err := m.cfg.dbPath()
	if err != nil {
		return nil
	}
	return store.DatabaseFiles(path)
}

// reportFileError is a report's file refused as one of the database's
// (the command line's mistake) or failed to be written, after doing.
func reportFileError(role portfolio.ReportRole, dest, doing string, err error) error {
	var refused *safefile.RefusedError
	if errors.As(err, &refused) {
		return portfolio.Errorf(portfolio.EINVALID, "refusing to write the %s report to %s: it %s", role.Title(), dest, refused.Reason)
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// writeFileAtomic writes path whole or not at all, through a temporary
// file that is synced and renamed into place (see safefile), replacing an
// old file of that name but refusing the protected ones. A failure leaves
// the old file and no temporary one, and names the file asked for.
func writeFileAtomic(path string, data []byte, protected ...safefile.Protected) error {
	return safefile.WriteFile(path, data, safefile.Options{Protected: protected})
}

// checkDestination says why path cannot be written as a file, before
// anything is done for it: its directory is missing or is no directory,
// path is a directory, or it is one of the protected files.
func checkDestination(path string, protected ...safefile.Protected) error {
	return safefile.Check(path, safefile.Options{Protected: protected})
}
