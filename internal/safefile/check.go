package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Check says, without writing anything, why target cannot be written with
// opts: it names no file, its directory is missing or no directory, it is
// a directory, it is a protected file, it is a symbolic link to nothing
// (ErrDangling, with or without NoReplace), or it exists and
// opts.NoReplace is set. Write checks again itself; Check lets a caller say so before doing
// the work that makes the file.
func Check(target string, opts Options) error {
	if target == "" {
		return errors.New("no file name given")
	}
	dir := filepath.Dir(target)
	switch st, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("directory %s does not exist", dir)
	case err != nil:
		return fileError("directory "+dir, err)
	case !st.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	st, statErr := os.Stat(target)
	if statErr == nil && st.IsDir() {
		return fmt.Errorf("%s is a directory", target)
	}
	lst, lstatErr := os.Lstat(target)
	dangling := lstatErr == nil && lst.Mode()&fs.ModeSymlink != 0 && errors.Is(statErr, fs.ErrNotExist)
	if err := checkProtected(target, opts.Protected); err != nil && !(dangling && !isRefusal(err)) {
		return err
	}
	if dangling {
		// Writing "to" it would either replace the link or, for a writer
		// that follows it, make a file wherever it points: neither is
		// what anyone asking for a file by that name can mean.
		to, _ := os.Readlink(target)
		return &RefusedError{Path: target, Reason: "is a symbolic link to " + to + ", which does not exist", Err: ErrDangling}
	}
	if lstatErr == nil && opts.NoReplace {
		return &RefusedError{Path: target, Reason: "already exists", Err: ErrExists}
	}
	return nil
}

func isRefusal(err error) bool {
	var r *RefusedError
	return errors.As(err, &r)
}

// checkProtected refuses target if it is one of protected: the same path
// once symbolic links are followed (those of the directories on the way,
// and the target's own, even one that points at a file not there yet), or
// the same file under another name.
func checkProtected(target string, protected []Protected) error {
	if len(protected) == 0 {
		return nil
	}
	resolved, err := resolve(target)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", target, err)
	}
	lst, err := os.Lstat(target)
	isLink := err == nil && lst.Mode()&fs.ModeSymlink != 0
	st, statErr := os.Stat(target)
	for _, p := range protected {
		same := false
		if r, err := resolve(p.Path); err == nil && r == resolved {
			same = true
		} else if statErr == nil {
			if pst, err := os.Stat(p.Path); err == nil && os.SameFile(st, pst) {
				same = true
			}
		}
		if !same {
			continue
		}
		reason := "is the same file as " + p.Path + ", " + p.What
		switch {
		case isLink:
			reason = "is a symbolic link to " + p.Path + ", " + p.What
		case absClean(target) == absClean(p.Path):
			reason = "is " + p.Path + ", " + p.What
		}
		return &RefusedError{Path: target, Reason: reason, Err: ErrProtected}
	}
	return nil
}

// resolve is path made absolute with every symbolic link on it followed,
// the last element's too; unlike filepath.EvalSymlinks it accepts a last
// element (or a link's end) that does not exist.
func resolve(path string) (string, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	for range 64 {
		dir, base := filepath.Split(path)
		realDir, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return "", err
		}
		p := filepath.Join(realDir, base)
		st, err := os.Lstat(p)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			return p, nil
		}
		link, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(realDir, link)
		}
		path = filepath.Clean(link)
	}
	return "", errors.New("too many levels of symbolic links")
}

func absClean(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}
