package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"opsdeck/portfolio"
)

// Backup writes a consistent copy of the database to dst, which must not
// exist. VACUUM INTO reads one snapshot, so it is safe while others write.
func (s *Store) Backup(ctx context.Context, dst string) error {
	if _, err := os.Stat(dst); err == nil {
		return portfolio.Errorf(portfolio.ECONFLICT, "%s already exists; refusing to overwrite it", dst)
	}
	if _, err := os.Stat(filepath.Dir(dst)); err != nil {
		return fmt.Errorf("backup directory %s: %w", filepath.Dir(dst), err)
	}
	// A connection of its own: readers are query-only, and the writer
	// should stay free for others while the copy is made.
	db, err := sql.Open("sqlite", s.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return fmt.Errorf("back up to %s: %w", dst, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("back up to %s: %w", dst, err)
	}
	return nil
}
