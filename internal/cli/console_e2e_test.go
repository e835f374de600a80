package cli

import (
	"encoding/json"
	"os/exec"
	"testing"

	"opsdeck/internal/testpeer"
)

// TestConsoleInTmux builds the real binary, runs it in tmux on a temporary
// database, edits a KPI through the form by keyboard, quits, and checks
// with `opsdeck kpi list` that the value changed.
func TestConsoleInTmux(t *testing.T) {
	bin, db := demoBinary(t)
	tm := testpeer.StartTmux(t, 100, 30, "env TERM=xterm-256color OPSDECK_WEB_ADDR=127.0.0.1:0 "+bin+" --db "+db)
	tm.WaitFor("Break-even JADA")
	tm.Keys("2")
	tm.WaitFor("Charters per month")
	tm.Keys("e")
	tm.WaitFor("┃ New reading")
	tm.Keys("7", "Enter")
	tm.WaitFor("┃ Target")
	tm.Keys("Enter")
	tm.WaitFor("┃ Note")
	tm.Keys("-l", "from the tmux test")
	tm.Keys("Enter")
	tm.WaitFor("JADA Charters per month saved")
	tm.Keys("q")
	if code := tm.Wait(); code != 0 {
		t.Fatalf("opsdeck exited with %d", code)
	}

	out, err := exec.Command(bin, "--db", db, "kpi", "list", "--entity", "JADA", "--json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var kpis []kpiRow
	if err := json.Unmarshal(out, &kpis); err != nil {
		t.Fatal(err)
	}
	if kpis[0].Key != "charters" || kpis[0].Latest == nil || kpis[0].Latest.Value != 7 || kpis[0].Latest.Note != "from the tmux test" {
		t.Errorf("after the console edit: %+v", kpis[0].Latest)
	}
}
