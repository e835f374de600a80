package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"opsdeck/internal/safefile/safefiletest"
	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// demoFile makes a closed database file holding the demo portfolio and
// returns its path.
func demoFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "opsdeck.db")
	s, err := store.Open(context.Background(), path, store.Options{Clock: storetest.NewClock(storetest.Now)})
	if err != nil {
		t.Fatal(err)
	}
	storetest.LoadDemo(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// rootPage reads, from the closed database at path, where table's b-tree
// starts: its page number and that page's bytes.
func rootPage(t *testing.T, path, table string) (int64, []byte) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var root, size int64
	if err := db.QueryRow("SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = ?", table).Scan(&root); err != nil {
		t.Fatalf("root page of %s: %v", table, err)
	}
	if err := db.QueryRow("PRAGMA page_size").Scan(&size); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, size)
	if _, err := f.ReadAt(page, (root-1)*size); err != nil {
		t.Fatal(err)
	}
	return root, page
}

func writePage(t *testing.T, path string, root int64, page []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(page, (root-1)*int64(len(page))); err != nil {
		t.Fatal(err)
	}
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

// A database whose b-trees are sound but whose rows break the schema's
// CHECK constraints (garbage over a row's text) copies without a murmur:
// VACUUM INTO does not check constraints. The copy's integrity check
// catches it, and the backup fails with what the checker said, leaving
// nothing.
func TestBackupFailsIntegrityCheckOfTheCopy(t *testing.T) {
	path := demoFile(t)
	root, page := rootPage(t, path, "entities")
	if page[0] != 0x0d {
		t.Fatalf("entities outgrew one leaf page (page type %#x); pick a smaller table", page[0])
	}
	n := bytes.Count(page, []byte("operating"))
	if n == 0 {
		t.Fatal("no operating entity on the entities page")
	}
	writePage(t, path, root, bytes.ReplaceAll(page, []byte("operating"), []byte("garbage!!")))

	s := storetest.OpenPath(t, path, nil)
	dir := t.TempDir()
	err := s.Backup(context.Background(), filepath.Join(dir, "backup.db"))
	if err == nil {
		t.Fatal("backup of a database breaking its CHECK constraints succeeded")
	}
	msg := portfolio.ErrorMessage(err)
	want := "back up to " + filepath.Join(dir, "backup.db") + ": the copy fails SQLite's integrity check: CHECK constraint failed in entities"
	if !strings.HasPrefix(msg, want) {
		t.Errorf("err = %s\nwant it to start %s", msg, want)
	}
	if lines := strings.Count(msg, "CHECK constraint failed"); lines < 1 || lines > 5 {
		t.Errorf("err quotes %d lines of the checker, want 1 to 5: %s", lines, msg)
	}
	if got := listing(t, dir); len(got) > 0 {
		t.Errorf("left behind %q", got)
	}
}

// A database with a damaged b-tree page cannot be copied: the backup fails
// and leaves nothing, not even the empty file that used to block the next
// night's backup.
func TestBackupOfADamagedDatabaseLeavesNothing(t *testing.T) {
	path := demoFile(t)
	root, page := rootPage(t, path, "kpi_readings")
	start := int(binary.BigEndian.Uint16(page[5:7])) // the cell content area
	if start == 0 || start >= len(page) {
		t.Fatalf("kpi_readings' root page has no cells (content at %d)", start)
	}
	if _, err := rand.Read(page[start:]); err != nil {
		t.Fatal(err)
	}
	writePage(t, path, root, page)

	s := storetest.OpenPath(t, path, nil)
	dir := t.TempDir()
	dst := filepath.Join(dir, "backup.db")
	err := s.Backup(context.Background(), dst)
	if err == nil {
		t.Fatal("backup of a damaged database succeeded")
	}
	if want := "back up to " + dst + ": "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %v, want it to start %q", err, want)
	}
	if got := listing(t, dir); len(got) > 0 {
		t.Errorf("left behind %q", got)
	}
}

// The backup refuses to write over the live database, its WAL or its
// shared-memory file, by any name, and writes nothing.
func TestBackupRefusesTheDatabaseFiles(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	db := s.Path()
	dir := filepath.Dir(db)
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(db + suffix); err != nil {
			t.Fatalf("an open database has no %s file: %v", suffix, err)
		}
	}
	symlink := func(name, to string) string {
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
	cases := []struct{ target, reason string }{
		{db, "is " + db + ", the database"},
		{db + "-wal", "is " + db + "-wal, the database's write-ahead log"},
		{db + "-shm", "is " + db + "-shm, the database's shared-memory index"},
		{db + "-journal", "is " + db + "-journal, the database's rollback journal"},
		{symlink("link.db", "opsdeck.db"), "is a symbolic link to " + db + ", the database"},
		{symlink("wal.db", db+"-wal"), "is a symbolic link to " + db + "-wal, the database's write-ahead log"},
		{hard, "is the same file as " + db + ", the database"},
		{filepath.Join(elsewhere, "data", "opsdeck.db-shm"), "is the same file as " + db + "-shm, the database's shared-memory index"},
	}
	files := func() map[string][]byte {
		m := map[string][]byte{}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(db + suffix)
			if err != nil {
				t.Fatal(err)
			}
			m[suffix] = b
		}
		return m
	}
	before, beforeList := files(), listing(t, dir)
	for _, c := range cases {
		err := s.Backup(ctx, c.target)
		if portfolio.ErrorCode(err) != portfolio.EINVALID {
			t.Errorf("backup to %s: %v (%s), want it refused as invalid", c.target, err, portfolio.ErrorCode(err))
			continue
		}
		if want := "refusing to back up to " + c.target + ": it " + c.reason; err.Error() != want {
			t.Errorf("backup to %s:\n got %v\nwant %s", c.target, err, want)
		}
	}
	after := files()
	for suffix := range before {
		if !bytes.Equal(before[suffix], after[suffix]) {
			t.Errorf("opsdeck.db%s changed", suffix)
		}
	}
	if got := listing(t, dir); !slices.Equal(got, beforeList) {
		t.Errorf("directory holds %q, want %q", got, beforeList)
	}
	if _, err := s.Snapshot(ctx); err != nil {
		t.Errorf("the database after the refusals: %v", err)
	}
}

