package replica_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"opsdeck/replica"
	"opsdeck/store/storetest"
)

// s3Peer is an S3-protocol server on 127.0.0.1 (gofakes3, in memory) with
// a bucket "opsdeck"; Down makes it refuse every request until Up.
type s3Peer struct {
	URL  string
	down atomic.Bool
}

func startS3(t *testing.T) *s3Peer {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("opsdeck"); err != nil {
		t.Fatal(err)
	}
	p := &s3Peer{}
	fake := gofakes3.New(backend).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.down.Load() {
			// As a dead peer: the connection ends with no answer.
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
					return
				}
			}
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	// Litestream's S3 client brings its own HTTP client, which the SDK
	// cannot give a CA bundle: with AWS_CA_BUNDLE set it refuses to start.
	t.Setenv("AWS_CA_BUNDLE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	p.URL = "s3://opsdeck/servers/one?region=us-east-1&endpoint=" + srv.URL
	return p
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The drill over s3://, with a stall in the middle: the peer goes away,
// the status says so (error, growing lag) and the log says so once; the
// peer returns, the replica catches up, and the restore has every write.
func TestS3DrillWithStall(t *testing.T) {
	peer := startS3(t)
	var logs syncBuffer
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	r, err := replica.Start(ctx, s.Path(), replica.Options{URL: peer.URL, SyncInterval: time.Hour,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatalf("start over s3: %v", err)
	}
	defer r.Stop(ctx)
	reading(t, s, "before the stall")
	if err := r.Sync(ctx); err != nil {
		t.Fatalf("sync to the peer: %v", err)
	}

	peer.down.Store(true)
	reading(t, s, "during the stall")
	for i := 0; i < 3; i++ {
		if err := r.Sync(ctx); err == nil {
			t.Fatal("a sync to a dead peer worked")
		}
	}
	st := r.Status()
	if st.LastError == "" || st.Failures != 3 || st.FailingSince.IsZero() || st.ReplicaTXID >= st.LocalTXID {
		t.Errorf("status during the stall: %+v", st)
	}
	if st.Lag < time.Since(st.FailingSince) {
		t.Errorf("lag %s is less than the stall's %s", st.Lag, time.Since(st.FailingSince))
	}
	if n := strings.Count(logs.String(), "replication stalled"); n != 1 {
		t.Errorf("the stall was logged %d times, want once:\n%s", n, logs.String())
	}

	peer.down.Store(false)
	if err := r.Sync(ctx); err != nil {
		t.Fatalf("sync after the peer returned: %v", err)
	}
	st = r.Status()
	if st.LastError != "" || st.Failures != 0 || st.ReplicaTXID != st.LocalTXID {
		t.Errorf("status after recovery: %+v", st)
	}
	if !strings.Contains(logs.String(), "replication recovered") {
		t.Errorf("no recovery line:\n%s", logs.String())
	}

	out := filepath.Join(t.TempDir(), "restored.db")
	got, err := replica.Restore(ctx, peer.URL, replica.Access{}, out, time.Time{})
	if err != nil {
		t.Fatalf("restore over s3: %v", err)
	}
	t.Logf("restored over s3: %+v", got)
	if n := notes(t, out); !n["before the stall"] || !n["during the stall"] {
		t.Errorf("restore has before=%v during=%v, want both", n["before the stall"], n["during the stall"])
	}
	info, err := replica.Inspect(ctx, peer.URL, replica.Access{})
	if err != nil || info.TXID != got.TXID {
		t.Errorf("inspect: %+v %v, want txid %d", info, err, got.TXID)
	}
}
