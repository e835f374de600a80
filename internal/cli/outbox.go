package cli

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"opsdeck/store"
)

func (m *Main) outboxCommand() *cobra.Command {
	var status, to string
	var batch int64
	var limit int
	var duplicates bool
	var asJSON *bool
	cmd := &cobra.Command{
		Use:   "outbox [--status S] [--batch N] [--to ADDRESS] [--duplicates] [--json]",
		Short: "The delivery log: every message with its recipient, status, attempts, error and provider id",
		Long: `The delivery log: one row per message, and a message per recipient.

A status marked "(dup?)" went out after an earlier attempt was cut off once
the provider may already have taken it: the recipient may have two copies.
opsdeck outbox show ID prints one message whole, with its full error and
what the provider said of it.`,
		Args: noArgs,
		RunE: m.withStore(func(ctx context.Context, s *store.Store, args []string) error {
			if limit < 1 {
				return usagef("--limit %d: give at least 1", limit)
			}
			rows, err := s.Outbox(ctx, store.OutboxFilter{Status: status, BatchID: batch, Recipient: to, Duplicates: duplicates, Limit: limit})
			if err != nil {
				return err
			}
			empty := "the outbox is empty"
			if status != "" || batch != 0 || to != "" || duplicates {
				empty = "no messages match"
			}
			return printList(m, *asJSON, rows, empty, "ID\tBATCH\tREPORT\tTO\tSTATUS\tTRIES\tUPDATED\tPROVIDER ID / ERROR", func(r store.OutboxMessage) string {
				return fmt.Sprintf("%d\t%d\t%s\t%s\t%s\t%d\t%s\t%s", r.ID, r.BatchID, outboxWhat(r), cmp.Or(r.Recipient, strings.Join(r.To, ", "), "—"),
					outboxStatus(r), r.Attempts, m.listTime(r.UpdatedAt), cmp.Or(oneLine(outboxDetail(r)), "—"))
			})
		}),
	}
	cmd.Flags().StringVar(&status, "status", "", "only messages in this status: "+strings.Join(store.OutboxStatuses, ", "))
	cmd.Flags().Int64Var(&batch, "batch", 0, "only this batch")
	cmd.Flags().StringVar(&to, "to", "", "only messages to this address")
	cmd.Flags().BoolVar(&duplicates, "duplicates", false, "only possible duplicates")
	cmd.Flags().IntVar(&limit, "limit", 50, "at most this many, newest first")
	asJSON = jsonFlag(cmd)
	cmd.AddCommand(m.outboxShowCommand(), m.outboxRetryCommand(), m.outboxResolveCommand(), m.outboxSendCommand())
	return cmd
}

// outboxWhat names what a message is: its report (and why it is in the
// batch when it is not for a recipient), or an alert.
func outboxWhat(r store.OutboxMessage) string {
	if r.Kind == "alert" {
		return "alert"
	}
	if r.Purpose != "" && r.Purpose != store.PurposeRecipient {
		return string(r.Role) + " (" + r.Purpose + ")"
	}
	return string(r.Role)
}

// outboxStatus is a message's status, marked when it may have reached its
// recipient twice.
func outboxStatus(r store.OutboxMessage) string {
	if r.PossibleDuplicate() {
		return r.Status + " (dup?)"
	}
	return r.Status
}

// outboxDetail is the one thing worth knowing about a message: the
// provider's id once it went out (with the provider's later word, and a
// possible duplicate said first), or why it has not.
func outboxDetail(r store.OutboxMessage) string {
	if !store.WentOut(r.Status) {
		return r.LastError
	}
	var parts []string
	if r.PossibleDuplicate() {
		parts = append(parts, "possible duplicate")
	}
	if r.EventDetail != "" {
		parts = append(parts, r.EventDetail)
	}
	return strings.Join(append(parts, r.ProviderID), "; ")
}

