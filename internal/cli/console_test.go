package cli

import (
	"os"
	"strings"
	"testing"
	"time"
)

// The console's first event starts in this machine's zone, by its IANA
// name: TZ when it names one, else the zone /etc/localtime links to.
func TestLocalZone(t *testing.T) {
	system := "UTC"
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if _, name, ok := strings.Cut(target, "zoneinfo/"); ok {
			if _, err := time.LoadLocation(name); err == nil {
				system = name
			}
		}
	}
	for tz, want := range map[string]string{
		"Pacific/Auckland":  "Pacific/Auckland",
		":Europe/Lisbon":    "Europe/Lisbon",
		"Mars/Olympus_Mons": system,
		"":                  system,
	} {
		m := &Main{LookupEnv: func(k string) (string, bool) { return tz, k == "TZ" }}
		if got := m.localZone(); got != want {
			t.Errorf("TZ=%q: %q, want %q", tz, got, want)
		}
	}
}
