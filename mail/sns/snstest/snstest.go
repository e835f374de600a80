// Package snstest stands in for Amazon SNS in tests: a certificate
// authority made at run time, a signing certificate it issues (through an
// intermediate named by the certificate, as SNS's own is), TLS and plain
// servers on 127.0.0.1 that serve the certificates and confirm
// subscriptions, an HTTP client whose dialer sends sns.REGION.amazonaws.com
// to them (and nothing anywhere else), and signed messages. Nothing
// outside tests imports it.
package snstest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"opsdeck/mail/sns"
)

// Region and Account are those of the fake's topic.
const (
	Region  = "us-east-1"
	Account = "123456789012"
	// IssuerHost serves the intermediate certificate over plain HTTP, as
	// the issuer URLs in Amazon's certificates do.
	IssuerHost = "crt.snstest.invalid"
)

// Host is the fake's SNS host.
const Host = "sns." + Region + ".amazonaws.com"

// Paths the fake's TLS server answers.
const (
	CertPath      = "/SimpleNotificationService-snstest.pem"       // the signing certificate alone
	ChainPath     = "/SimpleNotificationService-snstest-chain.pem" // with its intermediate
	UntrustedPath = "/SimpleNotificationService-untrusted.pem"     // issued by a CA nobody trusts
	IssuerPath    = "/intermediate.cer"                            // the intermediate, DER, on IssuerHost
)

// keys are made once per test binary: RSA keys are slow to generate.
var keys struct {
	once                              sync.Once
	root, inter, untrustedRoot        *ecdsa.PrivateKey
	signing, untrustedSigning, server crypto.Signer
}

func makeKeys() {
	keys.once.Do(func() {
		ec := func() *ecdsa.PrivateKey {
			k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				panic(err)
			}
			return k
		}
		rs := func() *rsa.PrivateKey {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			return k
		}
		keys.root, keys.inter, keys.untrustedRoot = ec(), ec(), ec()
		keys.signing, keys.untrustedSigning, keys.server = rs(), rs(), ec()
	})
}

// SNS is a fake SNS endpoint for one topic.
type SNS struct {
	t testing.TB
	// Topic is the fake topic's ARN.
	Topic string
	// Roots trusts the fake's CA (and nothing else): give it to the
	// verifier as its roots.
	Roots *x509.CertPool
	// Client reaches the fake's servers under their AWS names, and
	// refuses every other address.
	Client *http.Client
	// CertURL is where the signing certificate is (alone, its issuer
	// named inside it).
	CertURL string
	// Now stamps new messages; time.Now unless set.
	Now func() time.Time

	signing   *rsa.PrivateKey
	tls       *httptest.Server
	plain     *httptest.Server
	mu        sync.Mutex
	tokens    map[string]bool
	confirmed []string
	fetches   map[string]int
	seq       int
}

// New starts a fake SNS for a topic named name in Region, stopped when
// the test ends.
func New(t testing.TB, name string) *SNS {
	t.Helper()
	makeKeys()
	f := &SNS{t: t, Topic: "arn:aws:sns:" + Region + ":" + Account + ":" + name, Now: time.Now,
		signing: keys.signing.(*rsa.PrivateKey), tokens: map[string]bool{}, fetches: map[string]int{}}
	now := time.Now()
	root := certify(t, &x509.Certificate{Subject: pkix.Name{CommonName: "snstest root"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}, nil, keys.root, keys.root.Public(), now)
	inter := certify(t, &x509.Certificate{Subject: pkix.Name{CommonName: "snstest intermediate"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}, root, keys.root, keys.inter.Public(), now)
	signing := certify(t, &x509.Certificate{Subject: pkix.Name{CommonName: Host}, DNSNames: []string{Host},
		KeyUsage: x509.KeyUsageDigitalSignature, IssuingCertificateURL: []string{"http://" + IssuerHost + IssuerPath}},
		inter, keys.inter, keys.signing.Public(), now)
	untrustedRoot := certify(t, &x509.Certificate{Subject: pkix.Name{CommonName: "snstest untrusted root"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}, nil, keys.untrustedRoot, keys.untrustedRoot.Public(), now)
	untrusted := certify(t, &x509.Certificate{Subject: pkix.Name{CommonName: Host}, DNSNames: []string{Host},
		KeyUsage: x509.KeyUsageDigitalSignature}, untrustedRoot, keys.untrustedRoot, keys.signing.Public(), now)
	server := certify(t, &x509.Certificate{Subject: pkix.Name{CommonName: Host}, DNSNames: []string{Host},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}, root, keys.root, keys.server.Public(), now)

	f.Roots = x509.NewCertPool()
	f.Roots.AddCert(root)
	files := map[string][]byte{
		CertPath:      pemOf(signing),
		ChainPath:     append(pemOf(signing), pemOf(inter)...),
		UntrustedPath: pemOf(untrusted),
	}
	f.tls = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.fetches[r.URL.Path]++
		f.mu.Unlock()
		if body, ok := files[r.URL.Path]; ok {
			w.Write(body)
			return
		}
		if r.URL.Path == "/" && r.URL.Query().Get("Action") == "ConfirmSubscription" {
			f.confirm(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	f.tls.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{server.Raw, root.Raw}, PrivateKey: keys.server}}}
	f.tls.StartTLS()
	t.Cleanup(f.tls.Close)
	f.plain = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.fetches[r.URL.Path]++
		f.mu.Unlock()
		if r.URL.Path == IssuerPath {
			w.Write(inter.Raw)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(f.plain.Close)

	routes := map[string]string{
		Host + ":443":      f.tls.Listener.Addr().String(),
		IssuerHost + ":80": f.plain.Listener.Addr().String(),
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			target, ok := routes[addr]
			if !ok {
				return nil, fmt.Errorf("snstest: no route to %s: tests reach only the fake on 127.0.0.1", addr)
			}
			return dialer.DialContext(ctx, "tcp", target)
		},
		TLSClientConfig: &tls.Config{RootCAs: f.Roots},
	}
	t.Cleanup(tr.CloseIdleConnections)
	f.Client = &http.Client{Transport: tr}
	f.CertURL = "https://" + Host + CertPath
	return f
}

func certify(t testing.TB, tmpl, parent *x509.Certificate, parentKey crypto.Signer, pub crypto.PublicKey, now time.Time) *x509.Certificate {
	t.Helper()
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl.SerialNumber = serial
	// Valid from long before to long after any clock a test sets.
	tmpl.NotBefore, tmpl.NotAfter = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), now.AddDate(10, 0, 0)
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		t.Fatalf("snstest: make certificate %s: %v", tmpl.Subject.CommonName, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func pemOf(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

func (f *SNS) confirm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	defer f.mu.Unlock()
	if q.Get("TopicArn") != f.Topic || !f.tokens[q.Get("Token")] {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `<ErrorResponse><Error><Code>InvalidParameter</Code></Error></ErrorResponse>`)
		return
	}
	arn := f.Topic + ":" + fmt.Sprintf("00000000-0000-0000-0000-%012d", len(f.confirmed)+1)
	f.confirmed = append(f.confirmed, q.Get("Token"))
	fmt.Fprintf(w, `<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <ConfirmSubscriptionResult><SubscriptionArn>%s</SubscriptionArn></ConfirmSubscriptionResult>
  <ResponseMetadata><RequestId>snstest</RequestId></ResponseMetadata>
</ConfirmSubscriptionResponse>`, arn)
}

// Confirmed is how many subscriptions were confirmed, in order, by token.
func (f *SNS) Confirmed() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.confirmed...)
}

