package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"opsdeck/replica"
	"opsdeck/store"
	"opsdeck/web"
)

func (m *Main) replicaCommand() *cobra.Command {
	var asJSON bool
	var maxAge time.Duration
	status := &cobra.Command{
		Use:   "status [--from URL] [--max-age DURATION]",
		Short: "Show what the replica holds: its position, its last change and how old it is",
		Long: `Read the replica (--from, or OPSDECK_REPLICA_URL) and show the position of the
last change it holds, when that change was made, how long ago that is, and how
far back a point-in-time restore can go.

A running opsdeck serve writes at least every 10 seconds (its worker lease), so
the last change of a replica it feeds is never much older than the replication
interval. With --max-age, a replica older than that is a failure (exit 1), for
a monitor to run.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			url, err := m.replicaURL("--from")
			if err != nil {
				return err
			}
			acc, err := m.replicaAccess()
			if err != nil {
				return err
			}
			info, err := replica.Inspect(cmd.Context(), url, acc)
			if errors.Is(err, replica.ErrEmpty) {
				return fmt.Errorf("%w (has opsdeck serve --replica run?)", err)
			}
			if err != nil {
				return err
			}
			age := m.Clock.Now().Sub(info.LastChange)
			if asJSON {
				if err := writeJSON(m.Stdout, struct {
					replica.Info
					AgeSeconds float64 `json:"age_seconds"`
				}{info, age.Seconds()}); err != nil {
					return err
				}
			} else {
				t := newTable(m.Stdout)
				fmt.Fprintf(t, "replica\t%s\n", info.URL)
				fmt.Fprintf(t, "position\t%d\n", info.TXID)
				fmt.Fprintf(t, "last change\t%s (%s ago)\n", m.exactTime(info.LastChange), age.Round(time.Second))
				fmt.Fprintf(t, "restores from\t%s\n", m.exactTime(info.Oldest))
				fmt.Fprintf(t, "files\t%d (%d snapshots), %d bytes\n", info.Files, info.Snapshots, info.Bytes)
				if err := t.Flush(); err != nil {
					return err
				}
			}
			if maxAge > 0 && age > maxAge {
				return fmt.Errorf("the replica's last change is %s old, more than --max-age %s: replication has stalled or the server is down", age.Round(time.Second), maxAge)
			}
			return nil
		},
	}
	settingFlag(status.Flags(), "from", "OPSDECK_REPLICA_URL", "replica to read (env OPSDECK_REPLICA_URL)")
	status.Flags().DurationVar(&maxAge, "max-age", 0, "fail when the last change is older than this")
	status.Flags().BoolVar(&asJSON, "json", false, "print machine-readable JSON")
	return group("replica", "Inspect the off-box replica (see serve --replica, restore)", status)
}

// withReplicaHealth adds the replica's status to /healthz's details, and
// fails the check when replication has stalled: a server whose changes do
// not leave the box is one disk failure from losing them.
func withReplicaHealth(inner web.HealthFunc, r *replica.Replicator) web.HealthFunc {
	if r == nil {
		return inner
	}
	return func(ctx context.Context) (any, error) {
		details, err := inner(ctx)
		st := r.Status()
		if m, ok := details.(map[string]any); ok {
			m["replica"] = map[string]any{"url": st.URL, "position": st.ReplicaTXID, "local_position": st.LocalTXID,
				"last_sync": st.LastSync, "lag_seconds": st.Lag.Seconds(), "last_error": st.LastError, "stalled": st.Stalled()}
		}
		if st.Stalled() {
			why := "no sync has worked"
			if st.LastError != "" {
				why = st.LastError
			}
			stall := fmt.Errorf("replication has stalled: the replica is %s behind (%s)", st.Lag.Round(time.Second), why)
			if err != nil {
				stall = fmt.Errorf("%w; %w", err, stall)
			}
			err = stall
		}
		return details, err
	}
}

// replicaSyncInterval is OPSDECK_REPLICA_SYNC_INTERVAL, checked.
func (m *Main) replicaSyncInterval() (time.Duration, error) {
	v, src := m.cfg.get("OPSDECK_REPLICA_SYNC_INTERVAL")
	if v == "" {
		return replica.DefaultSyncInterval, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Second {
		return 0, usagef("OPSDECK_REPLICA_SYNC_INTERVAL %q (from %s) must be a duration of at least 1s, such as 10s or 1m", v, src)
	}
	return d, nil
}

// startReplication starts serve's replication when a replica is set, after
// the store has migrated the database; it returns nil, nil when none is.
func (m *Main) startReplication(ctx context.Context, s *store.Store, log *slog.Logger) (*serveReplication, error) {
	if url, _ := m.cfg.get("OPSDECK_REPLICA_URL"); url == "" {
		return nil, nil
	}
	url, err := m.replicaURL("--replica")
	if err != nil {
		return nil, err
	}
	interval, err := m.replicaSyncInterval()
	if err != nil {
		return nil, err
	}
	if err := s.LeaveCheckpointsToReplication(ctx); err != nil {
		return nil, err
	}
	acc, err := m.replicaAccess()
	if err != nil {
		return nil, err
	}
	r, err := replica.Start(ctx, s.Path(), replica.Options{URL: url, Access: acc, SyncInterval: interval, Logger: log})
	if err != nil {
		return nil, err
	}
	st := r.Status()
	log.Info("replicating", "replica", url, "every", interval.String(), "position", st.ReplicaTXID, "error", st.LastError)
	return &serveReplication{r: r, report: startReporting(ctx, s, r, log)}, nil
}

// stopReplication makes the final sync, giving it 15 seconds, logs how it
// went and records it in the replica status.
// Only the first call stops it; later ones return nil.
func stopReplication(sr *serveReplication, log *slog.Logger) error {
	if sr == nil || !sr.r.MarkStopping() {
		return nil
	}
	sr.report.halt()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	began := time.Now()
	err := sr.r.Stop(ctx)
	sr.report.stopped(began, err)
	if err != nil {
		log.Error("replication stopped without its final sync: the replica lacks the last changes", "error", err.Error())
		return err
	}
	log.Info("replication stopped after a final sync", "position", sr.r.Status().ReplicaTXID)
	return nil
}
