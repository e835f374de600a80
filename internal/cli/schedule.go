package cli

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"opsdeck/portfolio"
	"opsdeck/reports"
	"opsdeck/store"
)

func (m *Main) scheduleCommand() *cobra.Command {
	return group("schedule", "List, set, pause and preview the report schedules", m.scheduleListCommand(), m.scheduleSetCommand(),
		m.scheduleEnableCommand(false), m.scheduleEnableCommand(true), m.schedulePreviewCommand(), m.scheduleRunsCommand())
}

// scheduleRow is a schedule with its next runs and last run, for list.
type scheduleRow struct {
	portfolio.Schedule
	Next    []time.Time        `json:"next"`
	LastRun *store.ScheduleRun `json:"last_run"`
}

func (m *Main) scheduleListCommand() *cobra.Command {
	var asJSON *bool
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "Every schedule with its next three runs and its last run",
		Args:  noArgs,
		RunE: m.withStore(func(ctx context.Context, s *store.Store, args []string) error {
			schedules, err := s.Schedules(ctx)
			if err != nil {
				return err
			}
			rows := make([]scheduleRow, 0, len(schedules))
			for _, sc := range schedules {
				row := scheduleRow{Schedule: sc, Next: []time.Time{}}
				from := m.Clock.Now()
				for range 3 {
					n, err := sc.Next(from)
					if err != nil {
						break
					}
					row.Next, from = append(row.Next, n), n
				}
				if runs, err := s.ScheduleRuns(ctx, sc.Role, 1); err == nil && len(runs) == 1 {
					row.LastRun = &runs[0]
				}
				rows = append(rows, row)
			}
			return printList(m, *asJSON, rows, "no schedules (opsdeck schedule set ROLE CRON)",
				"ROLE\tCRON\tZONE\tDAYS\tSTATE\tNEXT RUNS\tLAST RUN", func(r scheduleRow) string {
					days, state := "any day", "active"
					if r.WeekdaysOnly {
						days = "weekdays"
					}
					if !r.Enabled {
						state = "paused"
					}
					var next []string
					for _, n := range r.Next {
						next = append(next, localTime(n, r.TimeZone))
					}
					last := "never"
					if r.LastRun != nil {
						last = fmt.Sprintf("%s %s", localTime(r.LastRun.Slot, r.TimeZone), r.LastRun.Status)
						if r.LastRun.Error != "" {
							last += ": " + r.LastRun.Error
						}
					}
					return fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s\t%s", r.Role, r.Cron, r.TimeZone, days, state,
						cmp.Or(strings.Join(next, "; "), "—"), last)
				})
		}),
	}
	asJSON = jsonFlag(cmd)
	return cmd
}

// defaultZone is the zone schedules are read in when --tz is not given:
// OPSDECK_TIME_ZONE, else the TZ variable, else UTC. A mistyped
// OPSDECK_TIME_ZONE is refused rather than quietly read as UTC, which
// would send the reports hours off; TZ belongs to the system and may hold
// forms Go does not read, so it is only used when it names a zone.
func (m *Main) defaultZone() (string, error) {
	if v, source := m.cfg.get("OPSDECK_TIME_ZONE"); v != "" {
		if _, err := time.LoadLocation(v); err != nil {
			return "", portfolio.Errorf(portfolio.EINVALID, "OPSDECK_TIME_ZONE (from %s) %q is not a time zone: give an IANA name such as America/Los_Angeles", source, v)
		}
		return v, nil
	}
	if v, _ := m.cfg.get("TZ"); v != "" && v != "Local" && v != ":Local" {
		if _, err := time.LoadLocation(strings.TrimPrefix(v, ":")); err == nil {
			return strings.TrimPrefix(v, ":"), nil
		}
	}
	return "UTC", nil
}

func (m *Main) scheduleSetCommand() *cobra.Command {
	var zone string
	var weekdays, paused bool
	cmd := &cobra.Command{
		Use:               "set ROLE CRON [--tz ZONE] [--weekdays] [--paused]",
		ValidArgsFunction: completeRole,
		Short:             "Set when a role's report goes out (a five-field cron expression)",
		Example: `  opsdeck schedule set ceo "0 7 * * 1" --tz America/Los_Angeles   # Mondays 07:00
  opsdeck schedule set cfo "0 7 1 * *"                               # the first of each month
  opsdeck schedule set cto "30 8 * * *" --weekdays`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			role, err := portfolio.ParseReportRole(args[0])
			if err != nil {
				return err
			}
			if zone == "" {
				if zone, err = m.defaultZone(); err != nil {
					return err
				}
			}
			sc := portfolio.Schedule{Role: role, Cron: args[1], TimeZone: zone, WeekdaysOnly: weekdays, Enabled: !paused}
			if err := sc.Validate(); err != nil {
				return err
			}
			s, err := m.openStore(cmd.Context(), false)
			if err != nil {
				return err
			}
			if err := s.Update(cmd.Context(), m.actor(), func(tx *store.Tx) error { return tx.SetSchedule(cmd.Context(), &sc) }); err != nil {
				return err
			}
			next, _ := sc.Next(m.Clock.Now())
			state := "next run " + localTime(next, zone)
			if paused {
				state = "paused; would next run " + localTime(next, zone)
			}
			fmt.Fprintf(m.Stdout, "%s report: %q in %s, %s\n", role.Title(), sc.Cron, zone, state)
			return nil
		},
	}
	cmd.Flags().StringVar(&zone, "tz", "", "IANA time zone the expression is read in (default OPSDECK_TIME_ZONE, TZ, else UTC)")
	cmd.Flags().BoolVar(&weekdays, "weekdays", false, "skip runs that fall on a Saturday or Sunday")
	cmd.Flags().BoolVar(&paused, "paused", false, "save the schedule paused")
	return cmd
}

