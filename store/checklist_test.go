package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// demoChecklist returns the demo's first event with its people by key.
func demoChecklist(t *testing.T) (*store.Store, portfolio.Event, map[string]int64) {
	t.Helper()
	s := storetest.Demo(t, nil)
	events, err := s.Events(context.Background(), storetest.Now)
	if err != nil || len(events) == 0 {
		t.Fatalf("events: %v", err)
	}
	people := map[string]int64{}
	all, _ := s.People(context.Background())
	for _, p := range all {
		people[strings.Fields(p.Name)[0]] = p.ID
	}
	return s, events[0], people
}

func itemByTitle(t *testing.T, e portfolio.Event, prefix string) portfolio.ChecklistItem {
	t.Helper()
	for _, p := range e.Phases {
		for _, it := range p.Items {
			if strings.HasPrefix(it.Title, prefix) {
				return it
			}
		}
	}
	t.Fatalf("no item %q", prefix)
	return portfolio.ChecklistItem{}
}

func change(t *testing.T, s *store.Store, fn func(tx *store.Tx) (store.ChecklistChange, error)) (store.ChecklistChange, error) {
	t.Helper()
	var ch store.ChecklistChange
	err := s.Update(context.Background(), "test", func(tx *store.Tx) error {
		var err error
		ch, err = fn(tx)
		return err
	})
	return ch, err
}

func TestClaimConflictNamesHolder(t *testing.T) {
	s, ev, who := demoChecklist(t)
	ctx := context.Background()
	provisions := itemByTitle(t, ev, "Load ice") // claimed by Sam in the demo
	_, err := change(t, s, func(tx *store.Tx) (store.ChecklistChange, error) {
		return tx.ClaimItem(ctx, ev.ID, provisions.ID, who["Jess"], who["Jess"])
	})
	var conflict *store.ItemConflict
	if !errors.As(err, &conflict) || portfolio.ErrorCode(err) != portfolio.ECONFLICT || !strings.Contains(err.Error(), "Sam Okafor") {
		t.Fatalf("claim of Sam's item: %v, want a conflict naming Sam Okafor", err)
	}
	if conflict.Item.ClaimedBy != who["Sam"] {
		t.Errorf("conflict carries item %+v", conflict.Item)
	}
	// Claiming what one already holds is a no-op, not a conflict: an
	// offline replay may send it twice.
	ch, err := change(t, s, func(tx *store.Tx) (store.ChecklistChange, error) {
		return tx.ClaimItem(ctx, ev.ID, provisions.ID, who["Sam"], who["Sam"])
	})
	if err != nil || ch.Action != "" {
		t.Errorf("repeated claim: %+v %v", ch, err)
	}
	// An item of another event is not found through this one.
	other, _ := s.Events(ctx, storetest.Now)
	_, err = change(t, s, func(tx *store.Tx) (store.ChecklistChange, error) {
		return tx.ClaimItem(ctx, other[1].ID, provisions.ID, who["Sam"], who["Sam"])
	})
	if portfolio.ErrorCode(err) != portfolio.ENOTFOUND {
		t.Errorf("claim through another event: %v, want not found", err)
	}
}

