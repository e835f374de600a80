package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// ErrInvalid is the one error for every token that is not accepted:
// malformed, tampered, expired, revoked, reused, of the wrong kind, for
// the wrong audience. Callers cannot tell the reasons apart, and neither
// can the person holding the token.
var ErrInvalid = errors.New("invalid or expired token")

// Token kinds: the prefix of an opaque token, and the JWT "typ" header an
// access token is minted with (RFC 9068's media type for access tokens;
// acceptedType says which others verify).
const (
	linkPrefix    = "odl_"
	refreshPrefix = "odr_"
	accessType    = "at+jwt"
	tokenBytes    = 32 // 256 random bits
	maxTokenLen   = 4096
)

// Claims are what an access token says about its holder.
type Claims struct {
	jwt.RegisteredClaims
	Name    string               `json:"name"`
	Role    portfolio.AccessRole `json:"role"`
	Event   int64                `json:"event"`
	Session int64                `json:"sid"`
}

// PersonID is the subject as a person id.
func (c Claims) PersonID() int64 {
	id, _ := strconv.ParseInt(c.Subject, 10, 64)
	return id
}

// CanOpen reports whether the token admits its holder to event id.
func (c Claims) CanOpen(eventID int64) bool { return CanOpen(c.Role, c.Event, eventID) }

// newOpaque returns a fresh opaque token of a kind: its prefix and 256
// random bits in base64url.
func newOpaque(prefix string) (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make token: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// opaqueHash checks that token is well-formed for its kind and returns
// the SHA-256 hash the store keeps instead of the token.
func opaqueHash(prefix, token string) ([]byte, bool) {
	body, ok := strings.CutPrefix(token, prefix)
	if !ok || len(body) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return nil, false
	}
	if _, err := base64.RawURLEncoding.DecodeString(body); err != nil {
		return nil, false
	}
	sum := sha256.Sum256([]byte(token))
	return sum[:], true
}

// HashLink returns the stored hash of a link token, and whether the token
// is well-formed at all.
func HashLink(token string) ([]byte, bool) { return opaqueHash(linkPrefix, token) }

// signer mints and checks access tokens.
type signer struct {
	keys     *Keyring
	now      func() time.Time
	issuer   string
	audience string
	ttl      time.Duration
	parser   *jwt.Parser
}

func newSigner(keys *Keyring, now func() time.Time, issuer, audience string, ttl time.Duration) *signer {
	s := &signer{keys: keys, now: now, issuer: issuer, audience: audience, ttl: ttl}
	s.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), // never "none", never RS256-with-an-HMAC-key
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(issuer),
		jwt.WithAudience(audience),
		jwt.WithTimeFunc(now),
		jwt.WithStrictDecoding(),
	)
	return s
}

// mint signs an access token for a grant.
func (s *signer) mint(g store.CrewGrant) (string, Claims, error) {
	jti, err := newOpaque("")
	if err != nil {
		return "", Claims{}, err
	}
	now := s.now().Truncate(time.Second)
	exp := now.Add(s.ttl)
	// An access token never outlives the link it came from.
	if g.ExpiresAt.Before(exp) {
		exp = g.ExpiresAt
	}
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.issuer,
			Subject:   strconv.FormatInt(g.PersonID, 10),
			Audience:  jwt.ClaimStrings{s.audience},
			ExpiresAt: jwt.NewNumericDate(exp),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        jti[:22],
		},
		Name: g.PersonName, Role: g.Role, Event: g.EventID, Session: g.SessionID,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	t.Header["kid"] = s.keys.Current.ID
	t.Header["typ"] = accessType
	signed, err := t.SignedString(s.keys.Current.Secret)
	if err != nil {
		return "", Claims{}, fmt.Errorf("sign access token: %w", err)
	}
	return signed, c, nil
}

