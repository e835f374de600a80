// Package mail sends reports by email. A batch is rendered and written to
// the store's outbox whole, in one transaction, before anything is sent;
// a worker then sends each message through a transport (SES v2, SMTP, or
// .eml files), at the provider's rate, retrying what is transient and
// failing what is not, with every attempt on the record.
package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"slices"
	"strings"
	"time"
)

// Message is one email ready to send.
type Message struct {
	ID      string // RFC 5322 Message-ID, angle brackets included; stable across retries
	From    string
	To      []string
	Bcc     []string
	Subject string
	Text    string
	HTML    string
	Date    time.Time
	// Headers are extra headers such as X-Opsdeck-Report.
	Headers map[string]string
}

// Recipients is every address the message goes to, BCC included.
func (m *Message) Recipients() []string { return append(append([]string{}, m.To...), m.Bcc...) }

// NewMessageID makes a Message-ID in the sender's domain.
func NewMessageID(from string, now time.Time) string {
	domain := "opsdeck.invalid"
	if _, d, ok := strings.Cut(from, "@"); ok && d != "" {
		domain = strings.TrimSuffix(d, ">")
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return fmt.Sprintf("<opsdeck.%d.%s@%s>", now.UnixNano(), hex.EncodeToString(b), domain)
}

// Bytes renders the message as RFC 5322 text with a multipart/alternative
// body (plain text first, then HTML). withBcc adds the Bcc header, as a
// sender's own copy shows it; messages on the wire must not carry it.
func (m *Message) Bytes(withBcc bool) ([]byte, error) {
	var buf bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&buf, "%s: %s\r\n", k, v) }
	h("From", m.From)
	h("To", strings.Join(m.To, ", "))
	if withBcc && len(m.Bcc) > 0 {
		h("Bcc", strings.Join(m.Bcc, ", "))
	}
	h("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	h("Date", m.Date.Format(time.RFC1123Z))
	h("Message-ID", m.ID)
	for _, k := range slices.Sorted(maps.Keys(m.Headers)) {
		h(k, mime.QEncoding.Encode("utf-8", m.Headers[k]))
	}
	h("MIME-Version", "1.0")
	mw := multipart.NewWriter(&buf)
	h("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
	buf.WriteString("\r\n")
	parts := []struct{ ctype, body string }{{"text/plain; charset=utf-8", m.Text}}
	if m.HTML != "" {
		parts = append(parts, struct{ ctype, body string }{"text/html; charset=utf-8", m.HTML})
	}
	for _, p := range parts {
		w, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {p.ctype}, "Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(p.body, "\r\n", "\n"), "\n", "\r\n"))); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
