package cli

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"opsdeck/auth"
	"opsdeck/web"
)

func (m *Main) webCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "web [--addr HOST:PORT] [--base-url URL] [--tls-cert FILE --tls-key FILE] [--trusted-proxy CIDR,...]",
		Short: "Run the crew checklist server on its own",
		Long: `Run the crew checklist server until interrupted. Crew open the magic links that
opsdeck link prints; the server listens on 127.0.0.1:8080 unless told otherwise.
Behind a reverse proxy, give --base-url so links carry the proxy's address,
and --trusted-proxy when the proxy is not on the same host.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			srv, err := m.crewServer(cmd.Context(), m.logger(), nil)
			if err != nil {
				return err
			}
			return srv.Serve(cmd.Context())
		},
	}
	crewServerFlags(cmd.Flags(), "listen address (env OPSDECK_WEB_ADDR; default "+web.DefaultAddr+")")
	trustedProxyFlag(cmd.Flags())
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
