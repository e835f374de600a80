package web

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"opsdeck/auth"
	"opsdeck/portfolio"
	"opsdeck/replica"
	"opsdeck/store"
	"opsdeck/store/demo"
)

// claimEvent adds an event with n checklist items crewed by Sam, and
// returns Sam's session on it and the items' ids.
func claimEvent(b *testing.B, f *fixture, n int) (auth.Session, []int64) {
	b.Helper()
	ctx := context.Background()
	items := make([]portfolio.ChecklistItem, n)
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
	ids := make([]int64, n)
	for i, it := range ev.Phases[0].Items {
		ids[i] = it.ID
	}
	return sess, ids
}

// replicate starts replication of the fixture's database to a file://
// replica as serve does (checkpoints left to Litestream), stopped before
// the fixture closes the store.
func replicate(b *testing.B, f *fixture, interval time.Duration) *replica.Replicator {
	b.Helper()
	ctx := context.Background()
	if err := f.store.LeaveCheckpointsToReplication(ctx); err != nil {
		b.Fatal(err)
	}
	r, err := replica.Start(ctx, f.store.Path(), replica.Options{URL: "file://" + filepath.Join(b.TempDir(), "replica"), SyncInterval: interval})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Stop(context.Background()) })
	return r
}

// crewClient posts item actions as one crew member over benchConns
// keep-alive connections.
type crewClient struct {
	c    *http.Client
	base string
	sess auth.Session
}

func newCrewClient(f *fixture, sess auth.Session) *crewClient {
	tr := &http.Transport{MaxIdleConnsPerHost: benchConns, MaxConnsPerHost: benchConns, DisableCompression: true}
	return &crewClient{c: &http.Client{Transport: tr, Timeout: 30 * time.Second}, base: f.base, sess: sess}
}

func (cc *crewClient) act(id int64, action string) error {
	req, _ := http.NewRequest("POST", cc.base+"/api/items/"+itoa(id)+"/"+action, nil)
	req.AddCookie(&http.Cookie{Name: accessCookie, Value: cc.sess.Access})
	resp, err := cc.c.Do(req)
	if err != nil {
		return err
	}
	return drain(resp, http.StatusOK)
}

