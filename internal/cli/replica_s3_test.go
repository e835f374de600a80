package cli

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// TestReplicaKeysFromEnvFile: AWS keys kept in the env file, as the README
// says to keep secrets, reach the replica's S3 client as they reach the
// mailer's, though the AWS SDK reads only the process environment.
func TestReplicaKeysFromEnvFile(t *testing.T) {
	backend := s3mem.New()
	if err := backend.CreateBucket("opsdeck"); err != nil {
		t.Fatal(err)
	}
	fake := gofakes3.New(backend).Server()
	var mu sync.Mutex
	var auths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		fake.ServeHTTP(w, r)
	}))
	defer srv.Close()
	// Nothing for the SDK's own chain to find.
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CA_BUNDLE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	dir := t.TempDir()
	env := filepath.Join(dir, "opsdeck.env")
	write := func(extra string) {
		t.Helper()
		body := "OPSDECK_REPLICA_URL=s3://opsdeck/servers/one?endpoint=" + srv.URL + "\n" +
			"AWS_REGION=eu-west-1\nAWS_ACCESS_KEY_ID=AKIAEXAMPLEKEY\nAWS_SECRET_ACCESS_KEY=example-secret\n" + extra
		if err := os.WriteFile(env, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("")
	_, stderr, code := cli(t, nil, "--env-file", env, "replica", "status")
	if code != 1 || !strings.Contains(stderr, "holds nothing") {
		t.Fatalf("replica status: exit %d, %s; want the empty replica's exit 1", code, stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(auths) == 0 {
		t.Fatal("no request reached the S3 peer")
	}
	for _, a := range auths {
		if !strings.Contains(a, "Credential=AKIAEXAMPLEKEY/") || !strings.Contains(a, "/eu-west-1/s3/") {
			t.Fatalf("request signed %q, want the env file's key and region", a)
		}
	}

	// Litestream takes static keys without a session token, so temporary
	// keys in the env file would be signed wrong: refused, with why.
	write("AWS_SESSION_TOKEN=example-token\n")
	_, stderr, code = cli(t, nil, "--env-file", env, "replica", "status")
	if code != 2 || !strings.Contains(stderr, "AWS_SESSION_TOKEN") {
		t.Fatalf("with a session token in the env file: exit %d, %s", code, stderr)
	}
}
