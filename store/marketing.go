package store

import (
	"context"
	"fmt"
)

// ChannelKind groups marketing channels.
type ChannelKind string

// Channel kinds.
const (
	ChannelEmail    ChannelKind = "email"
	ChannelOTA      ChannelKind = "ota" // online travel agencies: Sailo, GetMyBoat, Viator...
	ChannelSocial   ChannelKind = "social"
	ChannelSEO      ChannelKind = "seo"
	ChannelWeb      ChannelKind = "web"
	ChannelReferral ChannelKind = "referral"
	ChannelAds      ChannelKind = "ads"
)

// ChannelKinds lists the kinds in the order reports show them.
var ChannelKinds = []ChannelKind{ChannelEmail, ChannelOTA, ChannelSocial, ChannelSEO, ChannelWeb, ChannelReferral, ChannelAds}

// ChannelStatus is how far a channel is from bringing in business.
type ChannelStatus string

// Channel statuses.
const (
	ChannelNone       ChannelStatus = "none"
	ChannelPlanned    ChannelStatus = "planned"
	ChannelInProgress ChannelStatus = "in_progress"
	ChannelLive       ChannelStatus = "live"
	ChannelPaused     ChannelStatus = "paused"
)

// Channel is one way an entity reaches customers.
type Channel struct {
	ID           int64         `json:"id"`
	EntityID     int64         `json:"entity_id"`
	EntityCode   string        `json:"entity"`
	Name         string        `json:"name"`
	Kind         ChannelKind   `json:"kind"`
	Status       ChannelStatus `json:"status"`
	AudienceSize *int64        `json:"audience_size"` // nil: unknown
	Sequence     *int          `json:"sequence"`      // planned launch order within its kind
	ValueLow     Money         `json:"value_low_cents"`
	ValueHigh    Money         `json:"value_high_cents"`
	Notes        string        `json:"notes"`
	Tasks        []ChannelTask `json:"tasks"`
}

// ChannelTask is a step on a channel's roadmap (the local-SEO plan, say).
type ChannelTask struct {
	ID        int64  `json:"id"`
	ChannelID int64  `json:"channel_id"`
	Position  int    `json:"position"`
	Title     string `json:"title"`
	DueOn     Date   `json:"due_on"`
	DoneOn    Date   `json:"done_on"`
}

// Validate checks c before it is written.
func (c *Channel) Validate() error {
	if err := checkText("channel name", c.Name, true, 80); err != nil {
		return err
	}
	known := false
	for _, k := range ChannelKinds {
		known = known || k == c.Kind
	}
	if !known {
		return Errorf(EINVALID, "channel kind %q is not one of email, ota, social, seo, web, referral, ads", c.Kind)
	}
	switch c.Status {
	case ChannelNone, ChannelPlanned, ChannelInProgress, ChannelLive, ChannelPaused:
	default:
		return Errorf(EINVALID, "channel status %q must be none, planned, in_progress, live or paused", c.Status)
	}
	if c.AudienceSize != nil && *c.AudienceSize < 0 {
		return Errorf(EINVALID, "audience size must not be negative")
	}
	if c.Sequence != nil && *c.Sequence <= 0 {
		return Errorf(EINVALID, "sequence must be 1 or more")
	}
	if c.ValueLow < 0 || c.ValueHigh < c.ValueLow {
		return Errorf(EINVALID, "channel %s: need 0 <= low value <= high value", c.Name)
	}
	return nil
}

func listChannels(ctx context.Context, q querier) ([]Channel, error) {
	channels, err := queryAll(ctx, q, func(row interface{ Scan(...any) error }) (Channel, error) {
		var c Channel
		err := row.Scan(&c.ID, &c.EntityID, &c.EntityCode, &c.Name, &c.Kind, &c.Status, &c.AudienceSize, &c.Sequence,
			&c.ValueLow, &c.ValueHigh, &c.Notes)
		return c, err
	}, `SELECT c.id, c.entity_id, e.code, c.name, c.kind, c.status, c.audience_size, c.sequence, c.value_low_cents,
		c.value_high_cents, c.notes
		FROM channels c JOIN entities e ON e.id = c.entity_id ORDER BY e.position, e.code, c.kind, coalesce(c.sequence, 999), c.name`)
	if err != nil {
		return nil, err
	}
	tasks, err := queryAll(ctx, q, func(row interface{ Scan(...any) error }) (ChannelTask, error) {
		var t ChannelTask
		var due, done *string
		if err := row.Scan(&t.ID, &t.ChannelID, &t.Position, &t.Title, &due, &done); err != nil {
			return t, err
		}
		var err error
		if t.DueOn, err = scanDate(due); err != nil {
			return t, err
		}
		t.DoneOn, err = scanDate(done)
		return t, err
	}, "SELECT id, channel_id, position, title, due_on, done_on FROM channel_tasks ORDER BY channel_id, position, id")
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*Channel, len(channels))
	for i := range channels {
		byID[channels[i].ID] = &channels[i]
	}
	for _, t := range tasks {
		if c := byID[t.ChannelID]; c != nil {
			c.Tasks = append(c.Tasks, t)
		}
	}
	return channels, nil
}

// CreateChannel inserts c and its tasks.
func (tx *Tx) CreateChannel(ctx context.Context, c *Channel) error {
	if err := c.Validate(); err != nil {
		return err
	}
	id, err := tx.insert(ctx, "channel", c.Name,
		`INSERT INTO channels (entity_id, name, kind, status, audience_size, sequence, value_low_cents, value_high_cents, notes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.EntityID, c.Name, c.Kind, c.Status, c.AudienceSize, c.Sequence, c.ValueLow, c.ValueHigh, c.Notes)
	if err != nil {
		return err
	}
	c.ID = id
	for i := range c.Tasks {
		t := &c.Tasks[i]
		if err := checkText("task title", t.Title, true, 200); err != nil {
			return err
		}
		t.ChannelID = id
		if t.Position == 0 {
			t.Position = i + 1
		}
		if t.ID, err = tx.insert(ctx, "channel task", fmt.Sprintf("%q", t.Title),
			"INSERT INTO channel_tasks (channel_id, position, title, due_on, done_on) VALUES (?, ?, ?, ?, ?)",
			id, t.Position, t.Title, dateColumn(t.DueOn), dateColumn(t.DoneOn)); err != nil {
			return err
		}
	}
	return tx.audit(ctx, "create", "channel", id, c)
}
