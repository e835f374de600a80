package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

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
	duplicates := 0
	go func() {
		defer close(done)
		for p := range progress {
			if batch != 0 && p.BatchID != batch {
				continue
			}
			switch p.Status {
			case store.OutboxSent:
				if p.Duplicate {
					duplicates++
					fmt.Fprintf(m.Stdout, "sent     %s (possible duplicate: an earlier attempt was cut off after SES may have taken it)\n", describe(p))
				} else {
					fmt.Fprintf(m.Stdout, "sent     %s\n", describe(p))
				}
			case store.OutboxQueued:
				if p.Error != "" {
					fmt.Fprintf(m.Stdout, "retrying %s in %s after attempt %d: %s\n", describe(p),
						max(0, p.RetryAt.Sub(m.Clock.Now())).Round(100*time.Millisecond), p.Attempts, p.Error)
				}
			case store.OutboxFailed:
				if p.Attempts > 0 {
					fmt.Fprintf(m.Stdout, "failed   %s: %s\n", describe(p), p.Error)
				}
			case store.OutboxUncertain:
				fmt.Fprintf(m.Stdout, "uncertain %s: %s\n", describe(p), p.Error)
			}
		}
	}()
	drainErr := svc.Drain(held, batch)
	stop()
	<-done
	var unreachable *mail.UnreachableError
	if errors.As(drainErr, &unreachable) {
		return fmt.Errorf("batch %d not sent: %w (opsdeck outbox --batch %d)", batch, drainErr, batch)
	}
	if drainErr != nil {
		return fmt.Errorf("batch %d interrupted: %w (what was not sent stays queued: opsdeck outbox --batch %d)", batch, drainErr, batch)
	}
	counts, err := s.BatchCounts(ctx, batch)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("batch %d", batch)
	if batch == 0 {
		what = "outbox"
	}
	sent := 0
	for status, n := range counts {
		if store.WentOut(status) {
			sent += n
		}
	}
	fmt.Fprintf(m.Stdout, "%s: %d sent, %d failed", what, sent, counts[store.OutboxFailed])
	if duplicates > 0 {
		fmt.Fprintf(m.Stdout, ", %s", portfolio.Plural(int64(duplicates), "possible duplicate", "possible duplicates"))
	}
	if n := counts[store.OutboxSuppressed]; n > 0 {
		fmt.Fprintf(m.Stdout, ", %d suppressed (opsdeck suppression list)", n)
	}
	if n := counts[store.OutboxUncertain]; n > 0 {
		fmt.Fprintf(m.Stdout, ", %d uncertain (opsdeck outbox --status uncertain, then resolve each)", n)
	}
	fmt.Fprintln(m.Stdout)
	var errs []error
	if counts[store.OutboxFailed] > 0 && batch != 0 {
		errs = append(errs, fmt.Errorf("%s failed; see opsdeck outbox --batch %d, fix the cause, then opsdeck outbox retry --failed",
			portfolio.Plural(int64(counts[store.OutboxFailed]), "message", "messages"), batch))
	}
	if duplicates > 0 {
		errs = append(errs, fmt.Errorf("%s may have reached the recipient twice (opsdeck outbox --duplicates)",
			portfolio.Plural(int64(duplicates), "message", "messages")))
	}
	return errors.Join(errs...)
}

// describe names a message in progress lines: its report and recipient,
// or its id.
func describe(p mail.Progress) string {
	what := fmt.Sprintf("message %d", p.MessageID)
	if p.Role != "" {
		what = p.Role.Title()
	}
	if p.Recipient != "" {
		what += " to " + p.Recipient
	}
	return what
}
