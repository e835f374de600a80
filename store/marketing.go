package store

import (
	"context"
	"fmt"

	"opsdeck/portfolio"
)

func listChannels(ctx context.Context, q querier) ([]portfolio.Channel, error) {
	channels, err := queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.Channel, error) {
		var c portfolio.Channel
		err := row.Scan(&c.ID, &c.EntityID, &c.EntityCode, &c.Name, &c.Kind, &c.Status, &c.AudienceSize, &c.Sequence,
			&c.ValueLow, &c.ValueHigh, &c.Notes)
		return c, err
	}, `SELECT c.id, c.entity_id, e.code, c.name, c.kind, c.status, c.audience_size, c.sequence, c.value_low_cents,
		c.value_high_cents, c.notes
		FROM channels c JOIN entities e ON e.id = c.entity_id ORDER BY e.position, e.code, c.kind, coalesce(c.sequence, 999), c.name`)
	if err != nil {
		return nil, err
	}
	tasks, err := queryAll(ctx, q, func(row interface{ Scan(...any) error }) (portfolio.ChannelTask, error) {
		var t portfolio.ChannelTask
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
	byID := make(map[int64]*portfolio.Channel, len(channels))
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
func (tx *Tx) CreateChannel(ctx context.Context, c *portfolio.Channel) error {
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
		if err := t.Validate(); err != nil {
			return err
		}
		t.ChannelID = id
		if t.Position == 0 {
			t.Position = i + 1
		}
		if t.Key == "" {
			if t.Key, err = tx.newKey(ctx, "channel_tasks", "channel_id", id, t.Title); err != nil {
				return err
			}
		}
		if t.ID, err = tx.insert(ctx, "channel task", fmt.Sprintf("%q", t.Title),
			"INSERT INTO channel_tasks (key, channel_id, position, title, due_on, done_on) VALUES (?, ?, ?, ?, ?, ?)",
			t.Key, id, t.Position, t.Title, dateColumn(t.DueOn), dateColumn(t.DoneOn)); err != nil {
			return err
		}
	}
	return tx.audit(ctx, "create", "channel", id, c)
}
