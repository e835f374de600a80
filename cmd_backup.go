package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"opsdeck/store"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version from the build info is used.
var version = ""

func (m *Main) backupCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the database to FILE (safe while others write)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := m.openStore(cmd.Context(), false)
			if err != nil {
				return err
			}
			if err := s.Backup(cmd.Context(), args[0]); err != nil {
				return err
			}
			st, err := os.Stat(args[0])
			if err != nil {
				return fmt.Errorf("check backup: %w", err)
			}
			fmt.Fprintf(m.Stdout, "backed up %s to %s (%d bytes)\n", s.Path(), args[0], st.Size())
			return nil
		},
	}
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}

func (m *Main) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, schema version and Go version",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(m.Stdout, "opsdeck %s (schema %d, %s %s/%s)\n", buildVersion(), store.SchemaVersion(),
				runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}
