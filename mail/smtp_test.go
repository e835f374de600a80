package mail

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpServer is a small SMTP server for tests: STARTTLS with a certificate
// made here, AUTH PLAIN after TLS only, and scripted replies to RCPT.
type smtpServer struct {
	addr   string
	roots  *x509.CertPool
	mu     sync.Mutex
	got    []smtpDelivery
	authed []string
}

type smtpDelivery struct {
	from string
	rcpt []string
	data string
}

func startSMTP(t *testing.T, offerTLS bool) *smtpServer {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true,
		BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &smtpServer{addr: l.Addr().String(), roots: roots}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				srv.serve(conn, tlsCfg, offerTLS)
			}()
		}
	}()
	return srv
}

func (s *smtpServer) serve(conn net.Conn, tlsCfg *tls.Config, offerTLS bool) {
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	w := func(line string) { conn.Write([]byte(line + "\r\n")) }
	w("220 test ESMTP")
	secure := false
	var d smtpDelivery
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.TrimSpace(line)
		upper := strings.ToUpper(cmd)
		switch {
		case strings.HasPrefix(upper, "EHLO"):
			switch {
			case secure:
				w("250-test")
				w("250 AUTH PLAIN")
			case offerTLS:
				w("250-test")
				w("250 STARTTLS")
			default:
				w("250 test")
			}
		case upper == "STARTTLS":
			w("220 go ahead")
			tc := tls.Server(conn, tlsCfg)
			if tc.Handshake() != nil {
				return
			}
			conn, r, secure = tc, bufio.NewReader(tc), true
		case strings.HasPrefix(upper, "AUTH PLAIN"):
			raw, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(cmd[len("AUTH PLAIN"):]))
			parts := strings.Split(string(raw), "\x00")
			if !secure || len(parts) != 3 || parts[1] != "smtp-user" || parts[2] != "smtp-pass" {
				w("535 authentication failed")
				continue
			}
			s.mu.Lock()
			s.authed = append(s.authed, parts[1])
			s.mu.Unlock()
			w("235 ok")
		case strings.HasPrefix(upper, "MAIL FROM:"):
			d = smtpDelivery{from: strings.Trim(cmd[len("MAIL FROM:"):], "<> ")}
			w("250 ok")
		case strings.HasPrefix(upper, "RCPT TO:"):
			rcpt := strings.Trim(cmd[len("RCPT TO:"):], "<> ")
			switch rcpt {
			case "nobody@example.com":
				w("550 5.1.1 no such user")
			case "busy@example.com":
				w("451 4.3.0 try again later")
			default:
				d.rcpt = append(d.rcpt, rcpt)
				w("250 ok")
			}
		case upper == "DATA":
			w("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			d.data = b.String()
			s.mu.Lock()
			s.got = append(s.got, d)
			s.mu.Unlock()
			w("250 queued")
		case upper == "QUIT":
			w("221 bye")
			return
		default:
			w("502 unknown")
		}
	}
}

func smtpTransport(s *smtpServer) *SMTPTransport {
	host, port, _ := net.SplitHostPort(s.addr)
	p := 0
	for _, c := range port {
		p = p*10 + int(c-'0')
	}
	return &SMTPTransport{Host: host, Port: p, Username: "smtp-user", Password: "smtp-pass", RootCAs: s.roots, Timeout: 5 * time.Second}
}

