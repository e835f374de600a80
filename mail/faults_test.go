package mail

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"opsdeck/internal/testpeer"
	"opsdeck/portfolio"
	"opsdeck/store"
)

// faultProxy sits between the SES client and the emulator (which never
// fails) and answers sends from a script: "429", "400" (MessageRejected),
// "500", "drop" (the connection is cut before SES has the message),
// "accept-drop" (SES takes the message, then the connection is cut before
// the answer), "slow" (SES takes it after the client has given up
// waiting), or "" to pass the send through.
type faultProxy struct {
	mu     sync.Mutex
	script []string
	seen   []string
}

func (f *faultProxy) next() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.script) == 0 {
		f.seen = append(f.seen, "")
		return ""
	}
	fault := f.script[0]
	f.script = f.script[1:]
	f.seen = append(f.seen, fault)
	return fault
}

func startFaultProxy(t *testing.T, target string, script ...string) (string, *faultProxy) {
	t.Helper()
	u, _ := url.Parse(target)
	rp := httputil.NewSingleHostReverseProxy(u)
	f := &faultProxy{script: script}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/outbound-emails") {
			rp.ServeHTTP(w, r)
			return
		}
		switch f.next() {
		case "429":
			sesError(429, "TooManyRequestsException", "Maximum sending rate exceeded.")(w)
		case "400":
			sesError(400, "MessageRejected", "Email address is not verified. The following identities failed the check: reports@example.com")(w)
		case "500":
			sesError(500, "InternalFailure", "The request processing has failed because of an unknown error.")(w)
		case "drop":
			io.Copy(io.Discard, r.Body)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		case "accept-drop":
			rp.ServeHTTP(httptest.NewRecorder(), r)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		case "slow":
			// SES takes the message, but only after the client has given
			// up waiting: the request goes on without the client's context.
			body, _ := io.ReadAll(r.Body)
			late := r.Clone(context.Background())
			late.Body = io.NopCloser(bytes.NewReader(body))
			time.Sleep(slowFault)
			rp.ServeHTTP(httptest.NewRecorder(), late) // the client is gone: nobody reads the answer
		default:
			rp.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, f
}

// slowFault is how long a "slow" send takes: longer than the send
// timeout the tests that use it set.
const slowFault = 600 * time.Millisecond

