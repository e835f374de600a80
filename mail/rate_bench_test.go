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
	"opsdeck/store"
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

// BenchmarkSustainedRate sends 1,000 one-recipient messages through the SES
// emulator with the account's limit at 50 a second, on the real clock.
// Target: 95-100% of the limit overall, and never above it in any
// one-second window. bench/run runs it once.
func BenchmarkSustainedRate(b *testing.B) {
	if os.Getenv("OPSDECK_BENCH_SLOW") != "1" {
		b.Skip("20 s on the real clock: bench/run runs it once with OPSDECK_BENCH_SLOW=1")
	}
	emu := testpeer.StartSESEmulator(b, rateAccount)
	const n, limit = 1000, 50
	for b.Loop() {
		b.StopTimer()
		tr := &timedTransport{Transport: sesVia(emu.Endpoint)}
		s, err := store.Open(context.Background(), b.TempDir()+"/rate.db", store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		var msgs []store.OutboxMessage
		for i := range n {
			msgs = append(msgs, store.OutboxMessage{Kind: "alert", MessageID: fmt.Sprintf("<rate.%d.%d@example.com>", time.Now().UnixNano(), i),
				From: "reports@example.com", To: []string{fmt.Sprintf("r%d@example.com", i)}, Subject: "rate", Text: "rate"})
		}
		if err := s.Update(context.Background(), "bench", func(tx *store.Tx) error {
			return tx.CreateBatch(context.Background(), &store.OutboxBatch{Transport: "ses"}, msgs)
		}); err != nil {
			b.Fatal(err)
		}
		svc, err := NewService(s, nil, tr, Config{From: "reports@example.com"})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := svc.Drain(context.Background(), 0); err != nil {
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
