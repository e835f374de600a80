package schedule

import (
	"context"
	"encoding/json"
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
