package testpeer

import "testing"

func TestLookPathFindsSh(t *testing.T) {
	if LookPath(t, "sh") == "" {
		t.Fatal("sh not found")
	}
}
