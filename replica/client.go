package replica

import (
	"cmp"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/file"
	"github.com/benbjohnson/litestream/s3"
)

// Access is how to reach an s3:// replica beyond what its URL says. An
// empty field leaves the AWS SDK's default chain (the process environment,
// ~/.aws, an instance role) to supply it.
type Access struct {
	// Endpoint, when set, overrides the URL's ?endpoint=.
	Endpoint string
	// Region is the bucket's region when the URL has no ?region=.
	Region string
	// AccessKeyID and SecretAccessKey are static keys: keys kept in
	// opsdeck's env file, which the SDK does not read. Litestream signs
	// with them alone, so temporary keys (with a session token) cannot
	// be given this way.
	AccessKeyID, SecretAccessKey string
}

// newClient turns a replica URL into Litestream's client for it. Only the
// two kinds opsdeck documents are accepted: Litestream knows more, but a
// kind nobody here has tested is a restore nobody has tried.
func newClient(raw string, acc Access) (litestream.ReplicaClient, error) {
	u, err := ParseURL(raw)
	if err != nil {
		return nil, err
	}
	switch u.Scheme {
	case "file":
		return file.NewReplicaClient(u.Path), nil
	}
	if ca := os.Getenv("AWS_CA_BUNDLE"); ca != "" {
		return nil, fmt.Errorf("AWS_CA_BUNDLE is set (%s), which Litestream's S3 client cannot use: the AWS SDK adds a bundle only to an HTTP client of its own making, and Litestream brings its own, so every request would fail; unset it and give Go the certificate instead, SSL_CERT_DIR=%s (added to the system's roots; SSL_CERT_FILE would replace them)", ca, filepath.Dir(ca))
	}
	c := s3.NewReplicaClient()
	c.Bucket = u.Host
	c.Path = strings.Trim(u.Path, "/")
	q := u.Query()
	c.Endpoint = cmp.Or(acc.Endpoint, q.Get("endpoint"))
	if c.Endpoint != "" {
		c.Endpoint, _ = litestream.EnsureEndpointScheme(c.Endpoint)
		// R2, B2, MinIO and the like want the bucket in the path, not
		// in the host name they cannot have a certificate for.
		c.ForcePathStyle = true
	}
	// The SDK's default chain supplies credentials; the region is set
	// here because Litestream passes its own (empty means look it up).
	c.Region = cmp.Or(q.Get("region"), acc.Region, os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION"))
	c.AccessKeyID, c.SecretAccessKey = acc.AccessKeyID, acc.SecretAccessKey
	return c, nil
}

// explainCABundle adds the way round to the SDK's error for a ca_bundle
// in the AWS config file, which has the same cause as AWS_CA_BUNDLE (see
// newClient) and which opsdeck does not read itself.
func explainCABundle(err error) error {
	if err != nil && strings.Contains(err.Error(), "unable to add custom RootCAs") {
		return fmt.Errorf("%w (a ca_bundle in the AWS config file cannot be used with Litestream's S3 client: remove it and give Go the certificate with SSL_CERT_DIR=DIRECTORY)", err)
	}
	return err
}

// ParseURL checks a replica URL: file:///ABSOLUTE/PATH or s3://BUCKET/PATH.
func ParseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("no replica URL given (file:///PATH or s3://BUCKET/PATH)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("replica URL %q: %w", raw, err)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("replica URL %q: a file URL has three slashes and an absolute path, like file:///var/backups/opsdeck", raw)
		}
		if u.Path == "" || !filepath.IsAbs(u.Path) || u.RawQuery != "" {
			return nil, fmt.Errorf("replica URL %q: a file URL needs an absolute path, like file:///var/backups/opsdeck", raw)
		}
		u.Path = filepath.Clean(u.Path)
	case "s3":
		if u.Host == "" {
			return nil, fmt.Errorf("replica URL %q: no bucket (s3://BUCKET/PATH)", raw)
		}
		if strings.Trim(u.Path, "/") == "" {
			return nil, fmt.Errorf("replica URL %q: give a path inside the bucket (s3://%s/opsdeck), so the replica does not share the bucket's top level", raw, u.Host)
		}
		for k := range u.Query() {
			if k != "endpoint" && k != "region" {
				return nil, fmt.Errorf("replica URL %q: unknown parameter %q (endpoint and region are known)", raw, k)
			}
		}
	default:
		return nil, fmt.Errorf("replica URL %q: opsdeck replicates to file:///PATH or s3://BUCKET/PATH", raw)
	}
	return u, nil
}
