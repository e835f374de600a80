package store_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
	"opsdeck/store/storetest"
)

func hashOf(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

func newLink(t *testing.T, s *store.Store, l store.CrewLink, token string) store.CrewLink {
	t.Helper()
	if err := s.Update(context.Background(), "test", func(tx *store.Tx) error { return tx.CreateCrewLink(context.Background(), &l, hashOf(token)) }); err != nil {
		t.Fatalf("create link: %v", err)
	}
	return l
}

func exchange(s *store.Store, link, refresh string) (store.CrewGrant, error) {
	var g store.CrewGrant
	err := s.Update(context.Background(), "test", func(tx *store.Tx) error {
		var err error
		g, err = tx.ExchangeCrewLink(context.Background(), hashOf(link), hashOf(refresh))
		return err
	})
	return g, err
}

func TestCrewLinkExchangeAndStates(t *testing.T) {
	s, ev, who := demoChecklist(t)
	ctx := context.Background()
	exp := storetest.Now.Add(48 * time.Hour)
	multi := newLink(t, s, store.CrewLink{PersonID: who["Sam"], EventID: ev.ID, Role: portfolio.AccessCrew, ExpiresAt: exp}, "multi")
	single := newLink(t, s, store.CrewLink{PersonID: who["Jess"], EventID: ev.ID, Role: portfolio.AccessCrew, ExpiresAt: exp, SingleUse: true}, "single")

	g, err := exchange(s, "multi", "r1")
	if err != nil || g.PersonID != who["Sam"] || g.EventID != ev.ID || g.Role != portfolio.AccessCrew || g.SessionID == 0 || g.PersonName != "Sam Okafor" {
		t.Fatalf("exchange: %+v %v", g, err)
	}
	if _, err := exchange(s, "multi", "r2"); err != nil {
		t.Errorf("second exchange of a multi-use link: %v", err)
	}
	if _, err := exchange(s, "single", "r3"); err != nil {
		t.Fatalf("single-use link: %v", err)
	}
	_, errUsed := exchange(s, "single", "r4")
	_, errUnknown := exchange(s, "nope", "r5")
	if err := s.Update(ctx, "test", func(tx *store.Tx) error { return tx.RevokeCrewLink(ctx, multi.ID) }); err != nil {
		t.Fatal(err)
	}
	_, errRevoked := exchange(s, "multi", "r6")
	for name, err := range map[string]error{"used": errUsed, "unknown": errUnknown, "revoked": errRevoked} {
		if portfolio.ErrorCode(err) != portfolio.EUNAUTHORIZED || err.Error() != errUnknown.Error() {
			t.Errorf("%s link: %v, want the one unauthorized answer", name, err)
		}
	}
	// Revoking the link ends the sessions opened with it.
	if ok, _ := s.CrewSessionActive(ctx, g.SessionID); ok {
		t.Error("session of a revoked link is still active")
	}
	links, _ := s.CrewLinks(ctx, ev.ID)
	states := map[int64]string{}
	for _, l := range links {
		states[l.ID] = l.State(storetest.Now)
	}
	if states[multi.ID] != store.LinkRevoked || states[single.ID] != store.LinkUsed {
		t.Errorf("states %v", states)
	}
	if (store.CrewLink{ExpiresAt: storetest.Now}).State(storetest.Now) != store.LinkExpired {
		t.Error("a link at its expiry is not expired")
	}
	if err := s.Update(ctx, "test", func(tx *store.Tx) error {
		return tx.CreateCrewLink(ctx, &store.CrewLink{PersonID: who["Sam"], EventID: ev.ID, Role: portfolio.AccessCrew, ExpiresAt: storetest.Now.Add(-time.Hour)}, hashOf("old"))
	}); portfolio.ErrorCode(err) != portfolio.EINVALID {
		t.Errorf("link expiring in the past: %v", err)
	}
}

func TestRefreshRotationAndReuse(t *testing.T) {
	clock := storetest.NewClock(storetest.Now)
	s := storetest.Demo(t, clock)
	ctx := context.Background()
	now := clock.Now()
	events, _ := s.Events(ctx, now)
	sam, _ := s.FindPerson(ctx, "sam")
	newLink(t, s, store.CrewLink{PersonID: sam.ID, EventID: events[0].ID, Role: portfolio.AccessCrew, ExpiresAt: now.Add(24 * time.Hour)}, "link")
	g, err := exchange(s, "link", "r1")
	if err != nil {
		t.Fatal(err)
	}
	leeway := 5 * time.Second
	g2, err := s.RotateCrewRefresh(ctx, "test", hashOf("r1"), hashOf("r2"), leeway)
	if err != nil || g2.SessionID != g.SessionID || g2.PersonID != sam.ID {
		t.Fatalf("rotate: %+v %v", g2, err)
	}
	// Within the leeway a rotated token is refused without harm...
	if _, err := s.RotateCrewRefresh(ctx, "test", hashOf("r1"), hashOf("x"), leeway); portfolio.ErrorCode(err) != portfolio.EUNAUTHORIZED || errors.Is(err, store.ErrTokenReused) {
		t.Fatalf("reuse within leeway: %v", err)
	}
	clock.Advance(time.Minute)
	now = clock.Now()
	g3, err := s.RotateCrewRefresh(ctx, "test", hashOf("r2"), hashOf("r3"), leeway)
	if err != nil || g3.SessionID != g.SessionID {
		t.Fatalf("rotate again: %v", err)
	}
	// ...after it, reuse revokes the whole family, the newest token too.
	clock.Advance(time.Minute)
	now = clock.Now()
	if _, err := s.RotateCrewRefresh(ctx, "test", hashOf("r1"), hashOf("r9"), leeway); !errors.Is(err, store.ErrTokenReused) || portfolio.ErrorCode(err) != portfolio.EUNAUTHORIZED {
		t.Fatalf("reuse: %v, want ErrTokenReused", err)
	}
	if _, err := s.RotateCrewRefresh(ctx, "test", hashOf("r3"), hashOf("r4"), leeway); portfolio.ErrorCode(err) != portfolio.EUNAUTHORIZED {
		t.Errorf("newest token after reuse: %v, want refused", err)
	}
	if ok, _ := s.CrewSessionActive(ctx, g.SessionID); ok {
		t.Error("family still active after reuse")
	}
	// Expiry of the link ends refreshing too.
	newLink(t, s, store.CrewLink{PersonID: sam.ID, EventID: events[0].ID, Role: portfolio.AccessCrew, ExpiresAt: now.Add(time.Hour)}, "short")
	if _, err := exchange(s, "short", "s1"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour)
	now = clock.Now()
	if _, err := s.RotateCrewRefresh(ctx, "test", hashOf("s1"), hashOf("s2"), leeway); portfolio.ErrorCode(err) != portfolio.EUNAUTHORIZED {
		t.Errorf("refresh after link expiry: %v", err)
	}
}

func TestFindPerson(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	for ref, want := range map[string]string{"sam": "Sam Okafor", "JESS.TRAN@example.com": "Jess Tran", "Morgan Reyes": "Morgan Reyes", "1": "Casey Brooks"} {
		if p, err := s.FindPerson(ctx, ref); err != nil || p.Name != want {
			t.Errorf("FindPerson(%q) = %v %v, want %s", ref, p.Name, err, want)
		}
	}
	if _, err := s.FindPerson(ctx, "nobody"); portfolio.ErrorCode(err) != portfolio.ENOTFOUND {
		t.Errorf("unknown person: %v", err)
	}
	if _, err := s.FindPerson(ctx, "a"); portfolio.ErrorCode(err) != portfolio.EINVALID {
		t.Errorf("ambiguous person: %v", err)
	}
}
