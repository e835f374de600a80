package main

import (
	"fmt"
	"io"
	"time"

	"opsdeck/portfolio"

	"github.com/spf13/cobra"
)

func (m *Main) statusCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status [--json]",
		Short: "One-screen summary: entities, KPI health, open shortfalls, next events",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return m.runStatus(cmd, asJSON) },
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print machine-readable JSON")
	return cmd
}

// entityStatus is one entity's line of the status summary.
type entityStatus struct {
	Code               string              `json:"code"`
	Name               string              `json:"name"`
	Kind               string              `json:"kind"`
	KPIs               portfolio.KPIHealth `json:"kpis"`
	OpenShortfalls     int                 `json:"open_shortfalls"`
	CriticalShortfalls int                 `json:"critical_shortfalls"`
}

// eventStatus is an upcoming event in the status summary.
type eventStatus struct {
	ID        int64     `json:"id"`
	Entity    string    `json:"entity"`
	Title     string    `json:"title"`
	DepartsAt time.Time `json:"departs_at"`
	TimeZone  string    `json:"time_zone"`
	Done      int       `json:"checklist_done"`
	Total     int       `json:"checklist_total"`
	Crew      int       `json:"crew"`
}

// portfolioStatus is everything `opsdeck status` shows, for text and JSON.
type portfolioStatus struct {
	Portfolio          string                `json:"portfolio"`
	TakenAt            time.Time             `json:"taken_at"`
	AsOf               time.Time             `json:"as_of"`
	Entities           []entityStatus        `json:"entities"`
	KPIs               portfolio.KPIHealth   `json:"kpis"`
	OpenShortfalls     int                   `json:"open_shortfalls"`
	CriticalShortfalls int                   `json:"critical_shortfalls"`
	MonthlyImpact      portfolio.Money       `json:"monthly_impact_cents"`
	TopShortfalls      []portfolio.Shortfall `json:"top_shortfalls"`
	Burn               portfolio.Burn        `json:"burn"`
	BreakEven          []portfolio.BreakEven `json:"break_even"`
	NextEvents         []eventStatus         `json:"next_events"`
}

func summarize(snap *portfolio.Snapshot) portfolioStatus {
	st := portfolioStatus{Portfolio: snap.PortfolioName, TakenAt: snap.TakenAt, AsOf: snap.AsOf, KPIs: portfolio.Health(snap.KPIs),
		Burn: snap.Burn(), BreakEven: snap.BreakEvens(), Entities: []entityStatus{}, NextEvents: []eventStatus{}}
	ranked := portfolio.RankShortfalls(snap.Shortfalls)
	st.TopShortfalls = ranked[:min(3, len(ranked))]
	for _, e := range snap.Entities {
		es := entityStatus{Code: e.Code, Name: e.Name, Kind: string(e.Kind), KPIs: portfolio.Health(snap.EntityKPIs(e.ID))}
		for _, s := range ranked {
			if s.EntityID == e.ID {
				es.OpenShortfalls++
				if s.Severity == portfolio.SeverityCritical {
					es.CriticalShortfalls++
				}
			}
		}
		st.Entities = append(st.Entities, es)
	}
	// Shortfalls that belong to no single entity get a line of their own,
	// so the column adds up to the total.
	portfolioWide := entityStatus{Code: "*", Name: "Portfolio-wide", Kind: "—"}
	for _, s := range ranked {
		if s.EntityID == 0 {
			portfolioWide.OpenShortfalls++
			if s.Severity == portfolio.SeverityCritical {
				portfolioWide.CriticalShortfalls++
			}
		}
	}
	if portfolioWide.OpenShortfalls > 0 {
		st.Entities = append(st.Entities, portfolioWide)
	}
	for _, s := range ranked {
		st.OpenShortfalls++
		st.MonthlyImpact += s.MonthlyImpact
		if s.Severity == portfolio.SeverityCritical {
			st.CriticalShortfalls++
		}
	}
	for _, e := range snap.UpcomingEvents() {
		st.NextEvents = append(st.NextEvents, eventStatus{ID: e.ID, Entity: e.EntityCode, Title: e.Title,
			DepartsAt: e.DepartsAt, TimeZone: e.TimeZone, Done: e.Done, Total: e.Total, Crew: e.Crew})
		if len(st.NextEvents) == 5 {
			break
		}
	}
	return st
}

