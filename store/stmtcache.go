package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// The driver compiles every statement it is given, and a statement on a
// watched table compiles its change-log trigger with it (migration 0009):
// some 20 µs of a crew member's claim went on compiling the same few
// statements again. The writer keeps its statements prepared instead.
// database/sql cannot prepare on the one writer connection while a
// transaction holds it, so a statement first runs as before, and is
// prepared once the transaction has ended; after that every transaction
// runs the prepared one (Tx.StmtContext, on the same connection).

// maxCachedStatements bounds the cache: statements built from data (an IN
// list of so many ids) would otherwise fill it; past the bound they run
// as before, compiled each time.
const maxCachedStatements = 256

type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	// stmts are the prepared statements; wanted those seen in a
	// transaction, to prepare when it ends.
	stmts  map[string]*sql.Stmt
	wanted map[string]bool
	closed bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

// cacheable is a statement the cache takes: one statement, not a script
// (a prepared statement would run only the first of several).
func cacheable(query string) bool {
	q := strings.TrimRight(strings.TrimSpace(query), "; \t\n")
	return !strings.Contains(q, ";")
}

// lookup returns the prepared statement for query, or notes query to be
// prepared when the transaction ends.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st
	}
	if len(c.stmts)+len(c.wanted) < maxCachedStatements && cacheable(query) {
		c.wanted[query] = true
	}
	return nil
}

// prepareWanted prepares what transactions ran unprepared; it runs after
// a transaction has ended. It never holds the lock while it prepares:
// a transaction that has taken the writer meanwhile looks statements up
// while the prepare waits for the writer. A statement that fails to
// prepare is left to run compiled each time: it ran, so the failure is
// SQLite refusing to cache it, not a fault of the caller's.
func (c *stmtCache) prepareWanted(ctx context.Context) {
	c.mu.Lock()
	if c.closed || len(c.wanted) == 0 {
		c.mu.Unlock()
		return
	}
	queries := make([]string, 0, len(c.wanted))
	for q := range c.wanted {
		queries = append(queries, q)
	}
	clear(c.wanted)
	c.mu.Unlock()
	for _, q := range queries {
		st, err := c.db.PrepareContext(context.WithoutCancel(ctx), q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, have := c.stmts[q]; have || c.closed {
			_ = st.Close()
		} else {
			c.stmts[q] = st
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for q, st := range c.stmts {
		_ = st.Close()
		delete(c.stmts, q)
	}
}

// cachedTx is a write transaction that runs its statements prepared where
// the cache has them. A statement the cache lacks that the transaction
// runs again (an import's thousand inserts) is prepared for the rest of
// the transaction on the spot: a transaction may prepare on its own
// connection.
type cachedTx struct {
	tx    *sql.Tx
	cache *stmtCache
	// seen counts the statements the cache lacked; local holds those
	// prepared for this transaction alone, closed with it.
	seen  map[string]int
	local map[string]*sql.Stmt
}

func newCachedTx(tx *sql.Tx, cache *stmtCache) *cachedTx {
	return &cachedTx{tx: tx, cache: cache}
}

// stmt is the prepared statement to run query with, or nil to run it as
// it is.
func (t *cachedTx) stmt(ctx context.Context, query string) *sql.Stmt {
	if st := t.cache.lookup(query); st != nil {
		return t.tx.StmtContext(ctx, st)
	}
	if st, ok := t.local[query]; ok {
		return st
	}
	if t.seen == nil {
		t.seen, t.local = map[string]int{}, map[string]*sql.Stmt{}
	}
	t.seen[query]++
	if t.seen[query] < 2 || len(t.local) >= maxCachedStatements || !cacheable(query) {
		return nil
	}
	st, err := t.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil // run as it is, and let that say what is wrong
	}
	t.local[query] = st
	return st
}

func (t *cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t *cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t *cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}
