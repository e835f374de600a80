package web

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"opsdeck/auth"
	"opsdeck/internal/safefile/safefiletest"
	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

// On a real file system with no room left: writes fail saying "disk full"
// (SQLite's SQLITE_FULL, or an I/O error at 0 bytes free), /healthz is
// 503 and a good link is 503 rather than bad; once there is room, writes
// work and /healthz is 200 again; and after reopening, every write that
// was acknowledged is there, none that failed is, and the database is
// intact.
func TestDiskFull(t *testing.T) {
	dir := safefiletest.Tmpfs(t, "4m")
	ctx := context.Background()
	path := filepath.Join(dir, "opsdeck.db")
	s, err := store.Open(ctx, path, store.Options{Clock: storetest.NewClock(storetest.Now)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	storetest.LoadDemo(t, s)
	secret := make([]byte, 32)
	rand.Read(secret)
	keys, _ := auth.NewKeyring(secret, nil)
	svc, err := auth.New(auth.Options{Store: s, Keys: keys, FailureFloor: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Store: s, Auth: svc, PollEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	events, err := s.Events(ctx, storetest.Now)
	if err != nil || len(events) == 0 {
		t.Fatalf("demo events: %v", err)
	}
	event := events[0]
	phase := event.Phases[0].ID
	people, _ := s.People(ctx)
	link, err := srv.MintLink(ctx, "test", auth.LinkRequest{EventID: event.ID, PersonID: people[0].ID, SingleUse: true})
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimPrefix(link.URL, srv.URL()+"/l/")
	if code, body := health(t, h); code != http.StatusOK {
		t.Fatalf("healthz before filling: %d %v", code, body)
	}

	// Leave room for a few writes, then write until the disk refuses,
	// and a little past it, alternating plain and grouped writes.
	filler := safefiletest.Fill(t, dir, 64<<10)
	acked, failed := map[string]bool{}, map[string]bool{}
	var errs []error
	for i := 0; i < 5000 && len(failed) < 20; i++ {
		title := fmt.Sprintf("written while full %d %s", i, strings.Repeat("x", 150))
		write := s.Update
		if i%2 == 1 {
			write = s.UpdateGrouped
		}
		err := write(ctx, "test", func(tx *store.Tx) error {
			_, err := tx.AddItem(ctx, phase, portfolio.ItemInput{Title: title})
			return err
		})
		if err == nil {
			acked[title] = true
			continue
		}
		failed[title] = true
		errs = append(errs, err)
	}
	if len(failed) == 0 || len(acked) == 0 {
		t.Fatalf("%d writes succeeded and %d failed filling the disk; want some of each", len(acked), len(failed))
	}
	kinds := map[string]int{}
	for _, err := range errs {
		msg := err.Error()
		if !errors.Is(err, store.ErrDiskFull) || !strings.HasPrefix(msg, "disk full: cannot write "+path+" (") ||
			portfolio.ErrorCode(err) != portfolio.EUNAVAILABLE {
			t.Errorf("a write to the full disk failed with %v, want a disk-full error", err)
		}
		code, _, _ := strings.Cut(strings.TrimPrefix(msg, "disk full: cannot write "+path+" ("), ")")
		kinds[code]++
		if strings.Contains(msg, "): commit: ") {
			kinds["in COMMIT"]++
		}
	}
	t.Logf("on the full disk: %d writes acknowledged, %d failed: %v", len(acked), len(failed), kinds)

	code, body := health(t, h)
	if code != http.StatusServiceUnavailable || body["writes"] != "failing" || !strings.HasPrefix(fmt.Sprint(body["write_error"]), "disk full: ") {
		t.Errorf("healthz on the full disk: %d %v", code, body)
	}
	if rec := post(h, "/l/"+token); rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("a good link on the full disk: %d, want 503 with Retry-After", rec.Code)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	title := "written after freeing space"
	if err := s.Update(ctx, "test", func(tx *store.Tx) error {
		_, err := tx.AddItem(ctx, phase, portfolio.ItemInput{Title: title})
		return err
	}); err != nil {
		t.Fatalf("a write once there is room: %v", err)
	}
	acked[title] = true
	if code, body := health(t, h); code != http.StatusOK || body["writes"] != "ok" {
		t.Errorf("healthz once a write succeeded: %d %v", code, body)
	}
	if rec := post(h, "/l/"+token); rec.Code != http.StatusSeeOther {
		t.Errorf("the link once there is room: %d, want it to work (it was never used)", rec.Code)
	}

	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	s, err = store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	ev, err := s.Event(ctx, event.ID)
	if err != nil {
		t.Fatal(err)
	}
	present := map[string]bool{}
	for _, p := range ev.Phases {
		for _, it := range p.Items {
			present[it.Title] = true
		}
	}
	for title := range acked {
		if !present[title] {
			t.Errorf("acknowledged write lost: %.40q", title)
		}
	}
	for title := range failed {
		if present[title] {
			t.Errorf("a write reported failed was written: %.40q", title)
		}
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check = %q (%v)", check, err)
	}
	db.Close()

	// Opening on a full disk: the last close removed the WAL index, and
	// SQLite cannot make a new one (SQLITE_IOERR_SHMSIZE, "disk I/O
	// error (4874)"); that too is a full disk.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	filler = safefiletest.Fill(t, dir, 0)
	s, err = store.Open(ctx, path, store.Options{})
	if err == nil {
		t.Fatal("opened the database on a full disk; want the disk-full error")
	}
	t.Logf("open on the full disk: %v", err)
	if !errors.Is(err, store.ErrDiskFull) || !strings.HasPrefix(err.Error(), "disk full: cannot write "+path+" (") {
		t.Errorf("open on the full disk: %v, want a disk-full error", err)
	}
	os.Remove(filler)
	if s, err = store.Open(ctx, path, store.Options{}); err != nil {
		t.Fatalf("open once there is room: %v", err)
	}
}