func (m *Main) outboxShowCommand() *cobra.Command {
	var asJSON *bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "One message whole: recipient, subject, every time, the full error and the provider's word on it",
		Args:  exactArgs(1),
		RunE: m.withStore(func(ctx context.Context, s *store.Store, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return usagef("message ID %q is not a number", args[0])
			}
			r, err := s.OutboxMessage(ctx, id)
			if err != nil {
				return err
			}
			events, err := s.SESEvents(ctx, r.ID, 20)
			if err != nil {
				return err
			}
			if *asJSON {
				return writeJSON(m.Stdout, struct {
					store.OutboxMessage
					Events []store.SESEvent `json:"events"`
				}{r, append([]store.SESEvent{}, events...)})
			}
			zone := m.Clock.Now().Location()
			at := func(t time.Time) string {
				if t.IsZero() {
					return "—"
				}
				return t.In(zone).Format("2006-01-02 15:04:05 MST")
			}
			w := newTable(m.Stdout)
			line := func(k, v string) { fmt.Fprintf(w, "%s\t%s\n", k, cmp.Or(v, "—")) }
			line("message", strconv.FormatInt(r.ID, 10))
			line("batch", strconv.FormatInt(r.BatchID, 10))
			line("report", outboxWhat(r))
			line("to", strings.Join(r.To, ", "))
			line("from", r.From)
			line("subject", r.Subject)
			line("status", outboxStatus(r))
			line("attempts", strconv.Itoa(r.Attempts))
			line("queued", at(r.CreatedAt))
			line("updated", at(r.UpdatedAt))
			if r.Status == store.OutboxQueued {
				line("next attempt", at(r.NextAttemptAt))
			}
			line("sent", at(r.SentAt))
			line("provider id", r.ProviderID)
			line("message id", r.MessageID)
			w.Flush()
			if r.PossibleDuplicate() {
				fmt.Fprintln(m.Stdout, "\nPossible duplicate: an earlier attempt was cut off after the provider may have taken it, so the recipient may have two copies.")
			}
			if r.LastError != "" && !r.PossibleDuplicate() {
				fmt.Fprintf(m.Stdout, "\nError:\n%s\n", r.LastError)
			}
			if r.EventDetail != "" {
				fmt.Fprintf(m.Stdout, "\nProvider (%s):\n%s\n", at(r.EventAt), r.EventDetail)
			}
			if len(events) > 0 {
				fmt.Fprintln(m.Stdout, "\nSES events, newest first:")
				t := newTable(m.Stdout)
				for _, ev := range events {
					fmt.Fprintf(t, "%s\t%s\t%s\t%s\n", at(cmp.Or(ev.OccurredAt, ev.ReceivedAt)), ev.Type, oneLine(ev.Outcome), oneLine(ev.Detail))
				}
				return t.Flush()
			}
			return nil
		}),
	}
	asJSON = jsonFlag(cmd)
	return cmd
}

func (m *Main) outboxSendCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "send",
		Short: "Send everything queued now (what opsdeck serve does when it runs)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			svc, setup, err := m.mailService(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stderr, "transport: %s (%s)\n", setup.Transport.Name(), setup.Why)
			return m.deliver(ctx, svc, 0)
		},
	}
}

func (m *Main) outboxRetryCommand() *cobra.Command {
	var failed bool
	cmd := &cobra.Command{
		Use:   "retry ID|--failed",
		Short: "Queue a failed message (or every failed one) to be sent again",
		Args: func(cmd *cobra.Command, args []string) error {
			if failed == (len(args) == 1) || len(args) > 1 {
				return usagef("give a message ID or --failed")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			// The transport first: a retry that cannot be sent is not
			// queued again.
			svc, _, err := m.mailService(ctx)
			if err != nil {
				return err
			}
			s := svc.Store
			var n int
			if failed {
				err = s.Update(ctx, m.actor(), func(tx *store.Tx) (err error) { n, err = tx.RetryFailedOutbox(ctx); return err })
			} else {
				id, perr := strconv.ParseInt(args[0], 10, 64)
				if perr != nil {
					return usagef("message ID %q is not a number", args[0])
				}
				n = 1
				err = s.Update(ctx, m.actor(), func(tx *store.Tx) error { return tx.RetryOutbox(ctx, id) })
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "%d queued again\n", n)
			if n == 0 {
				return nil
			}
			return m.deliver(ctx, svc, 0)
		},
	}
	cmd.Flags().BoolVar(&failed, "failed", false, "every failed message")
	return cmd
}

func (m *Main) outboxResolveCommand() *cobra.Command {
	var sent, notSent bool
	cmd := &cobra.Command{
		Use:   "resolve ID --sent|--not-sent",
		Short: "Settle an uncertain message after checking the provider: it went out, or it must go again",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if sent == notSent {
				return usagef("say what happened: --sent or --not-sent")
			}
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return usagef("message ID %q is not a number", args[0])
			}
			ctx := cmd.Context()
			s, err := m.openStore(ctx, false)
			if err != nil {
				return err
			}
			if err := s.Update(ctx, m.actor(), func(tx *store.Tx) error { return tx.ResolveUncertain(ctx, id, sent) }); err != nil {
				return err
			}
			if sent {
				fmt.Fprintf(m.Stdout, "message %d marked sent\n", id)
				return nil
			}
			fmt.Fprintf(m.Stdout, "message %d queued again\n", id)
			svc, _, err := m.mailService(ctx)
			if err != nil {
				return err
			}
			return m.deliver(ctx, svc, 0)
		},
	}
	cmd.Flags().BoolVar(&sent, "sent", false, "the provider shows it was sent")
	cmd.Flags().BoolVar(&notSent, "not-sent", false, "it did not go out: send it again")
	return cmd
}
