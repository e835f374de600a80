package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"opsdeck/internal/golden"
	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

func TestRecordsPageGolden(t *testing.T) {
	s := start(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("8")
	golden.Check(t, "testdata/records.golden", s.waitFor("[Portfolio & people]", "[Entity]", "7 entities", "TOOLS"))
	s.keys("]", "]")
	golden.Check(t, "testdata/records-cost-lines.golden", s.waitFor("[Finance]", "[Cost line]", "cost lines ·", "KEY"))
}

// Every kind's table, and the longest form, fit the smallest terminal.
func TestRecordsFitEightyByTwentyFour(t *testing.T) {
	s := startAt(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}), 80, 24)
	check := func(what, screen string) {
		t.Helper()
		lines := strings.Split(screen, "\n")
		if len(lines) > 24 {
			t.Errorf("%s: %d lines on a 24-line terminal:\n%s", what, len(lines), screen)
		}
		for _, line := range lines {
			if w := ansi.StringWidth(line); w > 80 {
				t.Errorf("%s: a line of %d columns: %q", what, w, line)
			}
		}
	}
	s.keys("8")
	for i, k := range kindsByGroup() {
		if i > 0 {
			s.keys("right")
		}
		s.waitFor("[" + k.Title + "]")
		check(k.Name, s.waitGone("loading…"))
		if k.Name == "event" {
			s.keys("n")
			check("new event form", s.waitFor("New event", "┃ Key", "╰"))
			s.keys("esc")
			s.waitFor("cancelled")
		}
	}
	s.keys("?")
	check("records keys", s.waitFor("Keys on the Records page", "next group"))
}

