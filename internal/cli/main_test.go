package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"opsdeck/internal/golden"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// cli runs opsdeck in-process with the given environment (nothing from the
// real one) and returns what it printed and its exit status.
func cli(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := &Main{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Clock: storetest.NewClock(storetest.Now),
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
	}
	code = m.Run(context.Background(), args)
	if err := m.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	return out.String(), errOut.String(), code
}

// demoDB creates a demo database in a temp dir and returns its path.
func demoDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "opsdeck.db")
	if _, stderr, code := cli(t, nil, "--db", path, "init", "--demo"); code != 0 {
		t.Fatalf("init: %s", stderr)
	}
	return path
}

func TestFirstRunCreatesDemoDatabase(t *testing.T) {
	t.Chdir(t.TempDir())
	data := t.TempDir()
	env := map[string]string{"XDG_DATA_HOME": data}
	stdout, stderr, code := cli(t, env)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	path := filepath.Join(data, "opsdeck", "opsdeck.db")
	if !strings.Contains(stderr, "created "+path+" with the demo portfolio") {
		t.Errorf("first run did not say it created the database: %q", stderr)
	}
	for _, want := range []string{
		"Queen of San Diego Portfolio", "JADA", "QuickDumpNow", "9 missing", "10 (8 critical) open",
		"Break-even  JADA: 6 charters a month", "Sunset harbor cruise",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, stdout)
		}
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("data directory: %v, mode %v; want 0700", err, st.Mode().Perm())
	}
	_, stderr, _ = cli(t, env, "status")
	if strings.Contains(stderr, "created") {
		t.Errorf("second run claims to create the database again: %q", stderr)
	}
}

func TestStatusGolden(t *testing.T) {
	path := demoDB(t)
	stdout, stderr, code := cli(t, nil, "--db", path, "status")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden.Check(t, filepath.Join("testdata", "status.golden"), stdout)
}

func statusJSON(t *testing.T, path string) portfolioStatus {
	t.Helper()
	stdout, stderr, code := cli(t, nil, "--db", path, "status", "--json")
	if code != 0 {
		t.Fatalf("status --json: exit %d: %s", code, stderr)
	}
	var st portfolioStatus
	if err := json.Unmarshal([]byte(stdout), &st); err != nil {
		t.Fatalf("status --json is not JSON: %v\n%s", err, stdout)
	}
	return st
}

func TestKPISetChangesStatus(t *testing.T) {
	path := demoDB(t)
	before := statusJSON(t, path)
	stdout, stderr, code := cli(t, nil, "--db", path, "kpi", "set", "JADA", "charters", "6")
	if code != 0 {
		t.Fatalf("kpi set: exit %d: %s", code, stderr)
	}
	if want := "JADA charters: 2 → 6 (target 6): off target → on target\n"; stdout != want {
		t.Errorf("kpi set printed %q, want %q", stdout, want)
	}
	after := statusJSON(t, path)
	if after.KPIs.OnTarget != before.KPIs.OnTarget+1 || after.KPIs.OffTarget != before.KPIs.OffTarget-1 {
		t.Errorf("KPI health %+v → %+v, want one more on target and one fewer off", before.KPIs, after.KPIs)
	}

	// A missing KPI stops being missing once it has a reading, and a new
	// target can move a KPI's status on its own.
	if _, stderr, code := cli(t, nil, "--db", path, "kpi", "set", "JADA", "revenue", "$4,800"); code != 0 {
		t.Fatal(stderr)
	}
	if _, stderr, code := cli(t, nil, "--db", path, "kpi", "set", "QDN", "hauls", "-", "--target", "9"); code != 0 {
		t.Fatal(stderr)
	}
	final := statusJSON(t, path)
	if final.KPIs.Missing != before.KPIs.Missing-1 || final.KPIs.OnTarget != after.KPIs.OnTarget+1 {
		t.Errorf("after setting revenue and a hauls target: %+v", final.KPIs)
	}
}

