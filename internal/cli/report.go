package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"opsdeck/portfolio"
	"opsdeck/reports"
)

func (m *Main) reportCommand() *cobra.Command {
	var format, style, out, dir string
	var width int
	var all bool
	cmd := &cobra.Command{
		Use:   "report ROLE|--all [--format md|term|html|text] [--width N] [--out FILE | --dir DIR]",
		Short: "Render a role report (ceo, cto, cmo, cfo, accounting) from the portfolio data",
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
			if out != "" {
				if err := checkDestination(out); err != nil {
					return fmt.Errorf("write to %s: %w", out, err)
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
				if err := writeFileAtomic(dest, []byte(r.Text)); err != nil {
					return fmt.Errorf("write %s report to %s: %w", r.Role.Title(), dest, err)
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

// writeFileAtomic writes through a temporary file and a rename, so a
// reader never sees half a report and a failure leaves the old file. A
// failure names the file asked for, never the temporary one.
func writeFileAtomic(path string, data []byte) error {
	if err := checkDestination(path); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("cannot create a file in %s: %w", filepath.Dir(path), pathCause(err))
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return pathCause(err)
	}
	if err := tmp.Close(); err != nil {
		return pathCause(err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return pathCause(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return pathCause(err)
	}
	return nil
}

// checkDestination says why path cannot be written as a file, before
// anything is done for it: its directory is missing or is no directory,
// or path is a directory.
func checkDestination(path string) error {
	dir := filepath.Dir(path)
	switch st, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("directory %s does not exist", dir)
	case err != nil:
		return pathCause(err)
	case !st.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	}
	return nil
}

// pathCause is the cause of a failed file operation without the path it
// was on (a temporary file's name means nothing to whoever reads it).
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
