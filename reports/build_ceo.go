package reports

import (
	"fmt"
	"sort"

	"opsdeck/portfolio"
)

// CEOSection is the portfolio inventory, the critical shortfalls, the
// missing KPIs and the 30-day action plan.
type CEOSection struct {
	Entities       []EntityRow
	Health         portfolio.KPIHealth
	Critical       []ShortfallRow
	CriticalImpact string
	OpenCount      int
	OpenImpact     string
	Missing        []KPIRow
	Plan           []ActionRow
}

// EntityRow is one entity of the inventory.
type EntityRow struct {
	Code, Name, Kind                  string
	KPIs, OnTarget, AtRisk, OffTarget int
	Missing, Shortfalls, CriticalOpen int
	Health                            string
}

// ActionRow is a step of the 30-day plan.
type ActionRow struct {
	Rank                                int
	Title, Owner, Due, DueIn, Shortfall string
	ROI                                 string
}

// planHorizon is how far ahead the action plan looks.
const planHorizon = 30

func buildCEO(snap *portfolio.Snapshot) (*CEOSection, Figures) {
	r := snap.Rollup()
	c := &CEOSection{Health: r.KPIs, OpenCount: r.Shortfalls.Open, OpenImpact: r.Shortfalls.Impact.String(),
		CriticalImpact: r.Shortfalls.CriticalImpact.String()}
	for _, er := range r.Entities {
		e, h := er.Entity, er.KPIs
		row := EntityRow{Code: esc(e.Code), Name: esc(e.Name), Kind: string(e.Kind), KPIs: h.Total(), OnTarget: h.OnTarget,
			AtRisk: h.AtRisk, OffTarget: h.OffTarget, Missing: h.Missing, Shortfalls: er.Shortfalls.Open,
			CriticalOpen: er.Shortfalls.Critical()}
		switch {
		case h.Total() == 0:
			row.Health = "no KPIs"
		case h.OnTarget == h.Total():
			row.Health = "all on target"
		default:
			row.Health = fmt.Sprintf("%d of %d on target", h.OnTarget, h.Total())
		}
		c.Entities = append(c.Entities, row)
	}

	for i, s := range r.Open {
		if s.Severity == portfolio.SeverityCritical {
			c.Critical = append(c.Critical, shortfallRow(i+1, s, snap.TakenAt))
		}
	}

	for _, k := range portfolio.MissingKPIs(snap.KPIs) {
		c.Missing = append(c.Missing, kpiRow(k, snap.TakenAt))
	}

	c.Plan = actionPlan(snap)
	figs := Figures{
		{Label: "Open shortfalls", Value: float64(c.OpenCount), LowerIsBetter: true},
		{Label: "Critical shortfalls", Value: float64(len(c.Critical)), LowerIsBetter: true},
		{Label: "Monthly impact at stake", Value: dollars(r.Shortfalls.Impact), Money: true, LowerIsBetter: true},
		{Label: "Missing KPIs", Value: float64(len(c.Missing)), LowerIsBetter: true},
		{Label: "KPIs on target", Value: float64(c.Health.OnTarget)},
		{Label: "Actions in the 30-day plan", Value: float64(len(c.Plan))},
	}
	return c, figs
}

// actionPlan ranks the open actions due within the horizon (or overdue)
// by the ROI of the shortfall each attacks, soonest first among equals.
func actionPlan(snap *portfolio.Snapshot) []ActionRow {
	roi := map[int64]float64{}
	for _, s := range snap.Shortfalls {
		if s.IsOpen() {
			roi[s.ID] = s.ROI()
		}
	}
	today := portfolio.DateOf(snap.TakenAt)
	var open []portfolio.Action
	for _, a := range snap.Actions {
		if a.Status == portfolio.ActionOpen && today.DaysUntil(a.DueOn) <= planHorizon {
			open = append(open, a)
		}
	}
	sort.SliceStable(open, func(i, j int) bool {
		ri, rj := roi[open[i].ShortfallID], roi[open[j].ShortfallID]
		if ri != rj {
			return ri > rj
		}
		if open[i].DueOn != open[j].DueOn {
			return open[i].DueOn.Before(open[j].DueOn)
		}
		return open[i].ID < open[j].ID
	})
	rows := make([]ActionRow, 0, len(open))
	for i, a := range open {
		owner := a.OwnerRole.Title()
		if a.PersonName != "" {
			owner += " (" + esc(a.PersonName) + ")"
		}
		row := ActionRow{Rank: i + 1, Title: esc(a.Title), Owner: owner, Due: a.DueOn.Time().Format("Mon 2 Jan"),
			DueIn: dueIn(a.DueOn, snap.TakenAt), Shortfall: esc(a.ShortfallTitle), ROI: "—"}
		if r, ok := roi[a.ShortfallID]; ok {
			row.ROI = perDay(r)
		} else if a.ShortfallTitle != "" {
			row.Shortfall += " (resolved)"
		}
		rows = append(rows, row)
	}
	return rows
}
