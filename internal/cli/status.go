package cli

import (
	"fmt"
	"io"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"

	"github.com/spf13/cobra"
)

func (m *Main) statusCommand() *cobra.Command {
	var asJSON *bool
	cmd := &cobra.Command{
		Use:   "status [--json]",
		Short: "One-screen summary: entities, KPI health, open shortfalls, next events",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return m.runStatus(cmd, *asJSON) },
	}
	asJSON = jsonFlag(cmd)
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
	// Replica is what a replicating opsdeck serve last said, absent when
	// none has run on this database.
	Replica *replicaStatus `json:"replica,omitempty"`
}

// replicaStatus is serve's replica report with the judgment of it now.
type replicaStatus struct {
	store.ReplicaReport
	Health     store.ReplicaHealth `json:"health"`
	LagSeconds float64             `json:"lag_seconds"`
}

func summarize(snap *portfolio.Snapshot) portfolioStatus {
	r := snap.Rollup()
	st := portfolioStatus{Portfolio: snap.PortfolioName, TakenAt: snap.TakenAt, AsOf: snap.AsOf, KPIs: r.KPIs,
		OpenShortfalls: r.Shortfalls.Open, CriticalShortfalls: r.Shortfalls.Critical(), MonthlyImpact: r.Shortfalls.Impact,
		TopShortfalls: r.Open[:min(3, len(r.Open))], Burn: r.Burn, BreakEven: r.BreakEvens,
		Entities: []entityStatus{}, NextEvents: []eventStatus{}}
	for _, e := range r.Entities {
		st.Entities = append(st.Entities, entityStatus{Code: e.Entity.Code, Name: e.Entity.Name, Kind: string(e.Entity.Kind),
			KPIs: e.KPIs, OpenShortfalls: e.Shortfalls.Open, CriticalShortfalls: e.Shortfalls.Critical()})
	}
	// Shortfalls that belong to no single entity get a line of their own,
	// so the column adds up to the total.
	if r.Wide.Open > 0 {
		st.Entities = append(st.Entities, entityStatus{Code: "*", Name: "Portfolio-wide", Kind: "—",
			OpenShortfalls: r.Wide.Open, CriticalShortfalls: r.Wide.Critical()})
	}
	for _, e := range r.NextEvents {
		st.NextEvents = append(st.NextEvents, eventStatus{ID: e.ID, Entity: e.EntityCode, Title: e.Title,
			DepartsAt: e.DepartsAt, TimeZone: e.TimeZone, Done: e.Done, Total: e.Total, Crew: e.Crew})
	}
	return st
}

func (m *Main) runStatus(cmd *cobra.Command, asJSON bool) error {
	snap, err := m.snapshot(cmd.Context())
	if err != nil {
		return err
	}
	st := summarize(snap)
	s, err := m.openStore(cmd.Context(), false)
	if err != nil {
		return err
	}
	rep, ok, err := s.ReplicaStatus(cmd.Context())
	if err != nil {
		return err
	}
	if ok {
		st.Replica = &replicaStatus{rep, rep.Health(st.TakenAt), rep.Lag(st.TakenAt).Seconds()}
	}
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
	fmt.Fprintf(w, "%s — %s (%s)\n", st.Portfolio, st.TakenAt.Format("Mon 2 Jan 2006 15:04 MST"), asOf)
	if st.Replica != nil {
		fmt.Fprintln(w, replicaLine(st.Replica, st.TakenAt))
	}
	fmt.Fprintln(w)
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
		fmt.Fprintf(w, "            %d. %s (%s, %s/month, %s)\n", i+1, s.Title, s.Severity, s.MonthlyImpact, effortDays(s.EffortDays))
	}
	fmt.Fprintf(w, "Burn        %s–%s a month\n", st.Burn.Low, st.Burn.High)
	for _, b := range st.BreakEven {
		fmt.Fprintf(w, "Break-even  %s: %s\n", b.EntityCode, b.Sentence())
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

// effortDays is an effort in days, which may be a fraction: "1 day",
// "1.5 days".
func effortDays(d float64) string {
	if d == 1 {
		return "1 day"
	}
	return portfolio.FormatNumber(d) + " days"
}

// replicaLine is status's line about replication: where to and how
// recent when it works, a warning when it has stalled or serve has gone
// quiet, and a plain note when serve stopped it.
func replicaLine(r *replicaStatus, now time.Time) string {
	at := func(t time.Time) string {
		return fmt.Sprintf("%s (%s ago)", clockAt(t, now), portfolio.Age(now.Sub(t)))
	}
	synced := "no sync has worked since serve started at " + at(r.Started)
	if !r.LastSync.IsZero() {
		synced = "last synced " + at(r.LastSync)
	}
	why := ""
	if r.LastError != "" {
		why = ", error: " + r.LastError
	}
	switch r.Health {
	case store.HealthStalled:
		return "⚠ replication stalled: " + synced + why
	case store.HealthSilent:
		return fmt.Sprintf("⚠ replication: opsdeck serve (pid %d on %s) has not reported since %s; %s", r.PID, r.Host, at(r.ReportedAt), synced)
	case store.HealthStopped:
		if r.LastError != "" {
			return fmt.Sprintf("⚠ replication: stopped at %s without its final sync%s", at(r.ReportedAt), why)
		}
		return fmt.Sprintf("replication: stopped at %s, %s ago (serve not running)", clockAt(r.ReportedAt, now), portfolio.Age(now.Sub(r.ReportedAt)))
	}
	if r.LastSync.IsZero() {
		return fmt.Sprintf("replication: %s, first sync pending%s", r.URL, why)
	}
	return fmt.Sprintf("replication: %s, last synced %s ago%s", r.URL, portfolio.Age(now.Sub(r.LastSync)), why)
}

// clockAt is a time of day in now's zone (the header's), with the date
// when it is not now's.
func clockAt(t, now time.Time) string {
	t = t.In(now.Location())
	if t.Format(time.DateOnly) == now.Format(time.DateOnly) {
		return t.Format("15:04:05 MST")
	}
	return t.Format("2006-01-02 15:04:05 MST")
}
