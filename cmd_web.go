package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"opsdeck/auth"
	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/web"
)

// crewAuth opens the store and the auth service over the signing keys:
// OPSDECK_JWT_SECRET if set, else the key file next to the database.
func (m *Main) crewAuth(ctx context.Context) (*store.Store, *auth.Service, error) {
	s, err := m.openStore(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	secret, _ := m.cfg.get("OPSDECK_JWT_SECRET")
	previous, _ := m.cfg.get("OPSDECK_JWT_PREVIOUS_SECRET")
	keys, err := auth.LoadKeyring(filepath.Dir(s.Path()), secret, previous)
	if err != nil {
		return nil, nil, err
	}
	svc, err := auth.New(auth.Options{Store: s, Keys: keys, Logger: m.logger()})
	return s, svc, err
}

func (m *Main) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// setting is a command's flag if given, else the configured setting.
func (m *Main) setting(flag, key, fallback string) string {
	if flag != "" {
		return flag
	}
	if v, _ := m.cfg.get(key); v != "" {
		return v
	}
	return fallback
}

// crewFlags are the crew server's command-line settings; empty ones fall
// back to the environment and the env file.
type crewFlags struct{ addr, baseURL, cert, key string }

// crewServer builds (without starting) the crew web server from flags and
// settings; health, if set, is what /healthz reports.
func (m *Main) crewServer(ctx context.Context, f crewFlags, log *slog.Logger, health web.HealthFunc) (*web.Server, error) {
	s, svc, err := m.crewAuth(ctx)
	if err != nil {
		return nil, err
	}
	return web.New(web.Options{
		Store: s, Auth: svc, Logger: log, Health: health,
		Addr:    m.setting(f.addr, "OPSDECK_WEB_ADDR", web.DefaultAddr),
		BaseURL: m.setting(f.baseURL, "OPSDECK_BASE_URL", ""),
		TLSCert: m.setting(f.cert, "OPSDECK_TLS_CERT", ""),
		TLSKey:  m.setting(f.key, "OPSDECK_TLS_KEY", ""),
	})
}

// crewLinks lets the console mint and revoke links and follow the crew
// through the crew server (the console does not import the web package).
type crewLinks struct{ srv *web.Server }

func (c crewLinks) MintLink(ctx context.Context, actor string, eventID, personID int64, role portfolio.AccessRole, once bool) (string, error) {
	l, err := c.srv.MintLink(ctx, actor, auth.LinkRequest{EventID: eventID, PersonID: personID, Role: role, SingleUse: once})
	return l.URL, err
}

func (c crewLinks) Links(ctx context.Context, eventID int64) ([]store.CrewLink, error) {
	return c.srv.Links(ctx, eventID)
}

func (c crewLinks) RevokeLink(ctx context.Context, actor string, id int64) error {
	return c.srv.RevokeLink(ctx, actor, id)
}

func (c crewLinks) Changes(eventID int64) (<-chan struct{}, func()) {
	changes, stop := c.srv.Subscribe(eventID)
	out := make(chan struct{}, 1)
	go func() {
		defer close(out)
		for range changes {
			select {
			case out <- struct{}{}:
			default: // one pending reload covers any number of changes
			}
		}
	}()
	return out, stop
}

func (m *Main) webCommand() *cobra.Command {
	var addr, baseURL, cert, key string
	cmd := &cobra.Command{
		Use:   "web [--addr HOST:PORT] [--base-url URL] [--tls-cert FILE --tls-key FILE]",
		Short: "Run the crew checklist server on its own",
		Long: `Run the crew checklist server until interrupted. Crew open the magic links that
opsdeck link prints; the server listens on 127.0.0.1:8080 unless told otherwise.
Behind a reverse proxy, give --base-url so links carry the proxy's address.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			srv, err := m.crewServer(cmd.Context(), crewFlags{addr, baseURL, cert, key}, m.logger(), nil)
			if err != nil {
				return err
			}
			return srv.Serve(cmd.Context())
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "", "listen address (env OPSDECK_WEB_ADDR; default "+web.DefaultAddr+")")
	cmd.Flags().StringVar(&baseURL, "base-url", "", "URL crew use to reach the server (env OPSDECK_BASE_URL)")
	cmd.Flags().StringVar(&cert, "tls-cert", "", "TLS certificate file (env OPSDECK_TLS_CERT)")
	cmd.Flags().StringVar(&key, "tls-key", "", "TLS key file (env OPSDECK_TLS_KEY)")
	cmd.AddCommand(m.rotateKeyCommand())
	return cmd
}

func (m *Main) rotateKeyCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "rotate-key",
		Short: "Start signing crew tokens with a new key; the old one is still accepted until its tokens expire",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if secret, _ := m.cfg.get("OPSDECK_JWT_SECRET"); secret != "" {
				return usagef("the signing key comes from OPSDECK_JWT_SECRET: rotate it there (old value to OPSDECK_JWT_PREVIOUS_SECRET)")
			}
			s, err := m.openStore(cmd.Context(), false)
			if err != nil {
				return err
			}
			keys, err := auth.RotateKeyFile(filepath.Dir(s.Path()))
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "signing key %s is current; %s is still accepted (restart a running crew server)\n",
				keys.Current.ID, keys.Previous.ID)
			return nil
		},
	}
}

// linkRow is a link as `link --json` and `links --json` print it.
type linkRow struct {
	store.CrewLink
	State string `json:"state"`
	URL   string `json:"url,omitempty"`
}

func (m *Main) linkCommand() *cobra.Command {
	var person, role, baseURL string
	var single, asJSON bool
	cmd := &cobra.Command{
		Use:   "link EVENT [PERSON] [--person P] [--role R] [--single-use] [--json]",
		Short: "Mint a magic link to an event's crew checklist and print its URL",
		Long: `Mint a magic link for a person on an event and print its URL. PERSON is an id,
an email or (part of) a name. The role defaults to the person's role on the
event's crew; the link expires 12 hours after the event returns. The URL is
shown once: only a hash of it is stored.`,
		Example: `  opsdeck link 1 sam
  opsdeck link 1 --person morgan.reyes@example.com --role captain --single-use`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return usagef("%s needs an event and a person (usage: %s)", cmd.CommandPath(), cmd.UseLine())
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
			s, svc, err := m.crewAuth(ctx)
			if err != nil {
				return err
			}
			p, err := s.FindPerson(ctx, person)
			if err != nil {
				return err
			}
			l, token, err := svc.MintLink(ctx, m.actor(), auth.LinkRequest{EventID: eventID, PersonID: p.ID, Role: r, SingleUse: single})
			if err != nil {
				return err
			}
			base := m.setting(baseURL, "OPSDECK_BASE_URL", "http://"+m.setting("", "OPSDECK_WEB_ADDR", web.DefaultAddr))
			u := web.LinkURL(base, token)
			if asJSON {
				return writeJSON(m.Stdout, linkRow{CrewLink: l, State: l.State(m.Clock.Now()), URL: u})
			}
			fmt.Fprintln(m.Stdout, u)
			fmt.Fprintf(m.Stderr, "opsdeck: link %d: %s (%s) on %q until %s; the URL is shown only now\n",
				l.ID, l.PersonName, l.Role, l.EventTitle, l.ExpiresAt.In(m.Clock.Now().Location()).Format("2006-01-02 15:04"))
			return nil
		},
	}
	cmd.Flags().StringVar(&person, "person", "", "who the link is for: id, email or name")
	cmd.Flags().StringVar(&role, "role", "", "admin, captain, crew or guest (default: their role on the crew)")
	cmd.Flags().BoolVar(&single, "single-use", false, "the link works once")
	cmd.Flags().StringVar(&baseURL, "base-url", "", "URL crew use to reach the server (env OPSDECK_BASE_URL)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print machine-readable JSON")
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
			_, svc, err := m.crewAuth(cmd.Context())
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

func (m *Main) linksCommand() *cobra.Command {
	var event string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "links [--event ID] [--json]",
		Short: "List magic links and whether each still works",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var eventID int64
			if event != "" {
				var err error
				if eventID, err = parseID("event", event); err != nil {
					return err
				}
			}
			s, err := m.openStore(cmd.Context(), false)
			if err != nil {
				return err
			}
			links, err := s.CrewLinks(cmd.Context(), eventID)
			if err != nil {
				return err
			}
			rows := make([]linkRow, 0, len(links))
			for _, l := range links {
				rows = append(rows, linkRow{CrewLink: l, State: l.State(m.Clock.Now())})
			}
			if asJSON {
				return writeJSON(m.Stdout, rows)
			}
			if len(rows) == 0 {
				fmt.Fprintln(m.Stdout, "no links (opsdeck link EVENT PERSON mints one)")
				return nil
			}
			t := newTable(m.Stdout)
			fmt.Fprintln(t, "ID\tEVENT\tPERSON\tROLE\tSTATE\tEXPIRES\tSINGLE-USE")
			for _, r := range rows {
				fmt.Fprintf(t, "%d\t%s\t%s\t%s\t%s\t%s\t%v\n", r.ID, r.EventTitle, r.PersonName, r.Role, r.State,
					r.ExpiresAt.In(m.Clock.Now().Location()).Format(time.DateTime), r.SingleUse)
			}
			return t.Flush()
		},
	}
	cmd.Flags().StringVar(&event, "event", "", "only this event's links")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print machine-readable JSON")
	return cmd
}

func parseID(what, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%s %q must be a positive number (see opsdeck events)", what, s)
	}
	return id, nil
}
