package tui

import (
	"context"
	"image/color"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"opsdeck/internal/golden"
	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

func TestPagesGolden(t *testing.T) {
	s := start(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}))
	golden.Check(t, "testdata/overview.golden", s.waitFor("Next events", "Break-even JADA"))
	s.keys("2")
	golden.Check(t, "testdata/kpis.golden", s.waitFor("22 KPIs", "Charters per month"))
	s.keys("3")
	golden.Check(t, "testdata/shortfalls.golden", s.waitFor("10 open, ranked"))
	s.keys("4")
	golden.Check(t, "testdata/events.golden", s.waitFor("2 upcoming events"))
	s.keys("enter")
	golden.Check(t, "testdata/event-detail.golden", s.waitFor("Crew call 16:00", "Pre-departure"))
	s.keys("esc", "5")
	golden.Check(t, "testdata/reports.golden", s.waitFor("CEO report: Queen of San Diego"))
	s.keys("7")
	golden.Check(t, "testdata/schedules.golden", s.waitFor("Reports go out on these schedules", "Accounting"))
}

func TestTabAndHelp(t *testing.T) {
	s := start(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("tab")
	s.waitFor("22 KPIs")
	s.keys("shift+tab", "shift+tab")
	s.waitFor("load_demo portfolio", "newest first") // wraps round to the last page
	s.keys("shift+tab")
	s.waitFor("[Portfolio & people]", "7 entities")
	s.keys("shift+tab")
	s.waitFor("Reports go out on these schedules")
	s.keys("shift+tab")
	s.waitFor("The outbox is empty")
	s.keys("shift+tab")
	s.waitFor("Role", "CEO report")
	s.keys("?")
	screen := s.waitFor("Keys on the Reports page", "previous/next role")
	if !strings.Contains(screen, "1-9       go to page") {
		t.Errorf("full help lacks the number keys of all nine pages:\n%s", screen)
	}
	s.keys("esc")
	s.waitGone("Keys on the Reports page")
}

// Editing a KPI through the form writes a reading, shows a confirmation,
// and lands in the audit log; invalid input is refused inline.
func TestKPIEdit(t *testing.T) {
	st := storetest.Demo(t, nil)
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("2")
	s.waitFor("Charters per month")
	s.keys("e")
	s.waitFor("JADA · Charters per month (now 2)")
	s.field("New reading", "abc")
	s.waitFor(`value "abc" is not a number`)
	s.field("New reading", "-2")
	s.waitFor("must not be negative")
	s.field("New reading", "5")
	s.focus("Target")
	s.keys("enter")
	s.focus("Note")
	s.keys("enter")
	s.waitFor("✓ JADA Charters per month saved")
	k, err := st.KPI(context.Background(), "JADA", "charters")
	if err != nil || k.Latest.Value != 5 {
		t.Fatalf("after the form: %+v, %v", k.Latest, err)
	}
	entries, _ := st.Audit(context.Background(), 1)
	if len(entries) != 1 || entries[0].Action != "set" || entries[0].Actor != "tester" {
		t.Errorf("audit = %+v", entries)
	}
	// esc cancels without writing.
	s.keys("e")
	s.focus("New reading")
	s.keys("text:9", "esc")
	s.waitFor("cancelled")
	if k, _ := st.KPI(context.Background(), "JADA", "charters"); k.Latest.Value != 5 {
		t.Errorf("a cancelled form wrote %v", k.Latest.Value)
	}
}

func TestKPIFilterAddDelete(t *testing.T) {
	st := storetest.Demo(t, nil)
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("2", "/", "text:qdn revenue")
	screen := s.waitFor("Haul revenue this month")
	if strings.Contains(screen, "Charters per month") {
		t.Errorf("filter kept other rows:\n%s", screen)
	}
	s.keys("enter", "d")
	s.waitFor("Delete QDN Haul revenue this month and all its readings?")
	s.keys("left", "enter") // Delete is on the left
	s.waitFor("deleted")
	if _, err := st.KPI(context.Background(), "QDN", "revenue"); portfolio.ErrorCode(err) != portfolio.ENOTFOUND {
		t.Errorf("KPI not deleted: %v", err)
	}
	s.keys("esc", "n")
	s.focus("Entity")
	s.keys("enter") // JADA
	s.field("Key", "bad key!")
	s.waitFor("must be 1-16 letters")
	s.field("Key", "repeat")
	s.field("Name", "Repeat guests")
	s.focus("Unit")
	s.keys("down", "down", "enter") // percent
	s.focus("Better when")
	s.keys("enter") // higher
	s.field("Target", "150")
	s.waitFor("outside 0..100")
	s.field("Target", "30")
	s.focus("Owner")
	s.keys("enter") // CEO
	s.waitFor("KPI JADA Repeat guests added")
	k, err := st.KPI(context.Background(), "JADA", "repeat")
	if err != nil || k.Unit != "percent" || k.Target != 30 {
		t.Errorf("new KPI = %+v, %v", k, err)
	}
}

func TestShortfallResolveReopenAdd(t *testing.T) {
	st := storetest.Demo(t, nil)
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("3")
	s.waitFor("10 open, ranked")
	s.keys("r") // the top-ranked: payment keys
	s.waitFor(`resolved "Payment keys and configs exposed"`, "9 open, ranked by return on effort; 2 resolved")
	s.keys("G", "o")
	s.waitFor("reopened", "10 open")

	s.keys("n")
	s.field("Title", "<b>Dock fees unbilled</b>")
	s.field("Detail", "Guests are not charged the dock fee")
	s.focus("Entity")
	s.keys("down", "enter") // JADA
	s.focus("Owner")
	s.keys("down", "down", "down", "enter") // CFO
	s.focus("Severity")
	s.keys("enter") // high
	s.field("Monthly impact ($)", "abc")
	s.waitFor("is not a dollar amount")
	s.field("Monthly impact ($)", "900")
	s.field("Effort (days)", "0")
	s.waitFor("effort must be more than 0")
	s.field("Effort (days)", "1.5")
	s.waitFor(`added "<b>Dock fees unbilled</b>"`)
	var found *portfolio.Shortfall
	all, _ := st.Shortfalls(context.Background())
	for i := range all {
		if all[i].Title == "<b>Dock fees unbilled</b>" {
			found = &all[i]
		}
	}
	if found == nil || found.OwnerRole != portfolio.RoleCFO || found.MonthlyImpact != portfolio.Dollars(900) || found.EntityCode != "JADA" ||
		found.EffortDays != 1.5 {
		t.Errorf("added shortfall = %+v", found)
	}
}

func TestEventChecklistEditing(t *testing.T) {
	st := storetest.Demo(t, nil)
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("4", "enter")
	s.waitFor("Crew call 16:00", "Check weather, tides")
	s.keys("a")
	s.waitFor("New item in Pre-departure")
	s.field("Task", "Top up the water tanks")
	s.focus("Who does it")
	s.keys("enter")
	s.focus("Mandatory")
	s.keys("enter")
	s.focus("Note")
	s.keys("enter")
	s.waitFor(`added "Top up the water tanks"`, "Pre-departure  2/6 done")
	s.keys("G") // last row: the last item of the last phase
	s.keys("K")
	s.waitFor(`moved "File an incident report`)
	ev, _ := st.Event(context.Background(), 1)
	last := ev.Phases[3].Items
	if last[2].Title != "File an incident report, or note that there was none" {
		t.Errorf("move up: %v", []string{last[0].Title, last[1].Title, last[2].Title, last[3].Title})
	}
	if got := ev.Phases[0].Items[5].Title; got != "Top up the water tanks" {
		t.Errorf("added item is %q", got)
	}
	s.keys("esc")
	s.waitFor("2 upcoming events")
	s.keys("n")
	s.fillEventUpToDate("Harbor fireworks cruise")
	s.field("Departure time", "25:00")
	s.waitFor(`"25:00" is not a time of day: hours run 00–23`)
	s.field("Departure time", "21:00")
	for _, title := range []string{"Time zone", "Duration (minutes)", "Crew call", "Boarding", "Turnaround", "Guests"} {
		s.focus(title)
		s.keys("enter")
	}
	s.waitFor(`added "Harbor fireworks cruise"`, "3 upcoming events")
}

// A change made by another process shows within the poll interval.
func TestOutsideChangesAppear(t *testing.T) {
	st := storetest.Demo(t, nil)
	s := start(t, newConsole(t, st, Options{Poll: 100 * time.Millisecond}))
	s.waitFor("Break-even JADA")
	s.keys("2")
	s.waitFor("Charters per month")
	other, err := store.Open(context.Background(), st.Path(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	v := 17.0
	if err := other.Update(context.Background(), "cli", func(tx *store.Tx) error {
		_, err := tx.SetKPI(context.Background(), "QDN", "hauls", portfolio.KPIUpdate{Value: &v})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s.waitFor("Hauls per month                                   17")
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("outside change took %v to appear, want under 2 s", took)
	}
}

func TestTooSmall(t *testing.T) {
	s := start(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}))
	s.tm.Send(teaWindow(70, 20))
	s.waitFor("Terminal too small", "at least 80×24; this one is 70×20")
	s.tm.Send(teaWindow(100, 30))
	s.waitFor("Break-even JADA")
}

// The console follows the terminal's background unless a theme is given.
func TestThemeFollowsBackground(t *testing.T) {
	m := newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour, Theme: ""})
	m.themeFixed = false
	m.Update(tea.BackgroundColorMsg{Color: color.White})
	if m.c.Styles.Dark {
		t.Error("a white background kept the dark styles")
	}
	m.Update(tea.BackgroundColorMsg{Color: color.Black})
	if !m.c.Styles.Dark {
		t.Error("a black background kept the light styles")
	}
	fixed := newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour, Theme: "light"})
	fixed.Update(tea.BackgroundColorMsg{Color: color.Black})
	if fixed.c.Styles.Dark {
		t.Error("--theme light was overridden by the terminal")
	}
}

