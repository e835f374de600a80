package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"opsdeck/portfolio"
	"opsdeck/store"
)

func (m *Main) rmCommand() *cobra.Command {
	verb := group("rm", "Remove a record, given by its key")
	return kindCommands(verb, func(k *portfolio.Kind) *cobra.Command {
		var yes, dryRun bool
		cmd := &cobra.Command{
			Use:   k.Name + " " + k.KeyHint() + " [--yes] [--dry-run]",
			Short: "Remove " + k.A() + " (and, once agreed, what goes with it)",
			Long: "Remove " + k.A() + ". What goes with it (a KPI's readings), and the references to it\n" +
				"that are emptied (who an action is assigned to), are listed first: at a terminal\n" +
				"rm asks, elsewhere it wants --yes. --dry-run says what would happen and does nothing.",
			Args: func(cmd *cobra.Command, args []string) error {
				if yes && dryRun {
					return usagef("--yes and --dry-run do not go together")
				}
				return exactArgs(1)(cmd, args)
			},
			ValidArgsFunction: m.completeKeys(k),
			RunE: m.withStore(func(ctx context.Context, s *store.Store, args []string) error {
				rec, err := s.Record(ctx, k, args[0])
				if err != nil {
					return err
				}
				key := k.Key(rec)
				deps, err := s.Dependents(ctx, k, key)
				if err != nil {
					return err
				}
				clears := clearings(deps)
				refused := &store.ErrDependents{Kind: k, Key: key}
				for _, d := range deps {
					switch {
					case d.Goes:
						refused.Cascade = append(refused.Cascade, d)
					case !d.Cleared:
						refused.Refuse = append(refused.Refuse, d)
					}
				}
				goes := refused.Cascade
				if dryRun {
					if len(refused.Refuse) > 0 {
						return refused
					}
					fmt.Fprintf(m.Stdout, "would remove %s %s", k.Name, key)
					if len(goes) > 0 {
						fmt.Fprintf(m.Stdout, " and with it %s:\n  %s", countKinds(goes), strings.Join(dependentNames(goes), "\n  "))
					}
					fmt.Fprintln(m.Stdout)
					for _, c := range clears {
						fmt.Fprintf(m.Stdout, "would clear %s\n", c)
					}
					fmt.Fprintln(m.Stdout, "nothing removed (--dry-run)")
					return nil
				}
				// What goes with the record, and what it is taken out of, is
				// said before anything changes. A record others must first be
				// changed to let go of is refused below, as it is.
				if len(refused.Refuse) == 0 && (len(goes) > 0 || len(clears) > 0) && !yes {
					if !m.interactive() {
						agree := "go ahead"
						if len(clears) == 0 {
							agree = "remove them all"
						}
						return usagef("removing %s %s %s; add --yes to %s", k.Name, key, consequences(goes, clears), agree)
					}
					fmt.Fprint(m.Stdout, removalQuestion(k, key, goes, clears))
					answer, _ := bufio.NewReader(m.Stdin).ReadString('\n')
					if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
						fmt.Fprintln(m.Stdout, "nothing removed")
						return nil
					}
				}
				var gone []store.Dependent
				if err := s.Update(ctx, m.actor(), func(tx *store.Tx) (err error) {
					// What is cleared is what is there now, in the removal's
					// own transaction.
					now, err := tx.Dependents(ctx, k, key)
					if err != nil {
						return err
					}
					clears = clearings(now)
					gone, err = tx.RemoveRecord(ctx, k, key, true)
					return err
				}); err != nil {
					return err
				}
				fmt.Fprintf(m.Stdout, "removed %s %s", k.Name, key)
				if len(gone) > 0 {
					fmt.Fprintf(m.Stdout, " and with it %s", countKinds(gone))
				}
				fmt.Fprintln(m.Stdout)
				for _, c := range clears {
					fmt.Fprintf(m.Stdout, "cleared %s\n", c)
				}
				return nil
			}),
		}
		cmd.Flags().BoolVarP(&yes, "yes", "y", false, "remove what goes with it, and clear what refers to it, without asking")
		cmd.Flags().BoolVar(&dryRun, "dry-run", false, "say what would be removed and cleared, and do nothing")
		return cmd
	})
}

// A clearing is a reference emptied by a removal: the field of the records
// that named what was removed.
type clearing struct {
	kind  *portfolio.Kind
	field *portfolio.Field
	keys  []string
}

// String says it as rm does: "person on 2 actions: fix-the-site,
// call-the-bank".
func (c clearing) String() string {
	keys := c.keys
	if len(keys) > 5 {
		keys = append(keys[:5:5], fmt.Sprintf("and %d more", len(c.keys)-5))
	}
	return fmt.Sprintf("%s on %s: %s", c.field.Name, c.kind.Count(len(c.keys)), strings.Join(keys, ", "))
}

// clearings gathers the references a removal empties by the kind and
// field they are in: "person on 2 actions".
func clearings(deps []store.Dependent) []clearing {
	var out []clearing
	at := map[string]int{}
	for _, d := range deps {
		if !d.Cleared {
			continue
		}
		slot := d.Kind.Name + "." + d.Field
		i, ok := at[slot]
		if !ok {
			f, _ := d.Kind.Field(d.Field)
			i, at[slot] = len(out), len(out)
			out = append(out, clearing{kind: d.Kind, field: f})
		}
		out[i].keys = append(out[i].keys, d.Key)
	}
	return out
}

// removalQuestion asks at a terminal whether to remove the record, with
// what goes with it and what it is cleared from, one to a line.
func removalQuestion(k *portfolio.Kind, key string, goes []store.Dependent, clears []clearing) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Removing %s %s", k.Name, key)
	if len(goes) > 0 {
		fmt.Fprintf(&b, " also removes:\n  %s\n", strings.Join(dependentNames(goes), "\n  "))
	} else {
		b.WriteString("\n")
	}
	if len(clears) > 0 {
		b.WriteString("and clears:\n")
		for _, c := range clears {
			fmt.Fprintf(&b, "  %s\n", c)
		}
	}
	b.WriteString("Go ahead? [y/N] ")
	return b.String()
}

// consequences says in a line what a removal does besides: "also removes
// kpi JADA/charters, and clears person on 1 action: fix-the-site".
func consequences(goes []store.Dependent, clears []clearing) string {
	var parts []string
	if len(goes) > 0 {
		names := dependentNames(goes)
		if len(names) > 5 {
			names = append(names[:5:5], fmt.Sprintf("and %d more", len(goes)-5))
		}
		parts = append(parts, "also removes "+strings.Join(names, ", "))
	}
	if len(clears) > 0 {
		var cs []string
		for _, c := range clears {
			cs = append(cs, c.String())
		}
		parts = append(parts, "clears "+strings.Join(cs, "; "))
	}
	return strings.Join(parts, ", and ")
}

func dependentNames(ds []store.Dependent) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.String())
	}
	return out
}

// countKinds says how many of each kind ds holds, in the kinds' order: "1
// KPI, 2 KPI readings and 1 revenue month".
func countKinds(ds []store.Dependent) string {
	var parts []string
	for _, k := range portfolio.Kinds {
		n := 0
		for _, d := range ds {
			if d.Kind == k {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, k.Count(n))
		}
	}
	if len(parts) > 1 {
		return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	}
	return strings.Join(parts, "")
}
