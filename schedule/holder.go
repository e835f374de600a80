package schedule

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"opsdeck/store"
)

// Holder names this process for a lease: what it is, its pid and its host,
// so a lease left by a process that crashed on this machine can be
// recognised and taken over at once instead of after it expires.
func Holder(kind string) string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s:%d@%s", kind, os.Getpid(), host)
}

// gone reports whether holder names a process on this host that no longer
// runs.
func gone(holder string) bool {
	host, _ := os.Hostname()
	who, at, ok := strings.Cut(holder, "@")
	if !ok || at != host {
		return false
	}
	_, pidText, ok := strings.Cut(who, ":")
	pid, err := strconv.Atoi(pidText)
	if !ok || err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	err = syscall.Kill(pid, 0)
	return errors.Is(err, syscall.ESRCH)
}

// acquire takes the lease, or takes it over from a crashed holder on this
// machine.
func acquire(ctx context.Context, s *store.Store, name, holder string, ttl time.Duration) (bool, error) {
	ok, err := s.AcquireLease(ctx, name, holder, ttl)
	if err != nil || ok {
		return ok, err
	}
	l, live, err := s.LeaseHolder(ctx, name)
	if err != nil || !live || !gone(l.Holder) {
		return false, err
	}
	return s.TakeOverLease(ctx, name, l.Holder, holder, ttl)
}
