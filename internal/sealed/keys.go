package sealed

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// KeyFile is the JSON form of a key file:
//
//	{"current": "k20261127-3f9a",
//	 "keys": [{"id": "k20261127-3f9a", "alg": "aes-256-gcm", "key": "<base64, 32 bytes>"},
//	          {"id": "k20250301-77c1", "alg": "aes-256-gcm", "key": "…"}],
//	 "index_key": "<base64, 32 bytes>"}
//
// Keys are tried by the id in each envelope; "current" seals new values.
// The index key keys the blind index and never changes with a rotation.
type KeyFile struct {
	Current  string         `json:"current"`
	Keys     []KeyFileEntry `json:"keys"`
	IndexKey string         `json:"index_key"`
}

// KeyFileEntry is one key of a key file.
type KeyFileEntry struct {
	ID      string `json:"id"`
	Alg     string `json:"alg"`
	Key     string `json:"key"`
	Created string `json:"created,omitempty"`
}

func decodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// Keyring builds the ring a key file describes.
func (f *KeyFile) Keyring() (*Keyring, error) {
	var specs []KeySpec
	for _, e := range f.Keys {
		b, err := decodeKey(e.Key)
		if err != nil {
			return nil, fmt.Errorf("sealed: key %s: the key is %w", e.ID, err)
		}
		specs = append(specs, KeySpec{ID: e.ID, Alg: e.Alg, Secret: b})
	}
	var idx []byte
	if f.IndexKey != "" {
		var err error
		if idx, err = decodeKey(f.IndexKey); err != nil {
			return nil, fmt.Errorf("sealed: the index key is %w", err)
		}
	}
	return NewKeyring(specs, f.Current, idx)
}

// ReadKeyFile reads and parses a key file.
func ReadKeyFile(path string) (*KeyFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sealed: read key file: %w", err)
	}
	var f KeyFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("sealed: key file %s is not valid JSON: %w", path, err)
	}
	return &f, nil
}

// LoadKeyFile reads a key file and builds its ring.
func LoadKeyFile(path string) (*Keyring, error) {
	f, err := ReadKeyFile(path)
	if err != nil {
		return nil, err
	}
	kr, err := f.Keyring()
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	kr.Source = "file " + path
	return kr, nil
}

// CheckFileMode returns an error when a key file can be read by others
// than its owner (on systems with Unix permissions).
func CheckFileMode(path string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("sealed: key file %s has mode %v: make it 0600 (only its owner may read it)", path, st.Mode().Perm())
	}
	return nil
}

// ParseKeyEnv reads keys from an environment variable's value: one
// base64 key ("<32 bytes in base64>", its id derived from a hash of it), or
// a comma-separated list "id:base64[,id:base64…]" or "id:alg:base64", the
// first one current. indexKey (base64, optional) keys the blind index.
func ParseKeyEnv(value, indexKey string) (*Keyring, error) {
	var specs []KeySpec
	for _, part := range strings.Split(value, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		fields := strings.Split(part, ":")
		var s KeySpec
		var enc string
		switch len(fields) {
		case 1:
			enc = fields[0]
		case 2:
			s.ID, enc = fields[0], fields[1]
		case 3:
			s.ID, s.Alg, enc = fields[0], fields[1], fields[2]
		default:
			return nil, errors.New("sealed: a key is written base64, id:base64 or id:alg:base64")
		}
		b, err := decodeKey(enc)
		if err != nil {
			return nil, fmt.Errorf("sealed: key %q is %w", s.ID, err)
		}
		s.Secret = b
		if s.ID == "" {
			sum := sha256.Sum256(b)
			s.ID = "e" + hex.EncodeToString(sum[:4])
		}
		specs = append(specs, s)
	}
	if len(specs) == 0 {
		return nil, errors.New("sealed: no key given")
	}
	var idx []byte
	if strings.TrimSpace(indexKey) != "" {
		var err error
		if idx, err = decodeKey(indexKey); err != nil {
			return nil, fmt.Errorf("sealed: the index key is %w", err)
		}
	}
	kr, err := NewKeyring(specs, "", idx)
	if err != nil {
		return nil, err
	}
	kr.Source = "environment"
	return kr, nil
}

