package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"opsdeck/portfolio"
	"opsdeck/reports"
	"opsdeck/store"
)

// rendered is one role's report, ready to address.
type rendered struct {
	role          portfolio.ReportRole
	subject       string
	text, html    string
	figures       string
	recipients    []portfolio.Recipient
	suppressedSet map[string]store.Suppression
}

// render renders the roles' reports, with each one's "what changed" taken
// against the last copy that went out.
func (s *Service) render(ctx context.Context, roles []portfolio.ReportRole) ([]rendered, error) {
	snap, err := s.Store.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	suppressed, err := s.Store.Suppressed(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the suppression list: %w", err)
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
	out, err := s.Reports.RenderAll(snap, roles, []reports.Format{reports.Text, reports.HTML}, reports.RenderOptions{Width: 78}, previous)
	if err != nil {
		return nil, err
	}
	var all []rendered
	for i, role := range roles {
		rep, err := s.Reports.Build(snap, role)
		if err != nil {
			return nil, err
		}
		figs, _ := json.Marshal(rep.Figures())
		r := rendered{role: role, subject: reports.Subject(snap, role), text: out[2*i].Text, html: out[2*i+1].Text,
			figures: string(figs), suppressedSet: suppressed}
		for _, rc := range snap.Recipients {
			if rc.Role == role {
				r.recipients = append(r.recipients, rc)
			}
		}
		all = append(all, r)
	}
	return all, nil
}

// message is r's report addressed to one mailbox.
func (s *Service) message(r rendered, purpose, to, bare string) store.OutboxMessage {
	m := store.OutboxMessage{Kind: "report", Role: r.role, Purpose: purpose, Recipient: bare,
		MessageID: NewMessageID(s.Config.From, s.Clock.Now()), From: s.Config.From, To: []string{to},
		Subject: r.subject, Text: r.text, HTML: r.html, Figures: r.figures, Status: store.OutboxQueued}
	if sp, ok := r.suppressedSet[bare]; ok {
		m.Status = store.OutboxSuppressed
		m.LastError = fmt.Sprintf("not sent: %s is on the suppression list after a %s%s (opsdeck suppression remove %s mails it again)",
			bare, sp.Reason, colonDetail(sp.Detail), bare)
	}
	return m
}

func colonDetail(detail string) string {
	if detail == "" {
		return ""
	}
	return ": " + detail
}

// Build renders the roles' reports and makes their outbox messages: one
// per recipient, so nobody sees the others' addresses and one bad address
// costs one message, plus one audit copy per report when OPSDECK_MAIL_BCC
// is set. A role with no recipients, or an address that does not parse,
// gives a message already failed with the reason; an address on the
// suppression list gives one suppressed, never tried.
func (s *Service) Build(ctx context.Context, roles []portfolio.ReportRole) ([]store.OutboxMessage, error) {
	reps, err := s.render(ctx, roles)
	if err != nil {
		return nil, err
	}
	var msgs []store.OutboxMessage
	for _, r := range reps {
		seen := map[string]bool{}
		queued := 0
		for _, rc := range r.recipients {
			a, err := mail.ParseAddress(rc.Person.Email)
			if err != nil || a.Address != rc.Person.Email {
				m := s.message(r, store.PurposeRecipient, rc.Person.Email, "")
				m.Status, m.LastError = store.OutboxFailed, fmt.Sprintf("invalid recipient address: %s <%s>", rc.Person.Name, rc.Person.Email)
				msgs = append(msgs, m)
				continue
			}
			bare := strings.ToLower(a.Address)
			if seen[bare] {
				continue
			}
			seen[bare] = true
			m := s.message(r, store.PurposeRecipient, (&mail.Address{Name: rc.Person.Name, Address: rc.Person.Email}).String(), bare)
			if m.Status == store.OutboxQueued {
				queued++
			}
			msgs = append(msgs, m)
		}
		if len(r.recipients) == 0 {
			m := s.message(r, store.PurposeRecipient, "", "")
			m.To = nil
			m.Status, m.LastError = store.OutboxFailed, fmt.Sprintf("the %s report has no recipients (opsdeck recipients add %s EMAIL)", r.role.Title(), r.role)
			msgs = append(msgs, m)
		}
		if s.Config.Bcc != "" && queued > 0 {
			bare, _ := store.NormalizeAddress(s.Config.Bcc)
			msgs = append(msgs, s.message(r, store.PurposeAudit, s.Config.Bcc, bare))
		}
	}
	return msgs, nil
}

// Prepared is a batch rendered and checked, not yet written: what a caller
// queues inside its own transaction (the scheduler claims its slot in the
// same one, so no crash can separate the two).
type Prepared struct {
	Roles    []portfolio.ReportRole
	Reason   string
	Messages []store.OutboxMessage
	// Quota is the provider's limits when it could say; QuotaErr is why
	// it could not, when it has limits but did not answer.
	Quota    *Quota
	QuotaErr error
	// BatchID is set once Queue has written the batch.
	BatchID int64

	svc *Service
}

// Prepare renders the roles' reports, addresses them and reads the
// provider's quota. Nothing is written.
func (s *Service) Prepare(ctx context.Context, roles []portfolio.ReportRole, reason string) (*Prepared, error) {
	msgs, err := s.Build(ctx, roles)
	if err != nil {
		return nil, err
	}
	return s.prepared(ctx, roles, reason, msgs), nil
}

func (s *Service) prepared(ctx context.Context, roles []portfolio.ReportRole, reason string, msgs []store.OutboxMessage) *Prepared {
	p := &Prepared{Roles: roles, Reason: reason, Messages: msgs, svc: s}
	switch q, has, err := s.quota(ctx); {
	case err != nil:
		p.QuotaErr = err
		s.Logger.Warn("sending quota unknown: queuing with no 24-hour check, sending at OPSDECK_SES_RATE",
			"rate", s.Config.Rate, "err", err)
	case has:
		p.Quota = &q
	}
	return p
}

// PrepareTest renders role's report for one address that need not be a
// recipient, marked as a test, so the provider's set-up can be checked
// without mailing the executives.
func (s *Service) PrepareTest(ctx context.Context, role portfolio.ReportRole, addr string) (*Prepared, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(addr))
	if err != nil {
		return nil, portfolio.Errorf(portfolio.EINVALID, "--to %q is not an email address", addr)
	}
	reps, err := s.render(ctx, []portfolio.ReportRole{role})
	if err != nil {
		return nil, err
	}
	r := reps[0]
	r.subject = "[test] " + r.subject
	m := s.message(r, store.PurposeTest, a.String(), strings.ToLower(a.Address))
	if m.Status == store.OutboxSuppressed {
		return nil, portfolio.Errorf(portfolio.ECONFLICT, "%s", strings.TrimPrefix(m.LastError, "not sent: "))
	}
	return s.prepared(ctx, []portfolio.ReportRole{role}, "test", []store.OutboxMessage{m}), nil
}

