package mail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// FileTransport writes each message as an RFC 5322 .eml file into a
// directory: the default when no provider is configured, so a new user
// sees exactly what would be sent and nothing is silently dropped.
type FileTransport struct {
	Dir string
}

// Name describes the transport.
func (f *FileTransport) Name() string { return "file (" + f.Dir + ")" }

// Unlimited says files are written as fast as they come: there is no
// provider rate to keep to.
func (f *FileTransport) Unlimited() bool { return true }

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Send writes the message, Bcc header included (it is the sender's copy),
// atomically, and returns the file's path.
func (f *FileTransport) Send(ctx context.Context, m *Message) (string, error) {
	if err := os.MkdirAll(f.Dir, 0o700); err != nil {
		return "", permanent("FileError", fmt.Errorf("create outbox directory: %w", err))
	}
	raw, err := m.Bytes(true)
	if err != nil {
		return "", permanent("FormatError", err)
	}
	role := strings.ToLower(m.Headers["X-Opsdeck-Report"])
	if role == "" {
		role = "message"
	}
	id := unsafeName.ReplaceAllString(strings.Trim(m.ID, "<>"), "_")
	name := fmt.Sprintf("%s-%s-%s.eml", m.Date.UTC().Format("20060102T150405Z"), role, id)
	path := filepath.Join(f.Dir, name)
	tmp, err := os.CreateTemp(f.Dir, ".tmp-*")
	if err != nil {
		return "", transient("FileError", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return "", transient("FileError", err)
	}
	if err := tmp.Close(); err != nil {
		return "", transient("FileError", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", transient("FileError", err)
	}
	return path, nil
}
