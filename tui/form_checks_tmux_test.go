package tui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"opsdeck/internal/testpeer"
	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// In a real terminal at 80×24, an impossible date is said in words as it
// is typed, a past one is warned of inside the dialog, under the field
// (no line of it from the box's edge), and the event is saved all the
// same.
func TestFormWarningInTmux(t *testing.T) {
	if os.Getenv(tmuxDBEnv) != "" {
		t.Skip("inside the terminal")
	}
	db := filepath.Join(t.TempDir(), "opsdeck.db")
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{Clock: storetest.NewClock(storetest.Now)})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(ctx, "tester", func(tx *store.Tx) error {
		_, err := tx.PutRecord(ctx, portfolio.MustKind("entity"), "", &portfolio.Entity{Code: "JADA", Name: "JADA Yacht Charters", Kind: portfolio.KindOperating})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	tm := testpeer.StartTmux(t, 80, 24, "env TERM=xterm-256color "+tmuxDBEnv+"="+db+" "+os.Args[0]+" -test.run=^TestConsoleInTerminal$")
	tm.WaitFor("Overview")
	tm.Keys("4")
	tm.WaitFor("No events")
	tm.Keys("n")
	tm.WaitFor("┃ Title")
	tm.Keys("Old cruise", "Enter", "Enter", "Enter", "Enter", "Enter")
	tm.WaitFor("┃ Date")
	tm.Keys("C-u", "2026-02-30")
	tm.WaitFor("February has 28 days in 2026")
	tm.Keys("C-u", "2026-04-01")
	screen := tm.WaitFor("⚠ departs in the past")
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		if !strings.Contains(l, "⚠ departs") {
			continue
		}
		col := ansi.StringWidth(l[:strings.Index(l, "departs")])
		for _, m := range lines[i : i+2] {
			if w := ansi.StringWidth(strings.TrimRight(m, " ")); w > 80 || !strings.HasSuffix(strings.TrimRight(m, " "), "│") {
				t.Errorf("a line of the warning runs out of the box: %q", m)
			}
		}
		if next := lines[i+1]; strings.Contains(next, "planned") {
			text := strings.TrimLeft(strings.TrimLeft(strings.TrimSpace(next), "│"), " ")
			if got := ansi.StringWidth(next[:strings.Index(next, text)]); got != col {
				t.Errorf("the warning's second line starts at column %d, not %d:\n%s", got, col, screen)
			}
		}
	}
	tm.Keys("Enter", "Enter", "Enter", "Enter", "Enter", "Enter", "Enter", "Enter")
	tm.WaitFor(`added "Old cruise"`)
	tm.Keys("q")
	if code := tm.Wait(); code != 0 {
		t.Fatalf("the console exited with %d", code)
	}
}
