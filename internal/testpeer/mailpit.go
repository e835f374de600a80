package testpeer

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Mailpit is a running Mailpit SMTP server on 127.0.0.1 that requires
// STARTTLS and AUTH, with its chaos API on. The test that starts it stops it.
type Mailpit struct {
	Host     string
	Port     int
	API      string // base URL of its HTTP API
	Roots    *x509.CertPool
	CAFile   string // the certificate, PEM, for OPSDECK_SMTP_CA_FILE
	Username string
	Password string
}

// StartMailpit starts Mailpit (installed by scripts/install-peers into
// tools/bin) with a certificate made here.
func StartMailpit(t testing.TB) *Mailpit {
	t.Helper()
	bin := filepath.Join(repoRoot(), "tools", "bin", "mailpit")
	if _, err := os.Stat(bin); err != nil {
		if path, err := exec.LookPath("mailpit"); err == nil {
			bin = path
		} else {
			Missing(t, "mailpit", "not in tools/bin or on PATH")
		}
	}
	dir := t.TempDir()
	mp := &Mailpit{Host: "127.0.0.1", Username: "opsdeck", Password: "smtp-test-password"}
	cert, key := selfSigned(t)
	mp.CAFile = filepath.Join(dir, "cert.pem")
	keyFile := filepath.Join(dir, "key.pem")
	os.WriteFile(mp.CAFile, cert, 0o600)
	os.WriteFile(keyFile, key, 0o600)
	mp.Roots = x509.NewCertPool()
	mp.Roots.AppendCertsFromPEM(cert)
	hash, _ := bcrypt.GenerateFromPassword([]byte(mp.Password), bcrypt.MinCost)
	authFile := filepath.Join(dir, "smtp-auth")
	os.WriteFile(authFile, []byte(mp.Username+":"+string(hash)+"\n"), 0o600)

	smtpPort, httpPort := freePort(t), freePort(t)
	mp.Port = smtpPort
	mp.API = fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	cmd := exec.Command(bin, "--smtp", "127.0.0.1:"+strconv.Itoa(smtpPort), "--listen", "127.0.0.1:"+strconv.Itoa(httpPort),
		"--database", filepath.Join(dir, "mailpit.db"), "--smtp-tls-cert", mp.CAFile, "--smtp-tls-key", keyFile,
		"--smtp-require-starttls", "--smtp-auth-file", authFile, "--enable-chaos", "--smtp-disable-rdns", "--disable-version-check")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(mp.API + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return mp
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not come up: %v\n%s", err, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// selfSigned makes a certificate for 127.0.0.1 and its key, both PEM.
func selfSigned(t testing.TB) (certPEM, keyPEM []byte) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames: []string{"localhost"}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

// SetChaos makes Mailpit answer RCPT with code, with probability percent
// (0 turns it off).
func (m *Mailpit) SetChaos(t testing.TB, code, percent int) {
	t.Helper()
	body := fmt.Sprintf(`{"Recipient":{"ErrorCode":%d,"Probability":%d}}`, code, percent)
	req, _ := http.NewRequest(http.MethodPut, m.API+"/api/v1/chaos", bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("mailpit chaos: %s", resp.Status)
	}
}
