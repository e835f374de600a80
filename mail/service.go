package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/mail"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"opsdeck/portfolio"
	"opsdeck/reports"
	"opsdeck/store"
)

// Config is the mail settings that do not depend on the transport.
type Config struct {
	From       string  // the verified sender
	Bcc        string  // an audit copy of every message, if set
	AdminEmail string  // where alerts about failed scheduled runs go, if set
	Rate       float64 // messages a second when the provider does not say; default 1
	// MaxAttempts bounds retries of transient failures; default 6.
	MaxAttempts int
	// BaseBackoff doubles per attempt up to MaxBackoff; defaults 2 s, 5 min.
	BaseBackoff, MaxBackoff time.Duration
	// SendTimeout bounds one send; default 30 s.
	SendTimeout time.Duration
}

// withDefaults fills the settings left at zero.
func (cfg Config) withDefaults() Config {
	if cfg.Rate <= 0 {
		cfg.Rate = 1
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 6
	}
	if cfg.BaseBackoff <= 0 {
		cfg.BaseBackoff = 2 * time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 5 * time.Minute
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 30 * time.Second
	}
	return cfg
}

// Progress is a change in one message's delivery, for progress bars.
type Progress struct {
	MessageID int64
	BatchID   int64
	Role      portfolio.ReportRole
	Status    string
	Attempts  int
	Error     string
}

// Service queues report batches and delivers them.
type Service struct {
	Store     *store.Store
	Reports   *reports.Engine
	Transport Transport
	Config    Config
	Clock     store.Clock
	Logger    *slog.Logger
	// Actor names who queues batches, for the audit log.
	Actor string

	mu      sync.Mutex
	subs    map[int]chan Progress
	nextSub int
	wake    chan struct{}
	limiter *rate.Limiter
	recent  []time.Time // recipients sent in the last second, for the hard rate bound
	jitter  *rand.Rand
}

// NewService checks the configuration and returns a service.
func NewService(s *store.Store, eng *reports.Engine, t Transport, cfg Config) (*Service, error) {
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return nil, portfolio.Errorf(portfolio.EINVALID, "sender %q (OPSDECK_MAIL_FROM) is not an email address", cfg.From)
	}
	for name, v := range map[string]string{"OPSDECK_MAIL_BCC": cfg.Bcc, "OPSDECK_ADMIN_EMAIL": cfg.AdminEmail} {
		if v != "" {
			if _, err := mail.ParseAddress(v); err != nil {
				return nil, portfolio.Errorf(portfolio.EINVALID, "%s %q is not an email address", name, v)
			}
		}
	}
	return &Service{Store: s, Reports: eng, Transport: t, Config: cfg.withDefaults(), Clock: store.SystemClock{}, Logger: slog.New(slog.DiscardHandler),
		Actor: "mail", subs: map[int]chan Progress{}, wake: make(chan struct{}, 1), jitter: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))}, nil
}