// From an empty database, everything an owner keeps is added through the
// console: an entity, a cost line for it, an event and a person, who then
// goes on the event's crew; the Overview and the CFO report show the new
// burn.
func TestRecordsFromAnEmptyDatabase(t *testing.T) {
	st := storetest.Open(t, nil)
	ctx := context.Background()
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))

	// The KPIs page says where an entity is added.
	s.keys("2")
	s.waitFor("No KPIs yet: n adds the first.")
	s.keys("n")
	s.waitFor("a KPI belongs to an entity: add one first (press 8 for Records, then n)")
	s.keys("8")
	s.waitFor("[Entity]", "No entities yet: n adds the first.")
	// A KPI's form says what it needs first, as a sentence says it.
	s.keys("right", "right")
	s.waitFor("[KPI]", "No KPIs yet")
	s.keys("n")
	s.waitFor("a KPI needs an entity: add one first (Entity, in Portfolio & people)")
	s.keys("left", "left")
	s.waitFor("[Entity]", "No entities yet")

	s.keys("n")
	s.waitFor("New entity (* required)")
	s.field("Code *", "")
	s.waitFor("code is required")
	s.field("Code *", "JADA")
	s.field("Name *", "JADA Yacht Charters")
	for _, title := range []string{"Kind *", "Description", "Position"} {
		s.focus(title)
		s.keys("enter")
	}
	s.waitFor("✓ added entity JADA", "1 entity ·", "JADA Yacht Charters")

	s.keys("]", "]")
	s.waitFor("[Finance]", "[Cost line]", "No cost lines yet")
	s.keys("n")
	s.focus("Key")
	s.keys("enter")
	s.focus("Entity")
	s.keys("down", "enter") // none, then JADA
	s.field("Category *", "insurance")
	s.field("Vendor *", "Harbor Mutual")
	s.focus("Description")
	s.keys("enter")
	s.field("Low a month", "abc")
	s.waitFor(`low: "abc" is not a dollar amount`)
	s.field("Low a month", "1,000")
	s.field("High a month", "500") // below the low: the record's own check refuses it
	for _, title := range []string{"Account", "Audit note"} {
		s.focus(title)
		s.keys("enter")
	}
	s.waitFor("not saved: cost Harbor Mutual: need 0 <= low ($1,000) <= high ($500)")
	// The form is back, with everything typed still in it, and the cursor
	// on the field in error.
	s.field("High a month", "1500")
	for _, title := range []string{"Account", "Audit note"} {
		s.focus(title)
		s.keys("enter")
	}
	s.waitFor("✓ added cost line", "1 cost line ·", "Harbor Mutual", "$1,500")

	s.keys("]", "]", "]", "]")
	s.waitFor("[Event]", "No events yet")
	s.keys("n")
	for _, title := range []string{"Key", "Entity *", "Kind *"} {
		s.focus(title)
		s.keys("enter")
	}
	s.field("Title *", "Harbor fireworks cruise")
	s.focus("Location")
	s.keys("enter")
	s.field("Departs at *", "new year's eve")
	s.waitFor("is not a time such as")
	s.field("Departs at *", "2026-12-31T21:00:00-08:00")
	s.field("Time zone *", "America/Los_Angeles")
	for _, title := range []string{"Duration (minutes) *", "Crew call", "Boarding", "Turnaround", "Guests", "Status *", "Notes"} {
		s.focus(title)
		s.keys("enter")
	}
	s.waitFor("✓ added event", "1 event ·", "Harbor fireworks cruise")

	s.keys("]", "right") // round to the first group, then its second kind
	s.waitFor("[Person]", "No people yet")
	s.keys("n")
	s.field("Email *", "ana@example.com")
	s.field("Name *", "Ana Ruiz")
	for _, title := range []string{"Phone", "Title", "Access role *"} {
		s.focus(title)
		s.keys("enter")
	}
	s.focus("Receives reports")
	s.keys("down", "down", "down", "x", "enter") // CFO
	s.waitFor("✓ added person ana@example.com", "1 person ·")

	// The Events page puts her on the event's crew, as its captain.
	s.keys("4")
	s.waitFor("1 upcoming event (p: show past)", "Harbor fireworks cruise")
	s.keys("enter")
	s.waitFor("Crew: —")
	s.keys("c")
	s.waitFor("Crew of Harbor fireworks cruise")
	s.focus("Person")
	s.keys("enter")
	s.focus("Role on the event")
	s.keys("up", "enter") // crew is chosen; captain is above it
	s.waitFor("✓ Ana Ruiz is on the crew as captain", "Crew: Ana Ruiz (captain)")

	recs, err := st.Records(ctx, mustKind("crew"))
	if err != nil || len(recs) != 1 {
		t.Fatalf("crew records: %v, %v", recs, err)
	}
	if c := recs[0].(*portfolio.CrewMember); c.PersonEmail != "ana@example.com" || c.Role != portfolio.AccessCaptain ||
		!strings.Contains(c.EventKey, "harbor-fireworks-cruise") {
		t.Errorf("crew member = %+v", c)
	}
	lines, err := st.Records(ctx, mustKind("cost-line"))
	if err != nil || len(lines) != 1 {
		t.Fatalf("cost lines: %v, %v", lines, err)
	}
	if c := lines[0].(*portfolio.CostLine); c.EntityCode != "JADA" || c.Low != portfolio.Dollars(1000) || c.High != portfolio.Dollars(1500) {
		t.Errorf("cost line = %+v", c)
	}

	// The pages that show the money follow.
	s.keys("esc", "1")
	s.waitFor("Burn $1,000–$1,500 a month")
	s.keys("5", "right", "right", "right")
	s.waitFor("CFO report", "burns $1,000–$1,500 a month")
}

