package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store/storetest"
)

// An event as loaded carries its key and its crew's emails, which name
// its crew records (EVENT/email): one event is all a crew form reads.
func TestEventCarriesItsKeyAndCrewEmails(t *testing.T) {
	s := storetest.Demo(t, nil)
	ctx := context.Background()
	recs, err := s.Records(ctx, portfolio.MustKind("event"))
	if err != nil {
		t.Fatal(err)
	}
	crewKind := portfolio.MustKind("crew")
	crew, err := s.Records(ctx, crewKind)
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.Events(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	listed := map[int64]portfolio.Event{}
	for _, e := range all {
		listed[e.ID] = e
	}
	checked := 0
	for _, r := range recs {
		want := r.(*portfolio.Event)
		for name, got := range map[string]func() (portfolio.Event, error){
			"Event":  func() (portfolio.Event, error) { return s.Event(ctx, want.ID) },
			"Events": func() (portfolio.Event, error) { return listed[want.ID], nil },
		} {
			e, err := got()
			if err != nil {
				t.Fatal(err)
			}
			if e.Key == "" || e.Key != want.Key {
				t.Errorf("%s(%d).Key = %q, want %q", name, want.ID, e.Key, want.Key)
			}
			var keys, wantKeys []string
			for _, c := range e.Crew {
				if c.PersonEmail == "" {
					t.Errorf("%s(%d): crew member %s has no email", name, want.ID, c.Name)
				}
				keys = append(keys, crewKind.Key(&portfolio.CrewMember{EventKey: e.Key, PersonEmail: c.PersonEmail}))
			}
			for _, r := range crew {
				if c := r.(*portfolio.CrewMember); c.EventID == want.ID {
					wantKeys = append(wantKeys, crewKind.Key(c))
				}
			}
			if !sameSet(keys, wantKeys) {
				t.Errorf("%s(%d): crew keys %v, want %v", name, want.ID, keys, wantKeys)
			}
			checked += len(keys)
		}
	}
	if checked == 0 {
		t.Fatal("the demo has no crew to check")
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[strings.ToLower(x)]++
	}
	for _, x := range b {
		if seen[strings.ToLower(x)] == 0 {
			return false
		}
		seen[strings.ToLower(x)]--
	}
	return true
}
