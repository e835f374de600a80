// Package safefile writes a file so that it is either there whole or not
// there at all: through a temporary file in the target's directory, synced
// and then renamed into place, with the directory synced after. It refuses,
// before anything is written, a target that is (by name, through a
// symbolic link, or as another name for the same file) one of the files
// the caller protects, such as the live database and its WAL.
//
// Whatever goes wrong, nothing is left behind: not the temporary file, not
// a half-written target. A failure names the target asked for, never the
// temporary file, whose name means nothing to whoever reads the message.
package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
)

// Errors a refusal wraps (see RefusedError), for callers to branch on.
var (
	// ErrProtected: the target is one of the protected files.
	ErrProtected = errors.New("protected file")
	// ErrExists: the target exists and Options.NoReplace is set.
	ErrExists = errors.New("file exists")
	// ErrDangling: the target is a symbolic link to nothing.
	ErrDangling = errors.New("dangling symbolic link")
)

// Protected is a file a target must not be.
type Protected struct {
	Path string // as the user knows it, for messages
	What string // what it is, for messages: "the database"
}

// Options say how a file is written. The zero value replaces an existing
// target and protects nothing.
type Options struct {
	// Protected are the files the target must not be: not by name, not
	// through a symbolic link (of the target or of a directory on its
	// way), not as a hard link to the same file. A protected file need
	// not exist (a WAL comes and goes).
	Protected []Protected
	// NoReplace refuses a target that exists, even an empty file,
	// instead of replacing it. (A dangling symbolic link is refused
	// either way: see Check.)
	NoReplace bool
	// Perm is the finished file's permission bits; 0 means 0o644.
	Perm fs.FileMode
}

// RefusedError is a target refused before anything was written.
type RefusedError struct {
	Path   string // the target, as given
	Reason string // a clause after "it": "is opsdeck.db, the database"
	Err    error  // ErrProtected or ErrExists
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refusing to write to %s: it %s", e.Path, e.Reason)
}

func (e *RefusedError) Unwrap() error { return e.Err }

// DiskFull reports whether err is the file system running out of space.
func DiskFull(err error) bool { return errors.Is(err, syscall.ENOSPC) }

// WriteFile writes data to target (see Write).
func WriteFile(target string, data []byte, opts Options) error {
	return Write(target, opts, func(f *os.File) error {
		if _, err := f.Write(data); err != nil {
			return fileError("", err)
		}
		return nil
	})
}

// Write makes target with fill. Fill gets the temporary file, created
// empty in target's directory, to write through or to have another
// program write by its name (f.Name()); it must not close it, and its
// error is returned as it is (so it should not name the temporary file).
// Only when fill returns nil is the file synced and renamed into place; on
// any failure the temporary file is removed and an existing target is
// left as it was.
func Write(target string, opts Options, fill func(f *os.File) error) error {
	if err := Check(target, opts); err != nil {
		return err
	}
	dir := filepath.Dir(target)
	f, err := os.CreateTemp(dir, "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return fileError(fmt.Sprintf("cannot create a file in %s", dir), err)
	}
	tmp := f.Name()
	placed := false
	defer func() {
		if !placed {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := fill(f); err != nil {
		return err
	}
	perm := opts.Perm
	if perm == 0 {
		perm = 0o644
	}
	if err := f.Chmod(perm); err != nil {
		return fileError("", err)
	}
	if err := f.Sync(); err != nil {
		return fileError("sync", err)
	}
	if err := f.Close(); err != nil {
		return fileError("", err)
	}
	// Again, now that the file is ready: the target may have become
	// something else while fill ran.
	if err := Check(target, opts); err != nil {
		return err
	}
	if err := place(tmp, target, opts.NoReplace); err != nil {
		return err
	}
	placed = true
	if err := syncDir(dir); err != nil {
		if opts.NoReplace {
			// The file is ours alone and its name may not last: take it
			// back rather than leave a file that blocks the next try.
			os.Remove(target)
		}
		return fileError(fmt.Sprintf("sync directory %s", dir), err)
	}
	return nil
}

// place moves tmp to target. Without NoReplace that is a rename, which
// replaces target atomically. With it, a hard link, which fails if target
// exists, so a target made meanwhile by someone else is not lost; where
// the file system has no hard links, a rename after one more look.
func place(tmp, target string, noReplace bool) error {
	if noReplace {
		err := os.Link(tmp, target)
		if err == nil {
			os.Remove(tmp) // the target is complete; a leftover name is harmless
			return nil
		}
		if errors.Is(err, fs.ErrExist) {
			return &RefusedError{Path: target, Reason: "already exists", Err: ErrExists}
		}
		if _, err := os.Lstat(target); err == nil {
			return &RefusedError{Path: target, Reason: "already exists", Err: ErrExists}
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		return fileError("", err)
	}
	return nil
}

// syncDir makes a rename in dir durable. Windows cannot sync a directory
// and does not need to.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// fileError is err without the temporary file's name, after what was
// being done, with a disk that filled up called so.
func fileError(doing string, err error) error {
	cause := err
	switch e := err.(type) {
	case *fs.PathError:
		cause = e.Err
	case *os.LinkError:
		cause = e.Err
	}
	msg := "%w"
	if DiskFull(err) {
		msg = "disk full (%w)"
	}
	if doing != "" {
		msg = doing + ": " + msg
	}
	return fmt.Errorf(msg, cause)
}
