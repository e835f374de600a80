package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"opsdeck/mail"
	"opsdeck/sshconsole"
	"opsdeck/store"
	"opsdeck/tui"
	"opsdeck/web"
)

func newLogger(w *os.File, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level %q must be debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usagef("--log-format %q must be text or json", format)
}

func (m *Main) serveCommand() *cobra.Command {
	var sshAddr, keysFile, hostKey, logFormat, logLevel string
	var catchUp time.Duration
	cmd := &cobra.Command{
		Use:   "serve [--addr HOST:PORT] [--ssh-addr HOST:PORT] [--authorized-keys FILE] [--log-format text|json]",
		Short: "Run headless on a server: crew web, report scheduler, outbox worker and the console over SSH",
		Long: `Run opsdeck as a service until SIGINT or SIGTERM: the crew web server (with
/healthz), the report scheduler and
the outbox worker (while this process holds the worker lease; a console open on
the same database leaves them to the server), and the console over SSH for
anyone whose public key is in the authorized keys file.

On shutdown it stops taking connections, lets requests and sends in flight
finish, stops the scheduler, and closes the database cleanly.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out, _ := m.Stderr.(*os.File)
			if out == nil {
				out = os.Stderr
			}
			log, err := newLogger(out, logFormat, logLevel)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := m.openStore(ctx, false)
			if err != nil {
				return err
			}
			// The first write to fail (a full disk) and the first to work
			// again go to the log; /healthz shows the rest.
			s.SetLogger(log)
			dataDir := filepath.Dir(s.Path())
			for _, w := range permissionWarnings(m.cfg.filePath, dataDir) {
				log.Warn(w)
			}
			svc, setup, err := m.mailService(ctx)
			if err != nil {
				return err
			}
			svc.Logger = log
			log.Info("mail", "transport", setup.Transport.Name(), "why", setup.Why)

			// Replication starts once the store has migrated, and stops
			// after everything that writes has (below).
			rep, err := m.startReplication(ctx, s, log)
			if err != nil {
				return err
			}
			defer func() { _ = stopReplication(rep, log) }() // when serve fails to start
			// Everything that can refuse to start is built before anything
			// runs, so a bad setting stops serve with nothing to unwind.
			var leading atomic.Bool
			crewSrv, err := m.crewServer(ctx, log, withReplicaHealth(workerHealth(s, &leading), rep.replicator()))
			if err != nil {
				return err
			}
			var sshSrv *sshconsole.Server
			var sshListener net.Listener
			if sshAddr != "" {
				sshSrv, err = m.sshServer(s, svc, crewLinks{crewSrv}, log, sshAddr, cmp.Or(keysFile, filepath.Join(dataDir, "authorized_keys")),
					cmp.Or(hostKey, filepath.Join(dataDir, "ssh_host_ed25519")))
				if err != nil {
					return err
				}
				if sshListener, err = sshSrv.Listen(); err != nil {
					return err
				}
				defer sshListener.Close()
			}
			g, gctx := errgroup.WithContext(ctx)
			if err := crewSrv.Start(gctx); err != nil {
				return err
			}
			g.Go(func() error { return background(s, svc, "serve", log, catchUp, leading.Store)(gctx) })
			g.Go(func() error {
				<-gctx.Done()
				// Requests in flight get ten seconds; event streams end now.
				shut, cancel := context.WithTimeout(context.WithoutCancel(gctx), 10*time.Second)
				defer cancel()
				return crewSrv.Shutdown(shut)
			})
			if sshSrv != nil {
				// Serve logs "ssh console listening" with its limits.
				g.Go(func() error { return sshSrv.Serve(sshListener) })
				g.Go(func() error {
					<-gctx.Done()
					shut, cancel := context.WithTimeout(context.WithoutCancel(gctx), 10*time.Second)
					defer cancel()
					return sshSrv.Shutdown(shut)
				})
			}
			log.Info("opsdeck serving", "database", s.Path(), "pid", os.Getpid())
			err = g.Wait()
			repErr := stopReplication(rep, log)
			log.Info("opsdeck stopped")
			if errors.Is(err, context.Canceled) {
				return repErr
			}
			return err
		},
	}
	settingFlag(cmd.Flags(), "replica", "OPSDECK_REPLICA_URL", "replicate continuously to file:///PATH or s3://BUCKET/PATH (env OPSDECK_REPLICA_URL)")
	cmd.Flags().StringVar(&sshAddr, "ssh-addr", "127.0.0.1:2222", "SSH console address; empty turns it off")
	cmd.Flags().StringVar(&keysFile, "authorized-keys", "", "public keys allowed in (default authorized_keys beside the database)")
	cmd.Flags().StringVar(&hostKey, "host-key", "", "SSH host key, created on first start (default ssh_host_ed25519 beside the database)")
	cmd.Flags().StringVar(&logFormat, "log-format", "text", "text or json")
	cmd.Flags().StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	cmd.Flags().DurationVar(&catchUp, "catch-up", 12*time.Hour, "send a scheduled report missed while down if it is younger than this")
	crewServerFlags(cmd.Flags(), "crew web server address (env OPSDECK_WEB_ADDR; default "+web.DefaultAddr+")")
	trustedProxyFlag(cmd.Flags())
	return cmd
}

// workerHealth is /healthz's view of the background work: who runs the
// outbox worker and the scheduler, and what needs the operator. It fails
// when no live process holds the worker lease, so nothing would be sent.
func workerHealth(s *store.Store, leading *atomic.Bool) web.HealthFunc {
	return func(ctx context.Context) (any, error) {
		l, live, err := s.LeaseHolder(ctx, workerLease)
		if err != nil {
			return nil, err
		}
		counts, err := s.OutboxCounts(ctx)
		if err != nil {
			return nil, err
		}
		details := map[string]any{"worker": map[string]any{"holder": l.Holder, "live": live, "here": leading.Load()},
			"outbox": counts}
		runs, err := s.ScheduleRuns(ctx, "", 20)
		if err == nil {
			var failed []string
			for _, r := range runs {
				if r.Status == "failed" {
					failed = append(failed, fmt.Sprintf("%s at %s: %s", r.Role, r.Slot.Format(time.RFC3339), r.Error))
				}
			}
			details["failed_runs"] = failed
		}
		// Runs an older opsdeck left running (the scheduler that next
		// starts finishes them), and the latest slots not sent.
		for key, q := range map[string]struct {
			status string
			limit  int
		}{"stuck_runs": {"running", 20}, "skipped_runs": {"skipped", 5}} {
			if runs, err := s.ScheduleRunsWithStatus(ctx, q.status, q.limit); err == nil {
				var lines []string
				for _, r := range runs {
					why := r.Error
					if r.Status == "running" {
						why = "running since " + r.StartedAt.Format(time.RFC3339)
					}
					lines = append(lines, fmt.Sprintf("%s at %s: %s", r.Role, r.Slot.Format(time.RFC3339), why))
				}
				details[key] = lines
			}
		}
		if !live {
			return details, errors.New("no process holds the worker lease: scheduled reports and the outbox are stalled")
		}
		return details, nil
	}
}

// sshServer builds the SSH console: each session gets its own console over
// the shared store and mail service.
func (m *Main) sshServer(s *store.Store, svc *mail.Service, crew tui.Crew, log *slog.Logger, addr, keys, hostKey string) (*sshconsole.Server, error) {
	eng, err := m.reportEngine()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(keys); err != nil {
		return nil, fmt.Errorf("the SSH console needs %s: put your public key in it (e.g. cat ~/.ssh/id_ed25519.pub >> %s), or pass --ssh-addr=\"\"", keys, keys)
	}
	return sshconsole.New(sshconsole.Options{
		Addr: addr, HostKeyPath: hostKey, AuthorizedKeysPath: keys, Logger: log, IdleTimeout: 8 * time.Hour,
		NewModel: func(sessCtx context.Context, user string) (tea.Model, error) {
			return tui.New(sessCtx, s, eng, tui.Options{Actor: "ssh:" + user, Mail: svc, Crew: crew, Poll: time.Second, Now: m.Clock.Now, EventZone: m.localZone()}), nil
		},
	})
}