// The mouse wheel scrolls lists.
func TestMouseWheelScrolls(t *testing.T) {
	s := start(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("2")
	s.waitFor("Charters per month")
	for range 3 {
		s.tm.Send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	}
	s.keys("e")
	s.waitFor("QOS · Website enquiry conversion") // row 9: three notches of three rows
}

func TestSchedulesPage(t *testing.T) {
	st := storetest.Demo(t, nil)
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("7")
	s.waitFor("0 7 * * 1", "paused")
	s.keys("p")
	// The form starts from the row on screen: wait for the reload.
	s.waitFor("CEO schedule resumed", "active")
	s.keys("e")
	s.field("When (cron)", "every monday")
	s.waitFor("expected exactly 5 fields")
	s.field("When (cron)", "30 6 * * 1-5")
	s.focus("Time zone")
	s.keys("enter")
	s.focus("Weekdays only")
	s.keys("enter")
	s.focus("Active")
	s.keys("enter")
	s.waitFor("CEO schedule saved", "30 6 * * 1-5")
	sc, err := st.Schedule(context.Background(), portfolio.RoleCEO)
	if err != nil || sc.Cron != "30 6 * * 1-5" || !sc.Enabled {
		t.Errorf("schedule = %+v, %v", sc, err)
	}
	s.keys("v")
	s.waitFor("Next run: Fri 27 Nov 06:30", "To:       owner@example.com", "CEO REPORT")
	s.keys("esc")
	s.waitFor("Reports go out on these schedules")
}

// A form writes once, however many messages arrive while the write runs.
func TestFormSubmitsOnce(t *testing.T) {
	st := storetest.Demo(t, nil)
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.waitFor("Break-even JADA")
	s.keys("2", "e")
	s.field("New reading", "3")
	s.focus("Target")
	s.keys("enter")
	s.focus("Note")
	s.keys("enter")
	for range 5 {
		s.tm.Send(teaWindow(100, 30)) // messages that reach the form after it completed
	}
	s.waitFor("JADA Charters per month saved")
	k, _ := st.KPI(context.Background(), "JADA", "charters")
	rs, _ := st.Readings(context.Background(), k.ID, 100)
	if len(rs) != 5 {
		t.Errorf("%d readings, want the demo's 4 and one more", len(rs))
	}
}

// At the smallest size the console supports, every page fits: no line is
// wider than the terminal (a wider one wraps and pushes the screen down),
// and the columns that matter are still there.
func TestEveryPageFitsEightyByTwentyFour(t *testing.T) {
	s := startAt(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}), 80, 24)
	check := func(page string, screen string) {
		t.Helper()
		checkScreen(t, page, screen, 80, 24)
	}
	check("overview", s.waitFor("1 Overview 2 KPIs 3 Short 4 Evts", "   low", "Next events"))
	s.keys("2")
	check("kpis", s.waitFor("22 KPIs", "TREND"))
	s.keys("3")
	check("shortfalls", s.waitFor("3 Shortfalls", "RETURN/DAY STATUS", "$1,667 open"))
	s.keys("4")
	check("events", s.waitFor("2 upcoming events", "CHECKLIST", "2/14", "0/14"))
	s.keys("enter")
	check("event detail", s.waitFor("Crew 16:00", "Turnaround 21:30", "Pre-departure", "departs in 3 days", "L magic links",
		"Check weather, tides and…", "done by Morgan Reyes Thu 09:40"))
	s.keys("?")
	check("event detail keys", s.waitFor("Keys on the Events page", "a add item", "L   magic links", "C   remove from crew"))
	s.keys("esc")
	s.keys("esc", "5")
	check("reports", s.waitFor("CEO report: Queen of San Diego"))
	s.keys("6")
	check("outbox", s.waitFor("The outbox is empty"))
	s.keys("7")
	// The cron line fits beside the runs, and a time shown without the
	// zone column still names its zone.
	check("schedules", s.waitFor("7 Schedules", "REPORT     WHEN ", "NEXT RUN", "0 7 * * 1  paused Mon 30 Nov 07:00 PST (in 3 days) never"))
	s.keys("?")
	check("help", s.waitFor("Keys on the Schedules page"))
	s.keys("esc")
	s.keys("9")
	check("audit", s.waitFor("9 Audit", "WHEN"))

	// A form taller than the screen keeps its box and help in view and
	// scrolls to the field in focus, down to the last one.
	s.keys("4")
	s.waitFor("2 upcoming events")
	s.keys("n")
	check("new event form", s.waitFor("New event", "┃ Title", "╰"))
	s.fillEventUpToDate("Harbor fireworks cruise")
	s.field("Departure time", "21:00")
	for _, title := range []string{"Time zone", "Duration (minutes)", "Crew call", "Boarding", "Turnaround"} {
		s.focus(title)
		s.keys("enter")
	}
	check("new event form, last field", s.waitFor("┃ Guests", "╰"))
	s.keys("esc")
}

