package cli

import (
	"fmt"
	"os"
)

// permissionWarnings names the files and directories holding secrets (the
// env file, the data directory with its keys and database) that other users
// on the machine can read.
func permissionWarnings(paths ...string) []string {
	var out []string
	for _, p := range paths {
		if p == "" {
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		if st.Mode().Perm()&0o077 != 0 {
			kind, fix := "file", "chmod 600"
			if st.IsDir() {
				kind, fix = "directory", "chmod 700"
			}
			out = append(out, fmt.Sprintf("%s %s is readable by other users (mode %v); run: %s %s",
				kind, p, st.Mode().Perm(), fix, p))
		}
	}
	return out
}
