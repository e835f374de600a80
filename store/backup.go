package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"opsdeck/internal/safefile"
	"opsdeck/portfolio"
)

// Backup writes a consistent copy of the database to dst, which must not
// exist and must not be the database or one of its files by any name.
// VACUUM INTO reads one snapshot, so it is safe while others write. The
// copy is made under a temporary name beside dst and checked with
// PRAGMA integrity_check; only a copy that passes is renamed to dst. On
// any failure nothing is left behind.
func (s *Store) Backup(ctx context.Context, dst string) error {
	if err := CheckBackup(s.path, dst); err != nil {
		return err
	}
	opts := backupOptions(s.path)
	if st, err := os.Stat(s.path); err == nil {
		opts.Perm = st.Mode().Perm() // as readable as the database, no more
	}
	err := safefile.Write(dst, opts, func(f *os.File) error {
		tmp := f.Name()
		// SQLite makes these beside a database it writes; none should
		// outlive the copy, whatever happens.
		defer func() {
			for _, suffix := range []string{"-journal", "-wal", "-shm"} {
				os.Remove(tmp + suffix)
			}
		}()
		if err := s.vacuumInto(ctx, tmp); err != nil {
			return err
		}
		return checkIntegrity(ctx, tmp)
	})
	if err != nil {
		return backupError(dst, err)
	}
	return nil
}

// CheckBackup says, without opening anything, why the database at db
// cannot be backed up to dst (see Backup), in the words Backup would use.
func CheckBackup(db, dst string) error {
	if dst == "" {
		return portfolio.Errorf(portfolio.EINVALID, "no backup file given")
	}
	if err := safefile.Check(dst, backupOptions(db)); err != nil {
		return backupError(dst, err)
	}
	return nil
}

func backupOptions(db string) safefile.Options {
	return safefile.Options{Protected: DatabaseFiles(db), NoReplace: true, Perm: 0o644}
}

// vacuumInto writes the copy to path, an empty file (which VACUUM INTO
// accepts as it would a missing one).
func (s *Store) vacuumInto(ctx context.Context, path string) error {
	// A connection of its own: readers are query-only, and the writer
	// should stay free for others while the copy is made.
	db, err := sql.Open("sqlite", s.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "VACUUM INTO ?", path)
	return err
}

// integrityLines is how much of integrity_check's report a failed backup
// quotes.
const integrityLines = 5

// checkIntegrity runs PRAGMA integrity_check on the database at path. The
// connection is query-only and sets no journal mode, so the check neither
// switches the copy to WAL nor leaves a file beside it. It is not opened
// with mode=ro: SQLite does not even parse the CHECK constraints of a
// read-only database, and the check would pass rows that break them.
func checkIntegrity(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	// A URI, with the path escaped: a plain name loses everything after
	// a '?' in it to the driver's parameters.
	uri := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: "_pragma=query_only(1)"}).String()
	db, err := sql.Open("sqlite", uri)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, fmt.Sprintf("PRAGMA integrity_check(%d)", integrityLines))
	if err != nil {
		return fmt.Errorf("integrity check of the copy: %w", err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("integrity check of the copy: %w", err)
		}
		lines = append(lines, line)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check of the copy: %w", err)
	}
	if len(lines) == 1 && lines[0] == "ok" {
		return nil
	}
	if len(lines) > integrityLines {
		lines = lines[:integrityLines]
	}
	return fmt.Errorf("the copy fails SQLite's integrity check: %s", strings.Join(lines, "; "))
}

// backupError puts a failed backup in the words of the portfolio's
// errors: a refused target is the user's mistake (the database, by some
// name) or a conflict (a file already there); anything else is a failure
// to back up, which says "disk full" when that is what it was.
func backupError(dst string, err error) error {
	var refused *safefile.RefusedError
	switch {
	case errors.As(err, &refused) && errors.Is(err, safefile.ErrExists):
		return portfolio.Errorf(portfolio.ECONFLICT, "%s already exists; refusing to overwrite it", dst)
	case errors.As(err, &refused):
		return portfolio.Errorf(portfolio.EINVALID, "refusing to back up to %s: it %s", dst, refused.Reason)
	case !errors.Is(err, ErrDiskFull) && !strings.Contains(err.Error(), "disk full"):
		// The same judgement as the database's own writes, about the
		// backup's file system.
		if full, _ := classify(context.Background(), dst, err, false); errors.Is(full, ErrDiskFull) {
			return fmt.Errorf("back up to %s: %w", dst, full)
		}
	}
	return fmt.Errorf("back up to %s: %w", dst, err)
}

// DatabaseFiles are the files of the database at path that nothing but
// SQLite may write: the database, its write-ahead log, its shared-memory
// index and its rollback journal (also beside the file a symbolic link
// to the database leads to, since SQLite keeps them there).
func DatabaseFiles(path string) []safefile.Protected {
	files := []struct{ suffix, what string }{
		{"", "the database"},
		{"-wal", "the database's write-ahead log"},
		{"-shm", "the database's shared-memory index"},
		{"-journal", "the database's rollback journal"},
	}
	var protected []safefile.Protected
	for _, f := range files {
		protected = append(protected, safefile.Protected{Path: path + f.suffix, What: f.what})
	}
	if real, err := filepath.EvalSymlinks(path); err == nil && real != filepath.Clean(path) {
		for _, f := range files[1:] {
			protected = append(protected, safefile.Protected{Path: real + f.suffix, What: f.what})
		}
	}
	return protected
}
