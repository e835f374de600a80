package cli

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"opsdeck/internal/golden"
	"opsdeck/store/storetest"
)

// The scripts in testdata/script run the real opsdeck command: the test
// binary, started again under the name opsdeck. They are the
// specification of the command line, one file per command.
//
// Extras the scripts have over testscript's own commands:
//
//	exitcode N        the last opsdeck run exited with status N
//	unchanged A B     files A and B are byte for byte the same (a database
//	                  before and after a command that must not write)
//	sqlite DB SQL     run SQL on the SQLite file DB, for a state no command
//	                  makes: another program's database, a newer schema, a
//	                  message left uncertain by a crash
//
// Every run's clock stands at OPSDECK_TEST_NOW (storetest.Now unless a
// script sets it), so dates in the output are the same every day.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           filepath.Join("testdata", "script"),
		UpdateScripts: golden.Update(),
		Setup: func(env *testscript.Env) error {
			env.Setenv("OPSDECK_TEST_NOW", storetest.Now.Format(time.RFC3339))
			env.Setenv(exitFileVar, filepath.Join(env.WorkDir, ".opsdeck-exit"))
			env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, ".data"))
			// A race-detecting binary waits a second at exit unless told.
			env.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode":  cmdExitCode,
			"unchanged": cmdUnchanged,
			"sqlite":    cmdSQLite,
			"replicate": cmdReplicate,
		},
	})
}

// exitFileVar names the file where the script's opsdeck records its exit
// status for exitcode.
const exitFileVar = "OPSDECK_TEST_EXIT_FILE"

// runAsOpsdeck is the test binary acting as the opsdeck command for the
// scripts (see TestMain).
func runAsOpsdeck() {
	m := NewMain()
	if v := os.Getenv("OPSDECK_TEST_NOW"); v != "" {
		now, err := time.Parse(time.RFC3339, v)
		if err != nil {
			fmt.Fprintf(os.Stderr, "OPSDECK_TEST_NOW: %v\n", err)
			os.Exit(exitFailure)
		}
		m.Clock = storetest.NewClock(now)
	}
	code := m.Execute(os.Args[1:])
	if f := os.Getenv(exitFileVar); f != "" {
		_ = os.WriteFile(f, []byte(strconv.Itoa(code)), 0o644)
	}
	os.Exit(code)
}

func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: exitcode N")
	}
	b, err := os.ReadFile(ts.Getenv(exitFileVar))
	if err != nil {
		ts.Fatalf("no opsdeck run to check: %v", err)
	}
	got := strings.TrimSpace(string(b))
	if got != args[0] {
		ts.Fatalf("opsdeck exited with status %s, want %s", got, args[0])
	}
}

func cmdUnchanged(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: unchanged FILE1 FILE2")
	}
	a, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	b, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	if same := bytes.Equal(a, b); same == neg {
		if neg {
			ts.Fatalf("%s and %s are the same", args[0], args[1])
		}
		ts.Fatalf("%s and %s differ (%d and %d bytes)", args[0], args[1], len(a), len(b))
	}
}

func cmdSQLite(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: sqlite DB SQL")
	}
	db, err := sql.Open("sqlite", ts.MkAbs(args[0]))
	ts.Check(err)
	defer db.Close()
	_, err = db.Exec(args[1])
	ts.Check(err)
}
