package tui

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"opsdeck/store"
)

// bigLoad is the benchmark database: 10,000 events with 100,000
// checklist items and 50,000 KPI readings, on top of the demo.
var bigLoad = store.LoadSpec{Events: 10_000, Items: 100_000, Readings: 50_000, KPIs: 200}

var (
	bigOnce sync.Once
	bigDir  string
	bigPath string
	bigErr  error
)

// bigStore opens (generating once per test binary) the big database.
func bigStore(b *testing.B) *store.Store {
	bigOnce.Do(func() {
		bigDir, bigErr = os.MkdirTemp("", "opsdeck-bench-")
		if bigErr != nil {
			return
		}
		bigPath = filepath.Join(bigDir, "big.db")
		s, err := store.Open(context.Background(), bigPath, store.Options{Now: func() time.Time { return testNow }})
		if err != nil {
			bigErr = err
			return
		}
		defer s.Close()
		ctx := context.Background()
		bigErr = s.Update(ctx, "bench", func(tx *store.Tx) error {
			if err := tx.LoadDemo(ctx); err != nil {
				return err
			}
			return tx.GenerateLoad(ctx, bigLoad)
		})
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	s, err := store.Open(context.Background(), bigPath, store.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bigDir != "" {
		os.RemoveAll(bigDir)
	}
	os.Exit(code)
}

// loaded returns a console at 100x30 with the big database's data in it,
// as it is after start-up.
func loaded(b *testing.B, page int) *Model {
	m := newConsole(b, bigStore(b), Options{Poll: time.Hour})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	d, err := load(m.c)
	if err != nil {
		b.Fatal(err)
	}
	m.Update(dataMsg{data: d})
	m.active = page
	return m
}

// BenchmarkKeyPress measures Update plus View for one key press on each
// page of the big database, and reports the 99th percentile: the budget is
// 4 ms (a 60 fps frame is 16 ms).
func BenchmarkKeyPress(b *testing.B) {
	down := tea.KeyPressMsg{Code: tea.KeyDown}
	up := tea.KeyPressMsg{Code: tea.KeyUp}
	for page, name := range []string{"overview", "kpis", "shortfalls", "events", "reports"} {
		b.Run(name, func(b *testing.B) {
			m := loaded(b, page)
			if page == 4 {
				// Give the report page its rendering, as the Cmd would.
				for _, p := range m.pages {
					if rp, ok := p.(*reportPage); ok {
						msg := rp.render()()
						m.Update(msg)
					}
				}
			}
			var times []time.Duration
			b.ResetTimer()
			i := 0
			for b.Loop() {
				key := down
				if i%200 >= 100 { // walk down then back up, through the rows
					key = up
				}
				i++
				start := time.Now()
				m.Update(key)
				_ = m.View()
				times = append(times, time.Since(start))
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)*99/100].Nanoseconds()), "p99-ns")
			b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "p50-ns")
		})
	}
}

// firstFrame is a console that quits as soon as it has drawn a frame with
// the portfolio's data in it.
type firstFrame struct {
	*Model
	once sync.Once
	done chan struct{}
}

func (f *firstFrame) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := f.Model.Update(msg)
	return f, cmd
}

func (f *firstFrame) View() tea.View {
	v := f.Model.View()
	if f.Model.data != nil {
		f.once.Do(func() { close(f.done) })
	}
	return v
}

// BenchmarkStartup runs the program headless on the demo database until
// its first frame with data: the budget is 100 ms.
func BenchmarkStartup(b *testing.B) {
	s := demoStore(b)
	for b.Loop() {
		f := &firstFrame{Model: newConsole(b, s, Options{Poll: time.Hour}), done: make(chan struct{})}
		p := tea.NewProgram(f, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithWindowSize(100, 30),
			tea.WithoutSignals())
		go func() {
			<-f.done
			p.Quit()
		}()
		if _, err := p.Run(); err != nil {
			b.Fatal(err)
		}
	}
}
