package mail

import (
	"context"
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
	Recipient string
	Status    string
	Attempts  int
	Error     string
	// Duplicate: sent after an earlier attempt that may already have
	// delivered it.
	Duplicate bool
	// RetryAt is when a message put back in the queue is tried again;
	// Unreachable says the attempt could not even connect.
	RetryAt     time.Time
	Unreachable bool
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

// QueueAlert queues, in the caller's transaction, a plain message to the
// admin address, if one is set; Wake the worker once it commits.
func (s *Service) QueueAlert(ctx context.Context, tx *store.Tx, subject, body string) error {
	if s.Config.AdminEmail == "" {
		return nil
	}
	bare, _ := store.NormalizeAddress(s.Config.AdminEmail)
	m := store.OutboxMessage{Kind: "alert", MessageID: NewMessageID(s.Config.From, s.Clock.Now()), From: s.Config.From,
		To: []string{s.Config.AdminEmail}, Recipient: bare, Subject: subject, Text: body}
	batch := store.OutboxBatch{Reason: "alert", Transport: s.Transport.Name()}
	return tx.CreateBatch(ctx, &batch, []store.OutboxMessage{m})
}

func describeRoles(roles []portfolio.ReportRole) string {
	var names []string
	for _, r := range roles {
		names = append(names, r.Title())
	}
	return strings.Join(names, ", ") + " report"
}

// quota asks the transport for its limits: has is false when it has none
// to tell (files, SMTP), err says why one that has them did not.
func (s *Service) quota(ctx context.Context) (q Quota, has bool, err error) {
	qr, ok := s.Transport.(QuotaReader)
	if !ok {
		return Quota{}, false, nil
	}
	q, err = qr.Quota(ctx)
	return q, true, err
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
