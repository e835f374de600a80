package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"opsdeck/portfolio"
	"opsdeck/store"
)

func (m *Main) kpiCommand() *cobra.Command {
	return group("kpi", "List KPIs or record a new reading", m.kpiListCommand(), m.kpiSetCommand())
}

// kpiRow is a KPI with its computed status, as `kpi list --json` prints it.
type kpiRow struct {
	portfolio.KPI
	Status string `json:"status"`
}

func (m *Main) kpiListCommand() *cobra.Command {
	var entity string
	var asJSON *bool
	cmd := &cobra.Command{
		Use:   "list [--entity CODE] [--json]",
		Short: "List KPIs with their current value, target and status",
		Args:  noArgs,
		RunE: m.withStore(func(ctx context.Context, s *store.Store, args []string) error {
			kpis, err := s.KPIs(ctx, entity)
			if err != nil {
				return err
			}
			rows := make([]kpiRow, 0, len(kpis))
			for _, k := range kpis {
				rows = append(rows, kpiRow{KPI: k, Status: string(k.Status())})
			}
			return printList(m, *asJSON, rows, "", "ENTITY\tKPI\tNAME\tCURRENT\tTARGET\tSTATUS\tUPDATED", func(k kpiRow) string {
				u := k.UnitInfo()
				current, updated := "—", "never"
				if k.Latest != nil {
					current, updated = u.Format(k.Latest.Value), k.Latest.TakenAt.In(m.Clock.Now().Location()).Format("2006-01-02")
				}
				target := u.Format(k.Target)
				if k.Direction == portfolio.LowerIsBetter {
					target = "≤ " + target
				}
				return strings.Join([]string{k.EntityCode, k.Key, k.Name, current, target, k.KPI.Status().Label(), updated}, "\t")
			})
		}),
	}
	cmd.Flags().StringVar(&entity, "entity", "", "only this entity's KPIs")
	asJSON = jsonFlag(cmd)
	return cmd
}

func (m *Main) kpiSetCommand() *cobra.Command {
	var target, note string
	cmd := &cobra.Command{
		Use:   "set ENTITY KPI VALUE [--target T] [--note TEXT]",
		Short: "Record a new reading (VALUE, or - for none) and optionally a new target",
		Example: `  opsdeck kpi set JADA charters 4
  opsdeck kpi set QDN quote_hours 1.5 --note "new answering service"
  opsdeck kpi set JADA charters - --target 8`,
		Args: exactArgs(3),
	}
	cmd.RunE = m.withStore(func(ctx context.Context, s *store.Store, args []string) error {
		// Look the KPI up first: its unit decides what VALUE may be.
		before, err := s.KPI(ctx, args[0], args[1])
		if err != nil {
			return err
		}
		unit := before.UnitInfo()
		var u portfolio.KPIUpdate
		if args[2] != "-" {
			v, err := unit.ParseValue("value", args[2])
			if err != nil {
				return err
			}
			u.Value = &v
		}
		if cmd.Flags().Changed("target") {
			t, err := unit.ParseValue("target", target)
			if err != nil {
				return err
			}
			u.Target = &t
		}
		u.Note = note
		var after portfolio.KPI
		err = s.Update(ctx, m.actor(), func(tx *store.Tx) error {
			after, err = tx.SetKPI(ctx, args[0], args[1], u)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s %s: %s → %s (target %s): %s → %s\n", after.EntityCode, after.Key,
			latestValue(before), latestValue(after), unit.Format(after.Target),
			before.Status().Label(), after.Status().Label())
		return nil
	})
	cmd.Flags().StringVar(&target, "target", "", "new target value")
	cmd.Flags().StringVar(&note, "note", "", "note stored with the reading")
	cmd.ValidArgsFunction = m.completeKPIArgs
	return cmd
}

func latestValue(k portfolio.KPI) string {
	if k.Latest == nil {
		return "none"
	}
	return k.UnitInfo().Format(k.Latest.Value)
}

// completeKPIArgs offers entity codes, then that entity's KPI keys.
func (m *Main) completeKPIArgs(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 1 || m.cfg == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	s, err := m.openStore(cmd.Context(), true)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var out []string
	if len(args) == 0 {
		entities, err := s.Entities(cmd.Context())
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		for _, e := range entities {
			out = append(out, e.Code+"\t"+e.Name)
		}
	} else {
		kpis, err := s.KPIs(cmd.Context(), args[0])
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		for _, k := range kpis {
			out = append(out, k.Key+"\t"+k.Name)
		}
	}
	return filterPrefix(out, toComplete), cobra.ShellCompDirectiveNoFileComp
}

func filterPrefix(options []string, prefix string) []string {
	var out []string
	for _, o := range options {
		if strings.HasPrefix(strings.ToLower(o), strings.ToLower(prefix)) {
			out = append(out, o)
		}
	}
	return out
}