// A backup to a symbolic link that points at nothing is refused, before
// the database is read, and nothing is made: not at the link's end, not
// beside the link.
func TestBackupRefusesADanglingSymlink(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	dir, elsewhere := t.TempDir(), t.TempDir()
	for name, to := range map[string]string{
		"here.db":    "copy.db",
		"there.db":   filepath.Join(elsewhere, "copy.db"),
		"nowhere.db": filepath.Join(elsewhere, "missing", "copy.db"),
	} {
		link := filepath.Join(dir, name)
		if err := os.Symlink(to, link); err != nil {
			t.Fatal(err)
		}
		want := "refusing to back up to " + link + ": it is a symbolic link to " + to + ", which does not exist"
		for what, err := range map[string]error{"Backup": s.Backup(ctx, link), "CheckBackup": store.CheckBackup(s.Path(), link)} {
			if portfolio.ErrorCode(err) != portfolio.EINVALID || err.Error() != want {
				t.Errorf("%s to %s: %v (%s), want %q, invalid", what, name, err, portfolio.ErrorCode(err), want)
			}
		}
	}
	if got := listing(t, dir); !slices.Equal(got, []string{"here.db", "nowhere.db", "there.db"}) {
		t.Errorf("directory holds %q", got)
	}
	if got := listing(t, elsewhere); len(got) != 0 {
		t.Errorf("the links' directory holds %q", got)
	}
}

// A backup target that exists is refused, even an empty file; so is no
// name at all.
func TestBackupRefusesExistingAndEmptyTargets(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := s.Backup(ctx, empty)
	if portfolio.ErrorCode(err) != portfolio.ECONFLICT || err.Error() != empty+" already exists; refusing to overwrite it" {
		t.Errorf("backup to an empty file: %v (%s), want a conflict", err, portfolio.ErrorCode(err))
	}
	if st, err := os.Stat(empty); err != nil || st.Size() != 0 {
		t.Errorf("the empty file after the refusal: %v, %v", st, err)
	}
	err = s.Backup(ctx, "")
	if portfolio.ErrorCode(err) != portfolio.EINVALID || err.Error() != "no backup file given" {
		t.Errorf("backup to \"\": %v (%s), want no backup file given, invalid", err, portfolio.ErrorCode(err))
	}
	if got := listing(t, dir); !slices.Equal(got, []string{"empty.db"}) {
		t.Errorf("directory holds %q", got)
	}
}

// The copy is a database of its own, in rollback-journal mode like any
// new SQLite file: checking it did not switch it to WAL or leave a -wal,
// -shm or -journal file beside it.
func TestBackupIsAPlainDatabaseFile(t *testing.T) {
	s := storetest.Demo(t, nil)
	dir := t.TempDir()
	dst := filepath.Join(dir, "backup.db")
	if err := s.Backup(context.Background(), dst); err != nil {
		t.Fatal(err)
	}
	if got := listing(t, dir); !slices.Equal(got, []string{"backup.db"}) {
		t.Errorf("directory holds %q, want only backup.db", got)
	}
	header := make([]byte, 20)
	f, err := os.Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Read(header); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(header, []byte("SQLite format 3\x00")) {
		t.Fatalf("backup.db starts %q", header)
	}
	if header[18] != 1 || header[19] != 1 {
		t.Errorf("file format versions %d, %d, want 1, 1 (rollback journal); 2 is WAL", header[18], header[19])
	}
	src, _ := os.Stat(s.Path())
	if st, _ := f.Stat(); st.Mode().Perm() != src.Mode().Perm() {
		t.Errorf("backup.db mode %v, want the database's %v", st.Mode().Perm(), src.Mode().Perm())
	}
}

// A disk that fills up during the backup: the error says so, and nothing
// is left to block the next backup.
func TestBackupDiskFull(t *testing.T) {
	dir := safefiletest.FullDisk(t)
	s := storetest.Demo(t, nil)
	dst := filepath.Join(dir, "backup.db")
	err := s.Backup(context.Background(), dst)
	if err == nil {
		t.Fatal("backup to a full disk succeeded")
	}
	if want := "back up to " + dst + ": disk full"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %v, want it to start %q", err, want)
	}
	if debris := safefiletest.Debris(t, dir); len(debris) > 0 {
		t.Errorf("left behind %q", debris)
	}
}

// The copy is checked under its own name, whatever characters the
// directory's name holds: SQLite takes it as a URI.
func TestBackupIntoAnOddlyNamedDirectory(t *testing.T) {
	s := storetest.Demo(t, nil)
	dir := filepath.Join(t.TempDir(), "what? #1 %20 & more")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(context.Background(), filepath.Join(dir, "backup?.db")); err != nil {
		t.Fatal(err)
	}
	if got := listing(t, dir); !slices.Equal(got, []string{"backup?.db"}) {
		t.Errorf("directory holds %q, want only backup?.db", got)
	}
	if got := listing(t, filepath.Dir(dir)); !slices.Equal(got, []string{filepath.Base(dir)}) {
		t.Errorf("its parent holds %q, want only the directory", got)
	}
}
