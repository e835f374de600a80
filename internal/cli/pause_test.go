package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// The tests' own opsdeck (the test binary started as opsdeck, see
// TestMain) honours OPSDECK_TEST_PAUSE: a comma-separated list of points
// of the background work (schedule-prepared, schedule-queued,
// outbox-worker, see schedule.Options.Pause) at which it says
// "opsdeck-test: paused at POINT" on stderr and waits until it is stopped,
// so a test can kill it in exactly that window. A real opsdeck has no such
// variable: this file is not part of it.
func init() {
	v := os.Getenv("OPSDECK_TEST_PAUSE")
	if v == "" {
		return
	}
	points := map[string]bool{}
	for _, p := range strings.Split(v, ",") {
		points[strings.TrimSpace(p)] = true
	}
	testPause = func(ctx context.Context, point string) {
		if !points[point] {
			return
		}
		fmt.Fprintf(os.Stderr, "opsdeck-test: paused at %s\n", point)
		<-ctx.Done()
	}
}
