package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"opsdeck/store"
)

// version is set at build time with
// -ldflags "-X opsdeck/internal/cli.version=v1.2.3"; otherwise the module
// version from the build info is used.
var version = ""

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
