package tui

import (
	"slices"
	"strings"
	"testing"
)

func fuzzyList(rows ...string) *List {
	l := NewList(NewStyles(true))
	l.SetSize(80, 20)
	lower := make([]string, len(rows))
	for i, r := range rows {
		lower[i] = strings.ToLower(r)
	}
	l.SetRows(rows, lower)
	return l
}

func visibleRows(l *List) []int { return slices.Clone(l.visible) }

// A filter's letters need only come in order: "chrpm" finds "Charters per
// month", as a user of fzf or VS Code expects, and not rows lacking them.
func TestListFilterIsFuzzy(t *testing.T) {
	l := fuzzyList("JADA Average charter price", "JADA Charters per month", "QDN Hauls per month", "JADA Email open rate")
	l.SetFilter("chrpm")
	if got := visibleRows(l); !slices.Equal(got, []int{1}) {
		t.Fatalf("chrpm keeps rows %v, want [1] (Charters per month)", got)
	}
	l.SetFilter("")
	if l.Len() != 4 {
		t.Fatalf("clearing the filter shows %d rows, want 4", l.Len())
	}
}

// The best match comes first: letters together and at the start of a word
// beat letters scattered inside words; rows matching equally keep their
// order.
func TestListFilterRanksBestFirst(t *testing.T) {
	l := fuzzyList(
		"complete salad", // p…l…a inside words
		"plain text",     // "pla" starts the row
		"monthly plan",   // "pla" starts a word
		"another plan",   // as good as the one before
	)
	l.SetFilter("pla")
	if got := visibleRows(l); !slices.Equal(got, []int{1, 2, 3, 0}) {
		t.Errorf("pla ranks rows %v, want [1 2 3 0]", got)
	}
	// A word typed whole ranks the rows holding it first, even when the
	// matcher likes the letters starting words better.
	whole := fuzzyList("3 ceo bob failed: mailbox full after a year", "7 ceo fay uncertain")
	whole.SetFilter("fay")
	if got := visibleRows(whole); !slices.Equal(got, []int{1, 0}) {
		t.Errorf("fay ranks rows %v, want [1 0]: the row holding fay first", got)
	}
	// And where it starts a word before where it is inside one.
	start := fuzzyList("3 bob failed: the server's policy refused it", "4 cy@example.com suppressed")
	start.SetFilter("cy")
	if got := visibleRows(start); !slices.Equal(got, []int{1, 0}) {
		t.Errorf("cy ranks rows %v, want [1 0]: cy@ before policy", got)
	}
	// Equal scores keep the rows' order.
	same := fuzzyList("x one", "x two", "x three")
	same.SetFilter("x")
	if got := visibleRows(same); !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("equal matches reordered: %v", got)
	}
}

// Every word of the filter must match, each on its own.
func TestListFilterWordsAllMatch(t *testing.T) {
	l := fuzzyList("QDN Haul revenue this month", "JADA Charter revenue this month", "QDN Hauls per month")
	l.SetFilter("qdn revenue")
	if got := visibleRows(l); !slices.Equal(got, []int{0}) {
		t.Fatalf("qdn revenue keeps rows %v, want [0]", got)
	}
}

// Typing on narrows what was found; deleting letters widens it again, and
// the result is the same as filtering afresh.
func TestListFilterNarrowsAndWidens(t *testing.T) {
	rows := []string{"charters per month", "hauls per month", "charter price", "email open rate", "cost per lead"}
	l := fuzzyList(rows...)
	for _, step := range []string{"c", "ch", "chr", "chrp", "chr", "c", "", "pe", "pe m"} {
		l.SetFilter(step)
		fresh := fuzzyList(rows...)
		fresh.SetFilter(step)
		if !slices.Equal(visibleRows(l), visibleRows(fresh)) {
			t.Errorf("after typing to %q rows %v, filtering afresh %v", step, visibleRows(l), visibleRows(fresh))
		}
	}
}

// A new filter puts the cursor on the best match; clearing it returns the
// cursor to the row it was on; new data keeps the cursor's place.
func TestListFilterCursor(t *testing.T) {
	l := fuzzyList("alpha", "beta", "gamma", "delta", "epsilon")
	l.Move(4)
	l.SetFilter("ta")
	if l.Index() != 1 {
		t.Errorf("cursor on row %d after filtering, want the best match (1, beta)", l.Index())
	}
	l.Move(1) // delta
	if l.Index() != 3 {
		t.Fatalf("cursor on row %d, want 3", l.Index())
	}
	l.SetRows([]string{"alpha", "beta", "gamma", "delta", "epsilon", "omega"}, []string{"alpha", "beta", "gamma", "delta", "epsilon", "omega"})
	if l.Index() != 3 {
		t.Errorf("new data moved the cursor to row %d, want 3 (delta)", l.Index())
	}
	l.SetFilter("")
	if l.Index() != 3 {
		t.Errorf("clearing the filter moved the cursor to row %d, want 3 (delta)", l.Index())
	}
}

