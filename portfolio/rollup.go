package portfolio

// Rollup is the portfolio at a glance. It is worked out here once for
// every place that shows it: `opsdeck status`, the CEO report's inventory
// and the console's Overview.
type Rollup struct {
	// Entities are every entity in the snapshot's order (operating first).
	Entities []EntityRollup
	// Wide counts the open shortfalls that belong to no single entity.
	Wide ShortfallCounts
	// KPIs is the health of every KPI.
	KPIs KPIHealth
	// Open are the open shortfalls, ranked by return on effort.
	Open []Shortfall
	// Shortfalls counts every open shortfall.
	Shortfalls ShortfallCounts
	Burn       Burn
	BreakEvens []BreakEven
	// NextEvents are the next RollupEvents events, soonest first.
	NextEvents []EventSummary
}

// RollupEvents is how many upcoming events the roll-up lists.
const RollupEvents = 5

// EntityRollup is one entity's line: its KPI health and open shortfalls.
type EntityRollup struct {
	Entity     Entity
	KPIs       KPIHealth
	Shortfalls ShortfallCounts
}

// ShortfallCounts counts open shortfalls by severity and adds up what
// they cost a month.
type ShortfallCounts struct {
	Open       int
	BySeverity map[Severity]int
	// Impact is their monthly impact; CriticalImpact that of the critical
	// ones.
	Impact, CriticalImpact Money
}

// Critical is how many of them are critical.
func (c ShortfallCounts) Critical() int { return c.BySeverity[SeverityCritical] }

func (c *ShortfallCounts) add(s Shortfall) {
	if c.BySeverity == nil {
		c.BySeverity = map[Severity]int{}
	}
	c.Open++
	c.BySeverity[s.Severity]++
	c.Impact += s.MonthlyImpact
	if s.Severity == SeverityCritical {
		c.CriticalImpact += s.MonthlyImpact
	}
}

// Rollup works out the portfolio at a glance from the snapshot.
func (s *Snapshot) Rollup() Rollup {
	r := Rollup{KPIs: Health(s.KPIs), Open: RankShortfalls(s.Shortfalls), Burn: s.Burn(), BreakEvens: s.BreakEvens(),
		Entities: make([]EntityRollup, 0, len(s.Entities))}
	r.NextEvents = s.Events[:min(RollupEvents, len(s.Events))]
	index := map[int64]int{}
	for i, e := range s.Entities {
		index[e.ID] = i
		r.Entities = append(r.Entities, EntityRollup{Entity: e, KPIs: Health(s.EntityKPIs(e.ID))})
	}
	for _, sf := range r.Open {
		r.Shortfalls.add(sf)
		if i, ok := index[sf.EntityID]; ok {
			r.Entities[i].Shortfalls.add(sf)
		} else {
			r.Wide.add(sf)
		}
	}
	return r
}
