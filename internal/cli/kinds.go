package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"opsdeck/portfolio"
)

// kindInfo is a kind as `kinds --json` describes it.
type kindInfo struct {
	Name   string      `json:"name"`
	Plural string      `json:"plural"`
	Title  string      `json:"title"`
	Group  string      `json:"group"`
	Doc    string      `json:"doc"`
	Key    []string    `json:"key"`
	Fields []fieldInfo `json:"fields"`
}

// fieldInfo is a field as `kinds --json` describes it. Required is
// whether a new record must be given it (a field with a default, or one
// the store fills, need not be); Default is what it holds when not given.
type fieldInfo struct {
	Name     string   `json:"name"`
	Label    string   `json:"label"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
	Default  string   `json:"default"`
	Filled   bool     `json:"filled,omitempty"`
	Optional bool     `json:"optional,omitempty"`
	Choices  []string `json:"choices,omitempty"`
	Ref      string   `json:"ref,omitempty"`
	Help     string   `json:"help,omitempty"`
}

func (m *Main) kindsCommand() *cobra.Command {
	var asJSON *bool
	cmd := &cobra.Command{
		Use:   "kinds [KIND] [--json]",
		Short: "The kinds of record a portfolio holds, and each one's fields",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("%s takes at most one kind (usage: %s)", commandName(cmd), cmd.UseLine())
			}
			return nil
		},
		ValidArgs: kindNames(),
		RunE: func(cmd *cobra.Command, args []string) error {
			kinds := portfolio.Kinds
			if len(args) == 1 {
				k, err := kindNamed(args[0])
				if err != nil {
					return err
				}
				kinds = []*portfolio.Kind{k}
			}
			var infos []kindInfo
			for _, k := range kinds {
				info := kindInfo{Name: k.Name, Plural: k.Plural, Title: k.Title, Group: string(k.Group), Doc: k.Doc, Key: k.KeyFields}
				for i := range k.Fields {
					f := &k.Fields[i]
					info.Fields = append(info.Fields, fieldInfo{Name: f.Name, Label: f.Label, Type: string(f.Type), Required: mustGive(k, f),
						Default: fieldDefault(k, f), Filled: f.Filled, Optional: f.Optional, Choices: f.Choices, Ref: f.Ref, Help: f.Help})
				}
				infos = append(infos, info)
			}
			if *asJSON {
				return writeJSON(m.Stdout, infos)
			}
			if len(args) == 0 {
				return printList(m, false, kinds, "", "KIND\tKEY\tGROUP\tWHAT IT IS", func(k *portfolio.Kind) string {
					return k.Name + "\t" + k.KeyHint() + "\t" + string(k.Group) + "\t" + k.Doc
				})
			}
			k := kinds[0]
			fmt.Fprintf(m.Stdout, "%s (%s): %s\nKey: %s\n\n", k.Title, k.Name, k.Doc, k.KeyHint())
			fieldHelp := func(fi fieldInfo) string {
				f, _ := k.Field(fi.Name)
				if f.Filled { // the last clause of its help is its default
					what, _ := filledHelp(f)
					return what
				}
				return f.Help
			}
			return printList(m, false, infos[0].Fields, "", "FIELD\tTYPE\tREQUIRED\tDEFAULT\tVALUES", func(f fieldInfo) string {
				values := strings.Join(f.Choices, ", ")
				if f.Ref != "" {
					values = portfolio.MustKind(f.Ref).A() + " key"
				}
				if help := fieldHelp(f); help != "" {
					values = strings.TrimPrefix(values+"; "+help, "; ")
				}
				required := ""
				if f.Required {
					required = "yes"
				}
				return "--" + strings.ReplaceAll(f.Name, "_", "-") + "\t" + f.Type + "\t" + required + "\t" + f.Default + "\t" + values
			})
		},
	}
	asJSON = jsonFlag(cmd)
	return cmd
}

func kindNames() []string {
	var out []string
	for _, k := range portfolio.Kinds {
		out = append(out, k.Name)
	}
	return out
}

// kindNamed is portfolio.KindNamed, with the nearest kind when name is
// none: "kpo" is most likely kpi.
func kindNamed(name string) (*portfolio.Kind, error) {
	k, err := portfolio.KindNamed(name)
	if err == nil {
		return k, nil
	}
	best, bestD := "", 3
	lower := strings.ToLower(name)
	for _, other := range portfolio.Kinds {
		for _, n := range append([]string{other.Name}, kindAliases(other)...) {
			if d := editDistance(lower, n); d < bestD && d < len(lower) {
				best, bestD = other.Name, d
			}
		}
	}
	if best == "" {
		return nil, err
	}
	return nil, portfolio.Errorf(portfolio.EINVALID, "no kind %q; did you mean %q? (opsdeck kinds lists them)", name, best)
}