// checkScreen checks that a screen fits w×h, that the header names every
// page (by a short name at least, never by a bare number), that the
// portfolio's name is whole or cut between words, and that the footer
// ends with the keys that always show, uncut.
func checkScreen(t *testing.T, page, screen string, w, h int) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	if len(lines) > h {
		t.Errorf("%s: %d lines on a %d-line terminal:\n%s", page, len(lines), h, screen)
	}
	for _, line := range lines {
		if lw := ansi.StringWidth(line); lw > w {
			t.Errorf("%s: a line of %d columns: %q", page, lw, line)
		}
	}
	for n := 1; n <= 9; n++ {
		if !regexp.MustCompile(`\b` + strconv.Itoa(n) + ` [A-Z][A-Za-z]{2,}`).MatchString(lines[0]) {
			t.Errorf("%s at %d columns: the header does not name page %d: %q", page, w, n, lines[0])
		}
	}
	head := strings.TrimSpace(lines[0])
	whole, cut := strings.HasSuffix(head, "Queen of San Diego Portfolio"), regexp.MustCompile(`  Queen( of( San( Diego)?)?)?…$`).MatchString(head)
	if !whole && !cut && (w >= 100 || strings.Contains(head, "Queen")) {
		t.Errorf("%s at %d columns: the header lost the portfolio's name or cut it inside a word: %q", page, w, lines[0])
	}
	if foot := strings.TrimSpace(lines[len(lines)-1]); !strings.HasSuffix(foot, "? all keys • q quit") && !strings.HasSuffix(foot, "ctrl+c quit") {
		t.Errorf("%s at %d columns: the footer is cut: %q", page, w, foot)
	}
}

