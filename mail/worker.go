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
		_, did, err := s.sendOne(ctx)
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
	if local, ok := s.Transport.(interface{ Unlimited() bool }); ok && local.Unlimited() {
		// Writing files has no provider rate to keep to.
		s.mu.Lock()
		s.limiter = nil
		s.mu.Unlock()
		return nil
	}
	r := s.Config.Rate
	switch q, has, err := s.quota(ctx); {
	case err != nil:
		s.Logger.Warn("sending rate unknown: sending at OPSDECK_SES_RATE", "rate", r, "err", err)
	case has && q.MaxSendRate > 0:
		r = q.MaxSendRate
	}
	// A burst of one: never more than the rate in any one-second window
	// (SES counts recipients a second, and a burst is what it throttles).
	s.mu.Lock()
	s.limiter = rate.NewLimiter(rate.Limit(r), 1)
	s.mu.Unlock()
	return nil
}

// UnreachableError stops a drain whose provider could not be connected
// to; the message stays queued for RetryAt.
type UnreachableError struct {
	Reason       string
	RetryAt, Now time.Time
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("%s; the message stays queued and is tried again at %s (in %s) by opsdeck serve or opsdeck outbox send",
		e.Reason, e.RetryAt.Format("15:04:05"), e.RetryAt.Sub(e.Now).Round(time.Second))
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
		p, did, err := s.sendOne(ctx)
		if err != nil {
			return err
		}
		if p.Unreachable {
			// Waiting out the backoff in a command helps nobody when the
			// provider cannot be reached: say when the worker tries again.
			return &UnreachableError{Reason: p.Error, RetryAt: p.RetryAt, Now: s.Clock.Now()}
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

// sendOne sends the next due message, recording the outcome whatever
// happens to ctx meanwhile. It reports whether it found one. The message
// is marked sending only after the rate-limit wait, just before the
// provider is called: a crash can leave uncertain only a message whose
// request may really have gone out.
func (s *Service) sendOne(ctx context.Context) (Progress, bool, error) {
	next, ok, err := s.Store.PeekNextDue(ctx)
	if err != nil || !ok {
		return Progress{}, false, err
	}
	if !s.throttle(ctx, next.Recipients()) {
		return Progress{}, false, nil // asked to stop while waiting: nothing was claimed
	}
	m, ok, err := s.Store.ClaimMessage(ctx, next.ID)
	if err != nil {
		return Progress{}, false, err
	}
	if !ok {
		return Progress{}, true, nil // another worker took it, or it changed: look again
	}
	// From here the message is 'sending': finish the attempt and record
	// it even if we are asked to stop, or it would end up uncertain.
	keep := context.WithoutCancel(ctx)
	p := Progress{MessageID: m.ID, BatchID: m.BatchID, Role: m.Role, Recipient: m.Recipient, Attempts: m.Attempts}
	sending := p
	sending.Status = store.OutboxSending
	s.publish(sending)
	msg := &Message{ID: m.MessageID, From: m.From, To: m.To, Bcc: m.Bcc, Subject: m.Subject, Text: m.Text, HTML: m.HTML,
		Date: m.CreatedAt, Headers: map[string]string{}}
	if m.Role != "" {
		msg.Headers["X-Opsdeck-Report"] = string(m.Role)
	} else {
		msg.Headers["X-Opsdeck-Report"] = m.Kind
	}
	if m.Purpose == store.PurposeTest {
		msg.Headers["X-Opsdeck-Test"] = "1"
	}
	sendCtx, cancel := context.WithTimeout(keep, s.Config.SendTimeout)
	providerID, sendErr := s.Transport.Send(sendCtx, msg)
	cancel()
	log := s.Logger.With("outbox", m.ID, "role", m.Role, "to", m.Recipient, "attempt", m.Attempts)
	switch {
	case sendErr == nil:
		p.Status = store.OutboxSent
		if m.MaybeDelivered {
			p.Duplicate = true
		}
		if err = s.Store.MarkSent(keep, m.ID, providerID); err != nil {
			// The provider has it; the log does not. Left 'sending', it
			// becomes uncertain at the next start, which is the truth.
			p.Status, p.Error = store.OutboxUncertain, fmt.Sprintf("the provider accepted it (id %s) but recording that failed: %v", providerID, err)
			err = fmt.Errorf("record message %d as sent: %w", m.ID, err)
			log.Error("sent but not recorded", "provider_id", providerID, "err", err)
		} else if p.Duplicate {
			log.Warn("sent; an earlier attempt may also have been delivered: possible duplicate", "provider_id", providerID)
		} else {
			log.Info("sent", "provider_id", providerID)
		}
	case IsTransient(sendErr) && m.Attempts < s.Config.MaxAttempts:
		retryAt := s.Clock.Now().Add(s.backoff(m.Attempts))
		p.Status, p.Error, p.RetryAt, p.Unreachable = store.OutboxQueued, sendErr.Error(), retryAt, Unreachable(sendErr)
		err = s.Store.MarkRetry(keep, m.ID, retryAt, sendErr.Error(), MaybeDelivered(sendErr))
		log.Warn("send failed, will retry", "retry_at", retryAt, "retry_in", retryAt.Sub(s.Clock.Now()).Round(time.Millisecond), "err", sendErr)
	case m.MaybeDelivered || MaybeDelivered(sendErr):
		reason := fmt.Sprintf("gave up after %d attempts, at least one of which may have been delivered: %s", m.Attempts, sendErr)
		p.Status, p.Error = store.OutboxUncertain, reason
		err = s.Store.MarkUncertain(keep, m.ID, reason)
		log.Error("send uncertain", "err", reason)
	default:
		reason := sendErr.Error()
		if IsTransient(sendErr) {
			reason = fmt.Sprintf("gave up after %d attempts: %s", m.Attempts, reason)
		}
		p.Status, p.Error = store.OutboxFailed, reason
		err = s.Store.MarkFailed(keep, m.ID, reason)
		log.Error("send failed", "err", reason)
	}
	s.publish(p)
	return p, true, err
}

// throttle waits until the provider's rate allows n more recipients; false
// when ctx ended first. The
// token bucket (x/time/rate, burst one) spaces sends evenly; the window
// check on top makes the bound hard: however late a send starts, no
// one-second window ever holds more recipients than the rate.
func (s *Service) throttle(ctx context.Context, n int) bool {
	s.mu.Lock()
	lim := s.limiter
	s.mu.Unlock()
	if lim == nil {
		return ctx.Err() == nil
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
			return false
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
			return false
		}
	}
	now := s.Clock.Now()
	for range n {
		s.recent = append(s.recent, now)
	}
	return true
}
