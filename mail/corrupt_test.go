package mail

import (
	"context"
	"database/sql"
	"testing"

	"opsdeck/store"
)

// corruptEmail rewrites an address past the store's validation, the way a
// hand edit of the database could.
func corruptEmail(t *testing.T, s *store.Store, from, to string) {
	t.Helper()
	db, err := sql.Open("sqlite", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(context.Background(), "UPDATE people SET email = ? WHERE email = ?", to, from); err != nil {
		t.Fatal(err)
	}
}
