package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// loadReplica reads what a replicating opsdeck serve last said about its
// replica (see store.SetReplicaStatus), and whether one ever did. The
// console cannot ask the replicator: it runs in another process, or in
// serve over SSH without a handle on it. A report it cannot read counts
// as none: a warning in the status bar is not worth the whole console.
// It is one small row, so every reload can afford it.
func loadReplica(c *Context) (store.ReplicaReport, bool) {
	r, ok, err := c.Store.ReplicaStatus(c.Ctx)
	if err != nil {
		return store.ReplicaReport{}, false
	}
	return r, ok
}

// replicaMsg is the replica report read on a poll tick.
type replicaMsg struct {
	report store.ReplicaReport
	ok     bool
}

// replicaCmd reads the replica report on each poll tick, whatever the
// data version says: a console inside serve (over SSH) shares serve's
// store, and SQLite's data_version does not move for a connection's own
// commits, so serve's heartbeat alone would never reload it, and its last
// report would turn silent on the screen while serve runs. One row a
// tick, beside the data_version the tick reads anyway.
func (m *Model) replicaCmd() tea.Cmd {
	c := m.c
	return func() tea.Msg {
		r, ok := loadReplica(c)
		return replicaMsg{r, ok}
	}
}

// setReplica puts a report read on a poll tick into the loaded Data: a
// copy, as a reload running meanwhile reads the Data the console holds.
func (m *Model) setReplica(msg replicaMsg) {
	if m.data != nil && (m.data.Replica != msg.report || m.data.HasReplica != msg.ok) {
		d := *m.data
		d.Replica, d.HasReplica = msg.report, msg.ok
		m.data = &d
	}
}

// replicaWarning is the status bar's word on replication at now, "" when
// all is well or serve has stopped it. It is judged when the footer is
// drawn, not when Data was loaded: the console re-reads only when the
// database changes, and a serve that died changes nothing, so only the
// poll tick's redraw can notice its report growing old.
func replicaWarning(d *Data, now time.Time) string {
	if d == nil || !d.HasReplica {
		return ""
	}
	switch d.Replica.Health(now) {
	case store.HealthStalled:
		return "replica " + portfolio.Age(d.Replica.Lag(now)) + " behind"
	case store.HealthSilent:
		return "replica silent " + portfolio.Age(now.Sub(d.Replica.ReportedAt))
	}
	return ""
}

// warningLine is the status bar's warning in width columns: replication's
// first (a stall risks every change, not one message), then what
// troubleLine says of the outbox and the schedules in the room left.
func warningLine(d *Data, now time.Time, width int) string {
	rep := replicaWarning(d, now)
	trouble := d != nil && d.Trouble > 0
	switch {
	case rep == "" && !trouble:
		return ""
	case rep == "":
		return troubleLine(d, width)
	case !trouble:
		return "⚠ " + rep
	}
	lead := "⚠ " + rep + "; "
	line := lead + strings.TrimPrefix(troubleLine(d, width-lipgloss.Width(lead)+2), "⚠ ")
	if lipgloss.Width(line) > width {
		// The outbox's and the schedules' counts are a key away (6, 7);
		// the replica's lag is not shown anywhere else.
		line = lead + fmt.Sprintf("%d more to check", d.Trouble)
	}
	return line
}