// The matched letters are marked on the row, without changing its text.
func TestListFilterMarksLetters(t *testing.T) {
	l := fuzzyList(" JADA Charters per month", " QDN Hauls per month")
	l.SetFilter("chrpm")
	if got := strings.TrimRight(ansiStrip(l.View()), " "); got != "▸JADA Charters per month" {
		t.Errorf("the marked row reads %q", got)
	}
	l.SetFilter("per")
	// The rows are given plain: any styling on the row off the cursor is
	// the marking of what matched.
	for _, line := range strings.Split(l.View(), "\n") {
		if plain := ansiStrip(line); !strings.HasPrefix(plain, cursorMark) && (line == plain || !strings.HasSuffix(plain, "per month")) {
			t.Errorf("the row off the cursor is not marked, or its text changed: %q", line)
		}
	}
}

// Over more rows than the matcher scores within a key press, the rows
// found are the same, and those holding the word as typed still come
// first, where it starts a word before where it is inside one.
func TestListFilterManyRows(t *testing.T) {
	var rows []string
	for i := range 3 * preciseRows {
		switch i % 3 {
		case 0:
			rows = append(rows, "a lot of blue water")
		case 1:
			rows = append(rows, "overtime")
		case 2:
			rows = append(rows, "time off")
		}
	}
	rows = append(rows, "nada mas")
	l := fuzzyList(rows...)
	l.SetFilter("ti")
	got := visibleRows(l)
	if len(got) != 2*preciseRows {
		t.Fatalf("ti keeps %d rows, want %d", len(got), 2*preciseRows)
	}
	for i, r := range got {
		want := 2 + 3*i // "time off", in row order
		if i >= preciseRows {
			want = 1 + 3*(i-preciseRows) // then "overtime"
		}
		if r != want {
			t.Fatalf("row %d of the result is %d (%q), want %d", i, r, rows[r], want)
		}
	}
	l.SetFilter("t o")
	if l.Len() != 3*preciseRows {
		t.Errorf("t o keeps %d rows, want %d", l.Len(), 3*preciseRows)
	}
}

// Underlining goes through the row's own escape codes, and comes back
// after a code that resets the style inside the matched letters.
func TestUnderlineKeepsTheRowsCodes(t *testing.T) {
	line := "\x1b[1mJA\x1b[mDA ok"
	got := underline(line, [][2]int{{1, 3}, {5, 7}})
	want := "\x1b[1mJ\x1b[4mA\x1b[m\x1b[4mD\x1b[24mA \x1b[4mok\x1b[24m"
	if got != want {
		t.Errorf("underline = %q\nwant        %q", got, want)
	}
	if ansiStrip(got) != ansiStrip(line) {
		t.Errorf("the text changed: %q", ansiStrip(got))
	}
}

func TestSearchTexts(t *testing.T) {
	rows := [][]string{{"JADA", "Sunset Cruise", "confirmed"}, {"Ærø", "ÉTÉ"}, {}, {"", "A"}, {"İstanbul", "X"}, {"QDN"}}
	got := searchTexts(len(rows), func(b []byte, i int) []byte { return append(b, strings.Join(rows[i], " ")...) })
	for i, r := range rows {
		if want := strings.ToLower(strings.Join(r, " ")); got[i] != want {
			t.Errorf("row %d: %q, want %q", i, got[i], want)
		}
	}
}

// Filter texts built by PrepareSearch's command are the ones a filter then
// uses (the rows' own text is not read again); texts built for rows since
// replaced are not taken.
func TestPreparedSearchIsUsedOnlyForItsRows(t *testing.T) {
	l := NewList(NewStyles(true))
	l.SetSize(80, 10)
	calls := 0
	rows := []string{"charters per month", "email subscribers", "hauls per month"}
	l.SetRowFunc(len(rows), func(i int) string { return rows[i] }, func(i int) string { calls++; return rows[i] })
	msg := l.PrepareSearch(func() []string { return append([]string(nil), rows...) })().(searchReadyMsg)
	l.searchReady(msg)
	l.SetFilter("chrpm")
	if calls != 0 || l.Len() != 1 || l.Index() != 0 {
		t.Errorf("prepared texts not used: %d calls to the row text, %d rows pass", calls, l.Len())
	}
	stale := l.PrepareSearch(func() []string { return []string{"x", "y", "z"} })().(searchReadyMsg)
	l.SetRowFunc(len(rows), func(i int) string { return rows[i] }, func(i int) string { calls++; return rows[i] })
	l.searchReady(stale)
	l.SetFilter("email")
	if calls != len(rows) || l.Len() != 1 || l.Index() != 1 {
		t.Errorf("stale texts taken: %d calls, %d rows pass", calls, l.Len())
	}
}
