package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"time"
)

// SMTPTransport sends through an SMTP server (SES's SMTP interface or any
// other provider) with STARTTLS and AUTH.
type SMTPTransport struct {
	Host     string
	Port     int
	Username string
	Password string
	// RootCAs, if set, replaces the system roots (a private relay's CA).
	RootCAs *x509.CertPool
	// AllowPlain permits a server without STARTTLS, only on loopback.
	AllowPlain bool
	Timeout    time.Duration
}

// Name describes the transport.
func (s *SMTPTransport) Name() string { return fmt.Sprintf("smtp (%s:%d)", s.Host, s.Port) }

// Send delivers m: STARTTLS first (refusing a server without it), then AUTH
// if a username is set, then one RCPT per recipient, BCC included, with no
// Bcc header in the message itself.
func (s *SMTPTransport) Send(ctx context.Context, m *Message) (string, error) {
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	// A server that does not answer the connection is down or
	// misconfigured: give up on this attempt well before the whole
	// exchange's timeout.
	d := net.Dialer{Timeout: min(timeout, 10*time.Second)}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", unreachable("NetworkError", fmt.Errorf("connect to %s: %w", addr, err))
	}
	_ = conn.SetDeadline(time.Now().Add(timeout))
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return "", classifySMTP(err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: s.Host, RootCAs: s.RootCAs, MinVersion: tls.VersionTLS12}); err != nil {
			return "", permanent("TLSError", fmt.Errorf("STARTTLS with %s: %w", addr, err))
		}
	} else if !s.AllowPlain {
		return "", permanent("NoSTARTTLS", fmt.Errorf("%s does not offer STARTTLS; refusing to send credentials and reports in clear", addr))
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return "", classifySMTP(err)
		}
	}
	if err := c.Mail(addressOnly(m.From)); err != nil {
		return "", classifySMTP(err)
	}
	for _, r := range m.Recipients() {
		if err := c.Rcpt(addressOnly(r)); err != nil {
			return "", classifySMTP(fmt.Errorf("recipient %s: %w", r, err))
		}
	}
	w, err := c.Data()
	if err != nil {
		return "", classifySMTP(err)
	}
	raw, err := m.Bytes(false)
	if err != nil {
		return "", permanent("FormatError", err)
	}
	// From here on the server may have the message: a broken connection
	// is a failure that may have been delivered.
	if _, err := w.Write(raw); err != nil {
		return "", cutOffSMTP(err)
	}
	if err := w.Close(); err != nil {
		return "", cutOffSMTP(err)
	}
	if err := c.Quit(); err != nil {
		// The server took the message before QUIT failed.
		return m.ID, nil
	}
	return m.ID, nil
}

func cutOffSMTP(err error) error {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return classifySMTP(err) // the server answered: it did not take it
	}
	return cutOff("NetworkError", err)
}

// classifySMTP: 4xx replies are temporary by definition, 5xx permanent,
// and a dropped connection is worth another try.
func classifySMTP(err error) error {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		code := "SMTP" + strconv.Itoa(tp.Code)
		if tp.Code >= 400 && tp.Code < 500 {
			return transient(code, err)
		}
		return permanent(code, err)
	}
	return transient("NetworkError", err)
}

func addressOnly(a string) string {
	if addr, err := parseAddress(a); err == nil {
		return addr
	}
	return a
}
