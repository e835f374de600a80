package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"opsdeck/internal/testpeer"
	"opsdeck/mail"
	"opsdeck/portfolio"
	"opsdeck/reports"
	"opsdeck/store"
	"opsdeck/store/demo"
	"opsdeck/store/storetest"
)

// roleQueue adapts the mail service to the scheduler.
type roleQueue struct{ *mail.Service }

func (q roleQueue) Prepare(ctx context.Context, role portfolio.ReportRole, reason string) (Batch, error) {
	p, err := q.Service.Prepare(ctx, []portfolio.ReportRole{role}, reason)
	if err != nil {
		return nil, err // not p: a nil *mail.Prepared is a non-nil Batch
	}
	return p, nil
}

// TestScheduledReportReachesTheEmulator: with the clock injected, the CFO
// schedule fires at 07:00 and the report arrives at the SES emulator.
func TestScheduledReportReachesTheEmulator(t *testing.T) {
	emu := testpeer.StartSESEmulator(t, "")
	clock := storetest.NewClock(time.Time{})
	s := openAt(t, t.TempDir()+"/opsdeck.db", clock)
	clock.Set(at(1, 6, 0))
	ctx := context.Background()
	// The demo's schedules are paused; resume the CFO's, daily at 07:00.
	if err := s.Update(ctx, "t", func(tx *store.Tx) error {
		if err := demo.Load(ctx, tx); err != nil {
			return err
		}
		return tx.SetSchedule(ctx, &portfolio.Schedule{Role: portfolio.RoleCFO, Cron: "0 7 * * *", TimeZone: "America/Los_Angeles", Enabled: true})
	}); err != nil {
		t.Fatal(err)
	}
	eng, _ := reports.New(reports.Options{})
	tr := mail.NewSESTransport(aws.Config{Region: "us-west-2", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")}, emu.Endpoint)
	svc, err := mail.NewService(s, eng, tr, mail.Config{From: "reports@example.com", Rate: 50})
	if err != nil {
		t.Fatal(err)
	}
	sch := New(s, roleQueue{svc}, Options{Clock: clock})
	sch.started = clock.Now()

	clock.Set(at(1, 6, 59))
	sch.Tick(ctx)
	if n := len(emulatorMail(t, emu.Endpoint)); n != 0 {
		t.Fatalf("%d messages before 07:00", n)
	}
	clock.Set(at(1, 7, 0).Add(3 * time.Second))
	if _, err := sch.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if err := svc.Drain(ctx, 0); err != nil {
		t.Fatal(err)
	}
	got := emulatorMail(t, emu.Endpoint)
	if len(got) != 1 || !strings.Contains(got[0], "CFO report") {
		t.Fatalf("the emulator received %v, want the CFO report", got)
	}
	runs, _ := s.ScheduleRuns(ctx, portfolio.RoleCFO, 1)
	if len(runs) != 1 || runs[0].Status != "ok" || runs[0].BatchID == 0 || !runs[0].Slot.Equal(at(1, 7, 0)) {
		t.Errorf("run = %+v", runs)
	}
}

func emulatorMail(t *testing.T, endpoint string) []string {
	t.Helper()
	resp, err := http.Get(endpoint + "/store")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct{ Emails []struct{ Subject string } }
	json.NewDecoder(resp.Body).Decode(&st)
	var out []string
	for _, e := range st.Emails {
		out = append(out, e.Subject)
	}
	return out
}

// The admin's alert about a failed run is queued in the transaction that
// records the failure: the run and its alert are written together, at the
// same moment, or neither is.
func TestFailedRunAndItsAlertAreOneWrite(t *testing.T) {
	clock := storetest.NewClock(time.Time{})
	s, _ := setup(t, clock, at(1, 6, 0), false)
	eng, err := reports.New(reports.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := mail.NewService(s, eng, &mail.FileTransport{Dir: t.TempDir()}, mail.Config{From: "reports@example.com", AdminEmail: "owner@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	svc.Clock = clock
	sch := New(s, &fakeQueue{fail: errors.New("the SES quota could not be read")}, Options{Clock: clock, Alerter: svc})
	sch.started = clock.Now()
	clock.Set(at(1, 7, 0))
	if _, err := sch.Tick(context.Background()); err == nil {
		t.Fatal("a failed run returned no error")
	}
	runs, _ := s.ScheduleRuns(context.Background(), portfolio.RoleCFO, 10)
	alerts, _ := s.Outbox(context.Background(), store.OutboxFilter{})
	if len(runs) != 1 || runs[0].Status != "failed" || len(alerts) != 1 || alerts[0].Kind != "alert" {
		t.Fatalf("runs %+v, outbox %+v", runs, alerts)
	}
	if !alerts[0].CreatedAt.Equal(runs[0].FinishedAt) || !strings.Contains(alerts[0].Subject, "the scheduled CFO report failed") {
		t.Errorf("alert queued at %v, run finished at %v: %q", alerts[0].CreatedAt, runs[0].FinishedAt, alerts[0].Subject)
	}
	// Queued by the scheduler's transaction, the one that recorded the
	// run, not by a write of the mail service's own afterwards.
	audit, _ := s.Audit(context.Background(), 50)
	queuedBy := ""
	for _, a := range audit {
		if a.Action == "queue" && a.SubjectType == "outbox_batch" {
			queuedBy = a.Actor
		}
	}
	if queuedBy != "scheduler" {
		t.Errorf("the alert was queued by %q, not in the scheduler's transaction", queuedBy)
	}
}
