package cli

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"opsdeck/store"
)

func (m *Main) outboxCommand() *cobra.Command {
	var status string
	var batch int64
	var limit int
	var asJSON *bool
	cmd := &cobra.Command{
		Use:   "outbox [--status S] [--batch N] [--json]",
		Short: "The delivery log: every message with its status, attempts, error and provider id",
		Args:  noArgs,
		RunE: m.withStore(func(ctx context.Context, s *store.Store, args []string) error {
			rows, err := s.Outbox(ctx, store.OutboxFilter{Status: status, BatchID: batch, Limit: limit})
			if err != nil {
				return err
			}
			return printList(m, *asJSON, rows, "the outbox is empty", "ID\tBATCH\tREPORT\tSTATUS\tTRIES\tUPDATED\tTO\tPROVIDER ID / ERROR", func(r store.OutboxMessage) string {
				what := string(r.Role)
				if r.Kind == "alert" {
					what = "alert"
				}
				detail := r.ProviderID
				if r.Status != store.OutboxSent {
					detail = r.LastError
				}
				return fmt.Sprintf("%d\t%d\t%s\t%s\t%d\t%s\t%s\t%s", r.ID, r.BatchID, what, r.Status, r.Attempts,
					r.UpdatedAt.In(m.Clock.Now().Location()).Format("2006-01-02 15:04"), strings.Join(r.To, ", "), cmp.Or(detail, "—"))
			})
		}),
	}
	cmd.Flags().StringVar(&status, "status", "", "only messages in this status: "+strings.Join(store.OutboxStatuses, ", "))
	cmd.Flags().Int64Var(&batch, "batch", 0, "only this batch")
	cmd.Flags().IntVar(&limit, "limit", 50, "at most this many, newest first")
	asJSON = jsonFlag(cmd)
	cmd.AddCommand(m.outboxRetryCommand(), m.outboxResolveCommand(), m.outboxSendCommand())
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
