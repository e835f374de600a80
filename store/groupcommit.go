package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// groupCommitMax bounds how many changes share one commit.
const groupCommitMax = 128

// groupCommit queues small changes from many callers so that those
// arriving while a commit is in progress share the next one: one fsync
// for the lot instead of one each.
type groupCommit struct {
	mu      sync.Mutex
	queue   []*groupedChange
	running bool
}

type groupedChange struct {
	ctx   context.Context
	actor string
	fn    func(*Tx) error
	done  chan error
}

// UpdateGrouped runs fn like Update, but may commit it together with
// other callers' changes: each change runs inside its own savepoint, so a
// change that fails (a lost claim race) is rolled back alone and the rest
// commit. It returns after the commit, so a nil error means the change is
// durable. Under load from many concurrent writers (the crew server) this
// turns one fsync per change into one per batch.
func (s *Store) UpdateGrouped(ctx context.Context, actor string, fn func(*Tx) error) error {
	if actor == "" {
		actor = "system"
	}
	c := &groupedChange{ctx: ctx, actor: actor, fn: fn, done: make(chan error, 1)}
	g := &s.group
	g.mu.Lock()
	g.queue = append(g.queue, c)
	if !g.running {
		g.running = true
		go s.runGroups()
	}
	g.mu.Unlock()
	// Wait even if ctx ends: by then the change may be committed, and the
	// caller must learn whether it was.
	return <-c.done
}

// runGroups commits queued changes, a batch at a time, until none wait.
func (s *Store) runGroups() {
	g := &s.group
	for {
		g.mu.Lock()
		n := min(len(g.queue), groupCommitMax)
		if n == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		batch := g.queue[:n:n]
		g.queue = g.queue[n:]
		g.mu.Unlock()
		s.commitGroup(batch)
		s.stmts.prepareWanted(context.Background())
	}
}

func (s *Store) commitGroup(batch []*groupedChange) {
	results := make([]error, len(batch))
	finish := func(commitErr error) {
		for i, c := range batch {
			if results[i] == nil {
				results[i] = commitErr
			}
			c.done <- results[i]
		}
	}
	bg := context.Background()
	tx, err := s.write.BeginTx(bg, nil)
	if err != nil {
		finish(s.failed(bg, fmt.Errorf("begin write: %w", err), true))
		return
	}
	before := s.changeCount(tx)
	for i, c := range batch {
		if err := c.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		err, lost := s.runSavepoint(tx, c)
		results[i] = s.failed(c.ctx, err, false)
		if lost {
			// SQLite rolled the whole transaction back (as it may on a
			// full disk): the changes before this one went with it, and
			// the next SAVEPOINT would start a transaction of its own.
			// None of the batch is written.
			_ = tx.Rollback()
			lostErr := s.failed(bg, fmt.Errorf("not written: the change it shared a commit with failed: %w", err), true)
			for j := range results {
				if results[j] == nil {
					results[j] = lostErr
				}
			}
			finish(nil)
			return
		}
	}
	after := s.changeCount(tx)
	if err := tx.Commit(); err != nil {
		_ = tx.Rollback()
		// Nothing was committed: every change failed, even those whose
		// own work went well.
		err = s.failed(bg, fmt.Errorf("commit: %w", err), true)
		for i := range results {
			if results[i] == nil {
				results[i] = err
			}
		}
	} else {
		s.wrote(before, after)
	}
	finish(nil)
}

// runSavepoint runs one change inside a savepoint of the group's
// transaction, undoing just that change if it fails. lost says the
// savepoint could not be made, undone or released, so the group's
// transaction is gone or unusable.
func (s *Store) runSavepoint(tx *sql.Tx, c *groupedChange) (err error, lost bool) {
	ctx := context.Background()
	if _, err := tx.ExecContext(ctx, "SAVEPOINT change"); err != nil {
		return fmt.Errorf("savepoint: %w", err), true
	}
	err = c.fn(&Tx{tx: newCachedTx(tx, s.stmts), now: s.now().UTC(), actor: c.actor})
	if err != nil {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO change"); rerr != nil {
			return fmt.Errorf("%w (and undoing it failed: %w)", err, rerr), true
		}
	}
	if _, rerr := tx.ExecContext(ctx, "RELEASE change"); rerr != nil {
		if err == nil {
			err = fmt.Errorf("release savepoint: %w", rerr)
		}
		return err, true
	}
	return err, false
}
