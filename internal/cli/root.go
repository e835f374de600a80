package cli

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"opsdeck/portfolio"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// rootCommand builds the command tree. Commands close over m rather than
// package globals, so every Run starts clean.
func (m *Main) rootCommand() *cobra.Command {
	// Kinds are written in capitals as often as not (list KPI, add
	// Entity); commands take any case.
	cobra.EnableCaseInsensitive = true
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
			cfg, warnings, err := loadConfig(m.LookupEnv, settingFlags(cmd.Flags()))
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
				return m.runConsole(cmd)
			}
			return m.runStatus(cmd, false)
		},
	}
	settingFlag(root.PersistentFlags(), "db", "OPSDECK_DB", "database file (env OPSDECK_DB)")
	settingFlag(root.PersistentFlags(), "env-file", "OPSDECK_ENV_FILE", "env file with settings (env OPSDECK_ENV_FILE; default ./opsdeck.env)")
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
		m.suppressionCommand(),
		m.backupCommand(),
		m.restoreCommand(),
		m.replicaCommand(),
		m.versionCommand(),
		m.webCommand(),
		m.linkCommand(),
		m.linksCommand(),
		m.kindsCommand(),
		m.listCommand(),
		m.addCommand(),
		m.editCommand(),
		m.rmCommand(),
		m.exportCommand(),
		m.importCommand(),
	)
	// Cobra adds these lazily; made now, they get the same rules as ours.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			// cobra's shells take no arguments, said as ours say it.
			for _, shell := range c.Commands() {
				shell.Args = noArgs
			}
		}
	}
	strictHelp(root)
	strictGroups(root)
	return root
}

// group is a command that only holds subcommands: alone it prints its
// help; followed by anything else, it is a usage mistake.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short}
	cmd.AddCommand(subs...)
	return cmd
}

// strictGroups makes every command that only holds subcommands (ours and
// cobra's completion) refuse what is not one of them: cobra would print
// the help and exit 0, so a script with a typo would believe it worked.
func strictGroups(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		strictGroups(c)
	}
	if !cmd.HasSubCommands() || cmd.Runnable() {
		return
	}
	cmd.Args = noArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	if cmd.Annotations[groupAnnotation] == "" {
		cmd.Annotations[groupAnnotation] = "command"
	}
}

// groupAnnotation marks a command that only holds subcommands, with what
// its subcommands are called in a sentence ("kind", "command").
const groupAnnotation = "opsdeck-group"

// strictHelp makes `opsdeck help TOPIC` a usage mistake when there is no
// such command, like the command itself would be.
func strictHelp(root *cobra.Command) {
	for _, help := range root.Commands() {
		if help.Name() != "help" || help.Run == nil {
			continue
		}
		show := help.Run
		help.Run = nil
		help.RunE = func(cmd *cobra.Command, args []string) error {
			target, rest, err := root.Find(args)
			if err != nil {
				return usageError{err}
			}
			if len(rest) > 0 {
				return unknownCommand(target, rest[0])
			}
			show(cmd, args)
			return nil
		}
	}
}

// noArgs and exactArgs replace cobra's validators so a wrong argument count
// is a usage error (exit 2) with the command's usage line in the message.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		if cmd.HasSubCommands() {
			return unknownCommand(cmd, args[0])
		}
		return usagef("%s takes no arguments (usage: %s)", commandName(cmd), cmd.UseLine())
	}
	return nil
}

// commandName is cmd as a message names it after the "opsdeck: " every
// error is printed with: "outbox retry", not "opsdeck outbox retry" (the
// root alone is "opsdeck").
func commandName(cmd *cobra.Command) string {
	if !cmd.HasParent() {
		return cmd.Name()
	}
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
}

func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s needs %s, got %d (usage: %s)", commandName(cmd), portfolio.Plural(int64(n), "argument", "arguments"), len(args), cmd.UseLine())
		}
		return nil
	}
}

// unknownCommand names a word that is not one of cmd's subcommands, and
// the nearest one if there is one.
func unknownCommand(cmd *cobra.Command, word string) error {
	if near := nearestCommand(cmd, word); near != "" {
		return usagef("unknown command %q for %q; did you mean %q?", word, cmd.CommandPath(), near)
	}
	return usagef("unknown command %q for %q (see %s --help)", word, cmd.CommandPath(), cmd.CommandPath())
}

// nearestCommand is the subcommand of cmd that word is most likely a typo
// of (cobra's suggestion: two edits away, or a prefix), or "".
func nearestCommand(cmd *cobra.Command, word string) string {
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	if s := cmd.SuggestionsFor(word); len(s) > 0 {
		return s[0]
	}
	return ""
}

// settingAnnotation marks a flag that gives a setting on the command line,
// where it wins over the environment and the env file.
const settingAnnotation = "opsdeck-setting"

// settingFlag declares a flag that sets the setting key.
func settingFlag(fs *pflag.FlagSet, name, key, usage string) {
	fs.String(name, "", usage)
	_ = fs.SetAnnotation(name, settingAnnotation, []string{key})
}

// settingFlags collects the settings given as flags, by setting name.
func settingFlags(fs *pflag.FlagSet) map[string]string {
	out := map[string]string{}
	fs.Visit(func(f *pflag.Flag) {
		if key := f.Annotations[settingAnnotation]; len(key) == 1 {
			out[key[0]] = f.Value.String()
		}
	})
	return out
}

