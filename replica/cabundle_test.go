package replica_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"opsdeck/replica"
	"opsdeck/store/storetest"
)

// writeCA writes a real self-signed CA certificate as PEM, as an operator
// with a private MinIO would have.
func writeCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "opsdeck test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCABundleNamed: the AWS SDK refuses AWS_CA_BUNDLE for an HTTP client
// it did not build, and Litestream's S3 client builds its own, so every
// S3 replica fails with "unable to add custom RootCAs HTTPClient". The
// error must name the variable and the way round it, not the SDK's type.
func TestCABundleNamed(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_CA_BUNDLE", writeCA(t))
	url := "s3://opsdeck/servers/one?region=us-east-1&endpoint=https://127.0.0.1:1"
	ctx := context.Background()
	s := storetest.Demo(t, nil)

	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error with AWS_CA_BUNDLE set", what)
		}
		for _, want := range []string{"AWS_CA_BUNDLE", "SSL_CERT_DIR"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not mention %s", what, err, want)
			}
		}
	}
	r, err := replica.Start(ctx, s.Path(), replica.Options{URL: url})
	if err == nil {
		r.Stop(ctx)
	}
	check("start", err)
	_, err = replica.Restore(ctx, url, replica.Access{}, filepath.Join(t.TempDir(), "r.db"), time.Time{})
	check("restore", err)
	_, err = replica.Inspect(ctx, url, replica.Access{})
	check("inspect", err)

	// A file replica has nothing to do with the bundle.
	r, err = replica.Start(ctx, s.Path(), replica.Options{URL: "file://" + t.TempDir()})
	if err != nil {
		t.Fatalf("file replica with AWS_CA_BUNDLE set: %v", err)
	}
	r.Stop(ctx)

	// The same bundle from the AWS config file fails in the SDK, which
	// opsdeck cannot see coming; the error still says what to do.
	cfg := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(cfg, []byte("[default]\nca_bundle = "+os.Getenv("AWS_CA_BUNDLE")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_CA_BUNDLE", "")
	_, err = replica.Inspect(ctx, url, replica.Access{})
	if err == nil || !strings.Contains(err.Error(), "ca_bundle") || !strings.Contains(err.Error(), "SSL_CERT_DIR") {
		t.Errorf("inspect with ca_bundle in the config file: error %v does not say what to do", err)
	}
}
