package store

import (
	"context"
	"fmt"
)

// replicatedAutocheckpoint is the WAL size, in pages (about 40 MB), at
// which the writer still checkpoints by itself while Litestream replicates.
const replicatedAutocheckpoint = 10000

// LeaveCheckpointsToReplication raises the writer's automatic checkpoint
// threshold from SQLite's 1,000 pages, where Litestream checkpoints, to
// 10,000, as Litestream advises: otherwise both checkpoint the same WAL,
// and ours runs inside a commit. The threshold stays as a backstop should
// Litestream stop checkpointing. It is set on the one writer connection,
// which the store never recycles; a connection database/sql had to
// replace would go back to SQLite's default, which is merely slower.
func (s *Store) LeaveCheckpointsToReplication(ctx context.Context) error {
	if _, err := s.write.ExecContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", replicatedAutocheckpoint)); err != nil {
		return fmt.Errorf("hand checkpoints to replication: %w", err)
	}
	return nil
}

// WALAutocheckpoint returns the writer's automatic checkpoint threshold.
func (s *Store) WALAutocheckpoint(ctx context.Context) (int, error) {
	var n int
	err := s.write.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&n)
	return n, err
}
