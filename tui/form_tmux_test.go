package tui

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"opsdeck/internal/testpeer"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// tmuxDBEnv names the database TestConsoleInTerminal runs the console on.
const tmuxDBEnv = "OPSDECK_TUI_TMUX_DB"

// TestConsoleInTerminal is not a test of its own: TestFormBurstInTmux runs
// this test binary with it in a tmux terminal, so the console reads a real
// terminal's keys.
func TestConsoleInTerminal(t *testing.T) {
	path := os.Getenv(tmuxDBEnv)
	if path == "" {
		t.Skip("run by TestFormBurstInTmux in a terminal")
	}
	m := newConsole(t, storetest.OpenPath(t, path, nil), Options{Poll: time.Hour})
	if _, err := tea.NewProgram(m).Run(); err != nil {
		t.Fatal(err)
	}
}

// Keys typed into a real terminal in one burst (one send-keys: AAA, enter,
// BBB, ...) each reach the field in focus when they arrive, as in
// TestFormKeysAfterEnterGoToTheNextField.
func TestFormBurstInTmux(t *testing.T) {
	if os.Getenv(tmuxDBEnv) != "" {
		t.Skip("inside the terminal")
	}
	db := filepath.Join(t.TempDir(), "opsdeck.db")
	st, err := store.Open(context.Background(), db, store.Options{Clock: storetest.NewClock(storetest.Now)})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	tm := testpeer.StartTmux(t, 100, 30, "env TERM=xterm-256color "+tmuxDBEnv+"="+db+" "+os.Args[0]+" -test.run=^TestConsoleInTerminal$")
	tm.WaitFor("Overview")
	tm.Keys("3")
	tm.WaitFor("No shortfalls yet")
	tm.Keys("n")
	tm.WaitFor("┃ Title")
	tm.Keys("AAA", "Enter", "BBB", "Enter", "Enter", "Enter", "Enter", "C-u", "12.5", "Enter", "C-u", "2", "Enter")
	tm.WaitFor(`added "AAA"`)
	tm.Keys("q")
	if code := tm.Wait(); code != 0 {
		t.Fatalf("the console exited with %d", code)
	}
	st = storetest.OpenPath(t, db, nil)
	all, err := st.Shortfalls(context.Background())
	if err != nil || len(all) != 1 {
		t.Fatalf("shortfalls: %+v, %v", all, err)
	}
	if got := all[0]; got.Title != "AAA" || got.Detail != "BBB" || got.MonthlyImpact != 1250 || got.EffortDays != 2 {
		t.Errorf("saved %+v", got)
	}
}