// crewServerFlags declares the crew web server's settings as flags, for
// the commands that run it (web, serve).
func crewServerFlags(fs *pflag.FlagSet, addrUsage string) {
	settingFlag(fs, "addr", "OPSDECK_WEB_ADDR", addrUsage)
	baseURLFlag(fs)
	settingFlag(fs, "tls-cert", "OPSDECK_TLS_CERT", "TLS certificate file (env OPSDECK_TLS_CERT)")
	settingFlag(fs, "tls-key", "OPSDECK_TLS_KEY", "TLS key file (env OPSDECK_TLS_KEY)")
}

// baseURLFlag declares --base-url, the address crew reach the server at.
func baseURLFlag(fs *pflag.FlagSet) {
	settingFlag(fs, "base-url", "OPSDECK_BASE_URL", "URL crew use to reach the server, behind a proxy (env OPSDECK_BASE_URL)")
}

// jsonFlag declares --json, which every listing command has.
func jsonFlag(cmd *cobra.Command) *bool {
	return cmd.Flags().Bool("json", false, "print machine-readable JSON")
}

var unknownFlagError = regexp.MustCompile(`^unknown flag: --([^=\s]+)$`)

// nearestFlag is the flag of cmd that name is most likely a typo of, or
// "": one edit away (a transposition is one), two for a longer name.
func nearestFlag(cmd *cobra.Command, name string) string {
	name = strings.ReplaceAll(strings.ToLower(name), "_", "-")
	most := 1
	if len(name) > 4 {
		most = 2
	}
	best, bestD := "", most+1
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Name == "help" {
			return
		}
		if d := editDistance(name, f.Name); d < bestD {
			best, bestD = f.Name, d
		}
	})
	return best
}

// editDistance is the optimal string alignment distance between a and b:
// the insertions, deletions, substitutions and swaps of neighbours that
// turn one into the other.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

var shorthandFlagError = regexp.MustCompile(`^unknown shorthand flag: '.' in (-\S+)$`)

// flagError makes flag mistakes usage errors. A negative number is parsed
// as a flag ("-1" is shorthand flag '1'), so name the real problem instead.
func flagError(cmd *cobra.Command, err error) error {
	// A flag the group does not have, after a word that is none of its
	// subcommands ("add entitiy --code X"): the word is the mistake, and
	// the flag was meant for the subcommand it misspells.
	if word := cmd.Annotations[groupAnnotation]; word != "" {
		if args := cmd.Flags().Args(); len(args) > 0 {
			return unknownCommand(cmd, args[0])
		}
		return usagef("%s; name the %s first (usage: %s %s [flags])", err, word, cmd.CommandPath(), strings.ToUpper(word))
	}
	if m := unknownFlagError.FindStringSubmatch(err.Error()); m != nil {
		if near := nearestFlag(cmd, m[1]); near != "" {
			return usagef("%s; did you mean --%s?", err, near)
		}
	}
	if m := shorthandFlagError.FindStringSubmatch(err.Error()); m != nil {
		if _, perr := strconv.ParseFloat(m[1], 64); perr == nil {
			return usagef("%s: negative numbers are not valid here", m[1])
		}
	}
	var invalid *pflag.InvalidValueError
	if errors.As(err, &invalid) {
		return usagef("--%s %q %s", invalid.GetFlag().Name, invalid.GetValue(), flagValueWant(invalid.GetFlag().Value.Type(), invalid.Unwrap()))
	}
	return usageError{err}
}

// flagValueWant says what a flag of the pflag type typ takes, in place of
// the parser's own message (strconv.ParseInt: parsing ...).
func flagValueWant(typ string, cause error) string {
	switch typ {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "count":
		return "is not a whole number"
	case "float32", "float64":
		return "is not a number"
	case "bool":
		return "is not true or false"
	case "duration":
		return "is not a duration (such as 90s, 30m or 12h)"
	}
	return "is not valid: " + cause.Error()
}

var (
	exclusiveGroupError = regexp.MustCompile(`^if any flags in the group \[([^\]]*)\] are set none of the others can be; \[([^\]]*)\] were all set$`)
	togetherGroupError  = regexp.MustCompile(`^if any flags in the group \[([^\]]*)\] are set they must all be set; missing \[([^\]]*)\]$`)
	oneRequiredError    = regexp.MustCompile(`^at least one of the flags in the group \[([^\]]*)\] is required$`)
)

// groupFlagError rewords cobra's flag-group messages, which reach Run as
// plain errors after parsing (not through flagError), as usage errors that
// name the flags as they are typed. Any other error is returned as it is.
func groupFlagError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if m := exclusiveGroupError.FindStringSubmatch(msg); m != nil {
		return usagef("%s cannot be used together", flagNames(m[2], "and"))
	}
	if m := togetherGroupError.FindStringSubmatch(msg); m != nil {
		return usagef("%s go together; missing %s", flagNames(m[1], "and"), flagNames(m[2], "and"))
	}
	if m := oneRequiredError.FindStringSubmatch(msg); m != nil {
		return usagef("one of %s is needed", flagNames(m[1], "or"))
	}
	return err
}

// flagNames turns cobra's "a b c" into "--a, --b and --c".
func flagNames(list, conj string) string {
	names := strings.Fields(list)
	for i, n := range names {
		names[i] = "--" + n
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " " + conj + " " + names[len(names)-1]
}
