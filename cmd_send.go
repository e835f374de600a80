package main

import (
	"bufio"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"opsdeck/mail"
	"opsdeck/portfolio"
	"opsdeck/reports"
	"opsdeck/schedule"
	"opsdeck/store"
)

// workerLease is the lease that decides which process sends the outbox and
// runs the schedules; leaseTTL is how long a holder that stops renewing
// keeps it.
const (
	workerLease = "worker"
	leaseTTL    = 30 * time.Second
)

// mailService builds the mail service from the settings. The outbox
// directory of the file transport sits beside the database.
func (m *Main) mailService(ctx context.Context) (*mail.Service, mail.Setup, error) {
	s, err := m.openStore(ctx, false)
	if err != nil {
		return nil, mail.Setup{}, err
	}
	setup, err := mail.Configure(ctx, func(k string) string { v, _ := m.cfg.get(k); return v },
		filepath.Join(filepath.Dir(s.Path()), "outbox"))
	if err != nil {
		return nil, setup, err
	}
	templates, _ := m.cfg.get("OPSDECK_TEMPLATES")
	eng, err := reports.New(reports.Options{TemplatesDir: templates})
	if err != nil {
		return nil, setup, err
	}
	svc, err := mail.NewService(s, eng, setup.Transport, setup.Config)
	if err != nil {
		return nil, setup, err
	}
	svc.Actor = m.actor()
	return svc, setup, nil
}

func (m *Main) sendCommand() *cobra.Command {
	var all, dryRun, yes bool
	cmd := &cobra.Command{
		Use:   "send ROLE|--all [--dry-run] [--yes]",
		Short: "Email a role's report (or all five) to its recipients",
		Long: `Render the report, queue it in the outbox and send it.

The whole batch is written to the outbox before anything is sent. Sending
follows the provider's rate, retries throttling and other transient errors,
and fails permanent errors at once with the provider's reason (see
opsdeck outbox). --dry-run renders and checks everything and sends nothing.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) == 1) || len(args) > 1 {
				return usagef("name one role (ceo, cto, cmo, cfo, accounting) or use --all")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			roles := portfolio.ReportRoles
			if !all {
				r, err := portfolio.ParseReportRole(args[0])
				if err != nil {
					return err
				}
				roles = []portfolio.ReportRole{r}
			}
			svc, setup, err := m.mailService(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stderr, "transport: %s (%s)\n", setup.Transport.Name(), setup.Why)
			msgs, err := svc.Build(ctx, roles)
			if err != nil {
				return err
			}
			recipients, bad := 0, 0
			for _, msg := range msgs {
				line := fmt.Sprintf("%-10s to %s", msg.Role.Title(), strings.Join(msg.To, ", "))
				if len(msg.Bcc) > 0 {
					line += ", bcc " + strings.Join(msg.Bcc, ", ")
				}
				if msg.Status == store.OutboxFailed {
					line = fmt.Sprintf("%-10s cannot be sent: %s", msg.Role.Title(), msg.LastError)
					bad++
				} else {
					recipients += msg.Recipients()
				}
				fmt.Fprintln(m.Stdout, line)
			}
			if dryRun {
				fmt.Fprintf(m.Stdout, "dry run: %d messages to %d recipients would be sent; nothing was queued\n", len(msgs)-bad, recipients)
				return nil
			}
			if !yes {
				if !m.interactive() {
					return usagef("not a terminal: add --yes to send without a confirmation")
				}
				fmt.Fprintf(m.Stdout, "Send %d messages to %d recipients via %s? [y/N] ", len(msgs)-bad, recipients, setup.Transport.Name())
				answer, _ := bufio.NewReader(m.Stdin).ReadString('\n')
				if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
					fmt.Fprintln(m.Stdout, "nothing sent")
					return nil
				}
			}
			batch, _, err := svc.Enqueue(ctx, roles, "manual")
			if err != nil {
				return err
			}
			return m.deliver(ctx, svc, batch)
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "send all five reports")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "render and check, send nothing")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// deliver sends a queued batch here, unless another process (opsdeck
// serve) holds the worker lease, in which case that process sends it.
func (m *Main) deliver(ctx context.Context, svc *mail.Service, batch int64) error {
	s := svc.Store
	held, release, got, err := schedule.HoldLease(ctx, s, workerLease, schedule.Holder("cli"), leaseTTL)
	if err != nil {
		return err
	}
	if !got {
		l, _, _ := s.LeaseHolder(ctx, workerLease)
		fmt.Fprintf(m.Stdout, "queued as batch %d; %s runs the outbox worker and will send it (opsdeck outbox --batch %d)\n", batch, l.Holder, batch)
		return nil
	}
	defer release()
	progress, stop := svc.Subscribe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for p := range progress {
			if batch != 0 && p.BatchID != batch {
				continue
			}
			switch p.Status {
			case store.OutboxSent:
				fmt.Fprintf(m.Stdout, "sent     %s\n", describe(p))
			case store.OutboxQueued:
				if p.Error != "" {
					fmt.Fprintf(m.Stdout, "retrying %s after attempt %d: %s\n", describe(p), p.Attempts, p.Error)
				}
			case store.OutboxFailed:
				if p.Attempts > 0 {
					fmt.Fprintf(m.Stdout, "failed   %s: %s\n", describe(p), p.Error)
				}
			}
		}
	}()
	drainErr := svc.Drain(held, batch)
	stop()
	<-done
	if drainErr != nil {
		return fmt.Errorf("batch %d interrupted: %w (what was not sent stays queued: opsdeck outbox --batch %d)", batch, drainErr, batch)
	}
	counts := map[string]int{}
	if batch == 0 {
		if counts, err = s.OutboxCounts(ctx); err != nil {
			return err
		}
	} else {
		rows, err := s.Outbox(ctx, store.OutboxFilter{BatchID: batch})
		if err != nil {
			return err
		}
		for _, r := range rows {
			counts[r.Status]++
		}
	}
	what := fmt.Sprintf("batch %d", batch)
	if batch == 0 {
		what = "outbox"
	}
	fmt.Fprintf(m.Stdout, "%s: %d sent, %d failed", what, counts[store.OutboxSent], counts[store.OutboxFailed])
	if n := counts[store.OutboxUncertain]; n > 0 {
		fmt.Fprintf(m.Stdout, ", %d uncertain (opsdeck outbox --status uncertain, then resolve each)", n)
	}
	fmt.Fprintln(m.Stdout)
	if counts[store.OutboxFailed] > 0 && batch != 0 {
		return fmt.Errorf("%d messages failed; see opsdeck outbox --batch %d, fix the cause, then opsdeck outbox retry --failed",
			counts[store.OutboxFailed], batch)
	}
	return nil
}

// describe names a message in progress lines: its report, or its id.
func describe(p mail.Progress) string {
	if p.Role != "" {
		return p.Role.Title()
	}
	return fmt.Sprintf("message %d", p.MessageID)
}
