package replica

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/superfly/ltx"
)

// ErrEmpty is returned when the replica holds nothing to restore (at the
// time asked for, when there is one).
var ErrEmpty = errors.New("the replica holds nothing to restore")

// Restored says what Restore wrote.
type Restored struct {
	Path string `json:"path"`
	// TXID is Litestream's position of the last change restored; v0.5
	// has no generations, so this is what names a restore point.
	TXID uint64 `json:"txid"`
	// LastChange is when that change was taken from the WAL, to the
	// sync interval of when it was committed.
	LastChange time.Time     `json:"last_change"`
	Files      int           `json:"files"`
	Bytes      int64         `json:"bytes"`
	Took       time.Duration `json:"took_ns"`
}

// Restore writes the replica's latest state, or its state at `at` when at
// is not zero, into a new file at output, and checks it with PRAGMA
// integrity_check. It refuses an output that exists (or whose -wal does:
// SQLite would replay it over the restore) and a directory that does not.
// A file that fails the check is removed.
func Restore(ctx context.Context, rawURL string, acc Access, output string, at time.Time) (Restored, error) {
	began := time.Now()
	if err := checkOutput(output); err != nil {
		return Restored{}, err
	}
	client, err := newClient(rawURL, acc)
	if err != nil {
		return Restored{}, err
	}
	if err := client.Init(ctx); err != nil {
		return Restored{}, fmt.Errorf("open replica %s: %w", rawURL, explainCABundle(err))
	}
	quiet := slog.New(slog.DiscardHandler)
	client.SetLogger(quiet)
	// Plan first and restore to the plan's last change, so what is
	// reported is what was written even while a server keeps uploading.
	plan, err := litestream.CalcRestorePlan(ctx, client, 0, at, quiet)
	if errors.Is(err, litestream.ErrTxNotAvailable) || errors.Is(err, litestream.ErrNoSnapshots) {
		if !at.IsZero() {
			return Restored{}, fmt.Errorf("%w at %s: %s", ErrEmpty, at.Format(time.RFC3339), rawURL)
		}
		return Restored{}, fmt.Errorf("%w: %s", ErrEmpty, rawURL)
	}
	if err != nil {
		return Restored{}, fmt.Errorf("plan the restore from %s: %w", rawURL, err)
	}
	last := plan[len(plan)-1]
	rep := litestream.NewReplicaWithClient(nil, client)
	opt := litestream.NewRestoreOptions()
	opt.OutputPath = output
	opt.TXID = last.MaxTXID
	// The check is ours, not Litestream's: its logs a line on the default
	// logger, which for the CLI is the user's terminal.
	opt.IntegrityCheck = litestream.IntegrityCheckNone
	if err := rep.Restore(ctx, opt); err != nil {
		return Restored{}, fmt.Errorf("restore from %s: %w", rawURL, err)
	}
	if err := integrityCheck(ctx, output); err != nil {
		for _, p := range []string{output, output + "-wal", output + "-shm"} {
			_ = os.Remove(p)
		}
		return Restored{}, fmt.Errorf("the restore from %s failed SQLite's integrity check, and was removed: %w", rawURL, err)
	}
	// Reading the file in WAL mode made an empty WAL and shared memory;
	// the restore is one file, as a backup is.
	if st, err := os.Stat(output + "-wal"); err == nil && st.Size() == 0 {
		_ = os.Remove(output + "-wal")
		_ = os.Remove(output + "-shm")
	}
	st, err := os.Stat(output)
	if err != nil {
		return Restored{}, fmt.Errorf("restored file: %w", err)
	}
	return Restored{Path: output, TXID: uint64(last.MaxTXID), LastChange: latest(plan), Files: len(plan), Bytes: st.Size(), Took: time.Since(began)}, nil
}

// latest is the newest change in a plan: a snapshot's timestamp is when it
// was taken, so the last file is not always the newest.
func latest(plan []*ltx.FileInfo) time.Time {
	var t time.Time
	for _, f := range plan {
		if f.CreatedAt.After(t) {
			t = f.CreatedAt
		}
	}
	return t
}

// integrityCheck runs PRAGMA integrity_check, which reads every page, and
// returns its complaints (up to ten).
func integrityCheck(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check(10)")
	if err != nil {
		return err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

func checkOutput(output string) error {
	if output == "" {
		return errors.New("no file to restore into")
	}
	for _, p := range []string{output, output + "-wal"} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%s exists; restore writes a new file and never overwrites one", p)
		} else if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("check %s: %w", p, err)
		}
	}
	dir := filepath.Dir(output)
	if st, err := os.Stat(dir); err != nil {
		return fmt.Errorf("directory %s for the restore: %w", dir, err)
	} else if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	return nil
}

// Info is what a replica holds, read from the replica alone.
type Info struct {
	URL string `json:"url"`
	// TXID is the last change the replica holds, LastChange when it was
	// taken from its database's WAL, and Oldest the earliest time a
	// point-in-time restore can reach.
	TXID       uint64    `json:"txid"`
	LastChange time.Time `json:"last_change"`
	Oldest     time.Time `json:"oldest"`
	Snapshots  int       `json:"snapshots"`
	Files      int       `json:"files"`
	Bytes      int64     `json:"bytes"`
}

// Inspect reads what the replica at rawURL holds, without restoring.
func Inspect(ctx context.Context, rawURL string, acc Access) (Info, error) {
	client, err := newClient(rawURL, acc)
	if err != nil {
		return Info{}, err
	}
	if err := client.Init(ctx); err != nil {
		return Info{}, fmt.Errorf("open replica %s: %w", rawURL, explainCABundle(err))
	}
	client.SetLogger(slog.New(slog.DiscardHandler))
	info := Info{URL: rawURL}
	for level := 0; level <= litestream.SnapshotLevel; level++ {
		itr, err := client.LTXFiles(ctx, level, 0, false)
		if err != nil {
			return Info{}, fmt.Errorf("list %s: %w", rawURL, err)
		}
		for itr.Next() {
			f := itr.Item()
			info.Files++
			info.Bytes += f.Size
			if level == litestream.SnapshotLevel {
				info.Snapshots++
			}
			if uint64(f.MaxTXID) > info.TXID {
				info.TXID = uint64(f.MaxTXID)
			}
			if f.CreatedAt.After(info.LastChange) {
				info.LastChange = f.CreatedAt
			}
			if info.Oldest.IsZero() || f.CreatedAt.Before(info.Oldest) {
				info.Oldest = f.CreatedAt
			}
		}
		if err := itr.Close(); err != nil {
			return Info{}, fmt.Errorf("list %s: %w", rawURL, err)
		}
	}
	if info.Files == 0 {
		return info, fmt.Errorf("%w: %s", ErrEmpty, rawURL)
	}
	return info, nil
}
