package cli

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"opsdeck/portfolio"
	"opsdeck/store"
)

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
				fmt.Fprintf(m.Stdout, "dry run: %s to %s would be sent; nothing was queued\n",
					portfolio.Plural(int64(len(msgs)-bad), "message", "messages"), portfolio.Plural(int64(recipients), "recipient", "recipients"))
				return nil
			}
			if !yes {
				if !m.interactive() {
					return usagef("not a terminal: add --yes to send without a confirmation")
				}
				fmt.Fprintf(m.Stdout, "Send %s to %s via %s? [y/N] ",
					portfolio.Plural(int64(len(msgs)-bad), "message", "messages"), portfolio.Plural(int64(recipients), "recipient", "recipients"), setup.Transport.Name())
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
