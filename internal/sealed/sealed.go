// Package sealed is the field cipher for personal data at rest (个人信息加密
// 存储): ID numbers (身份证号), phone numbers, addresses and the content of
// accusations are sealed before they reach the database, masked (脱敏) on
// every list and page, and opened only for the people who handle the case,
// each opening recorded in the audit trail by the caller.
//
// A sealed value is an envelope, "v1:<key id>:<base64url(nonce|ciphertext)>",
// that names the key it was sealed under. A Keyring holds several keys and
// one current key: new values are sealed under the current key, and a value
// sealed under an older key still opens as long as that key is in the ring.
// Rotation is therefore: add a new current key (RotateKeyFile), restart,
// re-seal what is stored (Reseal), and only then drop the old key.
//
// The algorithm of a key is data: AES-256-GCM is built in, and SM4-GCM (国密)
// can be added with RegisterAlgorithm (e.g. from github.com/emmansun/gmsm)
// without touching the envelope or any caller.
//
// Each value is sealed with a context (its table and column, e.g.
// "disputes.party_phone") as additional authenticated data, so that a
// ciphertext copied into another column does not open there.
//
// Equality search without decrypting uses a blind index (Index): an HMAC of
// the normalised value under an index key of its own, stable across
// rotations of the encryption keys.
package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Cipher seals and opens field values. Implementations put the id of the
// key in the envelope, so that rotation never strands a stored value.
type Cipher interface {
	// Seal encrypts plaintext under the current key, bound to context.
	Seal(plaintext []byte, context string) (string, error)
	// Open decrypts an envelope made by Seal with the same context, under
	// whichever key of the ring it names.
	Open(envelope, context string) ([]byte, error)
	// Current is the id of the key new values are sealed under.
	Current() string
}

// Errors of Open.
var (
	ErrMalformed  = errors.New("sealed: not a sealed value")
	ErrUnknownKey = errors.New("sealed: the value was sealed under a key this server does not have")
	ErrTampered   = errors.New("sealed: the value does not authenticate (changed, moved to another field, or the wrong key)")
)

// Version is the envelope prefix.
const Version = "v1"

// AES256GCM is the built-in algorithm: AES with a 32-byte key in GCM mode
// (12-byte random nonce, 16-byte tag).
const AES256GCM = "aes-256-gcm"

// Algorithm is an AEAD construction a key may use.
type Algorithm struct {
	Name    string
	KeySize int
	New     func(key []byte) (cipher.AEAD, error)
}

var (
	algMu      sync.RWMutex
	algorithms = map[string]Algorithm{
		AES256GCM: {Name: AES256GCM, KeySize: 32, New: func(key []byte) (cipher.AEAD, error) {
			b, err := aes.NewCipher(key)
			if err != nil {
				return nil, err
			}
			return cipher.NewGCM(b)
		}},
	}
)

// RegisterAlgorithm makes an algorithm available to key files and
// environment keys, e.g. SM4-GCM:
//
//	sealed.RegisterAlgorithm(sealed.Algorithm{Name: "sm4-gcm", KeySize: 16,
//		New: func(k []byte) (cipher.AEAD, error) { b, err := sm4.NewCipher(k); if err != nil { return nil, err }; return cipher.NewGCM(b) }})
func RegisterAlgorithm(a Algorithm) {
	algMu.Lock()
	defer algMu.Unlock()
	algorithms[a.Name] = a
}

func algorithm(name string) (Algorithm, bool) {
	algMu.RLock()
	defer algMu.RUnlock()
	a, ok := algorithms[name]
	return a, ok
}

