package safefile_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"opsdeck/internal/safefile"
	"opsdeck/internal/safefile/safefiletest"
)

// dirWith makes a directory holding the named files, each holding its own
// name, and returns it.
func dirWith(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// listing is what dir holds, sorted.
func listing(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteFileWritesAndReplaces(t *testing.T) {
	dir := dirWith(t, "report.md")
	target := filepath.Join(dir, "report.md")
	if err := safefile.WriteFile(target, []byte("new"), safefile.Options{}); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, target); got != "new" {
		t.Errorf("report.md holds %q, want %q", got, "new")
	}
	st, err := os.Stat(target)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	if got := listing(t, dir); !slices.Equal(got, []string{"report.md"}) {
		t.Errorf("directory holds %q, want only report.md", got)
	}

	if err := safefile.WriteFile(filepath.Join(dir, "secret"), nil, safefile.Options{Perm: 0o600}); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(filepath.Join(dir, "secret")); st.Mode().Perm() != 0o600 {
		t.Errorf("Perm 0600 gave %v", st.Mode().Perm())
	}
}

func TestNoReplaceRefusesAnExistingFile(t *testing.T) {
	dir := dirWith(t, "monday.db")
	if err := os.WriteFile(filepath.Join(dir, "empty.db"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("monday.db", filepath.Join(dir, "link.db")); err != nil {
		t.Fatal(err)
	}
	before := listing(t, dir)
	for _, name := range []string{"monday.db", "empty.db", "link.db"} {
		target := filepath.Join(dir, name)
		called := false
		err := safefile.Write(target, safefile.Options{NoReplace: true}, func(f *os.File) error {
			called = true
			return nil
		})
		var refused *safefile.RefusedError
		if !errors.As(err, &refused) || !errors.Is(err, safefile.ErrExists) || refused.Reason != "already exists" {
			t.Errorf("%s: err = %v, want a refusal because it exists", name, err)
		}
		if called {
			t.Errorf("%s: fill ran for a target that exists", name)
		}
	}
	if got := readFile(t, filepath.Join(dir, "monday.db")); got != "monday.db" {
		t.Errorf("monday.db now holds %q", got)
	}
	if got := listing(t, dir); !slices.Equal(got, before) {
		t.Errorf("directory holds %q, want %q", got, before)
	}
	if err := safefile.WriteFile(filepath.Join(dir, "tuesday.db"), []byte("t"), safefile.Options{NoReplace: true}); err != nil {
		t.Errorf("a new file: %v", err)
	}
}

// A target that is a symbolic link to nothing is refused, replacing or
// not, and nothing is made where it points or beside it.
func TestDanglingSymlinkIsRefused(t *testing.T) {
	dir := t.TempDir()
	elsewhere := t.TempDir()
	links := map[string]string{
		"relative.db":      "nowhere.db",
		"absolute.db":      filepath.Join(elsewhere, "copy.db"),
		"missing-dir.db":   filepath.Join(elsewhere, "no", "such", "dir", "copy.db"),
		"through-link.db":  "relative.db", // a link to a dangling link
		"parent-escape.db": "../" + filepath.Base(elsewhere) + "-nope/copy.db",
	}
	for name, to := range links {
		if err := os.Symlink(to, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	before, beforeElsewhere := listing(t, dir), listing(t, elsewhere)
	for name, to := range links {
		target := filepath.Join(dir, name)
		for _, noReplace := range []bool{false, true} {
			opts := safefile.Options{NoReplace: noReplace, Protected: []safefile.Protected{{Path: filepath.Join(dir, "opsdeck.db"), What: "the database"}}}
			want := "refusing to write to " + target + ": it is a symbolic link to " + to + ", which does not exist"
			for what, err := range map[string]error{
				"Check": safefile.Check(target, opts),
				"Write": safefile.Write(target, opts, func(f *os.File) error { t.Errorf("%s: fill ran", name); return nil }),
			} {
				var refused *safefile.RefusedError
				if !errors.As(err, &refused) || !errors.Is(err, safefile.ErrDangling) || err.Error() != want {
					t.Errorf("%s %s (NoReplace %v): %v, want %q", what, name, noReplace, err, want)
				}
			}
		}
	}
	if got := listing(t, dir); !slices.Equal(got, before) {
		t.Errorf("directory holds %q, want %q", got, before)
	}
	if got := listing(t, elsewhere); !slices.Equal(got, beforeElsewhere) {
		t.Errorf("the links' directory holds %q, want %q", got, beforeElsewhere)
	}
	if _, err := os.Lstat(filepath.Join(filepath.Dir(elsewhere), filepath.Base(elsewhere)+"-nope")); err == nil {
		t.Error("a directory was made where a link pointed")
	}
}

// A target made by someone else while fill runs is not replaced.
func TestNoReplaceLosesNoFileMadeMeanwhile(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "copy.db")
	err := safefile.Write(target, safefile.Options{NoReplace: true}, func(f *os.File) error {
		if _, err := f.WriteString("ours"); err != nil {
			return err
		}
		return os.WriteFile(target, []byte("theirs"), 0o644)
	})
	if !errors.Is(err, safefile.ErrExists) {
		t.Errorf("err = %v, want ErrExists", err)
	}
	if got := readFile(t, target); got != "theirs" {
		t.Errorf("copy.db holds %q, want theirs", got)
	}
	if got := listing(t, dir); !slices.Equal(got, []string{"copy.db"}) {
		t.Errorf("directory holds %q, want only copy.db", got)
	}
}

func TestProtectedTargetsAreRefused(t *testing.T) {
	dir := dirWith(t, "opsdeck.db", "opsdeck.db-wal", "report.md")
	db := filepath.Join(dir, "opsdeck.db")
	protected := []safefile.Protected{
		{Path: db, What: "the database"},
		{Path: db + "-wal", What: "the database's write-ahead log"},
		{Path: db + "-shm", What: "the database's shared-memory index"}, // not there
	}
	link := func(name, to string) string {
		t.Helper()
		if err := os.Symlink(to, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
		return filepath.Join(dir, name)
	}
	hard := filepath.Join(dir, "hard.db")
	if err := os.Link(db, hard); err != nil {
		t.Fatal(err)
	}
	elsewhere := t.TempDir()
	if err := os.Symlink(dir, filepath.Join(elsewhere, "data")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		target, reason string
	}{
		{db, "is " + db + ", the database"},
		{filepath.Join(dir, ".", "opsdeck.db"), "is " + db + ", the database"},
		{db + "-wal", "is " + db + "-wal, the database's write-ahead log"},
		{db + "-shm", "is " + db + "-shm, the database's shared-memory index"},
		{link("link.db", "opsdeck.db"), "is a symbolic link to " + db + ", the database"},
		{link("abs.db", db), "is a symbolic link to " + db + ", the database"},
		{link("wal-link", "opsdeck.db-wal"), "is a symbolic link to " + db + "-wal, the database's write-ahead log"},
		{link("shm-link", "opsdeck.db-shm"), "is a symbolic link to " + db + "-shm, the database's shared-memory index"},
		{link("chain", "link.db"), "is a symbolic link to " + db + ", the database"},
		{hard, "is the same file as " + db + ", the database"},
		{filepath.Join(elsewhere, "data", "opsdeck.db"), "is the same file as " + db + ", the database"},
		{filepath.Join(elsewhere, "data", "opsdeck.db-shm"), "is the same file as " + db + "-shm, the database's shared-memory index"},
	}
	before := listing(t, dir)
	for _, c := range cases {
		for _, noReplace := range []bool{false, true} {
			err := safefile.WriteFile(c.target, []byte("overwritten"), safefile.Options{Protected: protected, NoReplace: noReplace})
			var refused *safefile.RefusedError
			if !errors.As(err, &refused) || !errors.Is(err, safefile.ErrProtected) {
				t.Errorf("%s: err = %v, want a refusal of a protected file", c.target, err)
				continue
			}
			if refused.Reason != c.reason || refused.Path != c.target {
				t.Errorf("%s: refused %s because it %s\nwant because it %s", c.target, refused.Path, refused.Reason, c.reason)
			}
			if err := safefile.Check(c.target, safefile.Options{Protected: protected}); !errors.Is(err, safefile.ErrProtected) {
				t.Errorf("Check(%s) = %v, want ErrProtected", c.target, err)
			}
		}
	}
	if got := listing(t, dir); !slices.Equal(got, before) {
		t.Errorf("directory holds %q, want %q", got, before)
	}
	for _, name := range []string{"opsdeck.db", "opsdeck.db-wal"} {
		if got := readFile(t, filepath.Join(dir, name)); got != name {
			t.Errorf("%s holds %q", name, got)
		}
	}
	if st, err := os.Lstat(filepath.Join(dir, "link.db")); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("link.db is no longer a symbolic link: %v", err)
	}

	// Names beside the protected ones are anybody's.
	for _, name := range []string{"opsdeck.db-wal.md", "opsdeck.db.bak", "report.md"} {
		if err := safefile.WriteFile(filepath.Join(dir, name), []byte("x"), safefile.Options{Protected: protected}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestFailureLeavesNothing(t *testing.T) {
	dir := dirWith(t, "report.md")
	target := filepath.Join(dir, "report.md")
	boom := errors.New("renderer gave up")
	for _, opts := range []safefile.Options{{}, {NoReplace: true}} {
		err := safefile.Write(target, opts, func(f *os.File) error {
			if _, err := f.WriteString("half a rep"); err != nil {
				return err
			}
			return boom
		})
		if opts.NoReplace {
			if !errors.Is(err, safefile.ErrExists) {
				t.Errorf("NoReplace: err = %v, want ErrExists", err)
			}
			continue
		}
		if !errors.Is(err, boom) {
			t.Errorf("err = %v, want fill's error", err)
		}
	}
	err := safefile.Write(filepath.Join(dir, "new.md"), safefile.Options{NoReplace: true}, func(f *os.File) error {
		f.WriteString("half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want fill's error", err)
	}
	if got := readFile(t, target); got != "report.md" {
		t.Errorf("report.md holds %q after failed writes", got)
	}
	if got := listing(t, dir); !slices.Equal(got, []string{"report.md"}) {
		t.Errorf("directory holds %q, want only report.md", got)
	}
}

func TestBadDestinations(t *testing.T) {
	dir := dirWith(t, "file")
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ target, want string }{
		{"", "no file name given"},
		{filepath.Join(dir, "missing", "x.md"), "directory " + filepath.Join(dir, "missing") + " does not exist"},
		{filepath.Join(dir, "file", "x.md"), filepath.Join(dir, "file") + " is not a directory"},
		{filepath.Join(dir, "sub"), filepath.Join(dir, "sub") + " is a directory"},
	}
	for _, c := range cases {
		err := safefile.WriteFile(c.target, []byte("x"), safefile.Options{})
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: err = %v, want %s", c.target, err, c.want)
		}
	}
	if got := listing(t, dir); !slices.Equal(got, []string{"file", "sub"}) {
		t.Errorf("directory holds %q", got)
	}
}

// A full disk says so, names no temporary file and leaves nothing behind.
func TestDiskFull(t *testing.T) {
	dir := safefiletest.FullDisk(t)
	target := filepath.Join(dir, "cfo.html")
	err := safefile.WriteFile(target, bytes.Repeat([]byte("x"), 64<<10), safefile.Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "disk full") || !safefile.DiskFull(err) {
		t.Fatalf("err = %v, want disk full", err)
	}
	if strings.Contains(err.Error(), ".tmp-") {
		t.Errorf("the error names the temporary file: %v", err)
	}
	if debris := safefiletest.Debris(t, dir); len(debris) > 0 {
		t.Errorf("left behind %q", debris)
	}
}
