package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"opsdeck/portfolio"
	"opsdeck/replica"
	"opsdeck/store"
)

func (m *Main) restoreCommand() *cobra.Command {
	var at string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "restore [--from URL] [--at TIME] FILE",
		Short: "Restore the database from its replica into a new FILE",
		Long: `Restore the latest state the replica holds, or its state at --at, into FILE,
which must not exist, then check it with SQLite's integrity check (a file that
fails is removed) and say what was restored: Litestream's position of the last
change and when it was made (to the replication interval).

The replica is --from, or OPSDECK_REPLICA_URL: file:///PATH or s3://BUCKET/PATH
(keys and region from the env file's AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
and AWS_REGION, or the AWS SDK's usual chain; OPSDECK_REPLICA_ENDPOINT or
?endpoint=URL for an S3-compatible service). --at takes 2026-12-01T21:00:00Z,
"2026-12-01 21:00" in the local zone, or a time ago such as 15m or 2h.

To move to a new server: stop the old one (serve makes a final sync), restore
into the path OPSDECK_DB names on the new one, then start opsdeck serve there
with the same replica. Never let two servers replicate to one replica: they
overwrite each other's files, with no error, and a restore mixes the two.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			url, err := m.replicaURL("--from")
			if err != nil {
				return err
			}
			var when time.Time
			if at != "" {
				if when, err = m.parseAt(at); err != nil {
					return err
				}
			}
			if args[0] == "" {
				return usagef("no file to restore into given")
			}
			acc, err := m.replicaAccess()
			if err != nil {
				return err
			}
			r, err := replica.Restore(cmd.Context(), url, acc, args[0], when)
			if errors.Is(err, replica.ErrEmpty) {
				return fmt.Errorf("nothing to restore: %w", err)
			}
			if err != nil {
				return err
			}
			// The copy is sound without this; it only would show a
			// serve that does not run on it as gone quiet.
			if err := store.ForgetReplicaStatus(cmd.Context(), r.Path); err != nil {
				fmt.Fprintf(m.Stderr, "opsdeck: warning: %v\n", err)
			}
			if asJSON {
				return writeJSON(m.Stdout, r)
			}
			fmt.Fprintf(m.Stdout, "restored %s from %s: position %d, last change %s; integrity check ok (%s, %s)\n",
				r.Path, url, r.TXID, m.exactTime(r.LastChange), portfolio.Plural(r.Bytes, "byte", "bytes"), r.Took.Round(time.Millisecond))
			return nil
		},
	}
	settingFlag(cmd.Flags(), "from", "OPSDECK_REPLICA_URL", "replica to restore from (env OPSDECK_REPLICA_URL)")
	cmd.Flags().StringVar(&at, "at", "", "restore the state at this time (default: the latest)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print machine-readable JSON")
	return cmd
}

// replicaURL is the replica setting, checked; flag names the flag that
// gives it, for the message when there is none.
func (m *Main) replicaURL(flag string) (string, error) {
	url, _ := m.cfg.get("OPSDECK_REPLICA_URL")
	if url == "" {
		return "", usagef("no replica given: pass %s URL or set OPSDECK_REPLICA_URL (file:///PATH or s3://BUCKET/PATH)", flag)
	}
	if _, err := replica.ParseURL(url); err != nil {
		return "", usageError{err}
	}
	return url, nil
}

// replicaAccess is what reaches an s3:// replica beyond its URL: the
// endpoint, and the region and keys when the env file (or a flag) gives
// them, since the AWS SDK reads only the process environment, which it is
// left to.
func (m *Main) replicaAccess() (replica.Access, error) {
	var acc replica.Access
	acc.Endpoint, _ = m.cfg.get("OPSDECK_REPLICA_ENDPOINT")
	acc.Region, _ = m.cfg.get("AWS_REGION")
	if acc.Region == "" {
		acc.Region, _ = m.cfg.get("AWS_DEFAULT_REGION")
	}
	id, src := m.cfg.get("AWS_ACCESS_KEY_ID")
	if id == "" || src == "environment" {
		return acc, nil
	}
	if _, tsrc := m.cfg.get("AWS_SESSION_TOKEN"); tsrc != "" && tsrc != "environment" {
		return acc, usagef("AWS_SESSION_TOKEN in %s: the replica's S3 client (Litestream's) takes only long-lived keys, so temporary ones would be refused; give them in the environment, or use a profile or an instance role", tsrc)
	}
	acc.AccessKeyID = id
	acc.SecretAccessKey, _ = m.cfg.get("AWS_SECRET_ACCESS_KEY")
	return acc, nil
}

// parseAt reads --at: an RFC 3339 time, a local date and time, or a
// duration meaning that long ago.
func (m *Main) parseAt(s string) (time.Time, error) {
	now := m.Clock.Now()
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, now.Location()); err == nil {
			return t, nil
		}
	}
	if d, err := time.ParseDuration(strings.TrimSuffix(strings.TrimPrefix(s, "-"), " ago")); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, usagef("--at %q is not a time: give 2026-12-01T21:00:00Z, \"2026-12-01 21:00\" (local time) or a time ago such as 15m", s)
}

// exactTime prints a moment to the second in the local zone, with the
// zone's name: a restore point is chosen to the second.
func (m *Main) exactTime(t time.Time) string {
	return t.In(m.Clock.Now().Location()).Format("2006-01-02 15:04:05 MST")
}
