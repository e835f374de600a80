package sns

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits on what a verifier fetches and accepts.
const (
	// MaxAge is how old a message's Timestamp may be. SNS retries a
	// delivery for far less than this under its default policy.
	MaxAge = time.Hour
	// MaxSkew is how far ahead of our clock a Timestamp may be.
	MaxSkew = 5 * time.Minute
	// FetchTimeout bounds each certificate fetch and subscription
	// confirmation.
	FetchTimeout = 10 * time.Second
	// maxCertBody caps a fetched certificate file (a PEM chain is a few KB).
	maxCertBody = 64 << 10
	// maxConfirmBody caps the answer to a subscription confirmation.
	maxConfirmBody = 64 << 10
	// defaultCacheSize is how many certificates are kept, by URL.
	defaultCacheSize = 16
	// cacheFor is the longest a fetched certificate is kept; SNS rotates
	// its signing certificate now and then under a new URL.
	cacheFor = 24 * time.Hour
	// maxIssuers is how many issuing certificates (AIA) are fetched to
	// complete a chain the certificate file does not carry.
	maxIssuers = 2
)

// Options configure a Verifier. The zero value verifies against the
// system's roots over the network.
type Options struct {
	// Client fetches signing certificates and confirms subscriptions; it
	// never follows redirects (a copy is made with redirects off). By
	// default, http.DefaultTransport. Tests give one whose dialer sends
	// sns.REGION.amazonaws.com:443 to a local TLS server.
	Client *http.Client
	// Roots are the trust anchors a signing certificate must chain to;
	// nil means the system's roots.
	Roots *x509.CertPool
	// Now is the clock Timestamps and certificate validity are judged by;
	// time.Now by default.
	Now func() time.Time
	// CacheSize bounds the certificates kept; 16 by default.
	CacheSize int
	// FetchEvery bounds how often a certificate not in the cache is
	// fetched (after a burst of a few); one a second by default. Anyone
	// who knows a configured topic can post messages naming new
	// certificate paths on SNS's host: without a bound, each would be a
	// request from us. A message over the bound is answered 503, so SNS
	// (which never needs more than a new certificate now and then) tries
	// again.
	FetchEvery time.Duration
}

// Verifier checks SNS messages' signatures, fetching and caching the
// signing certificates. It is safe for concurrent use.
type Verifier struct {
	client *http.Client
	roots  *x509.CertPool
	now    func() time.Time
	size   int

	fetches *rate.Limiter

	mu    sync.Mutex
	cache map[string]cachedCert
}

// fetchBurst is how many certificates may be fetched at once before
// FetchEvery applies.
const fetchBurst = 4

type cachedCert struct {
	cert    *x509.Certificate
	fetched time.Time
}

// NewVerifier builds a Verifier.
func NewVerifier(opts Options) *Verifier {
	var c http.Client
	if opts.Client != nil {
		c = *opts.Client
	}
	// A redirect would take us off the host we checked.
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = defaultCacheSize
	}
	if opts.FetchEvery <= 0 {
		opts.FetchEvery = time.Second
	}
	return &Verifier{client: &c, roots: opts.Roots, now: opts.Now, size: opts.CacheSize, cache: map[string]cachedCert{},
		fetches: rate.NewLimiter(rate.Every(opts.FetchEvery), fetchBurst)}
}