func sesVia(endpoint string) *SESTransport {
	return NewSESTransport(aws.Config{Region: "us-west-2", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")}, endpoint)
}

// TestFaultsBetweenClientAndEmulator: throttling, a dropped connection and
// a server fault are retried until the send goes through; a rejection
// fails at once with SES's words; the emulator ends up with exactly the
// messages that say sent, one per recipient.
func TestFaultsBetweenClientAndEmulator(t *testing.T) {
	emu := testpeer.StartSESEmulator(t, "")
	proxy, faults := startFaultProxy(t, emu.Endpoint, "429", "drop", "500", "400")
	svc, s, clock := setup(t, sesVia(proxy))
	noAudit(svc)
	ctx := context.Background()
	batch, _, err := svc.Enqueue(ctx, portfolio.ReportRoles, "manual")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Drain(ctx, batch); err != nil {
		t.Fatal(err)
	}
	// The first four messages meet the four faults, in queue order: CEO's
	// owner, CTO's two, CMO's first; the other four go at once.
	rows := batchRows(t, s, batch)
	want := []struct {
		status   string
		attempts int
	}{{"sent", 2}, {"sent", 2}, {"sent", 2}, {"failed", 1}, {"sent", 1}, {"sent", 1}, {"sent", 1}, {"sent", 1}}
	if len(rows) != len(want) {
		t.Fatalf("%d messages, want %d", len(rows), len(want))
	}
	for i, w := range want {
		if r := rows[i]; r.Status != w.status || r.Attempts != w.attempts {
			t.Errorf("%s to %s: %s after %d attempts (%q), want %s after %d", r.Role, r.Recipient, r.Status, r.Attempts, r.LastError, w.status, w.attempts)
		}
	}
	if e := rows[3].LastError; !strings.HasPrefix(e, "MessageRejected: Email address is not verified.") {
		t.Errorf("rejected message's error %q", e)
	}
	// The second message's first attempt was cut off after sending: the
	// retry went through, and the row says a duplicate is possible.
	if r := rows[1]; !r.PossibleDuplicate() || !strings.Contains(r.LastError, "a duplicate is possible") {
		t.Errorf("after a dropped connection: maybe=%v %q", r.MaybeDelivered, r.LastError)
	}
	if r := rows[0]; r.MaybeDelivered || r.LastError != "" {
		t.Errorf("after throttling only: maybe=%v %q", r.MaybeDelivered, r.LastError)
	}
	got := emulatorStore(t, emu.Endpoint)
	if len(got) != 7 {
		t.Errorf("the emulator has %d messages, want the 7 sent", len(got))
	}
	perRecipient := map[string]int{}
	for _, e := range got {
		if len(e.Destination.To) != 1 || len(e.Destination.Bcc) != 0 {
			t.Errorf("a message to %v bcc %v", e.Destination.To, e.Destination.Bcc)
		}
		perRecipient[e.Subject+" "+strings.Join(e.Destination.To, ",")]++
	}
	for k, n := range perRecipient {
		if n != 1 {
			t.Errorf("%s: %d copies", k, n)
		}
	}
	// Three first retries, each backed off 1-2 s; they wait side by side.
	if clock.Waited() < time.Second || clock.Waited() > 3*time.Second {
		t.Errorf("waited %v for three first-retry backoffs of 1-2 s", clock.Waited())
	}
	if len(faults.seen) != 11 {
		t.Errorf("%d sends reached the proxy, want 11", len(faults.seen))
	}
}

// A send that keeps failing stops at the attempt bound, having waited no
// longer than the capped backoffs allow. With a cut-off attempt among its
// tries, it ends uncertain, not failed: it may have gone out.
func TestRetriesAreBounded(t *testing.T) {
	for _, tc := range []struct {
		name   string
		script []string
		status string
	}{
		{"server faults", []string{"500", "429", "500", "500", "500"}, store.OutboxFailed},
		{"with a cut-off attempt", []string{"500", "drop", "429", "500", "500"}, store.OutboxUncertain},
	} {
		t.Run(tc.name, func(t *testing.T) { boundedRetries(t, tc.script, tc.status) })
	}
}

func boundedRetries(t *testing.T, script []string, want string) {
	emu := testpeer.StartSESEmulator(t, "")
	proxy, _ := startFaultProxy(t, emu.Endpoint, script...)
	svc, s, clock := setup(t, sesVia(proxy))
	noAudit(svc)
	svc.Config.MaxAttempts, svc.Config.BaseBackoff, svc.Config.MaxBackoff = 4, time.Second, 3*time.Second
	ctx := context.Background()
	batch, _, _ := svc.Enqueue(ctx, []portfolio.ReportRole{portfolio.RoleCEO}, "manual")
	svc.Drain(ctx, batch)
	r := statuses(t, s, batch)[portfolio.RoleCEO]
	if r.Status != want || r.Attempts != 4 || !strings.Contains(r.LastError, "gave up after 4 attempts") {
		t.Errorf("%s after %d attempts: %q, want %s", r.Status, r.Attempts, r.LastError, want)
	}
	// Backoffs before attempts 2, 3, 4: at most 1 + 2 + 3 (capped) seconds.
	if clock.Waited() > 6*time.Second {
		t.Errorf("waited %v, more than the capped backoffs allow", clock.Waited())
	}
	if n := len(emulatorStore(t, emu.Endpoint)); n != 0 {
		t.Errorf("%d messages reached the emulator", n)
	}
}

// TestEveryFaultEndsInTheIntendedCount runs a batch through every kind of
// fault at once and counts what reached SES per recipient: each message
// arrived exactly as often as intended (once if sent, never if failed),
// or else its row says it is uncertain or a possible duplicate. Nothing
// is lost or doubled without a mark.
func TestEveryFaultEndsInTheIntendedCount(t *testing.T) {
	emu := testpeer.StartSESEmulator(t, "")
	proxy, _ := startFaultProxy(t, emu.Endpoint, "accept-drop", "slow", "429", "500", "400", "drop", "accept-drop", "", "accept-drop", "slow")
	svc, s, _ := setup(t, sesVia(proxy))
	svc.Config.SendTimeout = slowFault / 3
	ctx := context.Background()
	batch, msgs, err := svc.Enqueue(ctx, portfolio.ReportRoles, "manual")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Drain(ctx, batch); err != nil {
		t.Fatal(err)
	}
	time.Sleep(slowFault) // let the last slow send land at the emulator
	copies := map[string]int{}
	for _, e := range emulatorStore(t, emu.Endpoint) {
		copies[e.Subject+" → "+strings.Join(e.Destination.To, ",")]++
	}
	marked := 0
	for _, r := range batchRows(t, s, batch) {
		intended := 0
		if store.WentOut(r.Status) {
			intended = 1
		}
		got := copies[r.Subject+" → "+strings.Join(r.To, ",")]
		flagged := r.PossibleDuplicate() || r.Status == store.OutboxUncertain
		if flagged {
			marked++
		}
		if got != intended && !flagged {
			t.Errorf("%s to %s: %d copies at SES, %s after %d attempts, unmarked", r.Role, r.Recipient, got, r.Status, r.Attempts)
		}
		t.Logf("%s to %s: %s after %d attempts, %d at SES, marked %v", r.Role, r.Recipient, r.Status, r.Attempts, got, flagged)
		if r.Status == store.OutboxFailed && got != 0 {
			t.Errorf("%s to %s failed yet reached SES %d times", r.Role, r.Recipient, got)
		}
	}
	// Three answers were lost after SES took the message, and two came
	// too late: five marks, however the retries fell.
	if marked < 5 || len(msgs) != 13 {
		t.Errorf("%d of %d messages marked uncertain or possible duplicate, want at least 5", marked, len(msgs))
	}
}
