package cli

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"opsdeck/mail"
	"opsdeck/portfolio"
	"opsdeck/store"
)

func (m *Main) sendCommand() *cobra.Command {
	var all, dryRun, yes bool
	var testTo string
	cmd := &cobra.Command{
		Use:               "send ROLE|--all [--dry-run] [--yes] [--to ADDRESS]",
		ValidArgsFunction: completeRole,
		Short:             "Email a role's report (or all five) to its recipients, or a test copy to one address",
		Long: `Render the report, queue it in the outbox and send it: one message per
recipient, so nobody sees the others' addresses, plus one audit copy per
report to OPSDECK_MAIL_BCC when it is set.

The whole batch is written to the outbox before anything is sent. Sending
follows the provider's rate, retries throttling and other transient errors,
and fails permanent errors at once with the provider's reason (see
opsdeck outbox). Addresses on the suppression list (a hard bounce, a
complaint, or opsdeck suppression add) are skipped. --dry-run renders and
checks everything and sends nothing. --to sends one copy, marked as a test,
to an address that need not be a recipient: a check of the mail set-up
that mails none of the executives.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) == 1) || len(args) > 1 {
				return usagef("name one role (ceo, cto, cmo, cfo, accounting) or use --all")
			}
			if testTo != "" && all {
				return usagef("--to sends one role's report: name the role instead of --all")
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
			if cmd.Flags().Changed("to") && strings.TrimSpace(testTo) == "" {
				return usagef("--to needs an email address")
			}
			svc, setup, err := m.mailService(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stderr, "transport: %s (%s)\n", setup.Transport.Name(), setup.Why)
			var p *mail.Prepared
			if testTo != "" {
				p, err = svc.PrepareTest(ctx, roles[0], testTo)
			} else {
				p, err = svc.Prepare(ctx, roles, "manual")
			}
			if err != nil {
				return err
			}
			m.printPlan(p)
			if p.QuotaErr != nil {
				fmt.Fprintf(m.Stderr, "warning: the 24-hour sending quota could not be read (%v): queuing with no daily check, sending at OPSDECK_SES_RATE (%g a second)\n",
					p.QuotaErr, svc.Config.Rate)
			}
			messages := int64(p.Count(store.OutboxQueued))
			recipients := int64(p.Recipients())
			if dryRun {
				fmt.Fprintf(m.Stdout, "dry run: %s to %s would be sent; nothing was queued\n",
					portfolio.Plural(messages, "message", "messages"), portfolio.Plural(recipients, "recipient", "recipients"))
				if messages == 0 {
					return errors.New("nothing can be sent: see the lines above")
				}
				return nil
			}
			if messages == 0 {
				return errors.New("nothing can be sent: see the lines above; nothing was queued")
			}
			if !yes && testTo == "" {
				if !m.interactive() {
					return usagef("not a terminal: add --yes to send without a confirmation")
				}
				fmt.Fprintf(m.Stdout, "Send %s to %s via %s? [y/N] ",
					portfolio.Plural(messages, "message", "messages"), portfolio.Plural(recipients, "recipient", "recipients"), setup.Transport.Name())
				answer, _ := bufio.NewReader(m.Stdin).ReadString('\n')
				if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
					fmt.Fprintln(m.Stdout, "nothing sent")
					return nil
				}
			}
			if err := p.Commit(ctx); err != nil {
				return err
			}
			return m.deliver(ctx, svc, p.BatchID)
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "send all five reports")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "render and check, send nothing")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().StringVar(&testTo, "to", "", "send one test copy to this address instead of the recipients")
	return cmd
}

// planShown is how many addresses of a role the plan names before it
// counts the rest.
const planShown = 8

// printPlan says, role by role, who a prepared batch goes to and what
// cannot be sent or is skipped.
func (m *Main) printPlan(p *mail.Prepared) {
	for _, role := range p.Roles {
		var to, audit []string
		for _, msg := range p.Messages {
			if msg.Role != role {
				continue
			}
			label := fmt.Sprintf("%-10s", role.Title())
			switch {
			case msg.Status == store.OutboxFailed:
				fmt.Fprintf(m.Stdout, "%s cannot be sent: %s\n", label, msg.LastError)
			case msg.Status == store.OutboxSuppressed:
				fmt.Fprintf(m.Stdout, "%s skipped: %s\n", label, msg.LastError)
			case msg.Purpose == store.PurposeAudit:
				audit = append(audit, msg.To...)
			case msg.Purpose == store.PurposeTest:
				fmt.Fprintf(m.Stdout, "%s test copy to %s\n", label, strings.Join(msg.To, ", "))
			default:
				to = append(to, msg.To...)
			}
		}
		if len(to) > 0 {
			line := fmt.Sprintf("%-10s to %s", role.Title(), strings.Join(to[:min(len(to), planShown)], ", "))
			if len(to) > planShown {
				line += fmt.Sprintf(" and %d more (%s, one message each)", len(to)-planShown, portfolio.Plural(int64(len(to)), "recipient", "recipients"))
			}
			fmt.Fprintln(m.Stdout, line)
		}
		if len(audit) > 0 {
			fmt.Fprintf(m.Stdout, "%-10s audit copy to %s\n", role.Title(), strings.Join(audit, ", "))
		}
	}
}