// verify checks an access token by the access-token rules only: HS256,
// an accepted typ, no critical header extension, a known kid, our issuer
// and audience, unexpired, with every claim we rely on present and every
// date a number.
func (s *signer) verify(token string) (Claims, error) {
	if len(token) > maxTokenLen || strings.Count(token, ".") != 2 {
		return Claims{}, ErrInvalid
	}
	header, payload, _ := strings.Cut(token, ".")
	payload, _, _ = strings.Cut(payload, ".")
	if !strictObject(header, nil) || !strictObject(payload, claimNames) {
		return Claims{}, ErrInvalid
	}
	var c Claims
	_, err := s.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if typ, _ := t.Header["typ"].(string); !acceptedType(typ) {
			return nil, ErrInvalid
		}
		// We implement no JWS extension, so a token that says one must
		// be understood cannot be (RFC 7515 §4.1.11).
		if _, ok := t.Header["crit"]; ok {
			return nil, ErrInvalid
		}
		kid, _ := t.Header["kid"].(string)
		key, ok := s.keys.lookup(kid)
		if !ok {
			return nil, ErrInvalid
		}
		return key, nil
	})
	if err != nil || c.PersonID() <= 0 || !c.Role.Valid() || c.Event <= 0 || c.Session <= 0 || c.ID == "" {
		return Claims{}, ErrInvalid
	}
	return c, nil
}

// acceptedType reports whether typ, a JWT "typ" header, names a token
// verify accepts: the access-token type RFC 9068 §4 gives ("at+jwt", or
// in full "application/at+jwt") or plain "JWT". Media types compare
// case-insensitively, and "application/" may be left out (RFC 7515
// §4.1.9).
func acceptedType(typ string) bool {
	t := strings.ToLower(typ)
	t = strings.TrimPrefix(t, "application/")
	return t == "at+jwt" || t == "jwt"
}

// claimNames are the claims an access token carries, by their exact
// names. Each may appear once; a name that differs from one of them only
// in case is refused, since encoding/json would read it as that claim.
// The dates among them must be JSON numbers (RFC 7519 §2, NumericDate):
// jwt/v5 would otherwise take "exp": "1700000000", a string.
var claimNames = map[string]claimKind{
	"iss": claimOther, "sub": claimOther, "aud": claimOther, "jti": claimOther,
	"exp": claimDate, "nbf": claimDate, "iat": claimDate,
	"name": claimOther, "role": claimOther, "event": claimOther, "sid": claimOther,
}

type claimKind int

const (
	claimOther claimKind = iota + 1
	claimDate
)

// maxNumericDate is the latest date a token may name, the last second of
// the year 9999: later ones overflow time.Time's arithmetic.
const maxNumericDate = 253402300799

// strictObject reports whether seg, a token's base64url header or
// payload, is one JSON object of valid UTF-8 and nothing after it, with
// no member name twice. With names, a member whose name matches one of
// names only when case is ignored is refused, and the dates among names
// must be non-negative numbers no later than maxNumericDate.
func strictObject(seg string, names map[string]claimKind) bool {
	b, err := base64.RawURLEncoding.Strict().DecodeString(seg)
	if err != nil || !utf8.Valid(b) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		key, ok := tok.(string)
		if err != nil || !ok || seen[strings.ToLower(key)] {
			return false
		}
		seen[strings.ToLower(key)] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return false
		}
		if names == nil {
			continue
		}
		kind := names[key]
		if kind == 0 {
			for name := range names {
				if strings.EqualFold(name, key) {
					return false
				}
			}
			continue
		}
		if kind == claimDate && !numericDate(v) {
			return false
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return false
	}
	_, err = dec.Token()
	return err == io.EOF
}

// numericDate reports whether v is a JSON number that is a usable date:
// not a string, null or boolean, not negative, not past maxNumericDate.
func numericDate(v json.RawMessage) bool {
	if len(v) == 0 || v[0] < '0' || v[0] > '9' {
		return false
	}
	f, err := strconv.ParseFloat(string(v), 64)
	return err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) && f <= maxNumericDate
}
