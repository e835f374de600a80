package cli

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"opsdeck/auth"
	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/web"
)

// linkRow is a link as `link --json` and `links --json` print it.
type linkRow struct {
	store.CrewLink
	State string `json:"state"`
	URL   string `json:"url,omitempty"`
}

func (m *Main) linkCommand() *cobra.Command {
	var person, role string
	var single bool
	var asJSON *bool
	cmd := &cobra.Command{
		Use:               "link EVENT [PERSON] [--person P] [--role R] [--single-use] [--json]",
		ValidArgsFunction: m.completeLinkArgs,
		Short:             "Mint a magic link to an event's crew checklist and print its URL",
		Long: `Mint a magic link for a person on an event and print its URL. PERSON is an id,
an email or (part of) a name. The role defaults to the person's role on the
event's crew; the link expires 12 hours after the event returns. The URL is
shown once: only a hash of it is stored.`,
		Example: `  opsdeck link 1 sam
  opsdeck link 1 --person morgan.reyes@example.com --role captain --single-use`,
		Args: func(cmd *cobra.Command, args []string) error {
			// An event is a number; a word near "revoke" is a mistyped
			// subcommand, not an event.
			if len(args) > 0 && !isNumber(args[0]) && nearestCommand(cmd, args[0]) != "" {
				return unknownCommand(cmd, args[0])
			}
			if len(args) < 1 || len(args) > 2 {
				return usagef("%s needs an event and a person (usage: %s)", commandName(cmd), cmd.UseLine())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			eventID, err := parseID("event", args[0])
			if err != nil {
				return err
			}
			if len(args) == 2 {
				if person != "" {
					return usagef("give the person once: as an argument or with --person")
				}
				person = args[1]
			}
			if person == "" {
				return usagef("whom is the link for? give PERSON or --person")
			}
			var r portfolio.AccessRole
			if role != "" {
				if r = portfolio.AccessRole(role); !r.Valid() {
					return usagef("role %q must be admin, captain, crew or guest", role)
				}
			}
			svc, err := m.crewService(ctx)
			if err != nil {
				return err
			}
			// Where the link points is checked before it is made: a link
			// minted under a wrong address is one nobody can open.
			base, err := m.linkBase(ctx)
			if err != nil {
				return err
			}
			s := m.store
			p, err := s.FindPerson(ctx, person)
			if err != nil {
				return err
			}
			l, token, err := svc.MintLink(ctx, m.actor(), auth.LinkRequest{EventID: eventID, PersonID: p.ID, Role: r, SingleUse: single})
			if err != nil {
				return err
			}
			u := web.LinkURL(base, token)
			if *asJSON {
				return writeJSON(m.Stdout, linkRow{CrewLink: l, State: l.State(m.Clock.Now()), URL: u})
			}
			fmt.Fprintln(m.Stdout, u)
			fmt.Fprintf(m.Stderr, "opsdeck: link %d: %s (%s) on %q until %s; the URL is shown only now\n",
				l.ID, l.PersonName, l.Role, l.EventTitle, m.listTime(l.ExpiresAt))
			return nil
		},
	}
	cmd.Flags().StringVar(&person, "person", "", "who the link is for: id, email or name")
	cmd.Flags().StringVar(&role, "role", "", "admin, captain, crew or guest (default: their role on the crew)")
	cmd.Flags().BoolVar(&single, "single-use", false, "the link works once")
	baseURLFlag(cmd.Flags())
	asJSON = jsonFlag(cmd)
	cmd.AddCommand(m.linkRevokeCommand())
	return cmd
}

func (m *Main) linkRevokeCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a link; whoever opened it is signed out",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("link", args[0])
			if err != nil {
				return err
			}
			svc, err := m.crewService(cmd.Context())
			if err != nil {
				return err
			}
			if err := svc.RevokeLink(cmd.Context(), m.actor(), id); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "link %d revoked\n", id)
			return nil
		},
	}
}

func isNumber(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

func parseID(what, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%s %q must be a positive number (see opsdeck events)", what, s)
	}
	return id, nil
}

// linkBase is the address links are minted under: --base-url (or
// OPSDECK_BASE_URL) when given, else --addr (OPSDECK_WEB_ADDR) when
// given, else where the crew server last listened on this database (so
// `opsdeck web --addr :9090` in one shell and `opsdeck link` in another
// agree), else the default address.
func (m *Main) linkBase(ctx context.Context) (string, error) {
	if base := m.setting("OPSDECK_BASE_URL", ""); base != "" {
		return web.ParseBaseURL(base)
	}
	if addr := m.setting("OPSDECK_WEB_ADDR", ""); addr != "" {
		return "http://" + addr, nil
	}
	recorded, err := m.store.CrewServerURL(ctx)
	if err != nil {
		return "", fmt.Errorf("read the crew server's address: %w", err)
	}
	if recorded != "" {
		return recorded, nil
	}
	return "http://" + web.DefaultAddr, nil
}
