package cli

import (
	"context"
	"database/sql"
	"fmt"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"opsdeck/internal/testpeer"
	"opsdeck/portfolio"
	"opsdeck/store"
)

// These tests kill a real `opsdeck serve` (the test binary started as
// opsdeck, so OPSDECK_TEST_PAUSE can hold it in a chosen window of a
// scheduled run) and check, after a restart, that every recipient has
// exactly the one report meant for them, or that the difference is exactly
// the messages marked uncertain.

// scheduledRun is a database with the CFO's report due ten minutes ago, to
// be sent by the next serve's catch-up, to the demo's CFO recipients and
// a few more.
type scheduledRun struct {
	t          *testing.T
	bin, dir   string
	db, outbox string
	env        []string
	recipients []string
	slot       time.Time
	watch      *store.Store
}

func newScheduledRun(t *testing.T, extra int, env ...string) *scheduledRun {
	t.Helper()
	bin, err := exec.LookPath("opsdeck") // the test binary, put on PATH by TestMain
	if err != nil {
		t.Fatalf("the tests' opsdeck: %v", err)
	}
	dir := t.TempDir()
	r := &scheduledRun{t: t, bin: bin, dir: dir, db: filepath.Join(dir, "opsdeck.db"), outbox: filepath.Join(dir, "sent")}
	r.env = append(os.Environ(), "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir, "OPSDECK_TEST_NOW=", "OPSDECK_TEST_PAUSE=",
		"GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"),
		"OPSDECK_MAIL_TRANSPORT=file", "OPSDECK_OUTBOX_DIR="+r.outbox, "OPSDECK_MAIL_FROM=reports@example.com")
	r.env = append(r.env, env...)
	r.run("init")
	// Slots are whole minutes; this one is ten minutes ago, today or (just
	// after midnight) yesterday.
	r.slot = time.Now().UTC().Add(-10 * time.Minute).Truncate(time.Minute)
	r.run("schedule", "set", "cfo", fmt.Sprintf("%d %d * * *", r.slot.Minute(), r.slot.Hour()), "--tz", "UTC")
	// The schedule was set an hour ago, so the slot fell while it existed.
	db, err := sql.Open("sqlite", r.db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE schedules SET updated_at = ? WHERE report_role = 'cfo'", time.Now().Add(-time.Hour).UTC().Format(store.TimeLayout)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for i := range extra {
		r.run("recipients", "add", "cfo", fmt.Sprintf("cfo%02d@example.com", i), "--name", fmt.Sprintf("Finance %d", i))
	}
	r.watch, err = store.Open(context.Background(), r.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.watch.Close() })
	rs, err := r.watch.Recipients(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, rc := range rs {
		if rc.Role == portfolio.RoleCFO {
			r.recipients = append(r.recipients, strings.ToLower(rc.Person.Email))
		}
	}
	if len(r.recipients) < extra+1 {
		t.Fatalf("CFO recipients: %v", r.recipients)
	}
	return r
}