// newEntry makes a fresh random key of alg.
func newEntry(r io.Reader, now time.Time, alg string) (KeyFileEntry, error) {
	if alg == "" {
		alg = AES256GCM
	}
	a, ok := algorithm(alg)
	if !ok {
		return KeyFileEntry{}, fmt.Errorf("sealed: unknown algorithm %q", alg)
	}
	secret := make([]byte, a.KeySize)
	tag := make([]byte, 2)
	if _, err := io.ReadFull(r, secret); err != nil {
		return KeyFileEntry{}, err
	}
	if _, err := io.ReadFull(r, tag); err != nil {
		return KeyFileEntry{}, err
	}
	return KeyFileEntry{ID: "k" + now.UTC().Format("20060102") + "-" + hex.EncodeToString(tag), Alg: alg,
		Key: base64.StdEncoding.EncodeToString(secret), Created: now.UTC().Format(time.RFC3339)}, nil
}

// NewKeyFile makes a key file with one fresh AES-256-GCM key and a fresh
// index key (r is normally crypto/rand.Reader).
func NewKeyFile(r io.Reader, now time.Time) (*KeyFile, error) {
	e, err := newEntry(r, now, AES256GCM)
	if err != nil {
		return nil, err
	}
	idx := make([]byte, 32)
	if _, err := io.ReadFull(r, idx); err != nil {
		return nil, err
	}
	return &KeyFile{Current: e.ID, Keys: []KeyFileEntry{e}, IndexKey: base64.StdEncoding.EncodeToString(idx)}, nil
}

// GenerateKeyFile writes a new key file at path, readable by its owner
// only, and fails if the file exists (a key is never overwritten).
func GenerateKeyFile(path string, now time.Time) (*Keyring, error) {
	f, err := NewKeyFile(rand.Reader, now)
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sealed: create key file: %w", err)
	}
	if _, err := out.Write(append(b, '\n')); err != nil {
		out.Close()
		return nil, err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return nil, err
	}
	if err := out.Close(); err != nil {
		return nil, err
	}
	kr, err := f.Keyring()
	if err != nil {
		return nil, err
	}
	kr.Source = "file " + path + " (generated)"
	return kr, nil
}

// LoadOrGenerate loads the key file at path, or generates it when there is
// none yet (the first start of an install).
func LoadOrGenerate(path string, now time.Time) (kr *Keyring, generated bool, err error) {
	kr, err = LoadKeyFile(path)
	if err == nil {
		return kr, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	kr, err = GenerateKeyFile(path, now)
	if errors.Is(err, fs.ErrExist) {
		// Another process made it meanwhile.
		kr, err = LoadKeyFile(path)
		return kr, false, err
	}
	return kr, err == nil, err
}

// RotateKeyFile adds a new key of alg ("" = AES-256-GCM) to the key file at
// path and makes it current; the older keys stay, so that what they sealed
// still opens. The file is replaced atomically and stays 0600. Restart the
// servers, then Reseal, then (later) drop old keys from the file.
func RotateKeyFile(path, alg string, now time.Time) (newID string, err error) {
	f, err := ReadKeyFile(path)
	if err != nil {
		return "", err
	}
	if _, err := f.Keyring(); err != nil {
		return "", err
	}
	if f.IndexKey == "" {
		// Keep the blind index stable: write down the index key the ring
		// derived until now, before the key it was derived from can go.
		return "", errors.New("sealed: the key file has no index_key; add one (the ring derives it from the last key) before rotating")
	}
	e, err := newEntry(rand.Reader, now, alg)
	if err != nil {
		return "", err
	}
	f.Keys = append([]KeyFileEntry{e}, f.Keys...)
	f.Current = e.ID
	if _, err := f.Keyring(); err != nil {
		return "", err
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".field-key-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return "", err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", err
	}
	return e.ID, nil
}

// Ephemeral is a ring with one random key held in memory only: for tests
// and throwaway instances. What it seals is lost with the process.
func Ephemeral() *Keyring {
	secret := make([]byte, 32)
	idx := make([]byte, 32)
	if _, err := io.ReadFull(rand.Reader, secret); err != nil {
		panic(err)
	}
	if _, err := io.ReadFull(rand.Reader, idx); err != nil {
		panic(err)
	}
	kr, err := NewKeyring([]KeySpec{{ID: "mem", Alg: AES256GCM, Secret: secret}}, "", idx)
	if err != nil {
		panic(err)
	}
	kr.Source = "memory (values sealed now are lost when the process ends)"
	return kr
}
