package reports

import (
	"context"
	"strings"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store/storetest"
)

func TestPreviewNextRunIsDatedTheDayItGoesOut(t *testing.T) {
	s := storetest.Demo(t, nil)
	sc, err := s.Schedule(context.Background(), portfolio.RoleCFO)
	if err != nil {
		t.Fatal(err)
	}
	sc.Cron, sc.TimeZone, sc.WeekdaysOnly = "0 7 * * 1", "UTC", false
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	run, err := e.PreviewNextRun(snapshot(t, s), sc, storetest.Now, Text, RenderOptions{Width: 80})
	if err != nil {
		t.Fatal(err)
	}
	// storetest.Now is Thursday 26 November 2026; the next Monday 07:00 is 30 November.
	if want := time.Date(2026, time.November, 30, 7, 0, 0, 0, time.UTC); !run.At.Equal(want) {
		t.Errorf("next run at %v, want %v", run.At, want)
	}
	if run.Paused != !sc.Enabled {
		t.Errorf("paused = %v with schedule enabled = %v", run.Paused, sc.Enabled)
	}
	if len(run.To) == 0 {
		t.Error("the demo CFO report has recipients, the preview lists none")
	}
	for _, p := range run.To {
		if !strings.HasSuffix(p.Email, "example.com") {
			t.Errorf("recipient %s is not an example.com address", p.Email)
		}
	}
	if !strings.Contains(run.Subject, "30 Nov") && !strings.Contains(run.Subject, "2026-11-30") {
		t.Errorf("subject %q is not dated the day of the run", run.Subject)
	}
	if !strings.Contains(run.Body, "CFO") {
		t.Errorf("body is not the CFO report:\n%s", run.Body[:min(400, len(run.Body))])
	}

	sc.Cron = "not a cron"
	if _, err := e.PreviewNextRun(snapshot(t, s), sc, storetest.Now, Text, RenderOptions{Width: 80}); err == nil {
		t.Error("a bad cron expression previewed without error")
	}
}