func (r *scheduledRun) run(args ...string) string {
	r.t.Helper()
	cmd := exec.Command(r.bin, append([]string{"--db", r.db}, args...)...)
	cmd.Env, cmd.Dir = r.env, r.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("opsdeck %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// server is a running `opsdeck serve`.
type server struct {
	cmd  *exec.Cmd
	log  *lockedLog
	done chan error
}

func (r *scheduledRun) serve(pause string) *server {
	r.t.Helper()
	cmd := exec.Command(r.bin, "--db", r.db, "serve", "--addr", "127.0.0.1:0", "--ssh-addr=", "--log-format", "json")
	cmd.Env, cmd.Dir = append(r.env, "OPSDECK_TEST_PAUSE="+pause), r.dir
	s := &server{cmd: cmd, log: &lockedLog{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	go func() { s.done <- cmd.Wait() }()
	r.t.Cleanup(func() { s.kill() })
	return s
}

// kill stops the server with SIGKILL and waits until it is gone (reaped).
func (s *server) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
	s.done <- nil // for a later kill
}

// stop stops the server with SIGTERM and returns its exit.
func (s *server) stop(t *testing.T) error {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.done <- nil
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not stop on SIGTERM:\n%s", s.log.String())
		return nil
	}
}

func (r *scheduledRun) runs() []store.ScheduleRun {
	r.t.Helper()
	runs, err := r.watch.ScheduleRuns(context.Background(), portfolio.RoleCFO, 10)
	if err != nil {
		r.t.Fatal(err)
	}
	return runs
}

func (r *scheduledRun) counts() map[string]int {
	r.t.Helper()
	c, err := r.watch.OutboxCounts(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	return c
}

// waitSent waits until the run is recorded and nothing is left to send.
func (r *scheduledRun) waitSent(s *server) {
	r.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		c := r.counts()
		if runs := r.runs(); len(runs) == 1 && runs[0].Status == "ok" && c[store.OutboxQueued] == 0 && c[store.OutboxSending] == 0 &&
			c[store.OutboxSent] > 0 {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("the report was not sent: runs %+v, outbox %v\n%s", r.runs(), c, s.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// files counts the .eml files per recipient.
func (r *scheduledRun) files() map[string]int {
	r.t.Helper()
	out := map[string]int{}
	paths, _ := filepath.Glob(filepath.Join(r.outbox, "*.eml"))
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			r.t.Fatal(err)
		}
		m, err := mail.ReadMessage(f)
		if err != nil {
			r.t.Fatalf("%s: %v", p, err)
		}
		to, err := m.Header.AddressList("To")
		f.Close()
		if err != nil {
			r.t.Fatalf("%s: To: %v", p, err)
		}
		for _, a := range to {
			out[strings.ToLower(a.Address)]++
		}
	}
	return out
}

// checkOnceEach checks that each recipient has exactly one message and
// that the run is the one catch-up run, ok, with its batch.
func (r *scheduledRun) checkOnceEach(got map[string]int) {
	r.t.Helper()
	total := 0
	for _, rc := range r.recipients {
		if got[rc] != 1 {
			r.t.Errorf("%s received %d messages, want 1", rc, got[rc])
		}
		total += got[rc]
	}
	if total != len(r.recipients) || len(got) != len(r.recipients) {
		r.t.Errorf("messages per address: %v, want one for each of %v", got, r.recipients)
	}
	runs := r.runs()
	if len(runs) != 1 || runs[0].Status != "ok" || runs[0].Trigger != "catch_up" || runs[0].BatchID == 0 || !runs[0].Slot.Equal(r.slot) {
		r.t.Errorf("runs = %+v, want the one catch-up run of %v", runs, r.slot)
	}
}

func waitPaused(t *testing.T, s *server, point string) {
	t.Helper()
	waitLog(t, s.log, "opsdeck-test: paused at "+point)
}

// Killed while the report is rendered (before anything is written): the
// run is not recorded, nothing is queued, and the next start sends it.
func TestScheduledRunKilledWhilePreparing(t *testing.T) {
	r := newScheduledRun(t, 4)
	s := r.serve("schedule-prepared")
	waitPaused(t, s, "schedule-prepared")
	s.kill()
	if runs, c := r.runs(), r.counts(); len(runs) != 0 || len(c) != 0 {
		t.Fatalf("killed while preparing, the database holds runs %+v, outbox %v", runs, c)
	}

	s = r.serve("")
	r.waitSent(s)
	if err := s.stop(t); err != nil {
		t.Errorf("serve: %v\n%s", err, s.log.String())
	}
	r.checkOnceEach(r.files())
}

// Stopped (SIGTERM) while the report is rendered: nothing is recorded, not
// even a failure, and the next start sends it.
func TestScheduledRunStoppedWhilePreparing(t *testing.T) {
	r := newScheduledRun(t, 2)
	s := r.serve("schedule-prepared")
	waitPaused(t, s, "schedule-prepared")
	if err := s.stop(t); err != nil {
		t.Errorf("serve: %v\n%s", err, s.log.String())
	}
	if runs, c := r.runs(), r.counts(); len(runs) != 0 || len(c) != 0 {
		t.Fatalf("stopped while preparing, the database holds runs %+v, outbox %v", runs, c)
	}
	if !strings.Contains(s.log.String(), "nothing was recorded, the next start's catch-up sends it") {
		t.Errorf("the stop is not logged:\n%s", s.log.String())
	}
	s = r.serve("")
	r.waitSent(s)
	s.stop(t)
	r.checkOnceEach(r.files())
}

// Killed after the run and its batch were committed and before the worker
// sent anything: the run is recorded ok with its batch, all of it queued,
// and the next start sends each message once, without running the slot
// again.
func TestScheduledRunKilledAfterQueuing(t *testing.T) {
	r := newScheduledRun(t, 4)
	s := r.serve("schedule-queued,outbox-worker")
	waitPaused(t, s, "schedule-queued")
	s.kill()
	runs, c := r.runs(), r.counts()
	if len(runs) != 1 || runs[0].Status != "ok" || runs[0].BatchID == 0 || c[store.OutboxQueued] != len(r.recipients) || len(c) != 1 {
		t.Fatalf("killed after queuing: runs %+v, outbox %v, want one ok run and %d queued", runs, c, len(r.recipients))
	}
	if n := len(r.files()); n != 0 {
		t.Fatalf("%d messages sent before the kill", n)
	}

	s = r.serve("")
	r.waitSent(s)
	s.stop(t)
	r.checkOnceEach(r.files())
}

// crashSlowAccount is an SES account sending five a second, so a batch of
// fifteen takes three seconds to send and a kill lands mid-send.
const crashSlowAccount = `{"DedicatedIpAutoWarmupEnabled":false,"Details":{"AdditionalContactEmailAddresses":[],"ContactLanguage":"EN",
"MailType":"TRANSACTIONAL","ReviewDetails":{"CaseId":"1","Status":"GRANTED"},"UseCaseDescription":"reports","WebsiteURL":"https://example.com"},
"EnforcementStatus":"HEALTHY","ProductionAccessEnabled":true,"SendingEnabled":true,
"SendQuota":{"Max24HourSend":50000,"MaxSendRate":5,"SentLast24Hours":0},"SuppressionAttributes":{"SuppressedReasons":[]}}`

// Killed mid-send (through SES, at five a second): after the restart every
// recipient has exactly one copy, except that a message in flight at the
// kill is marked uncertain and may have gone or not; no one has two.
func TestScheduledRunKilledMidSend(t *testing.T) {
	emu := testpeer.StartSESEmulator(t, crashSlowAccount)
	r := newScheduledRun(t, 14, "OPSDECK_MAIL_TRANSPORT=ses", "OPSDECK_SES_ENDPOINT="+emu.Endpoint, "AWS_REGION=us-west-2",
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=not-a-secret")
	s := r.serve("")
	deadline := time.Now().Add(60 * time.Second)
	for r.counts()[store.OutboxSent] < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("nothing was sent: %v\n%s", r.counts(), s.log.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Aim the kill at a request in flight (a message 'sending'), if one
	// is seen within two seconds.
	for aim := time.Now().Add(2 * time.Second); time.Now().Before(aim) && r.counts()[store.OutboxSending] == 0; {
		time.Sleep(100 * time.Microsecond)
	}
	s.kill()
	c := r.counts()
	if c[store.OutboxQueued] == 0 {
		t.Fatalf("the kill was not mid-send: %v", c)
	}
	inFlight := map[string]bool{}
	rows, _ := r.watch.Outbox(context.Background(), store.OutboxFilter{Status: store.OutboxSending})
	for _, m := range rows {
		inFlight[m.Recipient] = true
	}
	t.Logf("killed with %v", c)

	s = r.serve("")
	deadline = time.Now().Add(60 * time.Second)
	for {
		c = r.counts()
		if c[store.OutboxQueued] == 0 && c[store.OutboxSending] == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the rest was not sent: %v\n%s", c, s.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.stop(t)

	uncertain := map[string]bool{}
	rows, _ = r.watch.Outbox(context.Background(), store.OutboxFilter{Status: store.OutboxUncertain})
	for _, m := range rows {
		uncertain[m.Recipient] = true
	}
	if len(uncertain) != len(inFlight) {
		t.Errorf("uncertain %v, in flight at the kill %v", uncertain, inFlight)
	}
	got := map[string]int{}
	for _, to := range emulatorEmails(t, emu.Endpoint) {
		for _, a := range to {
			addr, err := mail.ParseAddress(a)
			if err != nil {
				t.Fatal(err)
			}
			got[strings.ToLower(addr.Address)]++
		}
	}
	var short []string
	for _, rc := range r.recipients {
		switch n := got[rc]; {
		case n == 1:
		case n == 0 && uncertain[rc]:
			short = append(short, rc) // in flight at the kill: it never reached SES
		default:
			t.Errorf("%s received %d messages (uncertain: %v)", rc, n, uncertain[rc])
		}
	}
	sort.Strings(short)
	t.Logf("%d recipients, %d uncertain, %d of those not received: %v", len(r.recipients), len(uncertain), len(short), short)
	if runs := r.runs(); len(runs) != 1 || runs[0].Status != "ok" {
		t.Errorf("runs = %+v", runs)
	}
}
