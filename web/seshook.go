package web

import (
	"context"
	"errors"
	"io"
	"net/http"

	"opsdeck/mail/sns"
	"opsdeck/portfolio"
	"opsdeck/store"
)

// sesHookPath is where Amazon SNS posts the messages of the SES event
// topic: deliveries, bounces, complaints, rejects and delays of the
// reports opsdeck sent, and the subscription's own confirmation.
const sesHookPath = "/hooks/ses"

// maxHookBody caps an SNS message. SNS carries at most 256 KiB of
// message, which its JSON envelope escapes (every quote of an SES event
// doubles), so twice that; an SES event is a few KB.
const maxHookBody = 512 << 10

// sesHook is POST /hooks/ses when topics are configured.
type sesHook struct {
	topics   map[string]bool
	verifier *sns.Verifier
}

// newSESHook builds the hook from the options; nil when no topic is
// configured (the route then answers 404).
func newSESHook(opts Options) (*sesHook, error) {
	if len(opts.SESTopics) == 0 {
		return nil, nil
	}
	h := &sesHook{topics: map[string]bool{}, verifier: opts.SNS}
	for _, t := range opts.SESTopics {
		if _, err := sns.ParseTopicARN(t); err != nil {
			return nil, portfolio.Errorf(portfolio.EINVALID, "SES events topic: %v", err)
		}
		h.topics[t] = true
	}
	if h.verifier == nil {
		h.verifier = sns.NewVerifier(sns.Options{Now: opts.Now})
	}
	return h, nil
}

// handleSESHook takes a message SNS posts for the SES event topic. It sits
// outside crew sign-in: what vouches for a message is SNS's signature,
// checked against a certificate from the topic's own SNS host, and the
// topic being one configured. Refusals (foreign topic, no or bad
// signature, stale or future Timestamp, a MessageId already processed) are
// 403 and change nothing; SNS takes a 4xx as final. A failure that may
// pass (the store, fetching the certificate) is 503, which SNS retries.
func (s *Server) handleSESHook(w http.ResponseWriter, r *http.Request) {
	h := s.ses
	if h == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found", "message": "no SES events topic is configured"})
		return
	}
	ctx := r.Context()
	log := s.log.With("hook", "ses", "remote", r.RemoteAddr)
	refuse := func(code int, err error) {
		msg := err.Error()
		if code >= 500 {
			log.Error("SES event not taken; SNS will retry", "status", code, "err", err)
			msg = "temporarily unable to take the message; try again"
		} else {
			log.Warn("SES event refused", "status", code, "err", err)
		}
		writeJSON(w, code, map[string]string{"error": http.StatusText(code), "message": msg})
	}

	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		refuse(http.StatusRequestEntityTooLarge, errors.New("the message is over the size limit"))
		return
	case err != nil:
		refuse(http.StatusBadRequest, err)
		return
	}
	m, err := sns.Parse(body)
	if err != nil {
		refuse(http.StatusBadRequest, err)
		return
	}
	log = log.With("sns_message_id", m.MessageID, "sns_type", m.Type)
	if t := r.Header.Get("X-Amz-Sns-Message-Type"); t != "" && t != m.Type {
		refuse(http.StatusForbidden, errors.New("the x-amz-sns-message-type header disagrees with the message's Type"))
		return
	}
	if !h.topics[m.TopicARN] {
		// Checked before anything is fetched for it.
		refuse(http.StatusForbidden, errors.New("topic "+m.TopicARN+" is not an SES events topic of this server (OPSDECK_SES_EVENTS_TOPIC_ARN)"))
		return
	}
	if err := h.verifier.Verify(ctx, m); err != nil {
		if errors.Is(err, sns.ErrUnavailable) {
			refuse(http.StatusServiceUnavailable, err)
		} else {
			refuse(http.StatusForbidden, err)
		}
		return
	}
	// A replay is refused before anything is done for it, such as
	// confirming a subscription again; ApplySESEvent checks once more in
	// its transaction.
	seen, err := s.store.SNSMessageSeen(ctx, m.MessageID)
	if err != nil {
		refuse(http.StatusServiceUnavailable, err)
		return
	}
	if seen {
		refuse(http.StatusForbidden, errors.New("SNS message "+m.MessageID+" was processed before"))
		return
	}

	ev := store.SESEvent{SNSMessageID: m.MessageID, TopicARN: m.TopicARN, SNSType: m.Type, Raw: m.Message}
	switch m.Type {
	case sns.TypeSubscriptionConfirmation:
		arn, err := h.verifier.Confirm(ctx, m)
		switch {
		case errors.Is(err, sns.ErrUnavailable):
			refuse(http.StatusServiceUnavailable, err)
			return
		case errors.Is(err, sns.ErrCertURL):
			refuse(http.StatusForbidden, err)
			return
		case err != nil:
			refuse(http.StatusBadGateway, err)
			return
		}
		log.Info("SES events subscription confirmed", "topic", m.TopicARN, "subscription", arn)
	case sns.TypeUnsubscribeConfirmation:
		log.Warn("SES events subscription ended: SNS no longer posts this topic's events here", "topic", m.TopicARN)
	case sns.TypeNotification:
		sesEv, err := sns.ParseSESEvent(m.Message)
		if err != nil {
			// Signed by SNS for our topic, but no SES event we can read:
			// recorded, so it shows, and not refused, as SNS would only
			// send it again.
			ev.Detail = err.Error()
			log.Warn("SES events topic carried something that is no SES event", "err", err)
		} else {
			ev.Type, ev.SESMessageID, ev.Recipients = sesEv.Type, sesEv.MessageID, sesEv.Recipients
			ev.Detail, ev.HardBounce, ev.OccurredAt = sesEv.Detail, sesEv.Permanent, sesEv.At
			ev.OpsdeckMessageID = sesEv.OpsdeckID
		}
	}
	// Let the transaction finish even if SNS hangs up meanwhile.
	got, err := s.store.ApplySESEvent(context.WithoutCancel(ctx), ev)
	switch {
	case errors.Is(err, store.ErrSNSMessageSeen):
		refuse(http.StatusForbidden, err)
		return
	case err != nil:
		refuse(http.StatusServiceUnavailable, err)
		return
	}
	log.Info("SES event", "type", got.Type, "ses_message_id", got.SESMessageID, "outbox_id", got.OutboxID, "outcome", got.Outcome)
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "outcome": got.Outcome})
}
