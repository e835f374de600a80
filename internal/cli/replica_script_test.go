package cli

import (
	"context"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"opsdeck/replica"
	"opsdeck/store"
)

// cmdReplicate is the scripts' `replicate DB URL`: what serve --replica
// does for the database DB, one sync's worth, so restore has a replica.
func cmdReplicate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: replicate DB URL")
	}
	ctx := context.Background()
	s, err := store.Open(ctx, ts.MkAbs(args[0]), store.Options{})
	ts.Check(err)
	defer s.Close()
	r, err := replica.Start(ctx, s.Path(), replica.Options{URL: args[1], SyncInterval: time.Hour})
	ts.Check(err)
	ts.Check(r.Stop(ctx))
}
