package replica_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/replica"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// drillChild is set in the environment of the process the drill kills.
const drillChild = "OPSDECK_REPLICA_DRILL_CHILD"

// TestDrillLostServer is the restore drill: a server process writes KPI
// readings and crew claims through the store while replicating, and says
// on stdout what it has committed and when each sync began; it is killed
// mid-stream (no final sync: the server is gone), its database files are
// deleted, and the replica is restored. Every write committed before the
// start of the last sync the server saw complete must be in the restore.
func TestDrillLostServer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a server process for a few seconds")
	}
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "opsdeck.db")
	url := "file://" + filepath.Join(t.TempDir(), "replica")
	s := storetest.OpenPath(t, dbPath, nil)
	storetest.LoadDemo(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestDrillServer$", "-test.v")
	cmd.Env = append(os.Environ(), drillChild+"=1", "DRILL_DB="+dbPath, "DRILL_URL="+url)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	type ack struct {
		kind string
		id   int64
		at   time.Time
	}
	var acks []ack
	var lastSync time.Time
	syncs := 0
	killed := false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 4 && f[0] == "ack":
			id, _ := strconv.ParseInt(f[2], 10, 64)
			ns, _ := strconv.ParseInt(f[3], 10, 64)
			acks = append(acks, ack{f[1], id, time.Unix(0, ns)})
		case len(f) == 2 && f[0] == "sync":
			ns, _ := strconv.ParseInt(f[1], 10, 64)
			lastSync = time.Unix(0, ns)
			syncs++
		}
		// Kill it while it writes, a few syncs in.
		if !killed && syncs >= 6 && len(acks) >= 40 {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	_ = cmd.Wait()
	if !killed {
		t.Fatalf("the server ended on its own after %d writes and %d syncs", len(acks), syncs)
	}

	// The lost server: its database, WAL, shared memory and Litestream's
	// local files go.
	for _, p := range []string{dbPath, dbPath + "-wal", dbPath + "-shm", filepath.Join(dir, ".opsdeck.db-litestream")} {
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	restored, err := replica.Restore(ctx, url, replica.Access{}, dbPath, time.Time{})
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	t.Logf("restored txid %d (last change %s) from %d files, %d bytes, in %s", restored.TXID,
		restored.LastChange.Format(time.RFC3339Nano), restored.Files, restored.Bytes, restored.Took)

	s = storetest.OpenPath(t, dbPath, nil)
	kpi, err := s.KPI(ctx, "JADA", "charters")
	if err != nil {
		t.Fatal(err)
	}
	readings, err := s.Readings(ctx, kpi.ID, 100000)
	if err != nil {
		t.Fatal(err)
	}
	notes := map[string]bool{}
	for _, r := range readings {
		notes[r.Note] = true
	}
	var guaranteed, extra int
	for _, a := range acks {
		var present bool
		switch a.kind {
		case "reading":
			present = notes[fmt.Sprintf("drill %d", a.id)]
		case "claim":
			it, err := s.ChecklistItem(ctx, a.id)
			if err != nil {
				t.Fatal(err)
			}
			present = it.ClaimedBy != 0
		}
		switch {
		case a.at.Before(lastSync) && !present:
			t.Errorf("%s %d committed at %s, before the last sync began (%s), is not in the restore",
				a.kind, a.id, a.at.Format(time.StampMicro), lastSync.Format(time.StampMicro))
		case a.at.Before(lastSync):
			guaranteed++
		case present:
			extra++
		}
	}
	t.Logf("%d writes before the last sync seen, all restored; %d of the %d after it restored too", guaranteed, extra, len(acks)-guaranteed)
	if guaranteed < 20 {
		t.Errorf("only %d writes were covered by a sync; the drill proved little", guaranteed)
	}
}

// TestDrillServer is the server TestDrillLostServer kills; alone it skips.
func TestDrillServer(t *testing.T) {
	if os.Getenv(drillChild) == "" {
		t.Skip("run by TestDrillLostServer")
	}
	ctx := context.Background()
	s, err := store.Open(ctx, os.Getenv("DRILL_DB"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := replica.Start(ctx, s.Path(), replica.Options{URL: os.Getenv("DRILL_URL"), SyncInterval: 150 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		var last time.Time
		for {
			if st := r.Status(); !st.LastSync.Equal(last) {
				last = st.LastSync
				fmt.Printf("sync %d\n", last.UnixNano())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	open := openItems(t, s)
	people, _ := s.People(ctx)
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		if i%2 == 1 && len(open) > 0 {
			it := open[0]
			open = open[1:]
			err := s.Update(ctx, "drill", func(tx *store.Tx) error {
				_, err := tx.ClaimItem(ctx, it.event, it.id, people[0].ID, people[0].ID)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			fmt.Printf("ack claim %d %d\n", it.id, time.Now().UnixNano())
		} else {
			v := float64(i % 50)
			err := s.Update(ctx, "drill", func(tx *store.Tx) error {
				_, err := tx.SetKPI(ctx, "JADA", "charters", portfolio.KPIUpdate{Value: &v, Note: fmt.Sprintf("drill %d", i)})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			fmt.Printf("ack reading %d %d\n", i, time.Now().UnixNano())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type openItem struct{ event, id int64 }

// openItems lists the demo's items nobody holds or has done.
func openItems(t testing.TB, s *store.Store) []openItem {
	t.Helper()
	events, err := s.Events(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var open []openItem
	for _, e := range events {
		for _, p := range e.Phases {
			for _, it := range p.Items {
				if it.ClaimedBy == 0 && !it.Done() {
					open = append(open, openItem{e.ID, it.ID})
				}
			}
		}
	}
	return open
}
