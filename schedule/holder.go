package schedule

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"opsdeck/store"
)

// Holder names this process for a lease: what it is, its pid and its host,
// so a lease left by a process that crashed on this machine can be
// recognised and taken over at once instead of after it expires. On Linux
// it also carries the process's pid namespace and start time
// ("serve:4242@web1 pidns=4026531836 start=881234"): a standby that shares
// the host name but not the pid namespace (another container) never judges
// the holder by a pid it cannot see, and a pid the kernel has since given
// to another process is not mistaken for the holder still running.
func Holder(kind string) string {
	host, _ := os.Hostname()
	h := fmt.Sprintf("%s:%d@%s", kind, os.Getpid(), host)
	if ns, start := self(); ns != "" && start != "" {
		h += " pidns=" + ns + " start=" + start
	}
	return h
}

// holderID is a Holder string taken apart.
type holderID struct {
	pid       int
	host      string
	ns, start string // empty when the holder did not say (another OS, an older opsdeck)
}

func parseHolder(holder string) (holderID, bool) {
	fields := strings.Fields(holder)
	if len(fields) == 0 {
		return holderID{}, false
	}
	who, host, ok := strings.Cut(fields[0], "@")
	if !ok {
		return holderID{}, false
	}
	_, pidText, ok := strings.Cut(who, ":")
	pid, err := strconv.Atoi(pidText)
	if !ok || err != nil || pid <= 0 {
		return holderID{}, false
	}
	id := holderID{pid: pid, host: host}
	for _, f := range fields[1:] {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "pidns":
			id.ns = v
		case "start":
			id.start = v
		}
	}
	return id, true
}

// self is this process's pid namespace and start time, or empty strings
// where /proc does not say.
var self = sync.OnceValues(func() (ns, start string) {
	if link, err := os.Readlink("/proc/self/ns/pid"); err == nil {
		// "pid:[4026531836]"
		ns = strings.TrimSuffix(strings.TrimPrefix(link, "pid:["), "]")
	}
	if st, err := procStat(os.Getpid()); err == nil {
		start = st.start
	}
	return ns, start
})

// local reports whether id names a process this one can see: the same
// host, and the same pid namespace when both say which.
func local(id holderID) bool {
	host, _ := os.Hostname()
	if id.host != host {
		return false
	}
	ns, _ := self()
	return id.ns == "" || id.ns == ns
}

type stat struct {
	state byte   // R, S, D, Z (dead, not yet reaped), X (dead) ...
	start string // clock ticks after boot
}

// procStat reads /proc/PID/stat (Linux).
func procStat(pid int) (stat, error) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return stat{}, err
	}
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses,
	// so the fields are counted from the last ')'.
	i := strings.LastIndexByte(string(raw), ')')
	if i < 0 {
		return stat{}, errors.New("unexpected /proc stat format")
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 20 || len(f[0]) != 1 {
		return stat{}, errors.New("unexpected /proc stat format")
	}
	return stat{state: f[0][0], start: f[19]}, nil
}

// gone reports whether holder names a process on this host that no longer
// runs: no process has its pid, the process with its pid is dead and not
// yet reaped, or it started at another time than the holder did (the pid
// was reused). When in doubt it says false, and the lease is left to
// expire.
func gone(holder string) bool {
	id, ok := parseHolder(holder)
	if !ok || !local(id) {
		return false
	}
	if id.pid == os.Getpid() {
		// Our pid: an earlier process of ours only if it started at
		// another time.
		_, start := self()
		return id.start != "" && start != "" && id.start != start
	}
	st, err := procStat(id.pid)
	if err == nil {
		return st.state == 'Z' || st.state == 'X' || (id.start != "" && st.start != id.start)
	}
	// No /proc to read (or the pid has no entry): ask the kernel.
	return errors.Is(syscall.Kill(id.pid, 0), syscall.ESRCH)
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