// Fetches is how often a path was asked for.
func (f *SNS) Fetches(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetches[path]
}

func (f *SNS) nextID() string {
	f.mu.Lock()
	f.seq++
	n := f.seq
	f.mu.Unlock()
	b := make([]byte, 6)
	rand.Read(b)
	return fmt.Sprintf("%08x-0000-4000-8000-%s", n, hex.EncodeToString(b))
}

func (f *SNS) timestamp() string { return f.Now().UTC().Format("2006-01-02T15:04:05.000Z") }

// Notification is a signed (SignatureVersion 1) notification carrying
// message.
func (f *SNS) Notification(message string) *sns.Message {
	m := &sns.Message{Type: sns.TypeNotification, MessageID: f.nextID(), TopicARN: f.Topic, Message: message,
		Timestamp: f.timestamp(), SignatureVersion: "1",
		UnsubscribeURL: "https://" + Host + "/?Action=Unsubscribe&SubscriptionArn=" + url.QueryEscape(f.Topic+":sub")}
	f.Sign(m)
	return m
}

// SubscriptionConfirmation is a signed confirmation request whose
// SubscribeURL the fake accepts.
func (f *SNS) SubscriptionConfirmation() *sns.Message {
	return f.confirmation(sns.TypeSubscriptionConfirmation, "You have chosen to subscribe to the topic "+f.Topic+
		".\nTo confirm the subscription, visit the SubscribeURL included in this message.")
}

// UnsubscribeConfirmation is a signed notice that the subscription ended.
func (f *SNS) UnsubscribeConfirmation() *sns.Message {
	return f.confirmation(sns.TypeUnsubscribeConfirmation, "You have chosen to deactivate subscription "+f.Topic+
		":sub.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.")
}

func (f *SNS) confirmation(typ, text string) *sns.Message {
	b := make([]byte, 32)
	rand.Read(b)
	token := hex.EncodeToString(b)
	f.mu.Lock()
	f.tokens[token] = true
	f.mu.Unlock()
	m := &sns.Message{Type: typ, MessageID: f.nextID(), Token: token, TopicARN: f.Topic, Message: text,
		SubscribeURL: "https://" + Host + "/?Action=ConfirmSubscription&TopicArn=" + url.QueryEscape(f.Topic) + "&Token=" + token,
		Timestamp:    f.timestamp(), SignatureVersion: "1"}
	f.Sign(m)
	return m
}

// Sign signs m as SNS would, by its SignatureVersion ("1" if empty), with
// the fake's signing key; an empty SigningCertURL becomes CertURL.
func (f *SNS) Sign(m *sns.Message) {
	f.t.Helper()
	if m.SignatureVersion == "" {
		m.SignatureVersion = "1"
	}
	if m.SigningCertURL == "" {
		m.SigningCertURL = f.CertURL
	}
	text, err := m.StringToSign()
	if err != nil {
		f.t.Fatal(err)
	}
	var sig []byte
	switch m.SignatureVersion {
	case "1":
		d := sha1.Sum([]byte(text))
		sig, err = rsa.SignPKCS1v15(rand.Reader, f.signing, crypto.SHA1, d[:])
	default:
		d := sha256.Sum256([]byte(text))
		sig, err = rsa.SignPKCS1v15(rand.Reader, f.signing, crypto.SHA256, d[:])
	}
	if err != nil {
		f.t.Fatal(err)
	}
	m.Signature = base64.StdEncoding.EncodeToString(sig)
}

// Body is m as SNS posts it.
func Body(m *sns.Message) []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}
