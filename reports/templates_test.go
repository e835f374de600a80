package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store/storetest"
)

func TestTemplateOverride(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "cfo.md.tmpl"), []byte(`{{template "header" .}}

Burn this month: {{.CFO.Burn}}.
`), 0o644)
	e, err := New(Options{TemplatesDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	snap := snapshot(t, storetest.Demo(t, nil))
	out, err := e.Render(snap, portfolio.RoleCFO, Markdown, RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Burn this month: $7,036–$8,696.") || strings.Contains(out, "Capital deployment") {
		t.Errorf("override not used:\n%s", out)
	}
	// Roles without an override keep the embedded template.
	ceo, _ := e.Render(snap, portfolio.RoleCEO, Markdown, RenderOptions{})
	if !strings.Contains(ceo, "30-day action plan") {
		t.Error("the CEO report lost its embedded template")
	}
}

func TestBrokenTemplatesNameFileAndLine(t *testing.T) {
	snap := snapshot(t, storetest.Demo(t, nil))
	for _, tc := range []struct {
		name, body, want string
		atParse          bool
	}{
		{"parse error", "# Title\n\n{{range .KPIs}\n", "ceo.md.tmpl:3", true},
		{"unknown field", "# Title\n{{.NoSuchField}}\n", "ceo.md.tmpl:2", false},
		{"unknown block", "{{template \"nope\" .}}\n", "ceo.md.tmpl:1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "ceo.md.tmpl")
			os.WriteFile(path, []byte(tc.body), 0o644)
			e, err := New(Options{TemplatesDir: dir})
			if err == nil {
				_, err = e.Render(snap, portfolio.RoleCEO, HTML, RenderOptions{})
			} else if !tc.atParse {
				t.Fatalf("failed at parse, want at execution: %v", err)
			}
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v: want it to name %s and %q", err, path, tc.want)
			}
		})
	}
	if _, err := New(Options{TemplatesDir: filepath.Join(t.TempDir(), "missing")}); err == nil {
		t.Error("a missing templates directory is accepted")
	}
}
