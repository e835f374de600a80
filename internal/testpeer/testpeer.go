// Package testpeer decides what a test does when a real peer it talks to
// (tmux, the SES emulator, chromium, the OpenSSH client) is not available:
// skip, saying why, under a plain `go test ./...`; fail under the README
// test command, which sets OPSDECK_REQUIRE_PEERS=1, so a green CI run means
// every peer test really ran.
package testpeer

import (
	"os"
	"os/exec"
	"testing"
)

// EnvRequire is the variable that turns a missing peer into a failure.
const EnvRequire = "OPSDECK_REQUIRE_PEERS"

// Required reports whether missing peers must fail tests.
func Required() bool { return os.Getenv(EnvRequire) == "1" }

// Missing skips t (or fails it when peers are required) because peer is
// unavailable for the reason given.
func Missing(t testing.TB, peer, reason string) {
	t.Helper()
	if Required() {
		t.Fatalf("test peer %s unavailable: %s (%s=1; scripts/install-peers installs it)", peer, reason, EnvRequire)
	}
	t.Skipf("test peer %s unavailable: %s (scripts/test installs it and makes this a failure)", peer, reason)
}

// LookPath returns the path of the named program, or calls Missing.
func LookPath(t testing.TB, program string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err != nil {
		Missing(t, program, "not on PATH")
	}
	return path
}