// Verify checks that m was signed by SNS for its topic and is fresh: the
// Timestamp, the certificate URL, the certificate's chain and the
// signature, cheapest first. It says nothing about whether the topic is
// wanted or the message was seen before.
func (v *Verifier) Verify(ctx context.Context, m *Message) error {
	topic, err := ParseTopicARN(m.TopicARN)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrSignature, err)
	}
	if err := v.checkTimestamp(m.Timestamp); err != nil {
		return err
	}
	var hash crypto.Hash
	switch m.SignatureVersion {
	case "1":
		hash = crypto.SHA1
	case "2":
		hash = crypto.SHA256
	case "":
		return fmt.Errorf("%w: the message is not signed (no SignatureVersion)", ErrSignature)
	default:
		return fmt.Errorf("%w: unknown SignatureVersion %q", ErrSignature, m.SignatureVersion)
	}
	if m.Signature == "" {
		return fmt.Errorf("%w: the message is not signed (no Signature)", ErrSignature)
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil {
		return fmt.Errorf("%w: the Signature is not base64", ErrSignature)
	}
	if err := checkSNSURL(m.SigningCertURL, topic, "SigningCertURL"); err != nil {
		return err
	}
	if !strings.HasSuffix(mustParse(m.SigningCertURL).Path, ".pem") {
		return fmt.Errorf("%w: SigningCertURL %q is not a .pem file", ErrCertURL, m.SigningCertURL)
	}
	cert, err := v.certificate(ctx, m.SigningCertURL)
	if err != nil {
		return err
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return fmt.Errorf("%w: the certificate's key is not RSA", ErrCertificate)
	}
	text, err := m.StringToSign()
	if err != nil {
		return err
	}
	var digest []byte
	if hash == crypto.SHA1 {
		d := sha1.Sum([]byte(text))
		digest = d[:]
	} else {
		d := sha256.Sum256([]byte(text))
		digest = d[:]
	}
	if err := rsa.VerifyPKCS1v15(pub, hash, digest, sig); err != nil {
		return fmt.Errorf("%w: the signature does not match the message", ErrSignature)
	}
	return nil
}

func (v *Verifier) checkTimestamp(ts string) error {
	at, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return fmt.Errorf("%w: %q is not an RFC 3339 time", ErrTimestamp, ts)
	}
	now := v.now()
	if age := now.Sub(at); age > MaxAge {
		return fmt.Errorf("%w: the message is %s old (at most %s)", ErrTimestamp, age.Round(time.Second), MaxAge)
	}
	if ahead := at.Sub(now); ahead > MaxSkew {
		return fmt.Errorf("%w: the message is %s in the future (at most %s)", ErrTimestamp, ahead.Round(time.Second), MaxSkew)
	}
	return nil
}

func mustParse(s string) *url.URL {
	u, _ := url.Parse(s)
	return u
}

// checkSNSURL admits only https://sns.REGION.amazonaws.com/... for the
// topic's region: no other scheme, port, user or host, however similar.
// Its errors never repeat the URL: a SubscribeURL carries a token.
func checkSNSURL(raw string, topic TopicARN, what string) error {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return fmt.Errorf("%w: the %s is not a URL", ErrCertURL, what)
	}
	switch {
	case u.Scheme != "https":
		return fmt.Errorf("%w: the %s is not https (scheme %q)", ErrCertURL, what, u.Scheme)
	case u.User != nil || u.Opaque != "":
		return fmt.Errorf("%w: the %s is not a plain https URL", ErrCertURL, what)
	case u.Host != topic.Host():
		return fmt.Errorf("%w: the %s's host %q is not %s (the topic's region)", ErrCertURL, what, u.Host, topic.Host())
	case u.Fragment != "":
		return fmt.Errorf("%w: the %s has a fragment", ErrCertURL, what)
	}
	return nil
}

// certificate returns the verified signing certificate at rawURL, from
// the cache while it is young and valid.
func (v *Verifier) certificate(ctx context.Context, rawURL string) (*x509.Certificate, error) {
	now := v.now()
	v.mu.Lock()
	c, ok := v.cache[rawURL]
	v.mu.Unlock()
	if ok && now.Sub(c.fetched) < cacheFor && !now.Before(c.cert.NotBefore) && !now.After(c.cert.NotAfter) {
		return c.cert, nil
	}
	if !v.fetches.Allow() {
		return nil, fmt.Errorf("%w: too many signing certificates to fetch at once; try again", ErrUnavailable)
	}
	body, err := v.fetch(ctx, rawURL, maxCertBody, "signing certificate")
	if err != nil {
		return nil, err
	}
	certs, err := parseCerts(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCertificate, rawURL, err)
	}
	leaf := certs[0]
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{Roots: v.roots, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
	_, err = leaf.Verify(opts)
	var unknown x509.UnknownAuthorityError
	if errors.As(err, &unknown) && len(certs) == 1 && len(leaf.IssuingCertificateURL) > 0 {
		// SNS serves the signing certificate alone; its issuer is named
		// by the certificate (Authority Information Access). What is
		// fetched there is trusted only through the chain to our roots.
		if err2 := v.addIssuers(ctx, leaf, inter); err2 != nil {
			return nil, err2
		}
		_, err = leaf.Verify(opts)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s does not chain to a trusted root: %v", ErrCertificate, rawURL, err)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.cache[rawURL]; !ok && len(v.cache) >= v.size {
		oldest := ""
		for u, c := range v.cache {
			if oldest == "" || c.fetched.Before(v.cache[oldest].fetched) {
				oldest = u
			}
		}
		delete(v.cache, oldest)
	}
	v.cache[rawURL] = cachedCert{cert: leaf, fetched: now}
	return leaf, nil
}

