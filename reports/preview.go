package reports

import (
	"fmt"
	"time"

	"opsdeck/portfolio"
)

// NextRun is what a schedule's next run would send, as the CLI and the
// console show it before anything goes out.
type NextRun struct {
	At      time.Time
	To      []portfolio.Person
	Subject string
	Body    string
	Paused  bool
}

// PreviewNextRun renders sc's next run after now from snap, as the run will
// render it: today's data, dated the day it goes out. snap is modified
// (its TakenAt moves to the run's time), so pass a snapshot of your own.
func (e *Engine) PreviewNextRun(snap *portfolio.Snapshot, sc portfolio.Schedule, now time.Time, f Format, o RenderOptions) (NextRun, error) {
	at, err := sc.Next(now)
	if err != nil {
		return NextRun{}, fmt.Errorf("next %s run: %w", sc.Role.Title(), err)
	}
	snap.TakenAt = at.In(snap.TakenAt.Location())
	run := NextRun{At: at, Subject: Subject(snap, sc.Role), Paused: !sc.Enabled}
	for _, r := range snap.Recipients {
		if r.Role == sc.Role {
			run.To = append(run.To, r.Person)
		}
	}
	if run.Body, err = e.Render(snap, sc.Role, f, o); err != nil {
		return NextRun{}, err
	}
	return run, nil
}
