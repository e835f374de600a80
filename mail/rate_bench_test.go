package mail

import (
	"context"
	"fmt"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"opsdeck/internal/testpeer"
	"opsdeck/portfolio"
	"opsdeck/reports"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// timedTransport records when each send starts.
type timedTransport struct {
	Transport
	mu     sync.Mutex
	starts []time.Time
}

func (t *timedTransport) Send(ctx context.Context, m *Message) (string, error) {
	t.mu.Lock()
	t.starts = append(t.starts, time.Now())
	t.mu.Unlock()
	return t.Transport.Send(ctx, m)
}

func (t *timedTransport) Quota(ctx context.Context) (Quota, error) {
	return t.Transport.(QuotaReader).Quota(ctx)
}

const rateAccount = `{"DedicatedIpAutoWarmupEnabled":false,"Details":{"AdditionalContactEmailAddresses":[],"ContactLanguage":"EN",
"MailType":"TRANSACTIONAL","ReviewDetails":{"CaseId":"1","Status":"GRANTED"},"UseCaseDescription":"reports","WebsiteURL":"https://example.com"},
"EnforcementStatus":"HEALTHY","ProductionAccessEnabled":true,"SendingEnabled":true,
"SendQuota":{"Max24HourSend":100000,"MaxSendRate":50,"SentLast24Hours":0},"SuppressionAttributes":{"SuppressedReasons":[]}}`

// manyRecipients returns a demo store whose CEO report goes to n people,
// and a service over tr that sends it with no audit copy.
func manyRecipients(b *testing.B, tr Transport, n int) (*Service, *store.Store) {
	ctx := context.Background()
	s := storetest.Demo(b, store.SystemClock{})
	if err := s.Update(ctx, "bench", func(tx *store.Tx) error {
		for i := range n - 1 { // the owner already receives it
			if _, _, err := tx.AddRecipientByEmail(ctx, portfolio.RoleCEO, fmt.Sprintf("exec%04d@example.com", i), fmt.Sprintf("Exec %d", i)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	eng, err := reports.New(reports.Options{})
	if err != nil {
		b.Fatal(err)
	}
	svc, err := NewService(s, eng, tr, Config{From: "reports@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	return svc, s
}

// BenchmarkQueueManyRecipients renders the CEO report for 1,000 recipients
// and writes its 1,000 messages, one per recipient, in one transaction.
func BenchmarkQueueManyRecipients(b *testing.B) {
	svc, _ := manyRecipients(b, &fakeTransport{}, 1000)
	for b.Loop() {
		if _, msgs, err := svc.Enqueue(context.Background(), []portfolio.ReportRole{portfolio.RoleCEO}, "bench"); err != nil || len(msgs) != 1000 {
			b.Fatal(len(msgs), err)
		}
	}
}

// BenchmarkSustainedRate sends the CEO report to 1,000 recipients, one
// message each, through the SES emulator with the account's limit at 50 a
// second, on the real clock. Target: 95-100% of the limit overall, and
// never above it in any one-second window. bench/run runs it once.
func BenchmarkSustainedRate(b *testing.B) {
	if os.Getenv("OPSDECK_BENCH_SLOW") != "1" {
		b.Skip("20 s on the real clock: bench/run runs it once with OPSDECK_BENCH_SLOW=1")
	}
	emu := testpeer.StartSESEmulator(b, rateAccount)
	const n, limit = 1000, 50
	for b.Loop() {
		b.StopTimer()
		tr := &timedTransport{Transport: sesVia(emu.Endpoint)}
		svc, s := manyRecipients(b, tr, n)
		batch, msgs, err := svc.Enqueue(context.Background(), []portfolio.ReportRole{portfolio.RoleCEO}, "bench")
		if err != nil || len(msgs) != n {
			b.Fatal(len(msgs), err)
		}
		b.StartTimer()
		if err := svc.Drain(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		starts := tr.starts
		sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
		rate := float64(len(starts)-1) / starts[len(starts)-1].Sub(starts[0]).Seconds()
		maxWindow := 0
		for i, j := 0, 0; i < len(starts); i++ {
			for j < len(starts) && starts[j].Sub(starts[i]) < time.Second {
				j++
			}
			maxWindow = max(maxWindow, j-i)
		}
		b.ReportMetric(100*rate/limit, "pct-of-limit")
		b.ReportMetric(float64(maxWindow), "max-per-1s-window")
		if maxWindow > limit {
			b.Errorf("%d sends in one second, above the limit of %d", maxWindow, limit)
		}
		b.StartTimer()
	}
}
