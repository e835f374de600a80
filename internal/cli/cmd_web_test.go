package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLinkCommands(t *testing.T) {
	path := demoDB(t)
	stdout, stderr, code := cli(t, nil, "--db", path, "link", "1", "sam", "--base-url", "https://crew.example.com/")
	if code != 0 || !strings.HasPrefix(stdout, "https://crew.example.com/l/odl_") || !strings.Contains(stderr, "Sam Okafor (crew)") {
		t.Fatalf("link: exit %d, %q %q", code, stdout, stderr)
	}
	if st, err := os.Stat(filepath.Join(filepath.Dir(path), "jwt-signing.key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("signing key file: %v", err)
	}
	stdout, _, code = cli(t, nil, "--db", path, "link", "1", "--person", "morgan.reyes@example.com", "--single-use", "--json")
	var l linkRow
	if code != 0 || json.Unmarshal([]byte(stdout), &l) != nil || l.Role != "captain" || !l.SingleUse || l.State != "active" || l.URL == "" {
		t.Fatalf("link --json: exit %d %s", code, stdout)
	}
	if _, stderr, code := cli(t, nil, "--db", path, "link", "revoke", "1"); code != 0 {
		t.Fatalf("revoke: %s", stderr)
	}
	stdout, _, _ = cli(t, nil, "--db", path, "links", "--json")
	var rows []linkRow
	json.Unmarshal([]byte(stdout), &rows)
	states := map[int64]string{}
	for _, r := range rows {
		states[r.ID] = r.State
		if r.URL != "" {
			t.Error("links lists a URL; only the minting command may show it")
		}
	}
	if states[1] != "revoked" || states[2] != "active" {
		t.Errorf("link states %v", states)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"link", "x", "sam"}, 2, "must be a positive number"},
		{[]string{"link", "1"}, 2, "whom is the link for"},
		{[]string{"link", "1", "sam", "--role", "boss"}, 2, "must be admin, captain, crew or guest"},
		{[]string{"link", "1", "riley"}, 2, "not on the crew"},
		{[]string{"link", "1", "nobody"}, 2, `no person "nobody"`},
		{[]string{"link", "99", "sam"}, 2, "no event with id 99"},
		{[]string{"link", "revoke", "1"}, 1, "already revoked"},
		{[]string{"link", "revoke", "42"}, 2, "no link with id 42"},
	} {
		_, stderr, code := cli(t, nil, append([]string{"--db", path}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d %q, want %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}

// `opsdeck link` in one shell mints links under the address `opsdeck web
// --addr` listens on in another, not the default one.
func TestLinkUsesTheAddressTheCrewServerListensOn(t *testing.T) {
	bin, db := demoBinary(t)
	web := exec.Command(bin, "--db", db, "web", "--addr", "127.0.0.1:0")
	log := &lockedLog{}
	web.Stdout, web.Stderr = log, log
	if err := web.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- web.Wait() }()
	t.Cleanup(func() { web.Process.Signal(syscall.SIGTERM); <-done })
	var url string
	deadline := time.Now().Add(20 * time.Second)
	for url == "" && time.Now().Before(deadline) {
		if m := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)`).FindStringSubmatch(log.String()); m != nil {
			url = m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	if url == "" || strings.HasSuffix(url, ":8080") {
		t.Fatalf("no listening address in the log:\n%s", log.String())
	}
	stdout, stderr, code := cli(t, nil, "--db", db, "link", "1", "sam")
	if code != 0 || !strings.HasPrefix(stdout, url+"/l/odl_") {
		t.Fatalf("link: exit %d, %q %q; want a URL under %s", code, stdout, stderr, url)
	}
	// --base-url and OPSDECK_WEB_ADDR still win.
	if stdout, _, _ := cli(t, nil, "--db", db, "link", "1", "sam", "--base-url", "https://crew.example.com"); !strings.HasPrefix(stdout, "https://crew.example.com/l/") {
		t.Errorf("--base-url: %q", stdout)
	}
	if stdout, _, _ := cli(t, map[string]string{"OPSDECK_WEB_ADDR": "127.0.0.1:9999"}, "--db", db, "link", "1", "sam"); !strings.HasPrefix(stdout, "http://127.0.0.1:9999/l/") {
		t.Errorf("OPSDECK_WEB_ADDR: %q", stdout)
	}
}