// At 100×30 too every page keeps the portfolio's name and whole hints.
func TestEveryPageFitsAHundredByThirty(t *testing.T) {
	s := start(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}))
	check := func(page string, screen string) {
		t.Helper()
		checkScreen(t, page, screen, 100, 30)
	}
	check("overview", s.waitFor("Next events", "Break-even JADA"))
	for _, pg := range []struct{ key, name, want string }{
		{"2", "kpis", "22 KPIs"}, {"3", "shortfalls", "RETURN/DAY"}, {"4", "events", "2 upcoming events"},
		{"5", "reports", "CEO report: Queen of San Diego"}, {"6", "outbox", "The outbox is empty"},
		{"7", "schedules", "NEXT RUN"}, {"8", "records", "7 entities"},
	} {
		s.keys(pg.key)
		check(pg.name, s.waitFor(pg.want))
	}
	s.keys("4", "enter")
	check("event detail", s.waitFor("Pre-departure", "L magic links"))
	s.keys("?")
	check("event detail keys", s.waitFor("Keys on the Events page", "Pages: 1 Overview · 2 KPIs"))
}

// fakeCrew mints links without a crew server.
type fakeCrew struct{}

func (fakeCrew) MintLink(context.Context, string, int64, int64, portfolio.AccessRole, bool) (string, error) {
	return "http://127.0.0.1:8080/l/odl_" + strings.Repeat("Q", 43), nil
}
func (fakeCrew) Links(context.Context, int64) ([]store.CrewLink, error) { return nil, nil }
func (fakeCrew) RevokeLink(context.Context, string, int64) error        { return nil }
func (fakeCrew) Changes(int64) (<-chan struct{}, func())                { return make(chan struct{}), func() {} }

