package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/demo"
)

// BenchmarkStreamFanout is one checklist change (the captain claims or
// releases an item through the JSON API) with 0, 400 and 4,000 event
// streams open on the event, every stream reading. Changes come every
// 100 ms, thirty to an op (so one op, of 3 s, is the whole run), and
// each waits until every stream has it, so none are merged.
//
// The streams are real TCP connections on 127.0.0.1, opened and read by
// a child process (this test binary again, as TestStreamClientsProcess),
// so the server's CPU, read from getrusage for this process only, is not
// mixed with the clients'. The kernel's work to pass the bytes over
// loopback is charged to whoever sends, so it counts as the server's.
// The streams come from 67 sessions of five people in four roles (a
// captain, two crew, an admin, three guests: five view keys); the caps
// per session and in all are lifted for the benchmark.
//
// It reports cpu-ms/change (server CPU per change, everything included:
// the claim's request, its commit, rendering and writing to every
// stream, the session watch), claim-p50-ms (the median time the captain
// waits for the claim's answer) and burst-claim-p50-ms (the same for 20
// claims back to back, each while the ones before are still being
// delivered). bench/run prints them as ratios. The clients run at nice
// 19: they stand in for phones elsewhere.
func BenchmarkStreamFanout(b *testing.B) {
	for _, n := range []int{0, 400, 4000} {
		b.Run(fmt.Sprintf("streams=%d", n), func(b *testing.B) { benchFanout(b, n) })
	}
}

func benchFanout(b *testing.B, streams int) {
	f := newFixture(b)
	srv := f.streamServer(b, nil, Options{MaxStreams: 100000, StreamsPerSession: 100000})
	ev := benchEvent(b, f)
	captain, _ := f.session("morgan", ev.ID, "")

	var clients *streamClients
	if streams > 0 {
		var tokens []string
		for _, w := range []struct {
			who  string
			role portfolio.AccessRole
			n    int
		}{{"sam", "", 25}, {"jess", "", 25}, {"morgan", "", 5}, {"casey", portfolio.AccessAdmin, 2}, {"riley", portfolio.AccessGuest, 4}, {"dana", portfolio.AccessGuest, 3}, {"chris", portfolio.AccessGuest, 3}} {
			for range w.n {
				sess, _ := f.session(w.who, ev.ID, w.role)
				tokens = append(tokens, sess.Access)
			}
		}
		clients = startStreamClients(b, srv.URL(), ev.ID, tokens, streams)
		if n := srv.hub.streamCount(); n != streams {
			b.Fatalf("%d streams open, want %d", n, streams)
		}
	}

	items := ev.Phases[1].Items
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	// claim makes change i (a claim, then its release, item after item)
	// and returns how long the captain waited for the answer.
	claim := func(i int) time.Duration {
		it := items[(i/2)%len(items)]
		action := "claim"
		if i%2 == 1 {
			action = "release"
		}
		req, _ := http.NewRequest("POST", srv.URL()+"/api/items/"+itoa(it.ID)+"/"+action, nil)
		req.AddCookie(&http.Cookie{Name: accessCookie, Value: captain.Access})
		start := time.Now()
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		if err := drain(resp, http.StatusOK); err != nil {
			b.Fatalf("%s: %v", action, err)
		}
		return took
	}
	delivered := func() {
		if clients != nil {
			clients.wait(b, srv.hub.version(ev.ID))
		}
	}
	// Two changes first, so every cache is warm and the item free.
	for i := range 2 {
		claim(i)
		delivered()
	}
	renders := srv.fan().renders.Load()

	// The measured changes come at a steady pace, the same with any
	// number of streams, each delivered to every stream before the
	// next: a busy event, not a benchmark loop that keeps every cache
	// hot only when nothing is listening.
	const pace, changesPerOp = 100 * time.Millisecond, 30
	var lat []time.Duration
	i := 2
	next := time.Now().Add(pace)
	cpu0 := cpuTime()
	for b.Loop() {
		for range changesPerOp {
			time.Sleep(time.Until(next))
			next = time.Now().Add(pace)
			lat = append(lat, claim(i))
			delivered()
			i++
		}
	}
	cpu := cpuTime() - cpu0
	n := len(lat)
	rendered := srv.fan().renders.Load() - renders

	// Then a burst: claims back to back, each while the changes before
	// it are still being delivered.
	var burst []time.Duration
	for range 20 {
		burst = append(burst, claim(i))
		i++
	}
	delivered()

	slices.Sort(lat)
	slices.Sort(burst)
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n), "cpu-ms/change")
	b.ReportMetric(float64(lat[n/2].Microseconds())/1000, "claim-p50-ms")
	b.ReportMetric(float64(burst[len(burst)/2].Microseconds())/1000, "burst-claim-p50-ms")
	if streams > 0 {
		b.ReportMetric(float64(rendered)/float64(n), "renders/change")
	}
}

