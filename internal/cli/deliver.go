package cli

import (
	"context"
	"fmt"

	"opsdeck/mail"
	"opsdeck/portfolio"
	"opsdeck/schedule"
	"opsdeck/store"
)

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
		return fmt.Errorf("%s failed; see opsdeck outbox --batch %d, fix the cause, then opsdeck outbox retry --failed",
			portfolio.Plural(int64(counts[store.OutboxFailed]), "message", "messages"), batch)
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