func (m *Main) runStatus(cmd *cobra.Command, asJSON bool) error {
	s, err := m.openStore(cmd.Context(), false)
	if err != nil {
		return err
	}
	snap, err := s.Snapshot(cmd.Context())
	if err != nil {
		return err
	}
	st := summarize(snap)
	if asJSON {
		return writeJSON(m.Stdout, st)
	}
	return printStatus(m.Stdout, st)
}

func printStatus(w io.Writer, st portfolioStatus) error {
	asOf := "no changes recorded"
	if !st.AsOf.IsZero() {
		asOf = "data as of " + st.AsOf.In(st.TakenAt.Location()).Format("2006-01-02 15:04")
	}
	fmt.Fprintf(w, "%s — %s (%s)\n\n", st.Portfolio, st.TakenAt.Format("Mon 2 Jan 2006 15:04 MST"), asOf)
	if len(st.Entities) == 0 {
		fmt.Fprintln(w, "The portfolio is empty. `opsdeck init --demo --force` loads the demo portfolio.")
		return nil
	}
	t := newTable(w)
	fmt.Fprintln(t, "ENTITY\tNAME\tKIND\tON TARGET\tAT RISK\tOFF TARGET\tMISSING\tOPEN SHORTFALLS")
	for _, e := range st.Entities {
		if e.Code == "*" {
			fmt.Fprintf(t, "%s\t%s\t\t\t\t\t\t%s\n", e.Code, e.Name, shortfallCount(e.OpenShortfalls, e.CriticalShortfalls))
			continue
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", e.Code, e.Name, e.Kind, e.KPIs.OnTarget, e.KPIs.AtRisk,
			e.KPIs.OffTarget, e.KPIs.Missing, shortfallCount(e.OpenShortfalls, e.CriticalShortfalls))
	}
	if err := t.Flush(); err != nil {
		return err
	}
	k := st.KPIs
	fmt.Fprintf(w, "\nKPIs        %d on target · %d at risk · %d off target · %d missing (of %d)\n",
		k.OnTarget, k.AtRisk, k.OffTarget, k.Missing, k.Total())
	fmt.Fprintf(w, "Shortfalls  %s open · %s a month at stake\n",
		shortfallCount(st.OpenShortfalls, st.CriticalShortfalls), st.MonthlyImpact)
	for i, s := range st.TopShortfalls {
		fmt.Fprintf(w, "            %d. %s (%s, %s/month, %s days)\n", i+1, s.Title, s.Severity, s.MonthlyImpact,
			trimFloat(s.EffortDays))
	}
	fmt.Fprintf(w, "Burn        %s–%s a month\n", st.Burn.Low, st.Burn.High)
	for _, b := range st.BreakEven {
		if !b.Reachable {
			fmt.Fprintf(w, "Break-even  %s: never (each %s loses %s)\n", b.EntityCode, b.Unit, -b.Margin)
			continue
		}
		fmt.Fprintf(w, "Break-even  %s: %s a month (%d at low burn)\n", b.EntityCode, plural(b.UnitsHigh, b.Unit), b.UnitsLow)
	}
	fmt.Fprintln(w, "\nNext events")
	if len(st.NextEvents) == 0 {
		fmt.Fprintln(w, "  none scheduled")
		return nil
	}
	t = newTable(w)
	for _, e := range st.NextEvents {
		fmt.Fprintf(t, "  #%d\t%s\t%s\t%s\tchecklist %d/%d\tcrew %d\n", e.ID, localTime(e.DepartsAt, e.TimeZone), e.Entity,
			e.Title, e.Done, e.Total, e.Crew)
	}
	return t.Flush()
}

func shortfallCount(open, critical int) string {
	if critical == 0 {
		return fmt.Sprint(open)
	}
	return fmt.Sprintf("%d (%d critical)", open, critical)
}

// localTime shows t in the event's own time zone, where the crew are.
func localTime(t time.Time, zone string) string {
	if loc, err := time.LoadLocation(zone); err == nil {
		t = t.In(loc)
	}
	return t.Format("Mon 2 Jan 15:04 MST")
}

// plural writes "1 gig", "6 charters".
func plural(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
