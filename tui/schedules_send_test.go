package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"opsdeck/store"
	"opsdeck/store/storetest"
)

// s on the Schedules page asks first, as the Reports page does: Cancel
// sends nothing, Send sends.
func TestScheduleSendNowAsksFirst(t *testing.T) {
	st := storetest.Demo(t, nil)
	tr := &flaky{}
	s := start(t, newConsole(t, st, Options{Poll: time.Hour, Mail: mailFor(t, st, tr)}))
	s.waitFor("Break-even JADA")
	s.keys("7")
	s.waitFor("Reports go out on these schedules", "0 7 * * 1")
	s.keys("s")
	s.waitFor("Send the CEO report", "Send to owner@example.com and an audit copy to audit@example.com via", "test transport?")
	s.keys("enter") // Cancel is the default
	s.waitFor("nothing sent", "Reports go out on these schedules")
	// Give a send that should not have happened the time to show.
	time.Sleep(200 * time.Millisecond)
	if rows, _ := st.Outbox(context.Background(), store.OutboxFilter{}); len(rows) != 0 {
		t.Fatalf("cancelled, yet the outbox has %d messages", len(rows))
	}
	s.keys("s")
	s.waitFor("Send the CEO report")
	s.keys("left", "enter")
	s.waitFor("batch 1: 2 sent, 0 failed")
	rows, _ := st.Outbox(context.Background(), store.OutboxFilter{})
	if len(rows) != 2 {
		t.Errorf("outbox: %+v", rows)
	}
	if screen := s.screen(); !strings.Contains(screen, "Reports go out on these schedules") {
		t.Errorf("the confirmation did not close:\n%s", screen)
	}
}
