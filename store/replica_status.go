package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// replicaStatusKey is the meta row where a replicating opsdeck serve says
// how replication goes. A console or `opsdeck status` may run in another
// process than serve (or inside it, over SSH); the database is what they
// share, so the health travels through it.
const replicaStatusKey = "replica_status"

// ReplicaReport is what a replicating process last said about its replica.
type ReplicaReport struct {
	// URL is the replica, without credentials or query parameters.
	URL          string        `json:"url"`
	SyncInterval time.Duration `json:"sync_interval_ns"`
	// StallAfter is the lag that counts as a stall, and also how old a
	// report may be before its writer counts as gone.
	StallAfter time.Duration `json:"stall_after_ns"`
	// Started is when replication began: the lag counts from it until a
	// sync has worked.
	Started  time.Time `json:"started"`
	LastSync time.Time `json:"last_sync,omitzero"`
	// LastError is the latest sync's error, shortened and without
	// credentials; FailingSince is when the syncs began to fail.
	LastError    string    `json:"last_error,omitempty"`
	FailingSince time.Time `json:"failing_since,omitzero"`
	// Holder names the reporting process as leases do (serve:PID@HOST).
	Holder string `json:"holder"`
	PID    int    `json:"pid"`
	Host   string `json:"host"`
	// ReportedAt is when the report was made; SetReplicaStatus stamps it
	// with the store's clock when the caller leaves it zero. A reporter
	// whose other times come from the wall clock (the replicator's) sets
	// it from the same clock, so the report is consistent even under a
	// test's fixed store clock.
	ReportedAt time.Time `json:"reported_at"`
	State      string    `json:"state"`
}

// The states a report is in: its writer replicates, or has stopped after
// a final sync.
const (
	ReplicaRunning = "running"
	ReplicaStopped = "stopped"
)

// ReplicaHealth is a reader's judgment of a report.
type ReplicaHealth string

const (
	// HealthOK: the last sync is recent.
	HealthOK ReplicaHealth = "ok"
	// HealthStalled: the replica lags by more than StallAfter.
	HealthStalled ReplicaHealth = "stalled"
	// HealthSilent: the report says running but is older than StallAfter,
	// so serve died or hangs, and nobody knows how the replica is.
	HealthSilent ReplicaHealth = "silent"
	// HealthStopped: serve stopped replication on its way out.
	HealthStopped ReplicaHealth = "stopped"
)

// Threshold is StallAfter, or the replica package's default for the
// interval when a report lacks it (3 intervals and half a minute).
func (r ReplicaReport) Threshold() time.Duration {
	if r.StallAfter > 0 {
		return r.StallAfter
	}
	return 3*max(r.SyncInterval, time.Second) + 30*time.Second
}

// Lag is how old, at now, a change may be and still not be in the replica.
func (r ReplicaReport) Lag(now time.Time) time.Duration {
	since := r.LastSync
	if since.IsZero() {
		since = r.Started
	}
	if since.IsZero() {
		since = r.ReportedAt
	}
	return max(now.Sub(since), 0)
}

// Health judges the report at now. It is the one place the console,
// `opsdeck status` and the tests decide what to warn about, and it takes
// the reader's clock, so a report nobody rewrites turns silent by the
// passage of time alone.
func (r ReplicaReport) Health(now time.Time) ReplicaHealth {
	switch {
	case r.State == ReplicaStopped:
		return HealthStopped
	case now.Sub(r.ReportedAt) > r.Threshold():
		return HealthSilent
	case r.Lag(now) > r.Threshold():
		return HealthStalled
	}
	return HealthOK
}

// failing is what the audit log records edges of.
func (r ReplicaReport) failing() bool { return !r.FailingSince.IsZero() }

// SetReplicaStatus records st as the replica's status, stamped now.
//
// The report is a heartbeat, rewritten once per sync interval, like the
// worker lease's renewal (which is not audited either): an audit row each
// time would bury the operator's own changes under thousands of rows a
// day. What the audit log gets is the edges an operator would look for
// afterwards: replication started or stopped, a stall began or ended.
func (s *Store) SetReplicaStatus(ctx context.Context, actor string, st ReplicaReport) error {
	st.URL = RedactReplicaURL(st.URL)
	st.LastError = shortError(st.LastError)
	return s.Update(ctx, actor, func(tx *Tx) error {
		if st.ReportedAt.IsZero() {
			st.ReportedAt = tx.now
		}
		prev, had, err := replicaStatus(ctx, tx.tx)
		if err != nil {
			return err
		}
		b, err := json.Marshal(st)
		if err != nil {
			return fmt.Errorf("encode the replica status: %w", err)
		}
		if _, err := tx.tx.ExecContext(ctx,
			"INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			replicaStatusKey, string(b)); err != nil {
			return fmt.Errorf("record the replica status: %w", err)
		}
		details := map[string]any{"replica": st.URL, "holder": st.Holder}
		switch {
		case !had || prev.State != st.State || prev.Holder != st.Holder:
			details["state"] = st.State
			return tx.audit(ctx, "replication_"+st.State, "replica", 0, details)
		case st.failing() && !prev.failing():
			details["error"], details["failing_since"] = st.LastError, st.FailingSince
			return tx.audit(ctx, "replication_stalled", "replica", 0, details)
		case !st.failing() && prev.failing():
			details["failing_since"] = prev.FailingSince
			return tx.audit(ctx, "replication_recovered", "replica", 0, details)
		}
		return nil
	})
}

// ReplicaStatus returns the last replica status written, and false when
// no process has replicated this database.
func (s *Store) ReplicaStatus(ctx context.Context) (ReplicaReport, bool, error) {
	return replicaStatus(ctx, s.read)
}

func replicaStatus(ctx context.Context, q querier) (ReplicaReport, bool, error) {
	v, err := metaValue(ctx, q, replicaStatusKey, "")
	if err != nil || v == "" {
		return ReplicaReport{}, false, err
	}
	var r ReplicaReport
	if err := json.Unmarshal([]byte(v), &r); err != nil {
		return ReplicaReport{}, false, fmt.Errorf("read the replica status: %w", err)
	}
	return r, true, nil
}

// ForgetReplicaStatus removes the replica status from the database file
// at path, which no Store has open: a file restored from a replica holds
// the report its server last wrote, about a process that does not run on
// this file, which a reader would take for a serve gone silent. The next
// serve --replica on the file writes its own.
func ForgetReplicaStatus(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	_, err = db.ExecContext(ctx, "DELETE FROM meta WHERE key = ?", replicaStatusKey)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("forget the replica status in %s: %w", path, err)
	}
	return nil
}

// RedactReplicaURL drops what a replica URL may carry that is secret or
// noise to a reader: user info and the query (an endpoint, a region).
func RedactReplicaURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(replica URL not shown)"
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment = nil, "", false, ""
	return u.String()
}

// userInfo is a URL's user:password@, anywhere in a text.
var userInfo = regexp.MustCompile(`//[^/@\s]*@`)

// maxErrorLen keeps a report readable on a status line: the AWS SDK's
// errors run to hundreds of characters of request ids.
const maxErrorLen = 200

// shortError is an error's first line, without credentials in URLs, and
// at most maxErrorLen characters.
func shortError(e string) string {
	e, _, _ = strings.Cut(e, "\n")
	e = userInfo.ReplaceAllString(e, "//")
	if r := []rune(e); len(r) > maxErrorLen {
		e = string(r[:maxErrorLen-1]) + "…"
	}
	return e
}