// e changes a record through the same form, and the cursor stays on it.
func TestRecordsEdit(t *testing.T) {
	st := storetest.Demo(t, nil)
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("8")
	s.waitFor("7 entities")
	s.keys("down", "e") // QOS
	s.waitFor("Edit entity QOS")
	s.focus("Code *")
	s.keys("enter")
	s.field("Name *", "Queen of San Diego Sportfishing")
	for _, title := range []string{"Kind *", "Description", "Position"} {
		s.focus(title)
		s.keys("enter")
	}
	s.waitFor("✓ saved entity QOS", "▸QOS    Queen of San Diego…") // the column is 28 wide: cut between words
	e, err := st.Record(context.Background(), mustKind("entity"), "QOS")
	if err != nil || e.(*portfolio.Entity).Name != "Queen of San Diego Sportfishing" {
		t.Errorf("after the edit: %+v, %v", e, err)
	}
}

// d refuses to remove what others refer to, naming them; what would go
// with a record is listed and goes only after yes.
func TestRecordsRemove(t *testing.T) {
	st := storetest.Demo(t, nil)
	ctx := context.Background()
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("8")
	s.waitFor("7 entities", "▸JADA")
	s.keys("d")
	screen := ansiFlat(s.waitFor("Not removed: entity JADA is still referred to", "press any key"))
	for _, want := range []string{"It is referred to by 3 shortfalls, 4 cost lines, 1 technical finding, 1 recognition gap and 2 events: " +
		"shortfall empty-sales-pipeline, shortfall crew-equity-exposure, shortfall zero-ota-listings, cost line bayside-marina, " +
		"cost line marine-underwriter, and 6 more. Change or remove those first."} {
		if !strings.Contains(screen, want) {
			t.Errorf("the refusal does not say %q:\n%s", want, screen)
		}
	}
	s.waitFor("not removed: entity JADA is referred to by")
	s.keys("x") // any key closes it
	s.waitFor("▸JADA")
	if _, err := st.Record(ctx, mustKind("entity"), "JADA"); err != nil {
		t.Fatalf("JADA is gone: %v", err)
	}

	s.keys("right", "right")
	s.waitFor("[KPI]", "▸JADA/charters")
	s.keys("d")
	screen = ansiFlat(s.waitFor("Remove KPI JADA/charters?"))
	if want := "Removing KPI JADA/charters also removes 4 KPI readings: KPI reading JADA/charters/2026-"; !strings.Contains(screen, want) {
		t.Errorf("the question does not say %q:\n%s", want, screen)
	}
	s.keys("enter") // Keep is the default
	s.waitFor("✓ nothing removed")
	s.keys("d")
	s.waitFor("Remove KPI JADA/charters?")
	s.keys("left", "enter")
	s.waitFor("✓ removed KPI JADA/charters and 4 KPI readings", "21 KPIs")
	if _, err := st.Record(ctx, mustKind("kpi"), "JADA/charters"); portfolio.ErrorCode(err) != portfolio.ENOTFOUND {
		t.Errorf("the KPI is still there: %v", err)
	}
	readings, _ := st.Records(ctx, mustKind("reading"))
	for _, r := range readings {
		if r.(*portfolio.Reading).KPIKey == "JADA/charters" {
			t.Errorf("a reading of the removed KPI is left: %+v", r)
		}
	}
	// The KPIs page follows.
	s.keys("2")
	s.waitFor("21 KPIs")
}

// ansiFlat joins a screen's lines, so a sentence wrapped in a box reads
// as one.
func ansiFlat(screen string) string {
	var words []string
	for _, line := range strings.Split(screen, "\n") {
		words = append(words, strings.Fields(strings.Trim(line, " │╭╮╰╯─┃"))...)
	}
	return strings.Join(words, " ")
}

