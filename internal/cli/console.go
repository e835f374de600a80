package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"opsdeck/portfolio"
	"opsdeck/tui"
)

func (m *Main) consoleCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "console [--theme dark|light]",
		Short: "Open the console (plain opsdeck does this at a terminal)",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return m.runConsole(cmd) },
	}
	settingFlag(cmd.Flags(), "theme", "OPSDECK_THEME", "dark or light (env OPSDECK_THEME; default: ask the terminal)")
	return cmd
}

// interactive reports whether opsdeck talks to a person at a terminal;
// scripts and pipes get the status summary instead of the console.
func (m *Main) interactive() bool {
	in, okIn := m.Stdin.(*os.File)
	out, okOut := m.Stdout.(*os.File)
	return okIn && okOut && term.IsTerminal(int(in.Fd())) && term.IsTerminal(int(out.Fd()))
}

// localZone is the IANA name of this machine's time zone, where the
// console's first event starts (later ones start where the last one is):
// TZ if it names a zone, else what /etc/localtime links to, else UTC.
func (m *Main) localZone() string {
	if tz, ok := m.LookupEnv("TZ"); ok {
		if name := strings.TrimPrefix(tz, ":"); name != "" && name != "Local" {
			if _, err := time.LoadLocation(name); err == nil {
				return name
			}
		}
	}
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if _, name, ok := strings.Cut(target, "zoneinfo/"); ok {
			if _, err := time.LoadLocation(name); err == nil {
				return name
			}
		}
	}
	return "UTC"
}

func (m *Main) runConsole(cmd *cobra.Command) error {
	// The setting also reaches plain opsdeck, which has no --theme.
	theme, _ := m.cfg.get("OPSDECK_THEME")
	if theme != "" && theme != "dark" && theme != "light" {
		return usagef("theme %q must be dark or light (--theme or OPSDECK_THEME)", theme)
	}
	if !m.interactive() {
		return usagef("the console needs a terminal; for scripts use opsdeck status, kpi list, report")
	}
	ctx := cmd.Context()
	eng, err := m.reportEngine()
	if err != nil {
		return err
	}
	s, err := m.openStore(ctx, false)
	if err != nil {
		return err
	}
	dir, _ := os.Getwd()
	opts := tui.Options{Theme: theme, Now: m.Clock.Now, Actor: m.actor(), ExportDir: dir, Poll: time.Second, EventZone: m.localZone()}
	if svc, _, err := m.mailService(ctx); err != nil {
		opts.Status = "sending is off: " + portfolio.ErrorMessage(err)
	} else {
		opts.Mail = svc
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	// The crew server runs while the console is open, unless its address
	// is taken (opsdeck serve on the same machine); links work either way.
	if crewSrv, err := m.crewServer(ctx, slog.New(slog.DiscardHandler), nil); err != nil {
		opts.Status = "magic links are off: " + portfolio.ErrorMessage(err)
	} else {
		opts.Crew = crewLinks{crewSrv}
		if err := crewSrv.Start(runCtx); err != nil {
			opts.Status = "crew server not started here (" + err.Error() + "); links still work if another opsdeck serves them"
		} else {
			defer func() {
				shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				defer cancel()
				crewSrv.Shutdown(shut)
			}()
		}
	}
	model := tui.New(ctx, s, eng, opts)
	if opts.Mail != nil {
		// While the console is open it sends scheduled reports and drains
		// the outbox, unless a server on the same database already does.
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = background(s, opts.Mail, "console", slog.New(slog.DiscardHandler), 12*time.Hour, nil)(runCtx)
		}()
		defer func() { stop(); <-done }()
	}
	p := tea.NewProgram(model, tea.WithContext(runCtx), tea.WithInput(m.Stdin), tea.WithOutput(m.Stdout))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return fmt.Errorf("console: %w", err)
	}
	return nil
}
