package web

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/demo"
)

// benchConns is the number of concurrent connections of every load run,
// as the budgets are stated.
const benchConns = 64

// load runs b.N requests over benchConns keep-alive connections and
// reports throughput and the 99th-percentile latency. ns/op is the wall
// time per request, so the ratio of two benchmarks' ns/op is the inverse
// ratio of their throughputs.
func load(b *testing.B, do func(c *http.Client, i int) error) {
	b.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: benchConns, MaxConnsPerHost: benchConns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range benchConns {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= b.N {
					return
				}
				t0 := time.Now()
				if err := do(c, i); err != nil {
					failed.CompareAndSwap(nil, err)
					return
				}
				lat[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

func drain(resp *http.Response, want int) error {
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("status %d, want %d", resp.StatusCode, want)
	}
	return nil
}

// BenchmarkStaticPage is the baseline: an 8 KB page served by plain
// net/http from memory, on this machine, in this run.
func BenchmarkStaticPage(b *testing.B) {
	page := []byte(strings.Repeat("<p>static baseline page</p>\n", 8192/28+1)[:8192])
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/"
	load(b, func(c *http.Client, i int) error {
		resp, err := c.Get(url)
		if err != nil {
			return err
		}
		return drain(resp, http.StatusOK)
	})
}

// BenchmarkChecklistPage is a crew member's checklist page: token check,
// cached render, gzipped, as a phone asks for it.
func BenchmarkChecklistPage(b *testing.B) {
	f := newFixture(b)
	sess, _ := f.session("sam", f.event.ID, "")
	url := f.base + "/e/" + itoa(f.event.ID)
	get := func(c *http.Client, i int) error {
		req, _ := http.NewRequest("GET", url, nil)
		req.AddCookie(&http.Cookie{Name: accessCookie, Value: sess.Access})
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		return drain(resp, http.StatusOK)
	}
	// One view first, as the page has had by the time crew are working
	// it: each round starts a new server, and without this its 64 first
	// requests all render the same page at once.
	if err := get(http.DefaultClient, 0); err != nil {
		b.Fatal(err)
	}
	load(b, get)
}

// BenchmarkClaim is a durable claim (synchronous=FULL) through the JSON
// API: token check, permission check, conditional UPDATE, audit and log
// rows, commit, fan-out. Every request claims a different item, so each
// is a real change.
func BenchmarkClaim(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	items := make([]portfolio.ChecklistItem, b.N)
	for i := range items {
		items[i] = portfolio.ChecklistItem{Title: fmt.Sprintf("Bench item %d", i)}
	}
	ev := portfolio.Event{EntityID: f.event.EntityID, Kind: "charter", Title: "Bench", DepartsAt: time.Now().Add(48 * time.Hour),
		TimeZone: demo.TimeZone, Duration: 60, Status: portfolio.EventPlanned,
		Crew:   []portfolio.CrewMember{{PersonID: f.people["sam"].ID, Role: portfolio.AccessCrew}},
		Phases: []portfolio.Phase{{Name: "Bench", Items: items}}}
	if err := f.store.Update(ctx, "bench", func(tx *store.Tx) error { return tx.CreateEvent(ctx, &ev) }); err != nil {
		b.Fatal(err)
	}
	sess, _ := f.session("sam", ev.ID, "")
	ids := make([]string, b.N)
	for i, it := range ev.Phases[0].Items {
		ids[i] = f.base + "/api/items/" + itoa(it.ID) + "/claim"
	}
	load(b, func(c *http.Client, i int) error {
		req, _ := http.NewRequest("POST", ids[i], nil)
		req.AddCookie(&http.Cookie{Name: accessCookie, Value: sess.Access})
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		return drain(resp, http.StatusOK)
	})
}

// BenchmarkRawCommit is the floor for BenchmarkClaim: the raw commit rate
// of one writer connection on the same kind of database (WAL,
// synchronous=FULL), one bare INSERT per transaction, from the same 64
// concurrent callers.
func BenchmarkRawCommit(b *testing.B) {
	f := newFixture(b)
	path := filepath.Join(b.TempDir(), "raw.db")
	if err := f.store.Backup(context.Background(), path); err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)&_pragma=synchronous(FULL)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, v INTEGER NOT NULL) STRICT"); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	for range benchConns {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				if _, err := db.Exec("INSERT INTO bench_raw (v) VALUES (?)", 1); err != nil {
					failed.CompareAndSwap(nil, err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
}
