// Package demo loads the demo portfolio: the owner's own businesses as the
// seed write-up describes them, for a first run and for tests. It is a
// portfolio file (portfolio.yaml) brought in through the importer, so
// every first run uses the path an owner's own file takes.
package demo

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"text/template"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/transfer"
)

// TimeZone is where the demo portfolio operates (San Diego).
const TimeZone = "America/Los_Angeles"

//go:embed portfolio.yaml
var file string

// Load fills an empty database with the demo portfolio, in tx. Dates that
// must stay in the future (events, the 30-day plan) are set relative to
// the clock. The audit log gets one entry for the whole load.
func Load(ctx context.Context, tx *store.Tx) error {
	data, err := render(tx.Now())
	if err != nil {
		return err
	}
	return tx.Bulk(ctx, "load_demo", "portfolio", func() (any, error) {
		res, err := transfer.ImportTx(ctx, tx, "the demo portfolio", data)
		if err != nil {
			return nil, fmt.Errorf("load the demo portfolio: %w", err)
		}
		details := map[string]int{}
		for _, c := range res.Changes {
			details[c.Kind.Plural] = c.Added
		}
		return details, nil
	})
}

// render writes the demo's dates for the moment now.
func render(now time.Time) ([]byte, error) {
	loc, err := portfolio.Zone(TimeZone)
	if err != nil {
		return nil, fmt.Errorf("demo time zone: %w", err)
	}
	now = now.Truncate(time.Second) // a file's times are to the second
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	funcs := template.FuncMap{
		"day": func(n int) string { return today.AddDate(0, 0, n).Format(time.DateOnly) },
		"at": func(days, hour, minute int) string {
			d := today.AddDate(0, 0, days)
			return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, loc).Format(time.RFC3339)
		},
		"ago":     func(months, days int) string { return now.AddDate(0, -months, -days).UTC().Format(time.RFC3339) },
		"minutes": func(n int) string { return now.Add(time.Duration(n) * time.Minute).UTC().Format(time.RFC3339) },
	}
	page, err := template.New("portfolio.yaml").Funcs(funcs).Parse(file)
	if err != nil {
		return nil, fmt.Errorf("demo portfolio: %w", err)
	}
	var b bytes.Buffer
	if err := page.Execute(&b, nil); err != nil {
		return nil, fmt.Errorf("demo portfolio: %w", err)
	}
	return b.Bytes(), nil
}