// Build renders the roles' reports and makes their outbox messages. A
// role with no recipients, or an address that does not parse, gives a
// message already failed with the reason, so one bad address costs one
// message, not the batch.
func (s *Service) Build(ctx context.Context, roles []portfolio.ReportRole) ([]store.OutboxMessage, error) {
	snap, err := s.Store.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	previous := map[portfolio.ReportRole]*reports.Figures{}
	for _, role := range roles {
		raw, ok, err := s.Store.LastSentFigures(ctx, role)
		if err != nil {
			return nil, err
		}
		if ok {
			var f reports.Figures
			if json.Unmarshal([]byte(raw), &f) == nil {
				previous[role] = &f
			}
		}
	}
	rendered, err := s.Reports.RenderAll(snap, roles, []reports.Format{reports.Text, reports.HTML}, reports.RenderOptions{Width: 78}, previous)
	if err != nil {
		return nil, err
	}
	var bcc []string
	if s.Config.Bcc != "" {
		bcc = []string{s.Config.Bcc}
	}
	now := s.Clock.Now()
	msgs := make([]store.OutboxMessage, 0, len(roles))
	for i, role := range roles {
		rep, err := s.Reports.Build(snap, role)
		if err != nil {
			return nil, err
		}
		figs, _ := json.Marshal(rep.Figures())
		m := store.OutboxMessage{Kind: "report", Role: role, MessageID: NewMessageID(s.Config.From, now), From: s.Config.From,
			Bcc: bcc, Subject: reports.Subject(snap, role), Text: rendered[2*i].Text, HTML: rendered[2*i+1].Text,
			Figures: string(figs), Status: store.OutboxQueued}
		var bad []string
		for _, r := range snap.Recipients {
			if r.Role != role {
				continue
			}
			a, err := mail.ParseAddress(r.Person.Email)
			if err != nil || a.Address != r.Person.Email {
				bad = append(bad, fmt.Sprintf("%s <%s>", r.Person.Name, r.Person.Email))
				continue
			}
			m.To = append(m.To, (&mail.Address{Name: r.Person.Name, Address: r.Person.Email}).String())
		}
		switch {
		case len(bad) > 0:
			m.Status, m.LastError = store.OutboxFailed, "invalid recipient address: "+strings.Join(bad, ", ")
		case len(m.To) == 0:
			m.Status, m.LastError = store.OutboxFailed, fmt.Sprintf("the %s report has no recipients (opsdeck recipients add %s EMAIL)", role.Title(), role)
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// QuotaError is a batch refused because it would exceed the provider's
// remaining 24-hour quota.
type QuotaError struct{ Need, Remaining int }

func (e *QuotaError) Error() string {
	return fmt.Sprintf("this batch needs %s but only %d remain of the 24-hour sending quota (SES counts every recipient, BCC copies included); nothing was queued",
		portfolio.Plural(int64(e.Need), "recipient", "recipients"), e.Remaining)
}

// Enqueue renders the roles' reports and writes them to the outbox as one
// batch, in one transaction, after checking the provider's daily quota.
func (s *Service) Enqueue(ctx context.Context, roles []portfolio.ReportRole, reason string) (int64, []store.OutboxMessage, error) {
	msgs, err := s.Build(ctx, roles)
	if err != nil {
		return 0, nil, err
	}
	need := 0
	for _, m := range msgs {
		if m.Status == store.OutboxQueued {
			need += m.Recipients()
		}
	}
	if q, ok := s.quota(ctx); ok {
		if rem := q.Remaining(); rem >= 0 && need > rem {
			return 0, nil, &QuotaError{Need: need, Remaining: rem}
		}
	}
	batch := store.OutboxBatch{Reason: reason, Transport: s.Transport.Name()}
	if err := s.Store.Update(ctx, s.Actor, func(tx *store.Tx) error { return tx.CreateBatch(ctx, &batch, msgs) }); err != nil {
		return 0, nil, fmt.Errorf("queue %s: %w", describeRoles(roles), err)
	}
	for _, m := range msgs {
		s.publish(Progress{MessageID: m.ID, BatchID: batch.ID, Role: m.Role, Status: m.Status, Error: m.LastError})
	}
	s.Wake()
	return batch.ID, msgs, nil
}

// EnqueueRole queues one role's report: what the scheduler calls.
func (s *Service) EnqueueRole(ctx context.Context, role portfolio.ReportRole, reason string) (int64, error) {
	id, msgs, err := s.Enqueue(ctx, []portfolio.ReportRole{role}, reason)
	if err != nil {
		return id, err
	}
	for _, m := range msgs {
		if m.Status == store.OutboxFailed {
			return id, errors.New(m.LastError)
		}
	}
	return id, nil
}

// Alert queues a plain message to the admin address, if one is set.
func (s *Service) Alert(ctx context.Context, subject, body string) error {
	if s.Config.AdminEmail == "" {
		return nil
	}
	m := store.OutboxMessage{Kind: "alert", MessageID: NewMessageID(s.Config.From, s.Clock.Now()), From: s.Config.From,
		To: []string{s.Config.AdminEmail}, Subject: subject, Text: body}
	batch := store.OutboxBatch{Reason: "alert", Transport: s.Transport.Name()}
	if err := s.Store.Update(ctx, s.Actor, func(tx *store.Tx) error {
		return tx.CreateBatch(ctx, &batch, []store.OutboxMessage{m})
	}); err != nil {
		return err
	}
	s.Wake()
	return nil
}

func describeRoles(roles []portfolio.ReportRole) string {
	var names []string
	for _, r := range roles {
		names = append(names, r.Title())
	}
	return strings.Join(names, ", ") + " report"
}

// quota asks the transport for its limits, if it can say.
func (s *Service) quota(ctx context.Context) (Quota, bool) {
	qr, ok := s.Transport.(QuotaReader)
	if !ok {
		return Quota{}, false
	}
	q, err := qr.Quota(ctx)
	if err != nil {
		s.Logger.Warn("sending quota unknown; using OPSDECK_SES_RATE and no daily check", "err", err)
		return Quota{}, false
	}
	return q, true
}

// Wake tells a running worker there is new work.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Subscribe returns a channel of progress and a function to stop it. Slow
// readers miss updates rather than slow the sends.
func (s *Service) Subscribe() (<-chan Progress, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextSub
	s.nextSub++
	ch := make(chan Progress, 64)
	s.subs[id] = ch
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if c, ok := s.subs[id]; ok {
			delete(s.subs, id)
			close(c)
		}
	}
}

func (s *Service) publish(p Progress) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.subs {
		select {
		case ch <- p:
		default:
		}
	}
}

// backoff is the wait before attempt n+1: doubling from the base, capped,
// with jitter so retries from many messages do not arrive together.
func (s *Service) backoff(attempt int) time.Duration {
	d := float64(s.Config.BaseBackoff) * math.Pow(2, float64(attempt-1))
	d = math.Min(d, float64(s.Config.MaxBackoff))
	s.mu.Lock()
	j := s.jitter.Float64()
	s.mu.Unlock()
	return time.Duration(d/2 + j*d/2)
}
