package reports

import (
	"fmt"
	"strings"
	"testing"

	"opsdeck/portfolio"
	"opsdeck/store/storetest"
)

// scaled returns a snapshot n times the size of snap: every entity and all
// that hangs off it copied n times under new codes and ids. The fixed
// structures (chart of accounts, tiers, rules, milestones) stay as they
// are, as they would in a bigger real portfolio.
func scaled(snap *portfolio.Snapshot, n int) *portfolio.Snapshot {
	out := *snap
	out.Entities, out.KPIs, out.Shortfalls, out.Actions, out.CostLines = nil, nil, nil, nil, nil
	out.UnitEconomics, out.RevenueMonths, out.Channels, out.Findings, out.RecognitionGaps = nil, nil, nil, nil, nil
	const stride = 1_000_000
	for i := range n {
		off := int64(i * stride)
		suffix := ""
		if i > 0 {
			suffix = fmt.Sprint(i)
		}
		code := func(c string) string {
			if c == "" {
				return c
			}
			return c + suffix
		}
		id := func(v int64) int64 {
			if v == 0 {
				return 0
			}
			return v + off
		}
		for _, e := range snap.Entities {
			e.ID, e.Code = id(e.ID), code(e.Code)
			out.Entities = append(out.Entities, e)
		}
		for _, k := range snap.KPIs {
			k.ID, k.EntityID, k.EntityCode = id(k.ID), id(k.EntityID), code(k.EntityCode)
			out.KPIs = append(out.KPIs, k)
		}
		for _, s := range snap.Shortfalls {
			s.ID, s.EntityID, s.EntityCode = id(s.ID), id(s.EntityID), code(s.EntityCode)
			out.Shortfalls = append(out.Shortfalls, s)
		}
		for _, a := range snap.Actions {
			a.ID, a.ShortfallID = id(a.ID), id(a.ShortfallID)
			out.Actions = append(out.Actions, a)
		}
		for _, c := range snap.CostLines {
			c.ID, c.EntityID, c.EntityCode = id(c.ID), id(c.EntityID), code(c.EntityCode)
			out.CostLines = append(out.CostLines, c)
		}
		for _, u := range snap.UnitEconomics {
			u.EntityID, u.EntityCode = id(u.EntityID), code(u.EntityCode)
			out.UnitEconomics = append(out.UnitEconomics, u)
		}
		for _, r := range snap.RevenueMonths {
			r.EntityID, r.EntityCode = id(r.EntityID), code(r.EntityCode)
			out.RevenueMonths = append(out.RevenueMonths, r)
		}
		for _, c := range snap.Channels {
			c.ID, c.EntityID, c.EntityCode = id(c.ID), id(c.EntityID), code(c.EntityCode)
			out.Channels = append(out.Channels, c)
		}
		for _, f := range snap.Findings {
			f.ID, f.EntityID, f.EntityCode, f.Stack = id(f.ID), id(f.EntityID), code(f.EntityCode), f.Stack+suffix
			out.Findings = append(out.Findings, f)
		}
		for _, g := range snap.RecognitionGaps {
			g.ID, g.EntityID, g.EntityCode = id(g.ID), id(g.EntityID), code(g.EntityCode)
			out.RecognitionGaps = append(out.RecognitionGaps, g)
		}
	}
	return &out
}

// BenchmarkRenderAll renders all five roles in all four formats: the work
// of `opsdeck report --all`. Budget: under 50 ms a run on the demo data,
// growing no worse than linearly (bench/run prints the ratios).
func BenchmarkRenderAll(b *testing.B) {
	base := snapshot(b, storetest.Demo(b, nil))
	e, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{1, 10, 100} {
		snap := scaled(base, size)
		b.Run(fmt.Sprintf("x%d", size), func(b *testing.B) {
			for b.Loop() {
				if _, err := e.RenderAll(snap, portfolio.ReportRoles, Formats, RenderOptions{Width: 100}, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRenderFormat renders the five roles in one format, to show where
// the time goes.
func BenchmarkRenderFormat(b *testing.B) {
	snap := snapshot(b, storetest.Demo(b, nil))
	e, _ := New(Options{})
	for _, f := range Formats {
		b.Run(string(f), func(b *testing.B) {
			for b.Loop() {
				for _, role := range portfolio.ReportRoles {
					if _, err := e.Render(snap, role, f, RenderOptions{Width: 100}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

func TestScaledSnapshotGrows(t *testing.T) {
	base := snapshot(t, storetest.Demo(t, nil))
	big := scaled(base, 10)
	if len(big.KPIs) != 10*len(base.KPIs) || len(big.Entities) != 10*len(base.Entities) {
		t.Fatalf("scaled x10: %d KPIs, %d entities", len(big.KPIs), len(big.Entities))
	}
	e, _ := New(Options{})
	out, err := e.Render(big, portfolio.RoleCFO, Markdown, RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Ten JADA copies each carry the whole (ten times bigger) burn.
	if want := "| JADA9 | charter |"; !strings.Contains(out, want) {
		t.Errorf("scaled CFO report lacks %q", want)
	}
}
