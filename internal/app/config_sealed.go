package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/sealed"
)

// The field cipher (sealed) seals personal data at rest: ID numbers, phone
// numbers, addresses, accusations. Its keys come from the first of:
//
//	ANWEN_FIELD_KEY_FILE   a key file (JSON: keys with ids, the current one, the
//	                       index key; see sealed.KeyFile), rotatable with
//	                       sealed.RotateKeyFile
//	ANWEN_FIELD_KEY        base64 key(s) in the environment: "<base64>" or
//	                       "id:base64,id:base64" (the first current), with
//	                       ANWEN_FIELD_INDEX_KEY (base64) for the blind index
//	<data dir>/field.key   generated at the first start, mode 0600
//	memory                 when there is no data directory (tests, throwaway
//	                       instances): what is sealed is lost with the process
//
// Several servers on one PostgreSQL must share the keys: give them the
// same ANWEN_FIELD_KEY_FILE (a key generated in each data directory would
// differ, and each server would refuse the others' values as sealed under
// an unknown key). Keep a copy of the key file apart from the database
// backups: without it the sealed fields cannot be read.
const (
	EnvFieldKeyFile  = "ANWEN_FIELD_KEY_FILE"
	EnvFieldKey      = "ANWEN_FIELD_KEY"
	EnvFieldIndexKey = "ANWEN_FIELD_INDEX_KEY"
	// FieldKeyFile is the name of the generated key file in the data directory.
	FieldKeyFile = "field.key"
)

type fieldCipher struct {
	once sync.Once
	kr   *sealed.Keyring
	err  error
}

// fieldCiphers holds each App's key ring until App gets a field of its own
// for it (see FieldCipher).
var fieldCiphers sync.Map // *App → *fieldCipher

// FieldCipher is the key ring that seals personal data, loaded once per App
// from the sources above.
func (a *App) FieldCipher() (*sealed.Keyring, error) {
	v, _ := fieldCiphers.LoadOrStore(a, &fieldCipher{})
	fc := v.(*fieldCipher)
	fc.once.Do(func() { fc.kr, fc.err = a.loadFieldCipher() })
	return fc.kr, fc.err
}

func (a *App) loadFieldCipher() (*sealed.Keyring, error) {
	if path := strings.TrimSpace(os.Getenv(EnvFieldKeyFile)); path != "" {
		kr, err := sealed.LoadKeyFile(path)
		if err != nil {
			return nil, fmt.Errorf("field key (%s): %w", EnvFieldKeyFile, err)
		}
		if err := sealed.CheckFileMode(path); err != nil {
			a.Log.Warn("field key file is readable by others", "err", err)
		}
		a.Log.Info("field cipher", "keys", kr.Source, "current", kr.Current())
		return kr, nil
	}
	if v := os.Getenv(EnvFieldKey); strings.TrimSpace(v) != "" {
		kr, err := sealed.ParseKeyEnv(v, os.Getenv(EnvFieldIndexKey))
		if err != nil {
			return nil, fmt.Errorf("field key (%s): %w", EnvFieldKey, err)
		}
		a.Log.Info("field cipher", "keys", kr.Source, "current", kr.Current())
		return kr, nil
	}
	if a.Cfg.DataDir == "" {
		return sealed.Ephemeral(), nil
	}
	path := filepath.Join(a.Cfg.DataDir, FieldKeyFile)
	kr, generated, err := sealed.LoadOrGenerate(path, a.Clock.Now())
	if err != nil {
		return nil, fmt.Errorf("field key: %w", err)
	}
	if generated {
		a.Log.Warn("generated a new field key: keep a copy of it apart from the database backups, or the sealed personal data cannot be read after a restore",
			"file", path, "current", kr.Current())
		if a.DB.Dialect == db.Postgres {
			a.Log.Warn("several servers on one PostgreSQL must share one field key: point them all at the same file with " + EnvFieldKeyFile)
		}
	} else if err := sealed.CheckFileMode(path); err != nil {
		a.Log.Warn("field key file is readable by others", "err", err)
	}
	return kr, nil
}
