package transfer

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// Options tune an import.
type Options struct {
	// DryRun checks and works out the changes, and writes nothing.
	DryRun bool
	// Prune removes the records the file does not have, in the kinds it has
	// a section for.
	Prune bool
}

// Change counts what an import did, or would do, to one kind.
type Change struct {
	Kind                    *portfolio.Kind
	Added, Changed, Removed int
}

// Result is what an import did (or, for a dry run, would do).
type Result struct {
	Changes     []Change // kinds with a change, in file order
	Unchanged   int
	NameChanged bool
}

// Empty reports whether the import changes nothing.
func (r Result) Empty() bool { return len(r.Changes) == 0 && !r.NameChanged }

func (r Result) String() string {
	if r.Empty() {
		return fmt.Sprintf("nothing to change (%s already as the file says)", portfolio.Plural(int64(r.Unchanged), "record", "records"))
	}
	var lines []string
	if r.NameChanged {
		lines = append(lines, "name: changed")
	}
	for _, c := range r.Changes {
		var parts []string
		for _, p := range []struct {
			n    int
			verb string
		}{{c.Added, "added"}, {c.Changed, "changed"}, {c.Removed, "removed"}} {
			if p.n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", p.n, p.verb))
			}
		}
		lines = append(lines, c.Kind.Plural+": "+strings.Join(parts, ", "))
	}
	return strings.Join(lines, "\n")
}

// errDryRun rolls back a dry run's transaction once its changes are known.
var errDryRun = errors.New("dry run")

// Import reads the portfolio file data (named name, for messages), checks
// all of it, and applies the difference to the store in one transaction
// on behalf of actor: new records added, changed ones changed, and with
// opts.Prune the records the file leaves out removed. A file with any
// mistake changes nothing; the error is a *Problems listing each with its
// line.
func Import(ctx context.Context, s *store.Store, actor, name string, data []byte, opts Options) (Result, error) {
	doc, probs := parse(name, data)
	if doc == nil {
		return Result{}, probs
	}
	return applyDocument(ctx, s, actor, doc, opts, probs)
}

// ImportTx reads and applies a portfolio file inside a transaction the
// caller already holds (the demo's load, in the transaction that made the
// database).
func ImportTx(ctx context.Context, tx *store.Tx, name string, data []byte) (Result, error) {
	doc, probs := parse(name, data)
	if doc == nil {
		return Result{}, probs
	}
	assignKeys(doc)
	checkRepeats(doc, probs)
	return apply(ctx, tx, doc, Options{}, probs)
}

