package testpeer

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestLookPathFindsAProgram(t *testing.T) {
	path := LookPath(t, "sh")
	st, err := os.Stat(path)
	if !filepath.IsAbs(path) || err != nil || st.Mode()&0o111 == 0 {
		t.Errorf("LookPath(sh) = %q (%v): want an executable's absolute path", path, err)
	}
}

// recorder is a testing.TB that notes how a helper ended the test.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper() {}

func (r *recorder) Skipf(format string, args ...any) {
	r.skipped, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// A missing peer skips the test, saying why, unless the README test
// command requires peers: then it fails.
func TestMissingPeerSkipsUnlessRequired(t *testing.T) {
	for _, required := range []bool{false, true} {
		t.Run(fmt.Sprintf("required=%v", required), func(t *testing.T) {
			t.Setenv(EnvRequire, map[bool]string{true: "1", false: "0"}[required])
			r := &recorder{TB: t}
			done := make(chan struct{})
			go func() { defer close(done); LookPath(r, "opsdeck-no-such-peer") }()
			<-done
			if r.failed != required || r.skipped == required {
				t.Errorf("failed=%v skipped=%v, want failed=%v", r.failed, r.skipped, required)
			}
			if !strings.Contains(r.msg, "opsdeck-no-such-peer") || !strings.Contains(r.msg, "not on PATH") {
				t.Errorf("the message does not say which peer or why: %q", r.msg)
			}
		})
	}
}
