package reports

import (
	"fmt"
	"sort"
	"strings"

	"opsdeck/portfolio"
)

// CMOSection is the visibility matrix, audiences, the next email blast,
// the OTA sequence and the local-SEO roadmap.
type CMOSection struct {
	Kinds         []string
	Matrix        []MatrixRow
	Audiences     []AudienceRow
	TotalAudience string
	Audience      int64 // TotalAudience as a number, for the words around it
	Blasts        []BlastRow
	OTA           []OTAStep
	SEO           []SEOTask
	LiveChannels  int
	AllChannels   int
}

// MatrixRow is an entity's line of the visibility matrix: one cell per kind.
type MatrixRow struct {
	Entity string
	Cells  []string
}

// AudienceRow is a channel with a known audience.
type AudienceRow struct {
	Entity, Channel, Kind, Size string
	size                        int64
}

// BlastRow is an email channel with its modelled value.
type BlastRow struct {
	Entity, Channel, Audience, Value, Status, Notes string
}

// OTAStep is one step of the marketplace sequence; channels that share a
// sequence number launch together.
type OTAStep struct {
	Step                         int
	Names, Entity, Status, Value string
	Notes                        string
}

// SEOTask is a step of a local-SEO roadmap.
type SEOTask struct {
	Step                        int
	Entity, Channel, Title, Due string
	Status                      string
}

var statusLabel = map[portfolio.ChannelStatus]string{
	portfolio.ChannelNone: "not started", portfolio.ChannelPlanned: "planned", portfolio.ChannelInProgress: "in progress",
	portfolio.ChannelLive: "live", portfolio.ChannelPaused: "paused",
}

func buildCMO(snap *portfolio.Snapshot) (*CMOSection, Figures) {
	c := &CMOSection{}
	kindsUsed := map[portfolio.ChannelKind]bool{}
	byEntity := map[int64][]portfolio.Channel{}
	var audience int64
	otaLive := 0
	for _, ch := range snap.Channels {
		kindsUsed[ch.Kind] = true
		byEntity[ch.EntityID] = append(byEntity[ch.EntityID], ch)
		c.AllChannels++
		if ch.Status == portfolio.ChannelLive {
			c.LiveChannels++
			if ch.Kind == portfolio.ChannelOTA {
				otaLive++
			}
		}
		if ch.AudienceSize != nil {
			audience += *ch.AudienceSize
			c.Audiences = append(c.Audiences, AudienceRow{Entity: esc(ch.EntityCode), Channel: esc(ch.Name),
				Kind: string(ch.Kind), Size: groupInt(*ch.AudienceSize), size: *ch.AudienceSize})
		}
		if ch.Kind == portfolio.ChannelEmail {
			row := BlastRow{Entity: esc(ch.EntityCode), Channel: esc(ch.Name), Audience: "unknown",
				Value: moneyRange(ch.ValueLow, ch.ValueHigh), Status: statusLabel[ch.Status], Notes: esc(ch.Notes)}
			if ch.AudienceSize != nil {
				row.Audience = groupInt(*ch.AudienceSize) + " subscribers"
				if *ch.AudienceSize == 1 {
					row.Audience = "1 subscriber"
				}
			}
			c.Blasts = append(c.Blasts, row)
		}
	}
	c.TotalAudience, c.Audience = groupInt(audience), audience
	sort.SliceStable(c.Audiences, func(i, j int) bool { return c.Audiences[i].size > c.Audiences[j].size })

	var kinds []portfolio.ChannelKind
	for _, k := range portfolio.ChannelKinds {
		if kindsUsed[k] {
			kinds = append(kinds, k)
			c.Kinds = append(c.Kinds, kindTitle(k))
		}
	}
	for _, e := range snap.Entities {
		chans := byEntity[e.ID]
		if len(chans) == 0 && e.Kind != portfolio.KindOperating {
			continue
		}
		row := MatrixRow{Entity: esc(e.Code)}
		for _, k := range kinds {
			row.Cells = append(row.Cells, matrixCell(chans, k))
		}
		c.Matrix = append(c.Matrix, row)
	}

	c.OTA = otaSequence(snap.Channels)
	step := 0
	for _, ch := range snap.Channels {
		if ch.Kind != portfolio.ChannelSEO {
			continue
		}
		for _, t := range ch.Tasks {
			step++
			task := SEOTask{Step: step, Entity: esc(ch.EntityCode), Channel: esc(ch.Name), Title: esc(t.Title), Due: "—",
				Status: "to do"}
			if !t.DueOn.IsZero() {
				task.Due = t.DueOn.Time().Format("2 Jan 2006")
				task.Status = dueIn(t.DueOn, snap.TakenAt)
			}
			if !t.DoneOn.IsZero() {
				task.Status = "done " + t.DoneOn.Time().Format("2 Jan")
			}
			c.SEO = append(c.SEO, task)
		}
	}
	seoDone := 0
	for _, t := range c.SEO {
		if strings.HasPrefix(t.Status, "done") {
			seoDone++
		}
	}
	figs := Figures{
		{Label: "Live channels", Value: float64(c.LiveChannels)},
		{Label: "Total audience", Value: float64(audience)},
		{Label: "Live OTA listings", Value: float64(otaLive)},
		{Label: "Local-SEO steps done", Value: float64(seoDone)},
	}
	return c, figs
}

// matrixCell summarises an entity's channels of one kind.
func matrixCell(chans []portfolio.Channel, kind portfolio.ChannelKind) string {
	var of []portfolio.Channel
	for _, ch := range chans {
		if ch.Kind == kind {
			of = append(of, ch)
		}
	}
	switch len(of) {
	case 0:
		return "—"
	case 1:
		return statusLabel[of[0].Status]
	}
	live, underway := 0, 0
	for _, ch := range of {
		switch ch.Status {
		case portfolio.ChannelLive:
			live++
		case portfolio.ChannelPlanned, portfolio.ChannelInProgress:
			underway++
		}
	}
	cell := fmt.Sprintf("%d of %d live", live, len(of))
	if underway > 0 {
		cell += fmt.Sprintf(", %d planned", underway)
	}
	return cell
}

// otaSequence groups the OTA channels by planned sequence number.
func otaSequence(channels []portfolio.Channel) []OTAStep {
	var steps []OTAStep
	bySeq := map[int]int{}
	for _, ch := range channels {
		if ch.Kind != portfolio.ChannelOTA || ch.Sequence == nil {
			continue
		}
		i, ok := bySeq[*ch.Sequence]
		if !ok {
			i = len(steps)
			bySeq[*ch.Sequence] = i
			steps = append(steps, OTAStep{Step: *ch.Sequence, Entity: esc(ch.EntityCode), Status: statusLabel[ch.Status],
				Value: moneyRange(ch.ValueLow, ch.ValueHigh) + "/mo", Notes: esc(ch.Notes)})
			steps[i].Names = esc(ch.Name)
			continue
		}
		steps[i].Names += " and " + esc(ch.Name)
		if steps[i].Notes == "" {
			steps[i].Notes = esc(ch.Notes)
		}
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].Step < steps[j].Step })
	return steps
}

func kindTitle(k portfolio.ChannelKind) string {
	switch k {
	case portfolio.ChannelOTA:
		return "OTA"
	case portfolio.ChannelSEO:
		return "SEO"
	}
	s := string(k)
	return strings.ToUpper(s[:1]) + s[1:]
}

func groupInt(n int64) string {
	return strings.TrimPrefix(portfolio.Money(n*100).String(), "$")
}
