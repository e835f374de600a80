package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"opsdeck/reports"
	"opsdeck/store"
	"opsdeck/tui"
)

func (m *Main) consoleCommand() *cobra.Command {
	var theme string
	cmd := &cobra.Command{
		Use:   "console [--theme dark|light]",
		Short: "Open the console (plain opsdeck does this at a terminal)",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return m.runConsole(cmd, theme) },
	}
	cmd.Flags().StringVar(&theme, "theme", "", "dark or light (default: ask the terminal)")
	return cmd
}

// interactive reports whether opsdeck talks to a person at a terminal;
// scripts and pipes get the status summary instead of the console.
func (m *Main) interactive() bool {
	in, okIn := m.Stdin.(*os.File)
	out, okOut := m.Stdout.(*os.File)
	return okIn && okOut && term.IsTerminal(int(in.Fd())) && term.IsTerminal(int(out.Fd()))
}

func (m *Main) runConsole(cmd *cobra.Command, theme string) error {
	if theme != "" && theme != "dark" && theme != "light" {
		return usagef("--theme %q must be dark or light", theme)
	}
	if !m.interactive() {
		return usagef("the console needs a terminal; for scripts use opsdeck status, kpi list, report")
	}
	ctx := cmd.Context()
	templates, _ := m.cfg.get("OPSDECK_TEMPLATES")
	eng, err := reports.New(reports.Options{TemplatesDir: templates})
	if err != nil {
		return err
	}
	s, err := m.openStore(ctx, false)
	if err != nil {
		return err
	}
	dir, _ := os.Getwd()
	opts := tui.Options{Theme: theme, Now: m.Now, Actor: m.actor(), ExportDir: dir, Poll: time.Second}
	if svc, _, err := m.mailService(ctx); err != nil {
		opts.Status = "sending is off: " + store.ErrorMessage(err)
	} else {
		opts.Mail = svc
	}
	model := tui.New(ctx, s, eng, opts)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
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