func TestItemLifecycleWritesAuditAndLog(t *testing.T) {
	s, ev, who := demoChecklist(t)
	ctx := context.Background()
	clean := itemByTitle(t, ev, "Clean the head")
	sam, jess := who["Sam"], who["Jess"]
	steps := []struct {
		name    string
		fn      func(tx *store.Tx) (store.ChecklistChange, error)
		wantErr string
	}{
		{"claim", func(tx *store.Tx) (store.ChecklistChange, error) { return tx.ClaimItem(ctx, ev.ID, clean.ID, sam, sam) }, ""},
		{"release by another", func(tx *store.Tx) (store.ChecklistChange, error) {
			return tx.ReleaseItem(ctx, ev.ID, clean.ID, jess, jess)
		}, portfolio.ECONFLICT},
		{"done by another", func(tx *store.Tx) (store.ChecklistChange, error) {
			return tx.DoneItem(ctx, ev.ID, clean.ID, jess, false)
		}, portfolio.ECONFLICT},
		{"done", func(tx *store.Tx) (store.ChecklistChange, error) {
			return tx.DoneItem(ctx, ev.ID, clean.ID, sam, false)
		}, ""},
		{"release when done", func(tx *store.Tx) (store.ChecklistChange, error) {
			return tx.ReleaseItem(ctx, ev.ID, clean.ID, sam, sam)
		}, portfolio.ECONFLICT},
		{"undo by another", func(tx *store.Tx) (store.ChecklistChange, error) {
			return tx.UndoItem(ctx, ev.ID, clean.ID, jess, false)
		}, portfolio.ECONFLICT},
		{"undo", func(tx *store.Tx) (store.ChecklistChange, error) {
			return tx.UndoItem(ctx, ev.ID, clean.ID, sam, false)
		}, ""},
		{"note", func(tx *store.Tx) (store.ChecklistChange, error) {
			return tx.NoteItem(ctx, ev.ID, clean.ID, jess, "bleach is low")
		}, ""},
		{"overlong note", func(tx *store.Tx) (store.ChecklistChange, error) {
			return tx.NoteItem(ctx, ev.ID, clean.ID, jess, strings.Repeat("x", portfolio.MaxNoteLength+1))
		}, portfolio.EINVALID},
		{"release", func(tx *store.Tx) (store.ChecklistChange, error) {
			return tx.ReleaseItem(ctx, ev.ID, clean.ID, sam, sam)
		}, ""},
	}
	for _, st := range steps {
		ch, err := change(t, s, st.fn)
		if portfolio.ErrorCode(err) != st.wantErr {
			t.Fatalf("%s: %v, want code %q", st.name, err, st.wantErr)
		}
		if err == nil && (ch.PhaseID == 0 || ch.EventID != ev.ID || ch.Action == "") {
			t.Errorf("%s: change %+v", st.name, ch)
		}
	}
	log, err := s.ChecklistLog(ctx, ev.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Actor+" "+e.Action)
	}
	want := "Sam Okafor release,Jess Tran note,Sam Okafor undo,Sam Okafor done,Sam Okafor claim"
	if got := strings.Join(actions, ","); got != want {
		t.Errorf("log = %s, want %s", got, want)
	}
	audit, _ := s.Audit(ctx, 5)
	if len(audit) != 5 || audit[0].Action != "release" || audit[0].SubjectType != "checklist_item" || audit[0].SubjectID != clean.ID {
		t.Errorf("audit = %+v", audit)
	}
	after, _ := s.Event(ctx, ev.ID)
	it := itemByTitle(t, after, "Clean the head")
	if it.ClaimedBy != 0 || it.Done() || it.Note != "bleach is low" {
		t.Errorf("item after lifecycle: %+v", it)
	}
}

