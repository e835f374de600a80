package reports

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"text/template"

	"opsdeck/portfolio"

	"golang.org/x/sync/errgroup"
)

//go:embed templates/*.md.tmpl
var embedded embed.FS

// commonTemplate holds the blocks every role's template uses (header, the
// "what changed" section, KPI and shortfall tables).
const commonTemplate = "common.md.tmpl"

// TemplateName is the file a role's report is laid out by.
func TemplateName(role portfolio.ReportRole) string { return string(role) + ".md.tmpl" }

// Options configure an Engine.
type Options struct {
	// TemplatesDir, if set, is searched first for each template file by
	// name (ceo.md.tmpl, common.md.tmpl...), so an owner can reword a
	// report without rebuilding opsdeck.
	TemplatesDir string
}

// Engine holds the parsed templates. It is safe for concurrent use.
type Engine struct {
	templates map[portfolio.ReportRole]*template.Template
}

// New parses every template, embedded or overridden, so a broken override
// is reported at once, naming its file and line, before anything renders.
func New(opts Options) (*Engine, error) {
	if opts.TemplatesDir != "" {
		st, err := os.Stat(opts.TemplatesDir)
		if err != nil {
			return nil, fmt.Errorf("templates directory: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("templates directory %s is not a directory", opts.TemplatesDir)
		}
	}
	common, commonName, err := loadTemplate(opts.TemplatesDir, commonTemplate)
	if err != nil {
		return nil, err
	}
	e := &Engine{templates: map[portfolio.ReportRole]*template.Template{}}
	for _, role := range portfolio.ReportRoles {
		body, name, err := loadTemplate(opts.TemplatesDir, TemplateName(role))
		if err != nil {
			return nil, err
		}
		// Templates are named by their file so parse and execution errors
		// ("template: /x/ceo.md.tmpl:12: ...") say where to look.
		t := template.New(name).Option("missingkey=error").Funcs(funcs)
		if _, err := t.New(commonName).Parse(common); err != nil {
			return nil, fmt.Errorf("parse report template: %w", err)
		}
		if _, err := t.Parse(body); err != nil {
			return nil, fmt.Errorf("parse report template: %w", err)
		}
		e.templates[role] = t
	}
	return e, nil
}

// loadTemplate returns a template file's text and the name to report it
// by: the override's path if there is one, else the embedded file.
func loadTemplate(dir, file string) (body, name string, err error) {
	if dir != "" {
		path := filepath.Join(dir, file)
		b, err := readOverride(path)
		if err == nil {
			return string(b), path, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("read report template: %w", err)
		}
	}
	b, err := embedded.ReadFile("templates/" + file)
	if err != nil {
		return "", "", fmt.Errorf("embedded report template %s: %w", file, err)
	}
	return string(b), file, nil
}

// maxTemplateBytes bounds an override: the embedded templates are a few
// KB each.
const maxTemplateBytes = 1 << 20

// readOverride reads a template override, which must be a regular file
// (or a symbolic link to one) of at most maxTemplateBytes. Anything else
// is refused before it is read: a FIFO, whose reading waits for a writer
// that may never come (and would hang report, SIGTERM and all), a device,
// a socket, a directory. The file is opened without blocking and checked
// again on the open descriptor, so a regular file swapped for a FIFO in
// between cannot hang it either.
func readOverride(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, notRegular(path, st.Mode())
	}
	f, err := openNonblocking(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, notRegular(path, st.Mode())
	}
	if st.Size() > maxTemplateBytes {
		return nil, fmt.Errorf("%s is %d bytes; a template may be at most %d", path, st.Size(), maxTemplateBytes)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxTemplateBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxTemplateBytes {
		return nil, fmt.Errorf("%s grew past %d bytes while it was read", path, maxTemplateBytes)
	}
	return b, nil
}

// notRegular says what an override that is not a regular file is.
func notRegular(path string, mode fs.FileMode) error {
	what := "not a regular file"
	switch {
	case mode.IsDir():
		what = "a directory"
	case mode&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case mode&fs.ModeSocket != 0:
		what = "a socket"
	case mode&fs.ModeDevice != 0:
		what = "a device"
	}
	return fmt.Errorf("%s is %s, not a regular file; a template override must be a file", path, what)
}

// markdown executes role's template over r.
func (e *Engine) markdown(r *Report) (string, error) {
	t, ok := e.templates[r.Role]
	if !ok {
		return "", portfolio.Errorf(portfolio.EINVALID, "unknown report role %q", r.Role)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, r); err != nil {
		return "", fmt.Errorf("render %s report: %w", r.Role.Title(), err)
	}
	return buf.String(), nil
}

// Render builds role's report from snap and renders it in format f.
func (e *Engine) Render(snap *portfolio.Snapshot, role portfolio.ReportRole, f Format, o RenderOptions) (string, error) {
	md, err := e.roleMarkdown(snap, role, o)
	if err != nil {
		return "", err
	}
	return convert(md, f, Subject(snap, role), o)
}

// roleMarkdown builds role's report and executes its template.
func (e *Engine) roleMarkdown(snap *portfolio.Snapshot, role portfolio.ReportRole, o RenderOptions) (string, error) {
	r, err := e.Build(snap, role)
	if err != nil {
		return "", err
	}
	if o.Previous != nil {
		r.Changes = Changes(*o.Previous, r.Figures())
		r.HasPrevious = true
	}
	return e.markdown(r)
}

// convert renders a report's markdown in format f.
func convert(md string, f Format, title string, o RenderOptions) (string, error) {
	switch f {
	case Markdown:
		return barsAsText(md), nil
	case Term:
		return renderTerm(md, o)
	case HTML:
		return renderHTML(md, title)
	case Text:
		return renderText(md, o.width())
	}
	return "", portfolio.Errorf(portfolio.EINVALID, "unknown format %q", f)
}

// Rendered is one role's report in one format.
type Rendered struct {
	Role   portfolio.ReportRole
	Format Format
	Text   string
}

// RenderAll renders every role in roles in every format in formats, in that
// order. Each role's markdown is built once, and the conversions, which
// dominate (glamour above all), run in parallel on every CPU. previous, if
// not nil, gives each role's figures from its last send.
func (e *Engine) RenderAll(snap *portfolio.Snapshot, roles []portfolio.ReportRole, formats []Format, o RenderOptions,
	previous map[portfolio.ReportRole]*Figures) ([]Rendered, error) {
	out := make([]Rendered, len(roles)*len(formats))
	mds := make([]string, len(roles))
	for i, role := range roles {
		ro := o
		ro.Previous = previous[role]
		md, err := e.roleMarkdown(snap, role, ro)
		if err != nil {
			return nil, err
		}
		mds[i] = md
	}
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, role := range roles {
		for j, f := range formats {
			k := i*len(formats) + j
			out[k] = Rendered{Role: role, Format: f}
			g.Go(func() error {
				text, err := convert(mds[i], f, Subject(snap, role), o)
				out[k].Text = text
				return err
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}