// A new link's QR code is whole on an 80×24 terminal, quiet zone and
// all, so a phone can scan it; and the event's times all show.
func TestNewLinkQRCodeFitsEightyByTwentyFour(t *testing.T) {
	s := startAt(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour, Crew: fakeCrew{}}), 80, 24)
	s.keys("4")
	s.waitFor("2 upcoming events")
	s.keys("enter")
	s.waitFor("Crew 16:00  Boarding 17:00  Departs 17:30  Returns 20:30  Turnaround 21:30")
	s.keys("L")
	s.waitFor("No links yet")
	s.keys("m")
	for _, title := range []string{"For", "Role", "Single use"} {
		s.focus(title)
		s.keys("enter")
	}
	screen := s.waitFor("New magic link", "odl_QQQQ")
	lines := strings.Split(screen, "\n")
	if len(lines) > 24 {
		t.Fatalf("%d lines on a 24-line terminal:\n%s", len(lines), screen)
	}
	var qrRows, solid int
	for _, line := range lines {
		row := strings.TrimSpace(line)
		if row != "" && strings.Trim(row, "█▀▄ ") == "" {
			qrRows++
			if strings.Trim(row, "█") == "" {
				solid++
			}
		}
	}
	if qrRows < 15 || solid < 2 {
		t.Errorf("the QR code is cut: %d rows, %d of them the solid quiet zone (want both edges):\n%s", qrRows, solid, screen)
	}
}

