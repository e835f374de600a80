//go:build !linux

package safefiletest

import "errors"

func mountTmpfs(dir, options string) error {
	return errors.New("tmpfs mounts are for Linux")
}

func unmount(dir string) error { return nil }