func TestMandatoryItemsBlockSignOff(t *testing.T) {
	s, ev, who := demoChecklist(t)
	ctx := context.Background()
	captain := who["Morgan"]
	phase := ev.Phases[0] // Pre-departure: weather (mandatory) is open
	_, err := change(t, s, func(tx *store.Tx) (store.ChecklistChange, error) {
		return tx.SignOffPhase(ctx, ev.ID, phase.ID, captain)
	})
	if portfolio.ErrorCode(err) != portfolio.ECONFLICT || !strings.Contains(err.Error(), "Check weather") {
		t.Fatalf("sign-off with open mandatory item: %v", err)
	}
	weather := itemByTitle(t, ev, "Check weather")
	if _, err := change(t, s, func(tx *store.Tx) (store.ChecklistChange, error) {
		return tx.DoneItem(ctx, ev.ID, weather.ID, captain, true)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := change(t, s, func(tx *store.Tx) (store.ChecklistChange, error) {
		return tx.SignOffPhase(ctx, ev.ID, phase.ID, captain)
	}); err != nil {
		t.Fatalf("sign-off with mandatory items done: %v", err)
	}
	// A signed-off phase is locked...
	clean := itemByTitle(t, ev, "Clean the head")
	_, err = change(t, s, func(tx *store.Tx) (store.ChecklistChange, error) {
		return tx.ClaimItem(ctx, ev.ID, clean.ID, who["Sam"], who["Sam"])
	})
	if portfolio.ErrorCode(err) != portfolio.ECONFLICT || !strings.Contains(err.Error(), "signed off") {
		t.Errorf("claim in a signed-off phase: %v", err)
	}
	// ...until the captain resets an item, which reopens it.
	if _, err := change(t, s, func(tx *store.Tx) (store.ChecklistChange, error) {
		return tx.ResetItem(ctx, ev.ID, weather.ID, captain)
	}); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Event(ctx, ev.ID)
	if !after.Phases[0].SignedOffAt.IsZero() || itemByTitle(t, after, "Check weather").Done() {
		t.Errorf("after reset: phase %+v", after.Phases[0])
	}
}

func TestChecklistLogIsImmutable(t *testing.T) {
	s, ev, who := demoChecklist(t)
	ctx := context.Background()
	clean := itemByTitle(t, ev, "Clean the head")
	if _, err := change(t, s, func(tx *store.Tx) (store.ChecklistChange, error) {
		return tx.ClaimItem(ctx, ev.ID, clean.ID, who["Sam"], who["Sam"])
	}); err != nil {
		t.Fatal(err)
	}
	// Any writer, not only the store's own: the database itself refuses.
	db, err := sql.Open("sqlite", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{"UPDATE checklist_log SET actor = 'someone else'", "DELETE FROM checklist_log"} {
		if _, err := db.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused", q, err)
		}
	}
	// The log goes with its event, so a portfolio reset still works.
	if err := s.Update(ctx, "test", func(tx *store.Tx) error { return tx.Reset(ctx) }); err != nil {
		t.Fatalf("reset with a checklist log: %v", err)
	}
}

// 200 crew members claim one item at once: exactly one wins, the rest get
// a conflict, and none sees "database is locked".
func TestConcurrentClaimsOneWins(t *testing.T) {
	s, ev, who := demoChecklist(t)
	ctx := context.Background()
	clean := itemByTitle(t, ev, "Clean the head")
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]int{}
	for i := range 200 {
		wg.Go(func() {
			by := []int64{who["Sam"], who["Jess"], who["Morgan"]}[i%3]
			_, err := change(t, s, func(tx *store.Tx) (store.ChecklistChange, error) { return tx.ClaimItem(ctx, ev.ID, clean.ID, by, by) })
			mu.Lock()
			defer mu.Unlock()
			if err != nil && portfolio.ErrorCode(err) != portfolio.ECONFLICT {
				t.Errorf("claim: %v", err)
			}
			codes[portfolio.ErrorCode(err)]++
		})
	}
	wg.Wait()
	// The winner's own later attempts are no-ops, so count changes in the log.
	log, _ := s.ChecklistLog(ctx, ev.ID, 500)
	if len(log) != 1 || codes[portfolio.ECONFLICT] < 200-70 {
		t.Errorf("%d claims logged, outcomes %v; want exactly one", len(log), codes)
	}
}

// Grouped changes commit together, and one that fails is undone alone.
func TestUpdateGroupedIsolatesFailures(t *testing.T) {
	s, ev, who := demoChecklist(t)
	ctx := context.Background()
	clean := itemByTitle(t, ev, "Clean the head")
	photos := itemByTitle(t, ev, "Take photos")
	var wg sync.WaitGroup
	errs := make([]error, 60)
	for i := range errs {
		wg.Go(func() {
			item := []int64{clean.ID, photos.ID}[i%2]
			by := []int64{who["Sam"], who["Jess"], who["Morgan"]}[i%3]
			errs[i] = s.UpdateGrouped(ctx, "test", func(tx *store.Tx) error {
				_, err := tx.ClaimItem(ctx, ev.ID, item, by, by)
				return err
			})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && portfolio.ErrorCode(err) != portfolio.ECONFLICT {
			t.Errorf("grouped claim: %v", err)
		}
	}
	log, _ := s.ChecklistLog(ctx, ev.ID, 100)
	after, _ := s.Event(ctx, ev.ID)
	if len(log) != 2 || itemByTitle(t, after, "Clean").ClaimedBy == 0 || itemByTitle(t, after, "Take photos").ClaimedBy == 0 {
		t.Errorf("%d claims logged, want one per item", len(log))
	}
	audit, _ := s.Audit(ctx, 10)
	claims := 0
	for _, a := range audit {
		if a.Action == store.ActClaim {
			claims++
		}
	}
	if claims != 2 {
		t.Errorf("%d claim audit rows, want 2: failed changes must leave none", claims)
	}
}
