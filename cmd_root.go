package main

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// rootCommand builds the command tree. Commands close over m rather than
// package globals, so every Run starts clean.
func (m *Main) rootCommand() *cobra.Command {
	var dbFlag, envFileFlag string
	root := &cobra.Command{
		Use:   "opsdeck",
		Short: "Operations console for a small portfolio of businesses",
		Long: `opsdeck keeps a portfolio's KPIs, shortfalls, finances, marketing channels and
events with crew checklists in one SQLite file, and computes role reports from them.

Settings come from flags, then the environment, then an env file (opsdeck.env in the
working directory, or --env-file), then defaults. The database defaults to
$XDG_DATA_HOME/opsdeck/opsdeck.db and is created with a demo portfolio on first use.`,
		Args:          noArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			cfg, warnings, err := loadConfig(m.LookupEnv, map[string]string{"OPSDECK_DB": dbFlag, "OPSDECK_ENV_FILE": envFileFlag})
			if err != nil {
				return err
			}
			for _, w := range warnings {
				fmt.Fprintf(m.Stderr, "opsdeck: warning: %s\n", w)
			}
			m.cfg = cfg
			return nil
		},
		// At a terminal plain opsdeck opens the console; in a script or a
		// pipe it prints the status summary.
		RunE: func(cmd *cobra.Command, args []string) error {
			if m.interactive() {
				return m.runConsole(cmd, "")
			}
			return m.runStatus(cmd, false)
		},
	}
	root.PersistentFlags().StringVar(&dbFlag, "db", "", "database file (env OPSDECK_DB)")
	root.PersistentFlags().StringVar(&envFileFlag, "env-file", "", "env file with settings (env OPSDECK_ENV_FILE; default ./opsdeck.env)")
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(
		m.initCommand(),
		m.consoleCommand(),
		m.serveCommand(),
		m.statusCommand(),
		m.kpiCommand(),
		m.eventsCommand(),
		m.peopleCommand(),
		m.reportCommand(),
		m.scheduleCommand(),
		m.sendCommand(),
		m.outboxCommand(),
		m.recipientsCommand(),
		m.backupCommand(),
		m.versionCommand(),
		m.webCommand(),
		m.linkCommand(),
		m.linksCommand(),
	)
	return root
}

// noArgs and exactArgs replace cobra's validators so a wrong argument count
// is a usage error (exit 2) with the command's usage line in the message.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		if cmd.HasSubCommands() {
			return usagef("unknown command %q for %q", args[0], cmd.CommandPath())
		}
		return usagef("%s takes no arguments (usage: %s)", cmd.CommandPath(), cmd.UseLine())
	}
	return nil
}

func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s needs %s, got %d (usage: %s)", cmd.CommandPath(), plural(int64(n), "argument"), len(args), cmd.UseLine())
		}
		return nil
	}
}

// writeJSON prints v as indented JSON: the --json output of list commands.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newTable returns a tabwriter for aligned columns; call Flush when done.
func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) }

var shorthandFlagError = regexp.MustCompile(`^unknown shorthand flag: '.' in (-\S+)$`)

// flagError makes flag mistakes usage errors. A negative number is parsed
// as a flag ("-1" is shorthand flag '1'), so name the real problem instead.
func flagError(cmd *cobra.Command, err error) error {
	if m := shorthandFlagError.FindStringSubmatch(err.Error()); m != nil {
		if _, perr := strconv.ParseFloat(m[1], 64); perr == nil {
			return usagef("%s: negative numbers are not valid here", m[1])
		}
	}
	return usageError{err}
}