// applyDocument applies a document in one transaction. With problems
// found already in reading it, the records that did read are still tried,
// so that every mistake is reported at once, and then nothing is kept.
func applyDocument(ctx context.Context, s *store.Store, actor string, doc *document, opts Options, probs *Problems) (Result, error) {
	assignKeys(doc)
	checkRepeats(doc, probs)
	var res Result
	err := s.Update(ctx, actor, func(tx *store.Tx) error {
		var err error
		res, err = apply(ctx, tx, doc, opts, probs)
		if err == nil && opts.DryRun {
			return errDryRun
		}
		return err
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return res, err
}

// apply writes a checked document in tx, going on past a record that
// fails so that every failure is reported, then refusing them all.
func apply(ctx context.Context, tx *store.Tx, doc *document, opts Options, probs *Problems) (Result, error) {
	var res Result
	changes := map[string]*Change{}
	change := func(k *portfolio.Kind) *Change {
		if changes[k.Name] == nil {
			changes[k.Name] = &Change{Kind: k}
		}
		return changes[k.Name]
	}
	if doc.hasName {
		current, err := tx.PortfolioName(ctx)
		if err != nil {
			return res, err
		}
		if doc.name != current {
			if err := tx.SetMeta(ctx, "portfolio_name", doc.name); err != nil {
				probs.add(1, "name: %s", portfolio.ErrorMessage(err))
			}
			res.NameChanged = true
		}
	}
	kept := map[string]map[string]bool{}
	for _, p := range doc.records {
		k := p.kind
		key := k.Key(p.rec)
		existing, err := tx.Record(ctx, k, key)
		if err == nil {
			p.rec = keepUnsaid(k, existing, p)
		}
		switch {
		case portfolio.ErrorCode(err) == portfolio.ENOTFOUND || emptyKey(k, p.rec):
			if _, err := tx.PutRecord(ctx, k, "", p.rec); err != nil {
				probs.add(p.line, "%s %s: %s", k.Name, key, portfolio.ErrorMessage(err))
				continue
			}
			change(k).Added++
		case err != nil:
			return res, err
		case same(k, existing, p.rec):
			res.Unchanged++
		default:
			if _, err := tx.PutRecord(ctx, k, key, p.rec); err != nil {
				probs.add(p.line, "%s %s: %s", k.Name, key, portfolio.ErrorMessage(err))
				continue
			}
			change(k).Changed++
		}
		if kept[k.Name] == nil {
			kept[k.Name] = map[string]bool{}
		}
		kept[k.Name][strings.ToLower(k.Key(p.rec))] = true
	}
	var refused []string
	if opts.Prune && len(probs.List) == 0 {
		// Children before parents, so nothing is removed twice.
		for i := len(portfolio.Kinds) - 1; i >= 0; i-- {
			k := portfolio.Kinds[i]
			if !doc.sections[k.Name] {
				continue
			}
			recs, err := tx.Records(ctx, k)
			if err != nil {
				return res, err
			}
			for _, r := range recs {
				key := k.Key(r)
				if kept[k.Name][strings.ToLower(key)] {
					continue
				}
				gone, err := tx.RemoveRecord(ctx, k, key, true)
				if portfolio.ErrorCode(err) == portfolio.ECONFLICT {
					// The file is right; the portfolio cannot follow it
					// yet (a record kept elsewhere still refers).
					refused = append(refused, portfolio.ErrorMessage(err))
					continue
				}
				if err != nil {
					return res, err
				}
				change(k).Removed++
				for _, d := range gone {
					change(d.Kind).Removed++
				}
			}
		}
	}
	for _, k := range portfolio.Kinds {
		if c := changes[k.Name]; c != nil {
			res.Changes = append(res.Changes, *c)
		}
	}
	if len(refused) > 0 && len(probs.List) == 0 {
		if len(refused) > 3 {
			refused = append(refused[:3], fmt.Sprintf("and %d more", len(refused)-3))
		}
		return res, portfolio.Errorf(portfolio.ECONFLICT, "--prune cannot remove what the file leaves out, so nothing was imported: %s", strings.Join(refused, "; "))
	}
	if len(probs.List) > 0 {
		sort.SliceStable(probs.List, func(i, j int) bool { return probs.List[i].Line < probs.List[j].Line })
		return res, probs
	}
	return res, nil
}

// assignKeys gives the records a file writes without a key the key the
// store would make from their title, so that importing the same file
// again finds them instead of adding them twice.
func assignKeys(doc *document) {
	taken := map[string]bool{}
	var keyless []parsed
	for _, p := range doc.records {
		if p.kind.MakesKeys() && emptyKey(p.kind, p.rec) {
			keyless = append(keyless, p)
			continue
		}
		taken[slotOf(p.kind, p.rec)] = true
	}
	for _, p := range keyless {
		f, _ := p.kind.Field("key")
		base := p.kind.NewKey(p.rec)
		for n := 1; ; n++ {
			key := base
			if n > 1 {
				key = fmt.Sprintf("%s-%d", base, n)
			}
			f.SetValue(p.rec, key)
			if !taken[slotOf(p.kind, p.rec)] {
				taken[slotOf(p.kind, p.rec)] = true
				break
			}
		}
	}
}

// slotOf names a record by kind and key as the store finds it: without
// regard to case.
func slotOf(k *portfolio.Kind, r portfolio.Record) string {
	return strings.ToLower(k.Name + "\x00" + k.Key(r))
}

// emptyKey reports whether a record names no key of its own yet (a new
// shortfall written without one): it is new.
func emptyKey(k *portfolio.Kind, r portfolio.Record) bool {
	for _, name := range k.KeyFields {
		if f, _ := k.Field(name); f.Text(r) == "" {
			return true
		}
	}
	return false
}

// same reports whether a record read from a file says what the stored
// one does.
func same(k *portfolio.Kind, stored, file portfolio.Record) bool {
	for i := range k.Fields {
		if !k.Fields[i].Same(stored, file) {
			return false
		}
	}
	return true
}

// keepUnsaid is the record p says, for a record that exists already: the
// fields it leaves to the store (a position, an opened date) and, from a
// spreadsheet, the columns it does not have keep the stored values, so
// that importing the same file again changes nothing and a sheet of
// actuals does not wipe the targets.
func keepUnsaid(k *portfolio.Kind, stored portfolio.Record, p parsed) portfolio.Record {
	fresh := k.New()
	out := k.Copy(p.rec)
	for i := range k.Fields {
		f := &k.Fields[i]
		unsaid := p.given != nil && !p.given[f.Name]
		if unsaid || f.Filled && f.Text(p.rec) == f.Text(fresh) {
			f.SetValue(out, f.Value(stored))
		}
	}
	return out
}

// checkRepeats reports each record a file gives twice (by key, as the
// store finds them): which of the two was meant cannot be told, and
// applying both would change the record on every import.
func checkRepeats(doc *document, probs *Problems) {
	first := map[string]int{}
	for _, p := range doc.records {
		if emptyKey(p.kind, p.rec) {
			continue
		}
		slot := slotOf(p.kind, p.rec)
		if at, ok := first[slot]; ok {
			probs.add(p.line, "%s %s is given twice (first on line %d)", p.kind.Name, p.kind.Key(p.rec), at)
			continue
		}
		first[slot] = p.line
	}
}
