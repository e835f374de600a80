package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportCommand(t *testing.T) {
	path := demoDB(t)
	stdout, stderr, code := cli(t, nil, "--db", path, "report", "ceo")
	if code != 0 || !strings.HasPrefix(stdout, "# CEO report: Queen of San Diego Portfolio") {
		t.Fatalf("report ceo (not a terminal, so markdown): exit %d %q %s", code, stdout[:min(80, len(stdout))], stderr)
	}
	stdout, _, code = cli(t, nil, "--db", path, "report", "CFO", "--format", "text", "--width", "60")
	if code != 0 || !strings.Contains(stdout, "CFO REPORT") || strings.Contains(stdout, "**") {
		t.Errorf("report CFO --format text: exit %d\n%s", code, stdout)
	}
	stdout, _, _ = cli(t, nil, "--db", path, "report", "cto", "--format", "term", "--style", "ascii", "--width", "70")
	if !strings.Contains(stdout, "CTO report") {
		t.Errorf("term report lacks its title:\n%.300s", stdout)
	}

	out := filepath.Join(t.TempDir(), "cfo.html")
	if _, stderr, code := cli(t, nil, "--db", path, "report", "cfo", "--format", "html", "--out", out); code != 0 {
		t.Fatalf("--out: %s", stderr)
	}
	if b, _ := os.ReadFile(out); !strings.HasPrefix(string(b), "<!DOCTYPE html>") {
		t.Errorf("%s is not an HTML document", out)
	}

	dir := filepath.Join(t.TempDir(), "all")
	if _, stderr, code := cli(t, nil, "--db", path, "report", "--all", "--dir", dir); code != 0 {
		t.Fatalf("--all: %s", stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 20 {
		t.Errorf("--all wrote %d files, want 5 roles × 4 formats", len(files))
	}
	if _, err := os.Stat(filepath.Join(dir, "accounting.txt")); err != nil {
		t.Error(err)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "cxo"}, `unknown role "cxo"`},
		{[]string{"report", "ceo", "--format", "pdf"}, `unknown format "pdf"`},
		{[]string{"report", "ceo", "--style", "neon", "--format", "term"}, `unknown style "neon"`},
		{[]string{"report"}, "name one role"},
		{[]string{"report", "--all"}, "--all needs --dir"},
		{[]string{"report", "ceo", "--width", "5"}, "--width 5"},
	} {
		stdout, stderr, code := cli(t, nil, append([]string{"--db", path}, tc.args...)...)
		if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
}

func TestReportTemplateOverrides(t *testing.T) {
	path := demoDB(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ceo.md.tmpl"), []byte("Open: {{.CEO.OpenCount}} shortfalls.\n"), 0o644)
	stdout, stderr, code := cli(t, map[string]string{"OPSDECK_TEMPLATES": dir}, "--db", path, "report", "ceo")
	if code != 0 || stdout != "Open: 10 shortfalls.\n" {
		t.Errorf("OPSDECK_TEMPLATES override: exit %d, %q %s", code, stdout, stderr)
	}
	broken := filepath.Join(dir, "cfo.md.tmpl")
	os.WriteFile(broken, []byte("fine\n{{if}}\n"), 0o644)
	stdout, stderr, code = cli(t, nil, "--db", path, "report", "cfo", "--templates", dir)
	if code != 1 || stdout != "" || !strings.Contains(stderr, broken+":2") {
		t.Errorf("broken override: exit %d, stdout %q, stderr %q; want exit 1 naming %s:2", code, stdout, stderr, broken)
	}
}