// A removal agreed to is not made if, meanwhile, more records would go
// with it or a record has come to refer to it: the page asks again, or
// refuses, with what is there now.
func TestRecordsRemoveAsksAgainWhenItChanged(t *testing.T) {
	st := storetest.Demo(t, nil)
	ctx := context.Background()
	change := func(fn func(tx *store.Tx) error) {
		t.Helper()
		if err := st.Update(ctx, "other", fn); err != nil {
			t.Fatal(err)
		}
	}
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("8", "right", "right")
	s.waitFor("[KPI]", "▸JADA/charters")
	s.keys("d")
	s.waitFor("Remove KPI JADA/charters?", "4 KPI readings")
	change(func(tx *store.Tx) error {
		v := 3.0
		_, err := tx.SetKPI(ctx, "JADA", "charters", portfolio.KPIUpdate{Value: &v})
		return err
	})
	s.keys("left", "enter")
	screen := ansiFlat(s.waitFor("Remove KPI JADA/charters?", "5 KPI readings"))
	if want := "Something changed while you were asked, and nothing was removed. Removing KPI JADA/charters also removes 5 KPI readings"; !strings.Contains(screen, want) {
		t.Errorf("the question again does not say %q:\n%s", want, screen)
	}
	if _, err := st.Record(ctx, mustKind("kpi"), "JADA/charters"); err != nil {
		t.Fatalf("removed with readings nobody agreed to: %v", err)
	}
	s.keys("left", "enter")
	s.waitFor("✓ removed KPI JADA/charters and 5 KPI readings")

	change(func(tx *store.Tx) error {
		_, err := tx.PutRecord(ctx, mustKind("entity"), "", &portfolio.Entity{Code: "ZED", Name: "Zed Rentals", Kind: portfolio.KindOperating})
		return err
	})
	s.keys("left", "left", "/", "text:ZED", "enter")
	s.waitFor("▸ZED")
	s.keys("d")
	s.waitFor("Remove entity ZED?")
	change(func(tx *store.Tx) error {
		_, err := tx.PutRecord(ctx, mustKind("cost-line"), "", &portfolio.CostLine{EntityCode: "ZED", Category: "rent", Vendor: "Dock Co",
			Low: portfolio.Dollars(100), High: portfolio.Dollars(100)})
		return err
	})
	s.keys("left", "enter")
	screen = ansiFlat(s.waitFor("Not removed: entity ZED is still referred to", "press any key"))
	if want := "Something changed while you were asked, and nothing was removed. It is referred to by 1 cost line: cost line"; !strings.Contains(screen, want) {
		t.Errorf("the refusal does not say %q:\n%s", want, screen)
	}
	if _, err := st.Record(ctx, mustKind("entity"), "ZED"); err != nil {
		t.Fatalf("ZED is gone: %v", err)
	}
}

// Removing a person others name in a field that is emptied (an action's
// person) says which records keep going without them.
func TestRecordsRemoveSaysWhatIsCleared(t *testing.T) {
	st := storetest.Demo(t, nil)
	ctx := context.Background()
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("8")
	s.waitFor("7 entities")
	s.keys("right")
	s.waitFor("[Person]")
	s.keys("/")
	s.keys("text:chris")
	s.keys("enter")
	s.waitFor("▸chris.novak@example.com")
	s.keys("d")
	// A long key wraps at a hyphen.
	screen := strings.ReplaceAll(ansiFlat(s.waitFor("Remove person chris.novak@example.com?")), "- ", "-")
	if want := "It is taken off action rotate-the-stripe-keys-and-move-every-secret-out (person)."; !strings.Contains(screen, want) {
		t.Errorf("the question does not say %q:\n%s", want, screen)
	}
	s.keys("left", "enter")
	s.waitFor("✓ removed person chris.novak@example.com")
	a, err := st.Record(ctx, mustKind("action"), "rotate-the-stripe-keys-and-move-every-secret-out")
	if err != nil || a.(*portfolio.Action).PersonEmail != "" {
		t.Errorf("the action after its person went: %+v, %v", a, err)
	}
}

// n typed right after ] (before the next kind's records are read) opens
// the form once they are, rather than being lost.
func TestRecordsKeyTypedWhileTheKindLoadsIsKept(t *testing.T) {
	s := start(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}))
	s.keys("8")
	s.waitFor("[Entity]")
	for range 5 {
		s.keys("]", "n")
		s.waitFor("│ New ")
		s.keys("esc")
		s.waitGone("│ New ")
	}
}