// addIssuers fetches the certificates that issued leaf, at most
// maxIssuers of them, into pool.
func (v *Verifier) addIssuers(ctx context.Context, leaf *x509.Certificate, pool *x509.CertPool) error {
	for i, raw := range leaf.IssuingCertificateURL {
		if i == maxIssuers {
			break
		}
		if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			continue
		}
		body, err := v.fetch(ctx, raw, maxCertBody, "issuing certificate")
		if err != nil {
			if errors.Is(err, ErrUnavailable) {
				return err
			}
			continue
		}
		certs, err := parseCerts(body)
		if err != nil {
			continue
		}
		for _, c := range certs {
			pool.AddCert(c)
		}
	}
	return nil
}

// parseCerts reads PEM certificates (the first is the leaf), or one DER
// certificate as issuer URLs serve them.
func parseCerts(body []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := body
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		c, err := x509.ParseCertificate(body)
		if err != nil {
			return nil, errors.New("no certificate in it")
		}
		certs = append(certs, c)
	}
	return certs, nil
}

// fetch GETs rawURL with the fetch timeout, reading at most limit bytes.
// Network failures and 5xx answers are ErrUnavailable; other answers
// that are not 200 are ErrCertificate.
func (v *Verifier) fetch(ctx context.Context, rawURL string, limit int64, what string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCertURL, what, err)
	}
	resp, err := v.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: fetch the %s: %v", ErrUnavailable, what, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 500 {
		return nil, fmt.Errorf("%w: fetch the %s: %s", ErrUnavailable, what, resp.Status)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: fetch the %s %s: %s", ErrCertificate, what, rawURL, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read the %s: %v", ErrUnavailable, what, err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: the %s at %s is over %d bytes", ErrCertificate, what, rawURL, limit)
	}
	return body, nil
}

// Confirm confirms the subscription a verified SubscriptionConfirmation
// asks for, by a GET of its SubscribeURL, which must be https on the
// topic's SNS host and ask for ConfirmSubscription of that topic. It
// returns the subscription's ARN. Call it only after Verify.
func (v *Verifier) Confirm(ctx context.Context, m *Message) (string, error) {
	if m.Type != TypeSubscriptionConfirmation {
		return "", fmt.Errorf("%w: a %s confirms nothing", ErrMalformed, m.Type)
	}
	topic, err := ParseTopicARN(m.TopicARN)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrSignature, err)
	}
	if err := checkSNSURL(m.SubscribeURL, topic, "SubscribeURL"); err != nil {
		return "", err
	}
	q := mustParse(m.SubscribeURL).Query()
	if q.Get("Action") != "ConfirmSubscription" || q.Get("TopicArn") != m.TopicARN {
		// The URL itself carries the token: never put it in an error.
		return "", fmt.Errorf("%w: the SubscribeURL does not confirm a subscription to %s", ErrCertURL, m.TopicARN)
	}
	ctx, cancel := context.WithTimeout(ctx, FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.SubscribeURL, nil)
	if err != nil {
		return "", fmt.Errorf("%w: the SubscribeURL is not a URL", ErrCertURL)
	}
	resp, err := v.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("%w: confirm the subscription: %v", ErrUnavailable, redact(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxConfirmBody))
	if err != nil {
		return "", fmt.Errorf("%w: confirm the subscription: %v", ErrUnavailable, redact(err))
	}
	if resp.StatusCode != http.StatusOK {
		what := fmt.Errorf("confirm the subscription to %s: SNS answered %s", m.TopicARN, resp.Status)
		if resp.StatusCode >= 500 {
			return "", fmt.Errorf("%w: %v", ErrUnavailable, what)
		}
		return "", what
	}
	var answer struct {
		ARN string `xml:"ConfirmSubscriptionResult>SubscriptionArn"`
	}
	_ = xml.Unmarshal(body, &answer) // the 200 is what counts
	return answer.ARN, nil
}

// redact drops the URL (which carries the subscription's token) from a
// client error, keeping what went wrong.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