// cpuTime is the CPU this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchEvent is an event of four phases of twelve items, crewed by the
// demo's captain and two crew.
func benchEvent(b testing.TB, f *fixture) portfolio.Event {
	ctx := context.Background()
	var phases []portfolio.Phase
	for p, name := range []string{"Pre-departure", "Boarding", "Underway", "Return and turnaround"} {
		var items []portfolio.ChecklistItem
		for i := range 12 {
			items = append(items, portfolio.ChecklistItem{Title: fmt.Sprintf("%s task %d: check, stow and report", name, i+1), Mandatory: i%4 == 0})
		}
		phases = append(phases, portfolio.Phase{Name: name, Position: p + 1, Items: items})
	}
	ev := portfolio.Event{EntityID: f.event.EntityID, Kind: "charter", Title: "Fan-out cruise", DepartsAt: time.Now().Add(48 * time.Hour),
		TimeZone: demo.TimeZone, Duration: 120, Status: portfolio.EventPlanned,
		Crew: []portfolio.CrewMember{{PersonID: f.people["morgan"].ID, Role: portfolio.AccessCaptain},
			{PersonID: f.people["sam"].ID, Role: portfolio.AccessCrew}, {PersonID: f.people["jess"].ID, Role: portfolio.AccessCrew}},
		Phases: phases}
	if err := f.store.Update(ctx, "bench", func(tx *store.Tx) error { return tx.CreateEvent(ctx, &ev) }); err != nil {
		b.Fatal(err)
	}
	return ev
}

// streamClients is the child process that holds the streams open.
type streamClients struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

// streamClientsConfig is what the child is told on its standard input.
type streamClientsConfig struct {
	Base    string   `json:"base"`
	Event   int64    `json:"event"`
	Tokens  []string `json:"tokens"`
	Streams int      `json:"streams"`
}

func startStreamClients(b *testing.B, base string, eventID int64, tokens []string, n int) *streamClients {
	cmd := exec.Command(os.Args[0], "-test.run=^TestStreamClientsProcess$", "-test.bench=^$", "-test.count=1")
	cmd.Env = append(os.Environ(), "OPSDECK_STREAM_CLIENTS=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	c := &streamClients{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	b.Cleanup(func() {
		in.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	json.NewEncoder(in).Encode(streamClientsConfig{Base: base, Event: eventID, Tokens: tokens, Streams: n})
	c.expect(b, "ready", 120*time.Second)
	return c
}

// expect reads the child's next line, which must be want.
func (c *streamClients) expect(b *testing.B, want string, within time.Duration) {
	got := make(chan string, 1)
	go func() {
		if c.out.Scan() {
			got <- c.out.Text()
		} else {
			got <- fmt.Sprintf("(the clients' process ended: %v)", c.out.Err())
		}
	}()
	select {
	case line := <-got:
		if line != want {
			b.Fatalf("stream clients said %q, want %q", line, want)
		}
	case <-time.After(within):
		b.Fatalf("stream clients did not say %q within %v", want, within)
	}
}

// wait returns once every stream has the change of version v.
func (c *streamClients) wait(b *testing.B, v uint64) {
	fmt.Fprintf(c.in, "wait %d\n", v)
	c.expect(b, fmt.Sprintf("got %d", v), 60*time.Second)
}

// TestStreamClientsProcess is BenchmarkStreamFanout's child: it opens
// the streams its standard input asks for, says "ready" once each has
// its first message, and to "wait V" says "got V" once every stream has
// read version V. Run by itself it does nothing.
func TestStreamClientsProcess(t *testing.T) {
	if os.Getenv("OPSDECK_STREAM_CLIENTS") != "1" {
		t.Skip("the child process of BenchmarkStreamFanout")
	}
	// The clients stand in for phones elsewhere: they get what CPU the
	// server leaves, not a share of it.
	syscall.Setpriority(syscall.PRIO_PROCESS, 0, 19)
	in := bufio.NewReader(os.Stdin)
	var cfg streamClientsConfig
	line, err := in.ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &cfg)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "stream clients: config:", err)
		os.Exit(2)
	}
	var (
		mu     sync.Mutex
		cond   = sync.NewCond(&mu)
		counts = map[uint64]int{}
		failed error
	)
	tr := &http.Transport{MaxIdleConnsPerHost: -1, DisableCompression: true}
	client := &http.Client{Transport: tr}
	var ready sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i := range cfg.Streams {
		ready.Add(1)
		sem <- struct{}{}
		go func() {
			first := true
			fail := func(err error) {
				mu.Lock()
				if failed == nil {
					failed = err
				}
				cond.Broadcast()
				mu.Unlock()
				if first {
					<-sem
					ready.Done()
				}
			}
			req, _ := http.NewRequest("GET", cfg.Base+"/api/events/"+strconv.FormatInt(cfg.Event, 10)+"/stream", nil)
			req.AddCookie(&http.Cookie{Name: accessCookie, Value: cfg.Tokens[i%len(cfg.Tokens)]})
			resp, err := client.Do(req)
			if err != nil {
				fail(err)
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				fail(fmt.Errorf("stream %d: %s", i, resp.Status))
				return
			}
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(make([]byte, 64<<10), 1<<22)
			for sc.Scan() {
				id, ok := strings.CutPrefix(sc.Text(), "id: ")
				if !ok {
					continue
				}
				v, _ := strconv.ParseUint(id, 10, 64)
				mu.Lock()
				counts[v]++
				cond.Broadcast()
				mu.Unlock()
				if first {
					first = false
					<-sem
					ready.Done()
				}
			}
			fail(fmt.Errorf("stream %d ended: %v", i, sc.Err()))
		}()
	}
	ready.Wait()
	mu.Lock()
	err = failed
	mu.Unlock()
	if err != nil {
		fmt.Fprintln(os.Stderr, "stream clients:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	for {
		line, err := in.ReadString('\n')
		if err != nil {
			os.Exit(0) // the benchmark is done
		}
		v, _ := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(line), "wait "), 10, 64)
		mu.Lock()
		for counts[v] < cfg.Streams && failed == nil {
			cond.Wait()
		}
		err = failed
		delete(counts, v)
		mu.Unlock()
		if err != nil {
			fmt.Fprintln(os.Stderr, "stream clients:", err)
			os.Exit(1)
		}
		fmt.Printf("got %d\n", v)
	}
}