// Algorithms lists the registered algorithm names.
func Algorithms() []string {
	algMu.RLock()
	defer algMu.RUnlock()
	var out []string
	for n := range algorithms {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// KeySpec is one key as configured: its id, algorithm and secret.
type KeySpec struct {
	ID     string
	Alg    string
	Secret []byte
}

var keyIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)

// ValidKeyID reports whether id may name a key (it goes into every envelope).
func ValidKeyID(id string) bool { return keyIDRE.MatchString(id) }

type key struct {
	id   string
	alg  string
	aead cipher.AEAD
}

// Keyring is a set of keys with one current key and a blind-index key. It
// implements Cipher and is safe for concurrent use.
type Keyring struct {
	keys     map[string]*key
	order    []string // ids as configured, current first
	current  *key
	indexKey []byte
	// Source says where the keys came from (for logs; never the keys).
	Source string
}

// NewKeyring builds a ring from specs; current names the key to seal
// under ("" = the first spec). indexKey keys the blind index; when it is
// empty, one is derived from the secret of the last spec (the oldest key,
// by convention), so keep that key listed or give the index key explicitly.
func NewKeyring(specs []KeySpec, current string, indexKey []byte) (*Keyring, error) {
	if len(specs) == 0 {
		return nil, errors.New("sealed: no keys")
	}
	kr := &Keyring{keys: map[string]*key{}}
	for _, s := range specs {
		if !ValidKeyID(s.ID) {
			return nil, fmt.Errorf("sealed: key id %q: use 1–40 letters, digits, - or _", s.ID)
		}
		if _, dup := kr.keys[s.ID]; dup {
			return nil, fmt.Errorf("sealed: key id %q appears twice", s.ID)
		}
		alg := s.Alg
		if alg == "" {
			alg = AES256GCM
		}
		a, ok := algorithm(alg)
		if !ok {
			return nil, fmt.Errorf("sealed: key %s: unknown algorithm %q (known: %s)", s.ID, alg, strings.Join(Algorithms(), ", "))
		}
		if len(s.Secret) != a.KeySize {
			return nil, fmt.Errorf("sealed: key %s: %s needs a %d-byte key, got %d bytes", s.ID, alg, a.KeySize, len(s.Secret))
		}
		aead, err := a.New(s.Secret)
		if err != nil {
			return nil, fmt.Errorf("sealed: key %s: %w", s.ID, err)
		}
		kr.keys[s.ID] = &key{id: s.ID, alg: alg, aead: aead}
		kr.order = append(kr.order, s.ID)
	}
	if current == "" {
		current = specs[0].ID
	}
	cur, ok := kr.keys[current]
	if !ok {
		return nil, fmt.Errorf("sealed: the current key %q is not among the keys", current)
	}
	kr.current = cur
	// Current first in order.
	for i, id := range kr.order {
		if id == current {
			kr.order = append([]string{id}, append(kr.order[:i:i], kr.order[i+1:]...)...)
			break
		}
	}
	if len(indexKey) == 0 {
		m := hmac.New(sha256.New, specs[len(specs)-1].Secret)
		m.Write([]byte("anwen/sealed/blind-index/v1"))
		indexKey = m.Sum(nil)
	}
	if len(indexKey) < 16 {
		return nil, errors.New("sealed: the index key must have at least 16 bytes")
	}
	kr.indexKey = append([]byte(nil), indexKey...)
	return kr, nil
}

// Current is the id of the key new values are sealed under.
func (kr *Keyring) Current() string { return kr.current.id }

// KeyIDs lists the ids of the ring, current first.
func (kr *Keyring) KeyIDs() []string { return append([]string(nil), kr.order...) }

// Has reports whether the ring holds key id.
func (kr *Keyring) Has(id string) bool { _, ok := kr.keys[id]; return ok }

// Seal encrypts plaintext under the current key, bound to context.
func (kr *Keyring) Seal(plaintext []byte, context string) (string, error) {
	k := kr.current
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return "", fmt.Errorf("sealed: nonce: %w", err)
	}
	out := k.aead.Seal(nonce, nonce, plaintext, aad(k.id, context))
	return Version + ":" + k.id + ":" + base64.RawURLEncoding.EncodeToString(out), nil
}

// aad binds a ciphertext to its key id and its context.
func aad(keyID, context string) []byte { return []byte(Version + "\x00" + keyID + "\x00" + context) }

// KeyOf returns the key id an envelope names.
func KeyOf(envelope string) (string, error) {
	ver, rest, ok := strings.Cut(envelope, ":")
	if !ok || ver != Version {
		return "", ErrMalformed
	}
	id, _, ok := strings.Cut(rest, ":")
	if !ok || !ValidKeyID(id) {
		return "", ErrMalformed
	}
	return id, nil
}

// IsSealed reports whether s looks like an envelope.
func IsSealed(s string) bool {
	_, err := KeyOf(s)
	return err == nil
}

// Open decrypts an envelope made by Seal with the same context.
func (kr *Keyring) Open(envelope, context string) ([]byte, error) {
	id, err := KeyOf(envelope)
	if err != nil {
		return nil, err
	}
	k, ok := kr.keys[id]
	if !ok {
		return nil, fmt.Errorf("%w (key %s)", ErrUnknownKey, id)
	}
	raw, err := base64.RawURLEncoding.DecodeString(envelope[len(Version)+1+len(id)+1:])
	if err != nil {
		return nil, ErrMalformed
	}
	ns := k.aead.NonceSize()
	if len(raw) < ns+k.aead.Overhead() {
		return nil, ErrMalformed
	}
	plain, err := k.aead.Open(nil, raw[:ns], raw[ns:], aad(id, context))
	if err != nil {
		return nil, ErrTampered
	}
	return plain, nil
}

// SealString seals s; the empty string stays empty (nothing to protect,
// and "not given" stays recognisable).
func (kr *Keyring) SealString(s, context string) (string, error) {
	if s == "" {
		return "", nil
	}
	return kr.Seal([]byte(s), context)
}

// OpenString opens an envelope made by SealString ("" opens to "").
func (kr *Keyring) OpenString(envelope, context string) (string, error) {
	if envelope == "" {
		return "", nil
	}
	b, err := kr.Open(envelope, context)
	return string(b), err
}

// Reseal re-seals an envelope under the current key; changed is false
// (and the envelope returned as is) when it already is under it.
func (kr *Keyring) Reseal(envelope, context string) (out string, changed bool, err error) {
	if envelope == "" {
		return "", false, nil
	}
	id, err := KeyOf(envelope)
	if err != nil {
		return "", false, err
	}
	if id == kr.current.id {
		return envelope, false, nil
	}
	plain, err := kr.Open(envelope, context)
	if err != nil {
		return "", false, err
	}
	out, err = kr.Seal(plain, context)
	return out, err == nil, err
}

// Index is the blind index of a value: a keyed hash (HMAC-SHA-256, 128 bits
// in hex) of kind and the value as given, for equality search without
// decrypting. Normalise the value first (NormalizePhone, NormalizeIDNumber)
// so that the same number written two ways finds the same rows. The empty
// value has the empty index.
func (kr *Keyring) Index(kind, value string) string {
	if value == "" {
		return ""
	}
	m := hmac.New(sha256.New, kr.indexKey)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

var _ Cipher = (*Keyring)(nil)