// claimAll claims every item once from benchConns callers and returns
// how long it took and each claim's latency, sorted.
func (cc *crewClient) claimAll(ids []int64) (time.Duration, []time.Duration, error) {
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	lat := make([]time.Duration, len(ids))
	start := time.Now()
	for range benchConns {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(ids) {
					return
				}
				t0 := time.Now()
				if err := cc.act(ids[i], store.ActClaim); err != nil {
					failed.CompareAndSwap(nil, err)
					return
				}
				lat[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		return 0, nil, err
	}
	elapsed := time.Since(start)
	slices.Sort(lat)
	return elapsed, lat, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkClaimReplicated is BenchmarkClaim on two crew servers side by
// side, one of them replicating to a file:// replica, b.N claims each, in
// turns within one run so both see the same machine: the ratio of their
// rates (on/off) is the figure, the goal 0.9 or more. The replica
// syncs every second, opsdeck's shortest interval, so a one-second run
// holds syncs (the default 10 s is BenchmarkClaimBurst's), and the time
// on counts a final sync of what it wrote, so it pays for its own.
func BenchmarkClaimReplicated(b *testing.B) {
	ctx := context.Background()
	off, on := newFixture(b), newFixture(b)
	r := replicate(b, on, time.Second)
	offSess, offIDs := claimEvent(b, off, b.N)
	onSess, onIDs := claimEvent(b, on, b.N)
	offC, onC := newCrewClient(off, offSess), newCrewClient(on, onSess)
	defer offC.c.CloseIdleConnections()
	defer onC.c.CloseIdleConnections()
	b.ResetTimer()
	offTime, offLat, err := offC.claimAll(offIDs)
	if err != nil {
		b.Fatal(err)
	}
	began := time.Now()
	_, onLat, err := onC.claimAll(onIDs)
	if err != nil {
		b.Fatal(err)
	}
	if err := r.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	onTime := time.Since(began)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/offTime.Seconds(), "off-claims/s")
	b.ReportMetric(float64(b.N)/onTime.Seconds(), "on-claims/s")
	b.ReportMetric(offTime.Seconds()/onTime.Seconds(), "on/off")
	// A checkpoint holding the write lock shows as the slowest claims.
	b.ReportMetric(ms(offLat[len(offLat)*99/100]), "off-p99-ms")
	b.ReportMetric(ms(onLat[len(onLat)*99/100]), "on-p99-ms")
	b.ReportMetric(ms(offLat[len(offLat)-1]), "off-max-ms")
	b.ReportMetric(ms(onLat[len(onLat)-1]), "on-max-ms")
}

// burst runs item changes at full speed from benchConns callers for d:
// each caller claims its own share of the items, then releases them, over
// and over, so every request is a real change. It returns the time each
// change was acknowledged (durable), caller by caller.
func (cc *crewClient) burst(ids []int64, d time.Duration) ([][]time.Time, error) {
	acks := make([][]time.Time, benchConns)
	share := len(ids) / benchConns
	var failed atomic.Value
	var wg sync.WaitGroup
	until := time.Now().Add(d)
	for w := range benchConns {
		mine := ids[w*share : (w+1)*share]
		wg.Go(func() {
			for pass := 0; time.Now().Before(until); pass++ {
				action := store.ActClaim
				if pass%2 == 1 {
					action = store.ActRelease
				}
				for _, id := range mine {
					if err := cc.act(id, action); err != nil {
						failed.CompareAndSwap(nil, err)
						return
					}
					acks[w] = append(acks[w], time.Now())
					if !time.Now().Before(until) {
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		return nil, err
	}
	return acks, nil
}

// watchWAL samples the size of a database's WAL every 20 ms until the
// returned function is called, which returns the largest seen.
func watchWAL(dbPath string) func() int64 {
	var biggest atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if fi, err := os.Stat(dbPath + "-wal"); err == nil && fi.Size() > biggest.Load() {
					biggest.Store(fi.Size())
				}
			}
		}
	})
	return func() int64 { close(stop); wg.Wait(); return biggest.Load() }
}

// longestPause is the longest time in which no caller had a change
// acknowledged: a writer held off (by a checkpoint holding the write lock)
// shows as one.
func longestPause(acks [][]time.Time) time.Duration {
	var all []time.Time
	for _, a := range acks {
		all = append(all, a...)
	}
	slices.SortFunc(all, time.Time.Compare)
	var longest time.Duration
	for i := 1; i < len(all); i++ {
		longest = max(longest, all[i].Sub(all[i-1]))
	}
	return longest
}

func countAcks(acks [][]time.Time) (n int) {
	for _, a := range acks {
		n += len(a)
	}
	return n
}

// BenchmarkClaimBurst is replication at opsdeck's default 10 s interval
// under a burst of crew changes at full speed: 30 s of them on a server
// replicating to a file:// replica, between 15 s before and 15 s after on
// one that does not. It reports the changes' rate on against off, and the
// replication lag: for each change, from its acknowledgement to the end
// of the first sync that began after it (by then the replica surely holds
// it; it may hold it sooner), median and worst, and the largest
// Status().Lag a monitor polling every 20 ms saw, the largest the WAL
// grew, and the longest pause in which no change was acknowledged. About
// 75 s.
func BenchmarkClaimBurst(b *testing.B) {
	if os.Getenv("OPSDECK_BENCH_SLOW") != "1" {
		b.Skip("75 s on the real clock: bench/run runs it once with OPSDECK_BENCH_SLOW=1")
	}
	const on, offEach = 30 * time.Second, 15 * time.Second
	const items = benchConns * 50
	for range b.N {
		off := newFixture(b)
		offSess, offIDs := claimEvent(b, off, items)
		offC := newCrewClient(off, offSess)
		f := newFixture(b)
		onSess, onIDs := claimEvent(b, f, items)
		onC := newCrewClient(f, onSess)
		r := replicate(b, f, replica.DefaultSyncInterval)

		offWAL := watchWAL(off.store.Path())
		before, err := offC.burst(offIDs, offEach)
		if err != nil {
			b.Fatal(err)
		}

		// The monitor: a sync has ended when LastSync (when it began)
		// moves on.
		type syncSeen struct{ began, ended time.Time }
		var (
			mu       sync.Mutex
			syncs    []syncSeen
			statLags []time.Duration
			walMax   int64
		)
		stop := make(chan struct{})
		var mon sync.WaitGroup
		mon.Go(func() {
			t := time.NewTicker(20 * time.Millisecond)
			defer t.Stop()
			last := r.Status().LastSync
			for {
				select {
				case <-stop:
					return
				case now := <-t.C:
					st := r.Status()
					mu.Lock()
					statLags = append(statLags, st.Lag)
					if fi, err := os.Stat(f.store.Path() + "-wal"); err == nil {
						walMax = max(walMax, fi.Size())
					}
					if st.LastSync.After(last) {
						syncs = append(syncs, syncSeen{st.LastSync, now})
						last = st.LastSync
					}
					mu.Unlock()
				}
			}
		})
		during, err := onC.burst(onIDs, on)
		if err != nil {
			b.Fatal(err)
		}
		var lastAck time.Time
		for _, a := range during {
			if len(a) > 0 && a[len(a)-1].After(lastAck) {
				lastAck = a[len(a)-1]
			}
		}
		// Wait for the timer's sync that takes the last change: a sync
		// asked for now would flatter the figure.
		for deadline := time.Now().Add(3 * replica.DefaultSyncInterval); ; {
			mu.Lock()
			done := len(syncs) > 0 && !syncs[len(syncs)-1].began.Before(lastAck)
			mu.Unlock()
			if done {
				break
			}
			if time.Now().After(deadline) {
				b.Fatal("no sync took the burst's last change")
			}
			time.Sleep(50 * time.Millisecond)
		}
		close(stop)
		mon.Wait()
		onStat := statLags[:]
		// What the burst leaves on disk: after a sync (and Litestream's
		// checkpoint with it) the next write starts the WAL over.
		ctx := context.Background()
		for range 2 {
			if err := r.Sync(ctx); err != nil {
				b.Fatal(err)
			}
			if _, err := f.store.AcquireLease(ctx, "bench", "after-burst", time.Minute); err != nil {
				b.Fatal(err)
			}
		}
		var walAfter int64
		if fi, err := os.Stat(f.store.Path() + "-wal"); err == nil {
			walAfter = fi.Size()
		}

		after, err := offC.burst(offIDs, offEach)
		if err != nil {
			b.Fatal(err)
		}
		offWALMax := offWAL()
		offC.c.CloseIdleConnections()
		onC.c.CloseIdleConnections()

		var lags []time.Duration
		for _, a := range during {
			for _, t := range a {
				k, _ := slices.BinarySearchFunc(syncs, t, func(s syncSeen, t time.Time) int { return s.began.Compare(t) })
				lags = append(lags, syncs[k].ended.Sub(t))
			}
		}
		slices.Sort(lags)
		slices.Sort(onStat)
		offRate := float64(countAcks(before)+countAcks(after)) / (2 * offEach).Seconds()
		onRate := float64(countAcks(during)) / on.Seconds()
		b.ReportMetric(offRate, "off-changes/s")
		b.ReportMetric(onRate, "on-changes/s")
		b.ReportMetric(onRate/offRate, "on/off")
		b.ReportMetric(lags[len(lags)/2].Seconds(), "lag-p50-s")
		b.ReportMetric(lags[len(lags)-1].Seconds(), "lag-max-s")
		b.ReportMetric(onStat[len(onStat)-1].Seconds(), "status-lag-max-s")
		b.ReportMetric(float64(len(syncs)), "syncs")
		b.ReportMetric(float64(walMax)/(1<<20), "wal-max-MB")
		b.ReportMetric(float64(walAfter)/(1<<20), "wal-after-MB")
		b.ReportMetric(float64(offWALMax)/(1<<20), "off-wal-max-MB")
		b.ReportMetric(ms(longestPause(during)), "pause-max-ms")
		b.ReportMetric(ms(max(longestPause(before), longestPause(after))), "off-pause-max-ms")
		b.ReportMetric(0, "ns/op")
	}
}