// fillEventUpToDate fills the open new-event form from its title to its
// date, taking the first entity, kind and status.
func (s *session) fillEventUpToDate(title string) {
	s.t.Helper()
	s.field("Title", title)
	for _, field := range []string{"Entity", "Kind"} {
		s.focus(field)
		s.keys("enter")
	}
	s.field("Location", "Shelter Island")
	s.focus("Status")
	s.keys("enter")
	s.field("Date", "2026-12-31")
}

// On an empty database every list says which key adds the first record.
func TestEmptyListsSayWhatAdds(t *testing.T) {
	s := start(t, newConsole(t, storetest.Open(t, nil), Options{Poll: time.Hour}))
	// The Overview says what is not there yet, rather than zeros and an
	// empty table.
	screen := s.waitFor("No entities yet: press 8 for Records, then n adds the first.", "KPIs: none tracked yet", "Shortfalls: none open",
		"No upcoming events.", "No costs recorded yet.")
	for _, zero := range []string{"ENTITY", "0 on target", "$0"} {
		if strings.Contains(screen, zero) {
			t.Errorf("the empty Overview shows %q:\n%s", zero, screen)
		}
	}
	s.keys("2")
	s.waitFor("No KPIs yet: n adds the first.")
	s.keys("3")
	s.waitFor("No shortfalls yet: n adds the first.")
	s.keys("4")
	s.waitFor("No events yet: n adds the first.")
	s.keys("7")
	s.waitFor("No schedules yet: press 8 for Records, go to Report schedule, then n.")
}

