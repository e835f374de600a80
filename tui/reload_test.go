package tui

import (
	"context"
	"reflect"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// sameAsFull fails unless a reload's data is what a full load reads.
func sameAsFull(t *testing.T, step string, got, want *Data) {
	t.Helper()
	gs, ws := *got.Snap, *want.Snap
	gs.TakenAt, ws.TakenAt = time.Time{}, time.Time{}
	parts := []struct {
		name      string
		got, want any
	}{
		{"snapshot", gs, ws}, {"events", got.Events, want.Events}, {"trends", got.Trends, want.Trends},
		{"outbox", got.Outbox, want.Outbox}, {"schedules", got.Schedules, want.Schedules}, {"last runs", got.LastRuns, want.LastRuns},
		{"suppressions", got.Suppressions, want.Suppressions}, {"alerts", got.Alerts, want.Alerts},
		{"failed runs", got.FailedRuns, want.FailedRuns}, {"trouble", got.Trouble, want.Trouble},
	}
	for _, p := range parts {
		if !reflect.DeepEqual(p.got, p.want) {
			t.Errorf("after %s the reload's %s differ from a full load's:\n got %+v\nwant %+v", step, p.name, p.got, p.want)
		}
	}
}

// After each kind of write another process makes, reading only what the
// change log names gives what reading everything gives; and a write no
// page shows (serve's lease) reads nothing at all.
func TestReloadReadsWhatChanged(t *testing.T) {
	st := storetest.Demo(t, nil)
	c := newConsole(t, st, Options{Poll: time.Hour}).c
	other := storetest.OpenPath(t, st.Path(), nil)
	ctx := context.Background()
	write := func(fn func(tx *store.Tx) error) {
		t.Helper()
		if err := other.Update(ctx, "cli", fn); err != nil {
			t.Fatal(err)
		}
	}
	prev, err := load(c)
	if err != nil {
		t.Fatal(err)
	}
	firstEvent := prev.Events[0]
	detail, err := st.Event(ctx, firstEvent.ID)
	if err != nil {
		t.Fatal(err)
	}
	eventKind, _ := portfolio.KindNamed("event")
	steps := []struct {
		name  string
		write func()
		areas []store.Area
	}{
		{"a KPI reading", func() {
			write(func(tx *store.Tx) error {
				v := 17.0
				_, err := tx.SetKPI(ctx, "QDN", "hauls", portfolio.KPIUpdate{Value: &v})
				return err
			})
		}, []store.Area{store.AreaKPI}},
		{"an item ticked", func() {
			write(func(tx *store.Tx) error {
				_, err := tx.DoneItem(ctx, firstEvent.ID, detail.Phases[0].Items[0].ID, detail.Crew[0].PersonID, true)
				return err
			})
		}, []store.Area{store.AreaEvent}},
		{"an event moved after the others", func() {
			write(func(tx *store.Tx) error {
				e := detail
				e.DepartsAt = e.DepartsAt.AddDate(1, 0, 0)
				return tx.UpdateEvent(ctx, &e)
			})
		}, []store.Area{store.AreaEvent}},
		{"an event removed", func() {
			write(func(tx *store.Tx) error {
				_, err := tx.RemoveRecord(ctx, eventKind, eventKind.Key(&detail), true)
				return err
			})
		}, []store.Area{store.AreaEvent}},
		{"a message queued", func() {
			write(func(tx *store.Tx) error {
				return tx.CreateBatch(ctx, &store.OutboxBatch{Reason: "test", Transport: "file"}, []store.OutboxMessage{{
					Role: portfolio.RoleCEO, Recipient: "ceo@example.com", MessageID: "<r1@example.com>",
					From: "reports@example.com", To: []string{"ceo@example.com"}, Subject: "CEO report", Text: "figures", Status: store.OutboxFailed, LastError: "bad address"}})
			})
		}, []store.Area{store.AreaOutbox}},
		{"an address suppressed", func() {
			write(func(tx *store.Tx) error {
				_, err := tx.Suppress(ctx, "gone@example.com", "bounce", "test", 0)
				return err
			})
		}, []store.Area{store.AreaSuppression}},
		{"a schedule set", func() {
			write(func(tx *store.Tx) error {
				return tx.SetSchedule(ctx, &portfolio.Schedule{Role: portfolio.RoleCFO, Cron: "0 7 * * 1", TimeZone: "UTC", Enabled: true})
			})
		}, []store.Area{store.AreaSchedule}},
		{"the portfolio renamed", func() {
			write(func(tx *store.Tx) error { return tx.SetMeta(ctx, "portfolio_name", "Renamed") })
		}, []store.Area{store.AreaPortfolio}},
	}
	for _, step := range steps {
		step.write()
		got, err := reload(c, prev)
		if err != nil {
			t.Fatal(err)
		}
		if got.Full {
			t.Errorf("after %s the reload read everything", step.name)
		}
		for _, a := range step.areas {
			if !got.touched(a) {
				t.Errorf("after %s the reload did not read %s again: %v", step.name, a, got.Changes.Keys)
			}
		}
		want, err := load(c)
		if err != nil {
			t.Fatal(err)
		}
		sameAsFull(t, step.name, got, want)
		prev = got
	}

	// The lease serve renews every few seconds: nothing is read, and the
	// data is the same data, not a copy drawn again.
	if _, err := other.AcquireLease(ctx, "serve", "host:1", time.Minute); err != nil {
		t.Fatal(err)
	}
	got, err := reload(c, prev)
	if err != nil {
		t.Fatal(err)
	}
	if got.Full || got.Changes.Any() || got.Snap != prev.Snap || &got.Events[0] != &prev.Events[0] {
		t.Errorf("a lease renewal read %v again", got.Changes.Keys)
	}
	if got.Version == prev.Version {
		t.Error("the reload kept the old data version: the next poll would read again")
	}
	// An entity's code shows on every event and KPI: read all again.
	entityKind, _ := portfolio.KindNamed("entity")
	ents, err := other.Records(ctx, entityKind)
	if err != nil {
		t.Fatal(err)
	}
	e := ents[0].(*portfolio.Entity)
	e.Name += " (renamed)"
	write(func(tx *store.Tx) error { _, err := tx.PutRecord(ctx, entityKind, entityKind.Key(e), e); return err })
	if got, err = reload(c, got); err != nil || !got.Full {
		t.Errorf("an entity's change: full %v, %v; want everything read", got.Full, err)
	}
}

// A console over SSH shares serve's store, whose outbox worker and
// scheduler commit on the console's own connection, where SQLite's data
// version does not move: the change log's position does, and the console
// shows their writes.
func TestSameConnectionWritesAppear(t *testing.T) {
	st := storetest.Demo(t, nil)
	s := start(t, newConsole(t, st, Options{Poll: 100 * time.Millisecond}))
	s.waitFor("Break-even JADA")
	s.keys("2")
	s.waitFor("Charters per month")
	v := 19.0
	if err := st.Update(context.Background(), "serve", func(tx *store.Tx) error {
		_, err := tx.SetKPI(context.Background(), "QDN", "hauls", portfolio.KPIUpdate{Value: &v})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s.waitFor("Hauls per month                                   19")
}

// What the clock moves shows though nothing is written: events that have
// finished leave the Overview's next events within a minute and a poll
// (the snapshot lists them as it was read).
func TestTheClockAloneMovesTheEvents(t *testing.T) {
	clock := storetest.NewClock(storetest.Now)
	st := storetest.Demo(t, clock)
	s := start(t, newConsole(t, st, Options{Now: clock.Now, Poll: 20 * time.Millisecond}))
	s.waitFor("Next events", "Break-even JADA")
	clock.Advance(365 * 24 * time.Hour)
	s.waitFor("No upcoming events.")
}
