package mail

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/time/rate"

	"opsdeck/store"
)

// poll bounds how long an idle worker waits before looking again, so work
// queued by another process is picked up.
const poll = 5 * time.Second

// Run is the outbox worker: it first marks messages a dead process left
// mid-send as uncertain, then sends due messages at the provider's rate
// until ctx ends. A send in flight when ctx ends is allowed to finish.
func (s *Service) Run(ctx context.Context) error {
	if err := s.start(ctx); err != nil {
		return err
	}
	for {
		if ctx.Err() != nil {
			return nil
		}
		did, err := s.sendOne(ctx)
		if err != nil {
			s.Logger.Error("outbox", "err", err)
		}
		if did {
			continue
		}
		wait := poll
		if next, err := s.Store.NextDue(ctx); err == nil && !next.IsZero() {
			wait = min(wait, max(0, next.Sub(s.Clock.Now())))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-s.Clock.After(wait):
		}
	}
}

// start prepares a worker: stale sends become uncertain, and the rate
// limiter takes the provider's rate.
func (s *Service) start(ctx context.Context) error {
	n, err := s.Store.MarkStaleSending(ctx)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if n > 0 {
		s.Logger.Warn("messages were being sent when opsdeck last stopped; whether they went out is unknown",
			"messages", n, "see", "opsdeck outbox --status uncertain")
	}
	r := s.Config.Rate
	if q, ok := s.quota(ctx); ok && q.MaxSendRate > 0 {
		r = q.MaxSendRate
	}
	// A burst of one: never more than the rate in any one-second window
	// (SES counts recipients a second, and a burst is what it throttles).
	s.mu.Lock()
	s.limiter = rate.NewLimiter(rate.Limit(r), 1)
	s.mu.Unlock()
	return nil
}

// Drain sends until no message of the batch is waiting, sleeping through
// backoffs: what `opsdeck send` does when no server is running the worker.
func (s *Service) Drain(ctx context.Context, batchID int64) error {
	if err := s.start(ctx); err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		did, err := s.sendOne(ctx)
		if err != nil {
			return err
		}
		if did {
			continue
		}
		pending, err := s.Store.Outbox(ctx, store.OutboxFilter{BatchID: batchID, Status: store.OutboxQueued})
		if err != nil {
			return err
		}
		if len(pending) == 0 {
			return nil
		}
		next := pending[0].NextAttemptAt
		for _, m := range pending {
			if m.NextAttemptAt.Before(next) {
				next = m.NextAttemptAt
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.Clock.After(max(0, next.Sub(s.Clock.Now()))):
		}
	}
}

// sendOne claims the next due message and sends it, recording the outcome
// whatever happens to ctx meanwhile. It reports whether it found one.
func (s *Service) sendOne(ctx context.Context) (bool, error) {
	m, ok, err := s.Store.ClaimNextDue(ctx)
	if err != nil || !ok {
		return false, err
	}
	// From here the message is 'sending': finish the attempt and record
	// it even if we are asked to stop, or it would end up uncertain.
	keep := context.WithoutCancel(ctx)
	s.publish(Progress{MessageID: m.ID, BatchID: m.BatchID, Role: m.Role, Status: store.OutboxSending, Attempts: m.Attempts})
	s.throttle(keep, m.Recipients())
	msg := &Message{ID: m.MessageID, From: m.From, To: m.To, Bcc: m.Bcc, Subject: m.Subject, Text: m.Text, HTML: m.HTML,
		Date: m.CreatedAt, Headers: map[string]string{}}
	if m.Role != "" {
		msg.Headers["X-Opsdeck-Report"] = string(m.Role)
	} else {
		msg.Headers["X-Opsdeck-Report"] = m.Kind
	}
	sendCtx, cancel := context.WithTimeout(keep, s.Config.SendTimeout)
	providerID, sendErr := s.Transport.Send(sendCtx, msg)
	cancel()
	p := Progress{MessageID: m.ID, BatchID: m.BatchID, Role: m.Role, Attempts: m.Attempts}
	switch {
	case sendErr == nil:
		p.Status = store.OutboxSent
		err = s.Store.MarkSent(keep, m.ID, providerID)
		s.Logger.Info("sent", "outbox", m.ID, "role", m.Role, "to", len(m.To), "provider_id", providerID)
	case IsTransient(sendErr) && m.Attempts < s.Config.MaxAttempts:
		next := s.Clock.Now().Add(s.backoff(m.Attempts))
		p.Status, p.Error = store.OutboxQueued, sendErr.Error()
		err = s.Store.MarkRetry(keep, m.ID, next, sendErr.Error(), MaybeDelivered(sendErr))
		s.Logger.Warn("send failed, will retry", "outbox", m.ID, "attempt", m.Attempts, "retry_at", next, "err", sendErr)
	case m.MaybeDelivered || MaybeDelivered(sendErr):
		reason := fmt.Sprintf("gave up after %d attempts, at least one of which may have been delivered: %s", m.Attempts, sendErr)
		p.Status, p.Error = store.OutboxUncertain, reason
		err = s.Store.MarkUncertain(keep, m.ID, reason)
		s.Logger.Error("send uncertain", "outbox", m.ID, "role", m.Role, "err", reason)
	default:
		reason := sendErr.Error()
		if IsTransient(sendErr) {
			reason = fmt.Sprintf("gave up after %d attempts: %s", m.Attempts, reason)
		}
		p.Status, p.Error = store.OutboxFailed, reason
		err = s.Store.MarkFailed(keep, m.ID, reason)
		s.Logger.Error("send failed", "outbox", m.ID, "role", m.Role, "err", reason)
	}
	s.publish(p)
	return true, err
}

// throttle waits until the provider's rate allows n more recipients. The
// token bucket (x/time/rate, burst one) spaces sends evenly; the window
// check on top makes the bound hard: however late a send starts, no
// one-second window ever holds more recipients than the rate.
func (s *Service) throttle(ctx context.Context, n int) {
	s.mu.Lock()
	lim := s.limiter
	s.mu.Unlock()
	if lim == nil {
		return
	}
	wait := func(d time.Duration) bool {
		if d <= 0 {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-s.Clock.After(d):
			return true
		}
	}
	for range n {
		now := s.Clock.Now()
		if !wait(lim.ReserveN(now, 1).DelayFrom(now)) {
			return
		}
	}
	perSecond := max(1, int(float64(lim.Limit())))
	n = min(n, perSecond)
	// The window is a little over a second: the provider sees a send a few
	// milliseconds after we do, and those milliseconds vary.
	const window = time.Second + 10*time.Millisecond
	for {
		now := s.Clock.Now()
		cut := 0
		for cut < len(s.recent) && !s.recent[cut].After(now.Add(-window)) {
			cut++
		}
		s.recent = s.recent[cut:]
		if len(s.recent)+n <= perSecond {
			break
		}
		// The send may go when enough of the oldest fall out of the window.
		if !wait(s.recent[len(s.recent)+n-perSecond-1].Add(window).Sub(now) + time.Nanosecond) {
			return
		}
	}
	now := s.Clock.Now()
	for range n {
		s.recent = append(s.recent, now)
	}
}
