package store

import (
	"context"

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
