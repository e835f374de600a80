package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"opsdeck/portfolio"
	"opsdeck/store"
)

func (m *Main) outboxCommand() *cobra.Command {
	var status string
	var batch int64
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "outbox [--status S] [--batch N] [--json]",
		Short: "The delivery log: every message with its status, attempts, error and provider id",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := m.openStore(cmd.Context(), false)
			if err != nil {
				return err
			}
			rows, err := s.Outbox(cmd.Context(), store.OutboxFilter{Status: status, BatchID: batch, Limit: limit})
			if err != nil {
				return err
			}
			if asJSON {
				if rows == nil {
					rows = []store.OutboxMessage{}
				}
				return writeJSON(m.Stdout, rows)
			}
			if len(rows) == 0 {
				fmt.Fprintln(m.Stdout, "the outbox is empty")
				return nil
			}
			t := newTable(m.Stdout)
			fmt.Fprintln(t, "ID\tBATCH\tREPORT\tSTATUS\tTRIES\tUPDATED\tTO\tPROVIDER ID / ERROR")
			for _, r := range rows {
				what := string(r.Role)
				if r.Kind == "alert" {
					what = "alert"
				}
				detail := r.ProviderID
				if r.Status != store.OutboxSent {
					detail = r.LastError
				}
				fmt.Fprintf(t, "%d\t%d\t%s\t%s\t%d\t%s\t%s\t%s\n", r.ID, r.BatchID, what, r.Status, r.Attempts,
					r.UpdatedAt.In(m.Clock.Now().Location()).Format("2006-01-02 15:04"), strings.Join(r.To, ", "), orDash(detail))
			}
			return t.Flush()
		},
	}
	cmd.Flags().StringVar(&status, "status", "", "only messages in this status: "+strings.Join(store.OutboxStatuses, ", "))
	cmd.Flags().Int64Var(&batch, "batch", 0, "only this batch")
	cmd.Flags().IntVar(&limit, "limit", 50, "at most this many, newest first")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print machine-readable JSON")
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
			return m.deliverQueued(cmd)
		},
	}
	cmd.Flags().BoolVar(&failed, "failed", false, "every failed message")
	return cmd
}

// deliverQueued sends everything queued, if no other process runs the
// worker.
func (m *Main) deliverQueued(cmd *cobra.Command) error {
	ctx := cmd.Context()
	svc, _, err := m.mailService(ctx)
	if err != nil {
		return err
	}
	return m.deliver(ctx, svc, 0)
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
			return m.deliverQueued(cmd)
		},
	}
	cmd.Flags().BoolVar(&sent, "sent", false, "the provider shows it was sent")
	cmd.Flags().BoolVar(&notSent, "not-sent", false, "it did not go out: send it again")
	return cmd
}

func (m *Main) recipientsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "recipients", Short: "Who receives which report", Args: noArgs}
	list := &cobra.Command{
		Use:   "list [--json]",
		Short: "Every report role with its recipients",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := m.openStore(cmd.Context(), false)
			if err != nil {
				return err
			}
			rs, err := s.Recipients(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				if rs == nil {
					rs = []portfolio.Recipient{}
				}
				return writeJSON(m.Stdout, rs)
			}
			t := newTable(m.Stdout)
			fmt.Fprintln(t, "REPORT\tNAME\tEMAIL")
			for _, r := range rs {
				fmt.Fprintf(t, "%s\t%s\t%s\n", r.Role.Title(), r.Person.Name, r.Person.Email)
			}
			return t.Flush()
		},
	}
	list.Flags().Bool("json", false, "print machine-readable JSON")
	var name string
	add := &cobra.Command{
		Use:   "add ROLE EMAIL [--name NAME]",
		Short: "Send ROLE's report to EMAIL too (adding the person if new)",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			role, err := portfolio.ParseReportRole(args[0])
			if err != nil {
				return err
			}
			s, err := m.openStore(cmd.Context(), false)
			if err != nil {
				return err
			}
			var p portfolio.Person
			var created bool
			if err := s.Update(cmd.Context(), m.actor(), func(tx *store.Tx) (err error) {
				p, created, err = tx.AddRecipientByEmail(cmd.Context(), role, args[1], name)
				return err
			}); err != nil {
				return err
			}
			note := ""
			if created {
				note = " (added as a new person)"
			}
			fmt.Fprintf(m.Stdout, "%s <%s> now receives the %s report%s\n", p.Name, p.Email, role.Title(), note)
			return nil
		},
	}
	add.Flags().StringVar(&name, "name", "", "the person's name, if they are new")
	remove := &cobra.Command{
		Use:   "remove ROLE EMAIL",
		Short: "Stop sending ROLE's report to EMAIL",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			role, err := portfolio.ParseReportRole(args[0])
			if err != nil {
				return err
			}
			s, err := m.openStore(cmd.Context(), false)
			if err != nil {
				return err
			}
			if err := s.Update(cmd.Context(), m.actor(), func(tx *store.Tx) error { return tx.RemoveRecipient(cmd.Context(), role, args[1]) }); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "%s no longer receives the %s report\n", args[1], role.Title())
			return nil
		},
	}
	cmd.AddCommand(list, add, remove)
	return cmd
}