// Recipients counts the recipients the batch will send to.
func (p *Prepared) Recipients() int {
	n := 0
	for _, m := range p.Messages {
		if m.Status == store.OutboxQueued {
			n += m.Recipients()
		}
	}
	return n
}

// Count is how many of the batch's messages are in status.
func (p *Prepared) Count(status string) int {
	n := 0
	for _, m := range p.Messages {
		if m.Status == status {
			n++
		}
	}
	return n
}

// Problem joins the reasons of messages that cannot be sent (bad
// addresses, a role with no recipients); nil when there are none.
// Suppressed addresses are no problem: they are skipped on purpose.
func (p *Prepared) Problem() error {
	var errs []error
	for _, m := range p.Messages {
		if m.Status == store.OutboxFailed {
			errs = append(errs, errors.New(m.LastError))
		}
	}
	return errors.Join(errs...)
}

// QuotaError is a batch refused because it would exceed the provider's
// remaining 24-hour quota.
type QuotaError struct{ Need, Pending, Remaining int }

func (e *QuotaError) Error() string {
	pending := ""
	if e.Pending > 0 {
		pending = fmt.Sprintf(", and %s already queued and not yet sent count against it", portfolio.Plural(int64(e.Pending), "recipient is", "recipients are"))
	}
	return fmt.Sprintf("this batch needs %s but only %d remain of the 24-hour sending quota%s (SES counts every recipient, audit copies included); nothing was queued",
		portfolio.Plural(int64(e.Need), "recipient", "recipients"), e.Remaining, pending)
}

// Queue writes the batch in the caller's transaction, after checking that
// it fits in what remains of the 24-hour quota once everything already
// queued has gone: the transaction is the one writer's, so two batches
// cannot both count the same remainder.
func (p *Prepared) Queue(ctx context.Context, tx *store.Tx) (int64, error) {
	if p.Quota != nil {
		if rem := p.Quota.Remaining(); rem >= 0 {
			pending, err := tx.PendingRecipients(ctx)
			if err != nil {
				return 0, err
			}
			if need := p.Recipients(); need+pending > rem {
				return 0, &QuotaError{Need: need, Pending: pending, Remaining: rem}
			}
		}
	}
	batch := store.OutboxBatch{Reason: p.Reason, Transport: p.svc.Transport.Name()}
	if err := tx.CreateBatch(ctx, &batch, p.Messages); err != nil {
		return 0, fmt.Errorf("queue %s: %w", describeRoles(p.Roles), err)
	}
	p.BatchID = batch.ID
	return batch.ID, nil
}

// Announce tells progress listeners and the worker about a batch whose
// transaction has committed.
func (p *Prepared) Announce() {
	for _, m := range p.Messages {
		p.svc.publish(Progress{MessageID: m.ID, BatchID: p.BatchID, Role: m.Role, Recipient: m.Recipient, Status: m.Status, Error: m.LastError})
	}
	p.svc.Wake()
}

// Commit queues a prepared batch in a transaction of its own.
func (p *Prepared) Commit(ctx context.Context) error {
	if err := p.svc.Store.Update(ctx, p.svc.Actor, func(tx *store.Tx) error {
		_, err := p.Queue(ctx, tx)
		return err
	}); err != nil {
		return err
	}
	p.Announce()
	return nil
}

// Enqueue renders the roles' reports and writes them to the outbox as one
// batch, in one transaction, after checking the provider's daily quota.
func (s *Service) Enqueue(ctx context.Context, roles []portfolio.ReportRole, reason string) (int64, []store.OutboxMessage, error) {
	p, err := s.Prepare(ctx, roles, reason)
	if err != nil {
		return 0, nil, err
	}
	if err := p.Commit(ctx); err != nil {
		return 0, nil, err
	}
	return p.BatchID, p.Messages, nil
}