func (m *Main) scheduleEnableCommand(enable bool) *cobra.Command {
	use, short, aliases := "disable ROLE", "Pause a role's schedule", []string{"pause"}
	if enable {
		use, short, aliases = "enable ROLE", "Resume a paused schedule", []string{"resume"}
	}
	return &cobra.Command{
		Use:               use,
		Aliases:           aliases,
		ValidArgsFunction: completeRole,
		Short:             short,
		Args:              exactArgs(1),
		RunE: m.withRole(func(ctx context.Context, s *store.Store, role portfolio.ReportRole, args []string) error {
			if err := s.Update(ctx, m.actor(), func(tx *store.Tx) error { return tx.SetScheduleEnabled(ctx, role, enable) }); err != nil {
				return err
			}
			word := "paused"
			if enable {
				word = "resumed"
			}
			fmt.Fprintf(m.Stdout, "%s report schedule %s\n", role.Title(), word)
			return nil
		}),
	}
}

func (m *Main) schedulePreviewCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:               "preview ROLE [--format text|md|html|term]",
		ValidArgsFunction: completeRole,
		Short:             "Show exactly what the next scheduled run would send: when, to whom, and the report",
		Args:              exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			role, err := portfolio.ParseReportRole(args[0])
			if err != nil {
				return err
			}
			f, err := reports.ParseFormat(format)
			if err != nil {
				return err
			}
			s, err := m.openStore(cmd.Context(), false)
			if err != nil {
				return err
			}
			sc, err := s.Schedule(cmd.Context(), role)
			if err != nil {
				return err
			}
			snap, err := s.Snapshot(cmd.Context())
			if err != nil {
				return err
			}
			eng, err := m.reportEngine()
			if err != nil {
				return err
			}
			run, err := eng.PreviewNextRun(snap, sc, m.Clock.Now(), f, reports.RenderOptions{Width: 80})
			if err != nil {
				return err
			}
			var to []string
			for _, p := range run.To {
				to = append(to, fmt.Sprintf("%s <%s>", p.Name, p.Email))
			}
			state := ""
			if run.Paused {
				state = " (the schedule is paused: nothing will go out until it is resumed)"
			}
			fmt.Fprintf(m.Stdout, "Next run: %s%s\nTo:       %s\nSubject:  %s\n\n%s", localTime(run.At, sc.TimeZone), state,
				cmp.Or(strings.Join(to, ", "), "—"), run.Subject, run.Body)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "md, term, html or text")
	return cmd
}

func (m *Main) scheduleRunsCommand() *cobra.Command {
	var asJSON *bool
	var limit int
	cmd := &cobra.Command{
		Use:               "runs [ROLE] [--limit N] [--json]",
		ValidArgsFunction: completeRole,
		Short:             "Recent scheduled runs, newest first, with failures and their reasons",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("give at most one role")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var role portfolio.ReportRole
			if len(args) == 1 {
				r, err := portfolio.ParseReportRole(args[0])
				if err != nil {
					return err
				}
				role = r
			}
			s, err := m.openStore(cmd.Context(), false)
			if err != nil {
				return err
			}
			runs, err := s.ScheduleRuns(cmd.Context(), role, limit)
			if err != nil {
				return err
			}
			return printList(m, *asJSON, runs, "", "ID\tROLE\tSLOT\tTRIGGER\tSTATUS\tBATCH\tERROR", func(r store.ScheduleRun) string {
				batch := "—"
				if r.BatchID != 0 {
					batch = fmt.Sprint(r.BatchID)
				}
				return fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%s\t%s", r.ID, r.Role, m.listTime(r.Slot),
					r.Trigger, r.Status, batch, cmp.Or(r.Error, "—"))
			})
		},
	}
	asJSON = jsonFlag(cmd)
	cmd.Flags().IntVar(&limit, "limit", 20, "how many runs")
	return cmd
}
