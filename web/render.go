package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"strconv"
	"sync"

	"opsdeck/portfolio"
)

//go:embed assets/page.html assets/style.css assets/app.js
var assets embed.FS

// renderer holds the parsed templates, the inline style and script, and
// the Content-Security-Policy that admits exactly those two.
type renderer struct {
	t   *template.Template
	csp string
}

func newRenderer() (*renderer, error) {
	css, err := assets.ReadFile("assets/style.css")
	if err != nil {
		return nil, err
	}
	js, err := assets.ReadFile("assets/app.js")
	if err != nil {
		return nil, err
	}
	t, err := template.New("").Funcs(template.FuncMap{
		"css": func() template.CSS { return template.CSS(css) },
		"js":  func() template.JS { return template.JS(js) },
	}).ParseFS(assets, "assets/page.html")
	if err != nil {
		return nil, fmt.Errorf("parse page templates: %w", err)
	}
	hash := func(b []byte) string {
		sum := sha256.Sum256(b)
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	// Inline code runs only if it is byte for byte ours: an injected
	// <script> or onerror= attribute is refused by the browser even if
	// escaping ever failed.
	csp := "default-src 'none'; script-src " + hash(js) + "; style-src " + hash(css) +
		"; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	return &renderer{t: t, csp: csp}, nil
}

func (r *renderer) render(name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := r.t.ExecuteTemplate(&b, name, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// parts renders the replaceable pieces of a page for one viewer, by
// element id: the summary, the given phases (all if none given), the log
// and the links list when the viewer may see them.
func (r *renderer) parts(p pageView, phases ...int64) (map[string]string, error) {
	out := map[string]string{}
	add := func(id, name string, data any) error {
		b, err := r.render(name, data)
		if err != nil {
			return err
		}
		out[id] = string(b)
		return nil
	}
	if err := add("summary", "summary", p); err != nil {
		return nil, err
	}
	want := map[int64]bool{}
	for _, id := range phases {
		want[id] = true
	}
	for _, ph := range p.Phases {
		if len(phases) == 0 || want[ph.ID] {
			if err := add("p"+strconv.FormatInt(ph.ID, 10), "phase", ph); err != nil {
				return nil, err
			}
		}
	}
	if p.Captain {
		if err := add("log", "log", p); err != nil {
			return nil, err
		}
	}
	if p.Admin {
		if err := add("links", "links", p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pageKey identifies a cached page: what it shows depends only on the
// event's version, who looks and with what role, and the minute (the
// countdown).
type pageKey struct {
	event, person int64
	role          portfolio.AccessRole
}

type cachedPage struct {
	version uint64
	minute  int64
	html    []byte
	gz      []byte
}

// pageCache keeps each viewer's rendered page until the event changes,
// so a page view costs a map look-up instead of a template execution.
type pageCache struct {
	s  *Server
	mu sync.RWMutex
	m  map[pageKey]*cachedPage
}

// maxCachedPages bounds the cache; past it the cache starts afresh.
const maxCachedPages = 4096

func newPageCache(s *Server) *pageCache { return &pageCache{s: s, m: map[pageKey]*cachedPage{}} }

func (c *pageCache) get(ctx context.Context, eventID int64, v viewer) (*cachedPage, error) {
	now := c.s.now()
	minute := now.Unix() / 60
	version := c.s.hub.version(eventID)
	key := pageKey{eventID, v.PersonID, v.Role}
	c.mu.RLock()
	p := c.m[key]
	c.mu.RUnlock()
	if p != nil && p.version == version && p.minute == minute {
		return p, nil
	}
	d, err := c.s.load(ctx, eventID)
	if err != nil {
		return nil, err
	}
	html, err := c.s.renderer.render("page", c.s.view(d, v, now))
	if err != nil {
		return nil, err
	}
	p = &cachedPage{version: d.version, minute: minute, html: html, gz: gzipped(html)}
	c.mu.Lock()
	if len(c.m) >= maxCachedPages {
		clear(c.m)
	}
	c.m[key] = p
	c.mu.Unlock()
	return p, nil
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// pageFor renders a page uncached, for answers that carry a message.
func (s *Server) pageFor(ctx context.Context, eventID int64, v viewer, flash string) ([]byte, error) {
	d, err := s.load(ctx, eventID)
	if err != nil {
		return nil, err
	}
	p := s.view(d, v, s.now())
	p.Flash = flash
	return s.renderer.render("page", p)
}

// partsFor renders the parts of a page a change touched, for one viewer.
func (s *Server) partsFor(ctx context.Context, eventID int64, v viewer, phases ...int64) (map[string]string, uint64, error) {
	d, err := s.load(ctx, eventID)
	if err != nil {
		return nil, 0, err
	}
	parts, err := s.renderer.parts(s.view(d, v, s.now()), phases...)
	return parts, d.version, err
}
