package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeyFile is the signing key file's name in the data directory.
const KeyFile = "jwt-signing.key"

// MinKeyBytes is the shortest signing key accepted: HS256 wants at least
// as many bits of key as of hash.
const MinKeyBytes = 32

// Key is one HMAC signing key and its id, which travels in the JWT header
// ("kid") so a verifier knows which key to try.
type Key struct {
	ID     string
	Secret []byte
}

// newKey derives the id from the secret, so the same secret always has
// the same id whether it came from the file or the environment.
func newKey(secret []byte) Key {
	sum := sha256.Sum256(secret)
	return Key{ID: base64.RawURLEncoding.EncodeToString(sum[:6]), Secret: secret}
}

// Keyring holds the key new tokens are signed with and, during a
// rotation, the previous key, whose tokens are still accepted until they
// expire.
type Keyring struct {
	Current  Key
	Previous *Key
}

// NewKeyring builds a keyring from raw secrets; previous may be nil.
func NewKeyring(current, previous []byte) (*Keyring, error) {
	if len(current) < MinKeyBytes {
		return nil, fmt.Errorf("signing key is %d bytes; it must be at least %d", len(current), MinKeyBytes)
	}
	k := &Keyring{Current: newKey(current)}
	if previous != nil {
		if len(previous) < MinKeyBytes {
			return nil, fmt.Errorf("previous signing key is %d bytes; it must be at least %d", len(previous), MinKeyBytes)
		}
		p := newKey(previous)
		k.Previous = &p
	}
	return k, nil
}

// lookup returns the key with id kid, current or previous.
func (k *Keyring) lookup(kid string) ([]byte, bool) {
	switch {
	case kid == k.Current.ID:
		return k.Current.Secret, true
	case k.Previous != nil && kid == k.Previous.ID:
		return k.Previous.Secret, true
	}
	return nil, false
}

// LoadKeyring returns the signing keys: from secret (OPSDECK_JWT_SECRET)
// and previous (OPSDECK_JWT_PREVIOUS_SECRET) when secret is set, otherwise
// from the key file in dataDir, which is created with a new random key
// and mode 0600 on first use. A key file others can read is refused.
func LoadKeyring(dataDir, secret, previous string) (*Keyring, error) {
	if secret != "" {
		var prev []byte
		if previous != "" {
			prev = []byte(previous)
		}
		return NewKeyring([]byte(secret), prev)
	}
	path := filepath.Join(dataDir, KeyFile)
	keys, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		fresh := make([]byte, MinKeyBytes)
		if _, err := rand.Read(fresh); err != nil {
			return nil, fmt.Errorf("make signing key: %w", err)
		}
		if err := writeKeyFile(path, [][]byte{fresh}, false); err != nil {
			if errors.Is(err, fs.ErrExist) { // another process made it first
				return LoadKeyring(dataDir, "", "")
			}
			return nil, err
		}
		return NewKeyring(fresh, nil)
	}
	if err != nil {
		return nil, err
	}
	var prev []byte
	if len(keys) > 1 {
		prev = keys[1]
	}
	ring, err := NewKeyring(keys[0], prev)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ring, nil
}

// RotateKeyFile makes a new current key in dataDir's key file and keeps
// the old current one as previous, so tokens already issued stay valid
// until they expire. It returns the new keyring.
func RotateKeyFile(dataDir string) (*Keyring, error) {
	path := filepath.Join(dataDir, KeyFile)
	keys, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	fresh := make([]byte, MinKeyBytes)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("make signing key: %w", err)
	}
	if err := writeKeyFile(path, [][]byte{fresh, keys[0]}, true); err != nil {
		return nil, err
	}
	return NewKeyring(fresh, keys[0])
}

// readKeyFile reads one base64url key a line, current first.
func readKeyFile(path string) ([][]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("signing key file %s has mode %v; it must be readable by its owner only (chmod 600)", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	var keys [][]byte
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := base64.RawURLEncoding.DecodeString(line)
		if err != nil {
			return nil, fmt.Errorf("signing key file %s: a line is not base64url", path)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("signing key file %s holds no key", path)
	}
	return keys, nil
}

// writeKeyFile writes keys with mode 0600, through a temporary file so a
// crash never leaves a half-written key file.
func writeKeyFile(path string, keys [][]byte, replace bool) error {
	var b strings.Builder
	b.WriteString("# opsdeck JWT signing keys: current first, then previous. Keep secret.\n")
	for _, k := range keys {
		b.WriteString(base64.RawURLEncoding.EncodeToString(k) + "\n")
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".jwt-key-*")
	if err != nil {
		return fmt.Errorf("write signing key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write signing key: %w", err)
	}
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		return fmt.Errorf("write signing key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write signing key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write signing key: %w", err)
	}
	if replace {
		return os.Rename(tmp.Name(), path)
	}
	// Link fails if the file exists, so two first runs cannot both win.
	if err := os.Link(tmp.Name(), path); err != nil {
		return fmt.Errorf("write signing key: %w", err)
	}
	return nil
}
