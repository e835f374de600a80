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

type fieldInfo struct {
	Name     string   `json:"name"`
	Label    string   `json:"label"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
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
				return usagef("%s takes at most one kind (usage: %s)", cmd.CommandPath(), cmd.UseLine())
			}
			return nil
		},
		ValidArgs: kindNames(),
		RunE: func(cmd *cobra.Command, args []string) error {
			kinds := portfolio.Kinds
			if len(args) == 1 {
				k, err := portfolio.KindNamed(args[0])
				if err != nil {
					return err
				}
				kinds = []*portfolio.Kind{k}
			}
			var infos []kindInfo
			for _, k := range kinds {
				info := kindInfo{Name: k.Name, Plural: k.Plural, Title: k.Title, Group: string(k.Group), Doc: k.Doc, Key: k.KeyFields}
				for _, f := range k.Fields {
					info.Fields = append(info.Fields, fieldInfo{Name: f.Name, Label: f.Label, Type: string(f.Type), Required: f.Required,
						Optional: f.Optional, Choices: f.Choices, Ref: f.Ref, Help: f.Help})
				}
				infos = append(infos, info)
			}
			if *asJSON {
				return writeJSON(m.Stdout, infos)
			}
			if len(args) == 0 {
				return printList(m, false, infos, "", "KIND\tKEY\tGROUP\tWHAT IT IS", func(k kindInfo) string {
					return k.Name + "\t" + strings.ToUpper(strings.Join(k.Key, "/")) + "\t" + k.Group + "\t" + k.Doc
				})
			}
			k := infos[0]
			fmt.Fprintf(m.Stdout, "%s (%s): %s\nKey: %s\n\n", k.Title, k.Name, k.Doc, strings.ToUpper(strings.Join(k.Key, "/")))
			return printList(m, false, k.Fields, "", "FIELD\tTYPE\tREQUIRED\tVALUES", func(f fieldInfo) string {
				values := strings.Join(f.Choices, ", ")
				if f.Ref != "" {
					values = portfolio.MustKind(f.Ref).A() + " key"
				}
				if f.Help != "" {
					values = strings.TrimPrefix(values+"; "+f.Help, "; ")
				}
				required := ""
				if f.Required {
					required = "yes"
				}
				return "--" + strings.ReplaceAll(f.Name, "_", "-") + "\t" + f.Type + "\t" + required + "\t" + values
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