func TestSMTPWithSTARTTLSAndAuth(t *testing.T) {
	srv := startSMTP(t, true)
	tr := smtpTransport(srv)
	id, err := tr.Send(context.Background(), sampleMessage())
	if err != nil {
		t.Fatal(err)
	}
	if id != sampleMessage().ID || len(srv.got) != 1 || len(srv.authed) != 1 {
		t.Fatalf("id %q, %d deliveries, %d logins", id, len(srv.got), len(srv.authed))
	}
	d := srv.got[0]
	if d.from != "reports@example.com" || strings.Join(d.rcpt, ",") != "owner@example.com,audit@example.com" {
		t.Errorf("envelope from %q to %v", d.from, d.rcpt)
	}
	msg, body := parts(t, []byte(d.data))
	if msg.Header.Get("Bcc") != "" || !strings.Contains(body["text/plain"], "Burn $7,036") {
		t.Errorf("message on the wire: bcc %q", msg.Header.Get("Bcc"))
	}

	bad := smtpTransport(srv)
	bad.Password = "wrong"
	if _, err := bad.Send(context.Background(), sampleMessage()); IsTransient(err) || !strings.Contains(err.Error(), "535") {
		t.Errorf("a wrong password: %v (transient=%v)", err, IsTransient(err))
	}
	m := sampleMessage()
	m.To = []string{"nobody@example.com"}
	if _, err := tr.Send(context.Background(), m); IsTransient(err) || !strings.Contains(err.Error(), "550") {
		t.Errorf("an unknown user: %v", err)
	}
	m.To = []string{"busy@example.com"}
	if _, err := tr.Send(context.Background(), m); !IsTransient(err) {
		t.Errorf("a 451 is not transient: %v", err)
	}
}

func TestSMTPRefusesAServerWithoutTLS(t *testing.T) {
	srv := startSMTP(t, false)
	tr := smtpTransport(srv)
	_, err := tr.Send(context.Background(), sampleMessage())
	if err == nil || IsTransient(err) || !strings.Contains(err.Error(), "does not offer STARTTLS") {
		t.Errorf("plain server: %v", err)
	}
	if len(srv.got) != 0 {
		t.Error("a report went out over a plain connection")
	}
	tr.AllowPlain, tr.Username = true, ""
	if _, err := tr.Send(context.Background(), sampleMessage()); err != nil {
		t.Errorf("with AllowPlain on loopback: %v", err)
	}
}

func TestConfigureChoosesTheTransport(t *testing.T) {
	ctx := context.Background()
	empty := func(string) string { return "" }
	st, err := Configure(ctx, empty, "/tmp/outbox")
	if err != nil || !strings.HasPrefix(st.Transport.Name(), "file (/tmp/outbox)") || !strings.Contains(st.Why, "no AWS credentials") &&
		!strings.Contains(st.Why, "no AWS region") {
		t.Errorf("no settings: %v %s (%s)", err, st.Transport.Name(), st.Why)
	}
	for _, tc := range []struct {
		settings map[string]string
		want     string
	}{
		{map[string]string{"OPSDECK_MAIL_TRANSPORT": "pigeon"}, "must be auto, ses, smtp or file"},
		{map[string]string{"OPSDECK_MAIL_TRANSPORT": "smtp"}, "needs OPSDECK_SMTP_HOST"},
		{map[string]string{"OPSDECK_SMTP_HOST": "mail.example.com", "OPSDECK_MAIL_FROM": "x@example.com", "OPSDECK_SMTP_PORT": "ninety"}, "not a port"},
		{map[string]string{"OPSDECK_SES_RATE": "-1"}, "OPSDECK_SES_RATE"},
		{map[string]string{"OPSDECK_SMTP_HOST": "mail.example.com", "OPSDECK_MAIL_FROM": "x@example.com", "OPSDECK_SMTP_ALLOW_PLAINTEXT": "1"}, "loopback"},
	} {
		_, err := Configure(ctx, func(k string) string { return tc.settings[k] }, "/tmp/outbox")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.settings, err, tc.want)
		}
	}
	st, err = Configure(ctx, func(k string) string {
		return map[string]string{"OPSDECK_SMTP_HOST": "mail.example.com", "OPSDECK_MAIL_FROM": "x@example.com"}[k]
	}, "")
	if err != nil || st.Transport.Name() != "smtp (mail.example.com:587)" {
		t.Errorf("smtp: %v %v", err, st.Transport)
	}
}