func TestListJSONFieldNames(t *testing.T) {
	path := demoDB(t)
	for _, tc := range []struct {
		args   []string
		fields []string
	}{
		{[]string{"kpi", "list", "--entity", "JADA", "--json"},
			[]string{"id", "entity", "key", "name", "unit", "direction", "target", "owner_role", "latest", "status"}},
		{[]string{"events", "--json"},
			[]string{"id", "entity", "title", "departs_at", "time_zone", "crew", "phases", "timing", "checklist_done", "checklist_total"}},
		{[]string{"people", "--json"}, []string{"id", "name", "email", "phone", "role", "title", "reports"}},
	} {
		stdout, stderr, code := cli(t, nil, append([]string{"--db", path}, tc.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, stderr)
		}
		var rows []map[string]any
		if err := json.Unmarshal([]byte(stdout), &rows); err != nil || len(rows) == 0 {
			t.Fatalf("%v: %v\n%s", tc.args, err, stdout)
		}
		for _, f := range tc.fields {
			if _, ok := rows[0][f]; !ok {
				t.Errorf("%v: rows lack field %q (have %v)", tc.args, f, keys(rows[0]))
			}
		}
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Every kind of bad input gets a one-line error, the right exit status, and
// leaves the database file byte-for-byte as it was.
func TestBadInputLeavesDatabaseUnchanged(t *testing.T) {
	path := demoDB(t)
	dir := t.TempDir()
	notADir := filepath.Join(dir, "file")
	os.WriteFile(notADir, []byte("x"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"not a number", []string{"kpi", "set", "JADA", "revenue", "abc"}, 2, `value "abc" is not a number`},
		{"unknown entity", []string{"kpi", "set", "NOPE", "revenue", "1"}, 2, `no entity "NOPE"`},
		{"unknown KPI", []string{"kpi", "set", "JADA", "nope", "1"}, 2, `no KPI "nope"`},
		{"negative count", []string{"kpi", "set", "JADA", "charters", "-1"}, 2, "negative"},
		{"negative after --", []string{"kpi", "set", "JADA", "charters", "--", "-3"}, 2, "must not be negative"},
		{"NaN", []string{"kpi", "set", "JADA", "charters", "NaN"}, 2, "finite number"},
		{"Inf", []string{"kpi", "set", "JADA", "revenue", "Inf"}, 2, "finite number"},
		{"bad target", []string{"kpi", "set", "JADA", "charters", "3", "--target", "lots"}, 2, `target "lots"`},
		{"percent over 100", []string{"kpi", "set", "QOS", "open_rate", "140"}, 2, "outside 0..100"},
		{"too few arguments", []string{"kpi", "set", "JADA", "charters"}, 2, "needs 3 arguments, got 2"},
		{"unknown flag", []string{"status", "--colour"}, 2, "unknown flag"},
		{"unknown command", []string{"launch"}, 2, `unknown command "launch"`},
		{"mistyped subcommand", []string{"kpi", "sett", "JADA", "charters", "3"}, 2, `unknown command "sett" for "opsdeck kpi"; did you mean "set"?`},
		{"unknown subcommand", []string{"schedule", "bogus"}, 2, `unknown command "bogus" for "opsdeck schedule"`},
		{"unknown shell", []string{"completion", "tcsh"}, 2, `unknown command "tcsh" for "opsdeck completion"`},
		{"unknown help topic", []string{"help", "kpi", "sett"}, 2, `unknown command "sett" for "opsdeck kpi"`},
		{"mistyped subcommand before arguments", []string{"link", "revok", "3"}, 2, `did you mean "revoke"?`},
		{"unknown entity filter", []string{"kpi", "list", "--entity", "NOPE"}, 2, `no entity "NOPE"`},
		{"init over data", []string{"init"}, 1, "already holds a portfolio"},
		{"init with both", []string{"init", "--demo", "--empty", "--force"}, 2, "--demo and --empty cannot be used together"},
		{"backup over itself", []string{"backup", path}, 2, "refusing to back up to " + path + ": it is " + path + ", the database"},
		{"missing env file", []string{"--env-file", filepath.Join(dir, "none.env"), "status"}, 2, "does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := cli(t, nil, append([]string{"--db", path}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "opsdeck: ") || !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q: want one line containing %q", stderr, tc.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Error("the database file changed")
			}
		})
	}

	for _, tc := range []struct{ name, db, want string }{
		{"missing directory", filepath.Join(dir, "missing", "opsdeck.db"), "does not exist"},
		{"directory is a file", filepath.Join(notADir, "opsdeck.db"), "not a directory"},
		{"not a database", notADir, "not an SQLite database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := os.ReadFile(notADir)
			_, stderr, code := cli(t, nil, "--db", tc.db, "status")
			if code != 1 || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 1 and one line containing %q", code, stderr, tc.want)
			}
			if after, _ := os.ReadFile(notADir); !bytes.Equal(before, after) {
				t.Error("the file changed")
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing database directory was created")
	}
}

func TestConfigPrecedence(t *testing.T) {
	work := t.TempDir()
	t.Chdir(work)
	fromFile, fromEnv, fromFlag := filepath.Join(work, "file.db"), filepath.Join(work, "env.db"), filepath.Join(work, "flag.db")
	os.WriteFile(defaultEnvFile, []byte("OPSDECK_DB="+fromFile+"\nOPSDECK_DBB=typo\n"), 0o600)
	data := t.TempDir()

	// init, as only it may make a database named by --db or OPSDECK_DB
	// that is not there yet; it names the one it made.
	check := func(name string, env map[string]string, args []string, want string) {
		t.Helper()
		env["XDG_DATA_HOME"] = data
		stdout, stderr, code := cli(t, env, append(args, "init")...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, stderr)
		}
		if !strings.Contains(stdout, "initialised "+want+" ") {
			t.Errorf("%s: used the wrong database: %q (want %s)", name, stdout, want)
		}
	}
	check("env file", map[string]string{}, nil, fromFile)
	check("environment beats env file", map[string]string{"OPSDECK_DB": fromEnv}, nil, fromEnv)
	check("flag beats environment", map[string]string{"OPSDECK_DB": fromEnv}, []string{"--db", fromFlag}, fromFlag)

	_, stderr, _ := cli(t, map[string]string{}, "status")
	if !strings.Contains(stderr, "unknown setting OPSDECK_DBB") {
		t.Errorf("a misspelt setting in the env file is not reported: %q", stderr)
	}

	other := filepath.Join(work, "other.env")
	otherDB := filepath.Join(work, "other.db")
	os.WriteFile(other, []byte("OPSDECK_DB="+otherDB+"\n"), 0o600)
	check("OPSDECK_ENV_FILE picks the env file", map[string]string{"OPSDECK_ENV_FILE": other}, nil, otherDB)

	os.Remove(defaultEnvFile)
	check("default", map[string]string{}, nil, filepath.Join(data, "opsdeck", "opsdeck.db"))
}