// A portfolio of one KPI says "1 KPI".
func TestOneKPI(t *testing.T) {
	st := storetest.Open(t, nil)
	ctx := context.Background()
	if err := st.Update(ctx, "test", func(tx *store.Tx) error {
		if _, err := tx.PutRecord(ctx, portfolio.MustKind("entity"), "", &portfolio.Entity{Code: "BAKE", Name: "Harbor Bakery",
			Kind: portfolio.KindOperating}); err != nil {
			return err
		}
		_, err := tx.PutRecord(ctx, portfolio.MustKind("kpi"), "", &portfolio.KPI{EntityCode: "BAKE", Key: "loaves", Name: "Loaves a day",
			Unit: "count", Direction: portfolio.HigherIsBetter, Target: 200, OwnerRole: portfolio.RoleCEO})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s := start(t, newConsole(t, st, Options{Poll: time.Hour}))
	s.keys("2")
	if screen := s.waitFor("Loaves a day"); !strings.Contains(screen, " 1 KPI ") || strings.Contains(screen, "1 KPIs") {
		t.Errorf("the KPIs page does not say 1 KPI:\n%s", screen)
	}
}

// The event's header at 80 columns keeps the countdown whole and cuts a
// long title or location between words, never mid-word or at the edge.
func TestEventHeaderAtEightyColumnsCutsNothingThatMatters(t *testing.T) {
	st := storetest.Demo(t, nil)
	ctx := context.Background()
	e, err := st.Event(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	e.Title = "Sunset harbor cruise for the Whitfield family reunion with a string quartet"
	e.Location = "Shelter Island guest dock, slip 14, behind the harbor police station"
	if err := st.Update(ctx, "tester", func(tx *store.Tx) error { return tx.UpdateEvent(ctx, &e) }); err != nil {
		t.Fatal(err)
	}
	s := startAt(t, newConsole(t, st, Options{Poll: time.Hour}), 80, 24)
	s.keys("4")
	s.waitFor("2 upcoming events")
	s.keys("enter")
	screen := s.waitFor("Pre-departure")
	lines := strings.Split(screen, "\n")
	title, when := strings.TrimRight(lines[1], " "), strings.TrimRight(lines[2], " ")
	if !strings.HasSuffix(title, "departs in 3 days") {
		t.Errorf("the countdown is cut: %q", title)
	}
	if !strings.Contains(title, "Sunset harbor cruise for the…") {
		t.Errorf("the title is not cut between words: %q", title)
	}
	if !strings.HasPrefix(strings.TrimSpace(when), "Sunday 29 November 2026 · America/Los_Angeles · 10 guests · Shelter Island") ||
		!strings.HasSuffix(when, "Island…") {
		t.Errorf("the date line should keep the date and cut the location between words: %q", when)
	}
	checkScreen(t, "event detail", screen, 80, 24)
}

// The Overview has a cursor: j/k move it over the entities and the next
// events, enter opens the entity's KPIs (filtered to it) or the event's
// checklist.
func TestOverviewCursorOpensEntitiesAndEvents(t *testing.T) {
	s := start(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}))
	screen := s.waitFor("Next events")
	if !strings.Contains(screen, cursorMark+"JADA   JADA Yacht Charters") {
		t.Fatalf("no cursor on the first entity:\n%s", screen)
	}
	s.keys("j")
	s.waitFor(cursorMark + "QOS    Queen of San Diego")
	s.keys("enter")
	screen = s.waitFor("/ QOS", "Email subscribers")
	if strings.Contains(screen, "Charters per month") {
		t.Errorf("the KPIs are not filtered to QOS:\n%s", screen)
	}
	s.keys("esc", "1")
	s.waitFor(cursorMark + "QOS    Queen of San Diego")
	s.keys("s")
	screen = s.waitFor("/ QOS", "Subscriber list")
	if strings.Contains(screen, "Payment keys") {
		t.Errorf("the shortfalls are not filtered to QOS:\n%s", screen)
	}
	s.keys("1")
	s.waitFor(cursorMark + "QOS    Queen of San Diego")
	for range 6 { // past the entities to the first event
		s.keys("j")
	}
	s.waitFor(cursorMark + "  Sun 29 Nov 17:30 PST")
	s.keys("enter")
	s.waitFor("Pre-departure", "departs in 3 days", "Sunset harbor cruise")
}

// An error too long for the footer's line is read whole: it takes a line
// of its own above the keys, wrapped between words, and the page gives up
// a line meanwhile; the next page switch gives it back.
func TestLongErrorIsShownWhole(t *testing.T) {
	s := startAt(t, newConsole(t, storetest.Demo(t, nil), Options{Poll: time.Hour}), 80, 24)
	s.keys("2")
	kpiRows := func(screen string) int {
		return len(regexp.MustCompile(`(?m)^.(JADA|QOS|QDN|DC|SCC|CLOUD|TOOLS) `).FindAllString(screen, -1))
	}
	before := kpiRows(s.waitFor("22 KPIs"))
	long := "not signed off: Pre-departure still has 3 items to do, among them the mandatory Check weather, tides and notices to mariners"
	s.tm.Send(StatusMsg{Text: long, Err: true})
	screen := s.waitFor("mandatory")
	lines := strings.Split(strings.TrimRight(screen, "\n "), "\n")
	n := len(lines)
	foot := strings.TrimSpace(lines[n-2]) + " " + strings.TrimSpace(lines[n-1])
	if !strings.Contains(foot, "not signed off: Pre-departure still has 3 items to do, among them the") ||
		!strings.Contains(foot, "mandatory Check weather") || !strings.HasSuffix(foot, "? all keys • q quit") {
		t.Errorf("the error is not shown whole above the keys:\n%s\n%s", lines[n-2], lines[n-1])
	}
	if during := kpiRows(screen); during != before-1 {
		t.Errorf("%d KPI rows with the long error, %d before: the page should give up one line", during, before)
	}
	checkScreen(t, "kpis with a long error", screen, 80, 24)
	s.keys("3")
	s.waitGone("mandatory")
	s.keys("2")
	if after := kpiRows(s.waitFor("22 KPIs")); after != before {
		t.Errorf("%d KPI rows after the error went, %d before", after, before)
	}
}
