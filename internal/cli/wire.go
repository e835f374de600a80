package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"opsdeck/auth"
	"opsdeck/mail"
	"opsdeck/mail/sns"
	"opsdeck/portfolio"
	"opsdeck/reports"
	"opsdeck/schedule"
	"opsdeck/store"
	"opsdeck/store/demo"
	"opsdeck/web"
)

// This file is the one place a run builds what its command needs: the
// store, the report engine, the mail service and the crew pieces, each on
// first use and at most once per run, from the settings.

// openStore opens the configured database once per run. A database that
// does not exist yet is created and, unless bare is set, given the demo
// portfolio, so a first `opsdeck` shows something useful.
func (m *Main) openStore(ctx context.Context, bare bool) (*store.Store, error) {
	if m.store != nil {
		return m.store, nil
	}
	path, isDefault, err := m.cfg.dbPath()
	if err != nil {
		return nil, err
	}
	if isDefault {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	_, statErr := os.Stat(path)
	isNew := errors.Is(statErr, os.ErrNotExist)
	// (A path store.Open refuses anyway, with a '?' or in a directory that
	// is not there, is left to it to name the problem.)
	if isNew && !isDefault && !m.mayCreateStore && !strings.ContainsRune(path, '?') && dirExists(filepath.Dir(path)) {
		// A --db (or OPSDECK_DB) naming no file is most likely a typo:
		// making a fresh demo there would quietly show the wrong data.
		// Only the default database is made on first use.
		return nil, usagef("no database at %s; opsdeck init --db %s creates one", path, path)
	}
	s, err := store.Open(ctx, path, store.Options{Clock: m.Clock})
	if err != nil {
		return nil, err
	}
	m.store, m.madeStore = s, isNew
	if isNew && !bare {
		if err := s.Update(ctx, m.actor(), func(tx *store.Tx) error { return demo.Load(ctx, tx) }); err != nil {
			return nil, fmt.Errorf("load demo portfolio into new database %s: %w", path, err)
		}
		fmt.Fprintf(m.Stderr, "opsdeck: created %s with the demo portfolio (opsdeck init --empty --force starts blank)\n", path)
	}
	return s, nil
}

// snapshot reads the whole portfolio from the configured database.
func (m *Main) snapshot(ctx context.Context) (*portfolio.Snapshot, error) {
	s, err := m.openStore(ctx, false)
	if err != nil {
		return nil, err
	}
	return s.Snapshot(ctx)
}

// withStore is the RunE of a command that works on the database: it opens
// the store (creating the demo database on first use) and hands it over.
func (m *Main) withStore(run func(ctx context.Context, s *store.Store, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		s, err := m.openStore(cmd.Context(), false)
		if err != nil {
			return err
		}
		return run(cmd.Context(), s, args)
	}
}

// withRole is the RunE of a command whose first argument is a report
// role: the role is read before the store is opened, so a mistyped one
// touches nothing.
func (m *Main) withRole(run func(ctx context.Context, s *store.Store, role portfolio.ReportRole, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		role, err := portfolio.ParseReportRole(args[0])
		if err != nil {
			return err
		}
		return m.withStore(func(ctx context.Context, s *store.Store, args []string) error { return run(ctx, s, role, args) })(cmd, args)
	}
}

// actor names who is making changes, for the audit log: the user at the
// terminal, from the environment or else the system's account.
func (m *Main) actor() string {
	for _, key := range []string{"USER", "LOGNAME"} {
		if v, ok := m.LookupEnv(key); ok && v != "" {
			return "cli:" + v
		}
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return fmt.Sprintf("cli:uid %d", os.Getuid())
}

// reportEngine parses the report templates (with the overrides in
// OPSDECK_TEMPLATES or report --templates) once per run.
func (m *Main) reportEngine() (*reports.Engine, error) {
	if m.engine != nil {
		return m.engine, nil
	}
	templates, _ := m.cfg.get("OPSDECK_TEMPLATES")
	eng, err := reports.New(reports.Options{TemplatesDir: templates})
	if err != nil {
		return nil, err
	}
	m.engine = eng
	return eng, nil
}

// mailService builds the mail service from the settings, once per run.
// The outbox directory of the file transport sits beside the database.
func (m *Main) mailService(ctx context.Context) (*mail.Service, mail.Setup, error) {
	if m.mail != nil {
		return m.mail, m.mailSetup, nil
	}
	s, err := m.openStore(ctx, false)
	if err != nil {
		return nil, mail.Setup{}, err
	}
	setup, err := mail.Configure(ctx, func(k string) string { v, _ := m.cfg.get(k); return v },
		filepath.Join(filepath.Dir(s.Path()), "outbox"))
	if err != nil {
		return nil, setup, err
	}
	eng, err := m.reportEngine()
	if err != nil {
		return nil, setup, err
	}
	svc, err := mail.NewService(s, eng, setup.Transport, setup.Config)
	if err != nil {
		return nil, setup, err
	}
	svc.Actor = m.actor()
	m.mail, m.mailSetup = svc, setup
	return svc, setup, nil
}

// crewService is the crew sign-in service over the signing keys:
// OPSDECK_JWT_SECRET if set, else the key file next to the database.
func (m *Main) crewService(ctx context.Context) (*auth.Service, error) {
	if m.crewAuth != nil {
		return m.crewAuth, nil
	}
	s, err := m.openStore(ctx, false)
	if err != nil {
		return nil, err
	}
	secret, _ := m.cfg.get("OPSDECK_JWT_SECRET")
	previous, _ := m.cfg.get("OPSDECK_JWT_PREVIOUS_SECRET")
	keys, err := auth.LoadKeyring(filepath.Dir(s.Path()), secret, previous)
	if err != nil {
		return nil, err
	}
	svc, err := auth.New(auth.Options{Store: s, Keys: keys, Logger: m.logger()})
	if err != nil {
		return nil, err
	}
	m.crewAuth = svc
	return svc, nil
}

func (m *Main) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// setting is the configured setting, or fallback.
func (m *Main) setting(key, fallback string) string {
	if v, _ := m.cfg.get(key); v != "" {
		return v
	}
	return fallback
}

// crewServer builds (without starting) the crew web server from the
// settings (the crew server flags among them); health, if set, is what
// /healthz reports.
func (m *Main) crewServer(ctx context.Context, log *slog.Logger, health web.HealthFunc) (*web.Server, error) {
	s, err := m.openStore(ctx, false)
	if err != nil {
		return nil, err
	}
	svc, err := m.crewService(ctx)
	if err != nil {
		return nil, err
	}
	// The SNS topics of SES's event destination: POST /hooks/ses takes
	// their messages (and answers 404 with none).
	topics, err := sns.ParseTopics(m.setting("OPSDECK_SES_EVENTS_TOPIC_ARN", ""))
	if err != nil {
		return nil, portfolio.Errorf(portfolio.EINVALID, "OPSDECK_SES_EVENTS_TOPIC_ARN: %v", err)
	}
	trusted, err := web.ParseTrustedProxies(m.setting("OPSDECK_TRUSTED_PROXIES", ""))
	if err != nil {
		return nil, portfolio.Errorf(portfolio.EINVALID, "--trusted-proxy (or OPSDECK_TRUSTED_PROXIES): %s", portfolio.ErrorMessage(err))
	}
	return web.New(web.Options{
		Store: s, Auth: svc, Logger: log, Health: health,
		Addr:           m.setting("OPSDECK_WEB_ADDR", web.DefaultAddr),
		BaseURL:        m.setting("OPSDECK_BASE_URL", ""),
		TLSCert:        m.setting("OPSDECK_TLS_CERT", ""),
		TLSKey:         m.setting("OPSDECK_TLS_KEY", ""),
		SESTopics:      topics,
		TrustedProxies: trusted,
		HealthToken:    m.setting("OPSDECK_HEALTH_TOKEN", ""),
	})
}

// trustedProxyFlag declares --trusted-proxy for the commands that run the
// crew server (web, serve), beside crewServerFlags.
func trustedProxyFlag(fs *pflag.FlagSet) {
	settingFlag(fs, "trusted-proxy", "OPSDECK_TRUSTED_PROXIES",
		"reverse proxies whose X-Forwarded-For names the client: addresses or CIDRs, comma-separated, or none (env OPSDECK_TRUSTED_PROXIES; default loopback)")
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

// workerLease is the lease that decides which process sends the outbox and
// runs the schedules; leaseTTL is how long a holder that stops renewing
// keeps it.
const (
	workerLease = "worker"
	leaseTTL    = 30 * time.Second
)

// roleQueue lets the scheduler queue a role's report through the outbox:
// rendered first, then written in the scheduler's own transaction, with
// the claim of its slot.
type roleQueue struct{ *mail.Service }

func (q roleQueue) Prepare(ctx context.Context, role portfolio.ReportRole, reason string) (schedule.Batch, error) {
	p, err := q.Service.Prepare(ctx, []portfolio.ReportRole{role}, reason)
	if err != nil {
		return nil, err // not p: a nil *mail.Prepared would be a non-nil Batch
	}
	return p, nil
}

// testPause is set only by the tests' own opsdeck (from OPSDECK_TEST_PAUSE,
// see pause_test.go), to hold the background work at a named point while a
// test kills the process; a real opsdeck never sets it.
var testPause func(ctx context.Context, point string)

// background runs the scheduler and the outbox worker under the worker
// lease (see schedule.Background).
func background(s *store.Store, svc *mail.Service, kind string, log *slog.Logger, maxCatchUp time.Duration, held func(bool)) func(context.Context) error {
	return schedule.Background(s, roleQueue{svc}, svc, svc, schedule.BackgroundOptions{
		Holder: schedule.Holder(kind), Logger: log, MaxCatchUp: maxCatchUp, Held: held, Pause: testPause})
}

func dirExists(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}