func TestBackupRestoresSameData(t *testing.T) {
	path := demoDB(t)
	if _, stderr, code := cli(t, nil, "--db", path, "kpi", "set", "QDN", "hauls", "14"); code != 0 {
		t.Fatal(stderr)
	}
	backup := filepath.Join(t.TempDir(), "copy.db")
	stdout, stderr, code := cli(t, nil, "--db", path, "backup", backup)
	if code != 0 || !strings.Contains(stdout, "backed up") {
		t.Fatalf("backup: exit %d: %s %s", code, stdout, stderr)
	}
	orig, copy := statusJSON(t, path), statusJSON(t, backup)
	a, _ := json.Marshal(orig)
	b, _ := json.Marshal(copy)
	if !bytes.Equal(a, b) {
		t.Errorf("backup status differs:\n%s\n%s", a, b)
	}
	out, _, _ := cli(t, nil, "--db", backup, "kpi", "list", "--entity", "QDN", "--json")
	var kpis []kpiRow
	if err := json.Unmarshal([]byte(out), &kpis); err != nil {
		t.Fatal(err)
	}
	if kpis[0].Key != "hauls" || kpis[0].Latest == nil || kpis[0].Latest.Value != 14 {
		t.Errorf("backup lacks the latest reading: %+v", kpis[0])
	}
}

func TestInitEmptyAndForce(t *testing.T) {
	path := demoDB(t)
	stdout, stderr, code := cli(t, nil, "--db", path, "init", "--empty", "--force")
	if code != 0 || !strings.Contains(stdout, "empty portfolio") {
		t.Fatalf("init --empty --force: exit %d: %s %s", code, stdout, stderr)
	}
	stdout, _, _ = cli(t, nil, "--db", path, "status")
	if !strings.Contains(stdout, "The portfolio is empty") {
		t.Errorf("status after init --empty:\n%s", stdout)
	}
	if _, stderr, code := cli(t, nil, "--db", path, "init"); code != 0 {
		t.Errorf("init into an emptied database: exit %d: %s", code, stderr)
	}
}

func TestVersion(t *testing.T) {
	stdout, _, code := cli(t, nil, "version")
	if code != 0 || !strings.HasPrefix(stdout, "opsdeck ") || !strings.Contains(stdout, fmt.Sprintf("schema %d", store.SchemaVersion())) {
		t.Errorf("version: exit %d, %q", code, stdout)
	}
}

func TestPermissionWarnings(t *testing.T) {
	dir := t.TempDir()
	env := filepath.Join(dir, "opsdeck.env")
	os.WriteFile(env, []byte("OPSDECK_MAIL_FROM=x@example.com\n"), 0o644)
	os.Chmod(dir, 0o755)
	got := permissionWarnings(env, dir)
	if len(got) != 2 || !strings.Contains(got[0], "chmod 600 "+env) || !strings.Contains(got[1], "chmod 700 "+dir) {
		t.Errorf("warnings = %q", got)
	}
	os.Chmod(env, 0o600)
	os.Chmod(dir, 0o700)
	if got := permissionWarnings(env, dir, ""); len(got) != 0 {
		t.Errorf("private files still warned about: %q", got)
	}
}
