package sealed_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/sealed"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func secret(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func ring(t *testing.T, specs []sealed.KeySpec, current string, idx []byte) *sealed.Keyring {
	t.Helper()
	kr, err := sealed.NewKeyring(specs, current, idx)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func TestRoundTrip(t *testing.T) {
	kr := ring(t, []sealed.KeySpec{{ID: "k1", Secret: secret(t, 32)}}, "", nil)
	for _, plain := range []string{"13812345678", "张三", "湖南省长沙市示范区青山镇上坪村3组12号", strings.Repeat("举报内容", 500), "x"} {
		env, err := kr.SealString(plain, "disputes.party_phone")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(env, "v1:k1:") {
			t.Errorf("envelope %q does not name its key", env)
		}
		// (A one-letter value may turn up in base64 by chance.)
		if len(plain) > 3 && strings.Contains(env, plain) {
			t.Errorf("envelope contains the plain text")
		}
		got, err := kr.OpenString(env, "disputes.party_phone")
		if err != nil || got != plain {
			t.Errorf("open: %q, %v; want %q", got, err, plain)
		}
		// Two seals of one value differ (random nonce).
		env2, _ := kr.SealString(plain, "disputes.party_phone")
		if env2 == env {
			t.Error("two seals of one value are equal: the nonce is not random")
		}
	}
	if env, _ := kr.SealString("", "c"); env != "" {
		t.Errorf("empty seals to %q", env)
	}
	if s, err := kr.OpenString("", "c"); s != "" || err != nil {
		t.Errorf("empty opens to %q, %v", s, err)
	}
}

func TestTamperDetected(t *testing.T) {
	kr := ring(t, []sealed.KeySpec{{ID: "k1", Secret: secret(t, 32)}}, "", nil)
	env, err := kr.SealString("13812345678", "disputes.party_phone")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(env[len("v1:k1:"):])
	cases := map[string]struct {
		env, ctx string
		want     error
	}{
		"flipped bit":     {env: "v1:k1:" + base64.RawURLEncoding.EncodeToString(flip(raw, len(raw)-20)), ctx: "disputes.party_phone", want: sealed.ErrTampered},
		"flipped tag":     {env: "v1:k1:" + base64.RawURLEncoding.EncodeToString(flip(raw, len(raw)-1)), ctx: "disputes.party_phone", want: sealed.ErrTampered},
		"other context":   {env: env, ctx: "disputes.party_name", want: sealed.ErrTampered},
		"truncated":       {env: env[:12], ctx: "disputes.party_phone", want: sealed.ErrMalformed},
		"not base64":      {env: "v1:k1:***", ctx: "disputes.party_phone", want: sealed.ErrMalformed},
		"no version":      {env: "13812345678", ctx: "disputes.party_phone", want: sealed.ErrMalformed},
		"other version":   {env: "v9" + env[2:], ctx: "disputes.party_phone", want: sealed.ErrMalformed},
		"key id replaced": {env: "v1:k2:" + env[len("v1:k1:"):], ctx: "disputes.party_phone", want: sealed.ErrUnknownKey},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := kr.Open(c.env, c.ctx)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x01
	return c
}

func TestRotation(t *testing.T) {
	old, next := secret(t, 32), secret(t, 32)
	idx := secret(t, 32)
	before := ring(t, []sealed.KeySpec{{ID: "k1", Secret: old}}, "", idx)
	env1, err := before.SealString("13812345678", "c")
	if err != nil {
		t.Fatal(err)
	}
	// A new current key added in front; the old one stays.
	after := ring(t, []sealed.KeySpec{{ID: "k2", Secret: next}, {ID: "k1", Secret: old}}, "k2", idx)
	if after.Current() != "k2" {
		t.Fatalf("current = %s", after.Current())
	}
	if got, err := after.OpenString(env1, "c"); err != nil || got != "13812345678" {
		t.Fatalf("old ciphertext after rotation: %q, %v", got, err)
	}
	env2, _ := after.SealString("13812345678", "c")
	if k, _ := sealed.KeyOf(env2); k != "k2" {
		t.Fatalf("new value sealed under %s, want k2", k)
	}
	// The old ring cannot open what the new key sealed.
	if _, err := before.OpenString(env2, "c"); !errors.Is(err, sealed.ErrUnknownKey) {
		t.Fatalf("old ring on new value: %v", err)
	}
	// Reseal moves a value to the current key and leaves a current one alone.
	moved, changed, err := after.Reseal(env1, "c")
	if err != nil || !changed {
		t.Fatalf("reseal: %v %v", changed, err)
	}
	if k, _ := sealed.KeyOf(moved); k != "k2" {
		t.Fatalf("resealed under %s", k)
	}
	if same, changed, _ := after.Reseal(moved, "c"); changed || same != moved {
		t.Fatal("reseal changed a value already under the current key")
	}
	// After dropping k1, only k2 values open.
	only2 := ring(t, []sealed.KeySpec{{ID: "k2", Secret: next}}, "", idx)
	if got, err := only2.OpenString(moved, "c"); err != nil || got != "13812345678" {
		t.Fatalf("resealed value with k2 alone: %q %v", got, err)
	}
	// The blind index does not change with the encryption keys.
	if before.Index("phone", "13812345678") != only2.Index("phone", "13812345678") {
		t.Fatal("the blind index changed with a rotation")
	}
}

func TestWrongKeyFails(t *testing.T) {
	a := ring(t, []sealed.KeySpec{{ID: "k1", Secret: secret(t, 32)}}, "", nil)
	b := ring(t, []sealed.KeySpec{{ID: "k1", Secret: secret(t, 32)}}, "", nil) // same id, other secret
	env, _ := a.SealString("张三", "c")
	if _, err := b.OpenString(env, "c"); !errors.Is(err, sealed.ErrTampered) {
		t.Fatalf("a different key with the same id: %v", err)
	}
}

func TestKeyringRefusesBadKeys(t *testing.T) {
	cases := map[string]struct {
		specs   []sealed.KeySpec
		current string
		idx     []byte
	}{
		"none":         {},
		"short key":    {specs: []sealed.KeySpec{{ID: "k1", Secret: make([]byte, 16)}}},
		"bad id":       {specs: []sealed.KeySpec{{ID: "k:1", Secret: make([]byte, 32)}}},
		"duplicate id": {specs: []sealed.KeySpec{{ID: "k1", Secret: make([]byte, 32)}, {ID: "k1", Secret: make([]byte, 32)}}},
		"unknown alg":  {specs: []sealed.KeySpec{{ID: "k1", Alg: "sm4-gcm", Secret: make([]byte, 16)}}},
		"no current":   {specs: []sealed.KeySpec{{ID: "k1", Secret: make([]byte, 32)}}, current: "k9"},
		"short index":  {specs: []sealed.KeySpec{{ID: "k1", Secret: make([]byte, 32)}}, idx: make([]byte, 8)},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := sealed.NewKeyring(c.specs, c.current, c.idx); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// A second algorithm is data: registering one makes it usable by key id,
// beside AES keys, with the same envelope.
func TestRegisterAlgorithm(t *testing.T) {
	sealed.RegisterAlgorithm(sealed.Algorithm{Name: "test-aes-128-gcm", KeySize: 16, New: func(k []byte) (cipherAEAD, error) { return newGCM(k) }})
	kr := ring(t, []sealed.KeySpec{{ID: "n1", Alg: "test-aes-128-gcm", Secret: secret(t, 16)}, {ID: "o1", Secret: secret(t, 32)}}, "n1", nil)
	env, err := kr.SealString("值", "c")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := kr.OpenString(env, "c"); err != nil || got != "值" {
		t.Fatalf("%q %v", got, err)
	}
}

func TestBlindIndex(t *testing.T) {
	kr := ring(t, []sealed.KeySpec{{ID: "k1", Secret: secret(t, 32)}}, "", secret(t, 32))
	a := kr.Index("phone", sealed.NormalizePhone("+86 138-1234-5678"))
	b := kr.Index("phone", sealed.NormalizePhone("13812345678"))
	if a != b || len(a) != 32 {
		t.Fatalf("index of one number written two ways: %q %q", a, b)
	}
	if kr.Index("phone", "13812345679") == a {
		t.Fatal("two numbers share an index")
	}
	if kr.Index("id", "13812345678") == a {
		t.Fatal("the kind does not separate indexes")
	}
	other := ring(t, []sealed.KeySpec{{ID: "k1", Secret: secret(t, 32)}}, "", secret(t, 32))
	if other.Index("phone", "13812345678") == a {
		t.Fatal("the index does not depend on the index key")
	}
	if kr.Index("phone", "") != "" {
		t.Fatal("empty value indexed")
	}
}

func TestMasks(t *testing.T) {
	cases := []struct {
		name, fn, in, want string
	}{
		{"id 18", "id", "110101199003071234", "110***********1234"},
		{"id 18 x", "id", "11010119900307123X", "110***********123X"},
		{"id 15", "id", "110101900307123", "110********7123"},
		{"id short", "id", "12345", "*****"},
		{"id empty", "id", "", ""},
		{"mobile", "phone", "13812345678", "138****5678"},
		{"mobile +86", "phone", "+86 138 1234 5678", "138****5678"},
		{"mobile dashes", "phone", "138-1234-5678", "138****5678"},
		{"landline 4", "phone", "0731-84561234", "0731****1234"},
		{"landline 3", "phone", "010-62345678", "010****5678"},
		{"short", "phone", "12345", "***45"},
		{"no digits", "phone", "未知", "****"},
		{"phone empty", "phone", "", ""},
		{"name 2", "name", "张三", "张*"},
		{"name 3", "name", "张三丰", "张**"},
		{"compound 4", "name", "欧阳娜娜", "欧阳**"},
		{"compound 3", "name", "司马光", "司马*"},
		{"compound-like 2", "name", "欧阳", "欧*"},
		{"one", "name", "张", "*"},
		{"minority", "name", "阿卜杜·热合曼", "阿**·***"},
		{"latin", "name", "John Smith", "J*** *****"},
		{"address", "addr", "湖南省长沙市示范区青山镇上坪村3组12号", "湖南省长沙市示范区青山镇****"},
		{"address street", "addr", "示范区东城街道解放路88号2栋301", "示范区东城街道****"},
		{"address compound", "addr", "青山镇阳光小区5栋", "青山镇****"},
		{"address village only", "addr", "上坪村3组", "上****"},
		{"address empty", "addr", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got string
			switch c.fn {
			case "id":
				got = sealed.MaskIDNumber(c.in)
			case "phone":
				got = sealed.MaskPhone(c.in)
			case "name":
				got = sealed.MaskName(c.in)
			case "addr":
				got = sealed.MaskAddress(c.in)
			}
			if got != c.want {
				t.Fatalf("%s(%q) = %q, want %q", c.fn, c.in, got, c.want)
			}
		})
	}
}

func TestValidators(t *testing.T) {
	for _, c := range []struct {
		in   string
		id   bool
		mob  bool
		norm string
	}{
		{in: "11010519491231002X", id: true},
		{in: "11010519491231002x", id: true},
		{in: "110105194912310021"},
		{in: "13812345678", mob: true, norm: "13812345678"},
		{in: "+86 13812345678", mob: true, norm: "13812345678"},
		{in: "008613812345678", mob: true, norm: "13812345678"},
		{in: "１３８１２３４５６７８", mob: true, norm: "13812345678"},
		{in: "12812345678", norm: "12812345678"},
	} {
		if got := sealed.ValidIDNumber(c.in); got != c.id {
			t.Errorf("ValidIDNumber(%q) = %v", c.in, got)
		}
		if got := sealed.ValidMobile(c.in); got != c.mob {
			t.Errorf("ValidMobile(%q) = %v", c.in, got)
		}
		if c.norm != "" && sealed.NormalizePhone(c.in) != c.norm {
			t.Errorf("NormalizePhone(%q) = %q", c.in, sealed.NormalizePhone(c.in))
		}
	}
}

func TestKeyFileGenerateLoadRotate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "field.key")
	now := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	kr, generated, err := sealed.LoadOrGenerate(path, now)
	if err != nil || !generated {
		t.Fatalf("generate: %v %v", generated, err)
	}
	if err := sealed.CheckFileMode(path); err != nil {
		t.Fatalf("generated key file mode: %v", err)
	}
	env, _ := kr.SealString("13812345678", "c")
	// Loading again gives the same keys, not a new file.
	again, generated, err := sealed.LoadOrGenerate(path, now)
	if err != nil || generated {
		t.Fatalf("second load: %v %v", generated, err)
	}
	if got, err := again.OpenString(env, "c"); err != nil || got != "13812345678" {
		t.Fatalf("reload: %q %v", got, err)
	}
	// Rotate: a new current key, the old one kept, the index unchanged.
	newID, err := sealed.RotateKeyFile(path, "", now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := sealed.LoadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.Current() != newID || newID == kr.Current() || len(rotated.KeyIDs()) != 2 {
		t.Fatalf("after rotation: current %s (new %s, old %s), keys %v", rotated.Current(), newID, kr.Current(), rotated.KeyIDs())
	}
	if got, err := rotated.OpenString(env, "c"); err != nil || got != "13812345678" {
		t.Fatalf("old value after rotation: %q %v", got, err)
	}
	if rotated.Index("phone", "13812345678") != kr.Index("phone", "13812345678") {
		t.Fatal("rotation changed the blind index")
	}
	if err := sealed.CheckFileMode(path); err != nil {
		t.Fatalf("rotated key file mode: %v", err)
	}
	// A world-readable key file is reported.
	os.Chmod(path, 0o644)
	if err := sealed.CheckFileMode(path); err == nil {
		t.Fatal("a 0644 key file passes the mode check")
	}
	// A broken file is an error, never silently replaced.
	os.WriteFile(path, []byte("{"), 0o600)
	if _, _, err := sealed.LoadOrGenerate(path, now); err == nil {
		t.Fatal("a broken key file was accepted or replaced")
	}
}

func TestParseKeyEnv(t *testing.T) {
	k1, k2 := secret(t, 32), secret(t, 32)
	b64 := base64.StdEncoding.EncodeToString
	one, err := sealed.ParseKeyEnv(b64(k1), "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(one.Current(), "e") {
		t.Fatalf("derived id %q", one.Current())
	}
	env, _ := one.SealString("x", "c")
	two, err := sealed.ParseKeyEnv("new:"+b64(k2)+", "+one.Current()+":aes-256-gcm:"+b64(k1), "")
	if err != nil {
		t.Fatal(err)
	}
	if two.Current() != "new" {
		t.Fatalf("current %s", two.Current())
	}
	if got, err := two.OpenString(env, "c"); err != nil || got != "x" {
		t.Fatalf("%q %v", got, err)
	}
	// The derived index key comes from the oldest (last) key: unchanged.
	if one.Index("p", "1") != two.Index("p", "1") {
		t.Fatal("adding a key in front changed the derived index key")
	}
	for _, bad := range []string{"", "not-base64!", "a:b:c:d", "k:" + b64(k1[:10])} {
		if _, err := sealed.ParseKeyEnv(bad, ""); err == nil {
			t.Errorf("ParseKeyEnv(%q) accepted", bad)
		}
	}
}

// Reseal moves every stored value to the current key, batch by batch, with
// an audit record per batch, and leaves values already current alone.
func TestResealTable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.Exec(ctx, "CREATE TABLE sealed_scratch (id INTEGER PRIMARY KEY, v TEXT NOT NULL DEFAULT '', ix TEXT NOT NULL DEFAULT '')"); err != nil {
			t.Fatal(err)
		}
		old, next, idx := secret(t, 32), secret(t, 32), secret(t, 32)
		before := ring(t, []sealed.KeySpec{{ID: "k1", Secret: old}}, "", idx)
		after := ring(t, []sealed.KeySpec{{ID: "k2", Secret: next}, {ID: "k1", Secret: old}}, "k2", idx)
		phones := map[int64]string{}
		for i := int64(1); i <= 7; i++ {
			p := "1381234567" + string(rune('0'+i))
			phones[i] = p
			kr := before
			if i == 4 {
				kr = after // already current
			}
			v, _ := kr.SealString(p, "scratch.v")
			if _, err := d.Exec(ctx, "INSERT INTO sealed_scratch (id, v, ix) VALUES (?, ?, ?)", i, v, "stale"); err != nil {
				t.Fatal(err)
			}
		}
		d.Exec(ctx, "INSERT INTO sealed_scratch (id, v) VALUES (8, '')")
		col := sealed.Column{Table: "sealed_scratch", Column: "v", Context: "scratch.v", Index: "ix", IndexKind: "phone", Normalize: sealed.NormalizePhone}
		auditBefore := countAudit(t, d)
		clk := clock.NewManual(time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC))
		res, err := sealed.Reseal(ctx, d, after, clk, audit.Entry{UserLogin: "(command line)"}, []sealed.Column{col}, 4)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 1 || res[0].Resealed != 6 {
			t.Fatalf("resealed %+v, want 6", res)
		}
		if n := countAudit(t, d) - auditBefore; n != 2 {
			t.Fatalf("%d audit records, want 2 (batches of 4)", n)
		}
		rows, _ := d.Query(ctx, "SELECT id, v, ix FROM sealed_scratch WHERE v <> '' ORDER BY id")
		defer rows.Close()
		only2 := ring(t, []sealed.KeySpec{{ID: "k2", Secret: next}}, "", idx)
		for rows.Next() {
			var id int64
			var v, ix string
			rows.Scan(&id, &v, &ix)
			got, err := only2.OpenString(v, "scratch.v")
			if err != nil || got != phones[id] {
				t.Errorf("row %d: %q %v", id, got, err)
			}
			if id != 4 && ix != after.Index("phone", phones[id]) {
				t.Errorf("row %d: index %q not recomputed", id, ix)
			}
		}
		// Nothing left to do.
		res, err = sealed.Reseal(ctx, d, after, clk, audit.Entry{UserLogin: "(command line)"}, []sealed.Column{col}, 4)
		if err != nil || res[0].Resealed != 0 {
			t.Fatalf("second run: %+v %v", res, err)
		}
		// A value whose key is gone stops it with the row named.
		lost := ring(t, []sealed.KeySpec{{ID: "k9", Secret: secret(t, 32)}}, "", idx)
		v, _ := lost.SealString("x", "scratch.v")
		d.Exec(ctx, "INSERT INTO sealed_scratch (id, v) VALUES (9, ?)", v)
		if _, err := sealed.Reseal(ctx, d, after, clk, audit.Entry{UserLogin: "x"}, []sealed.Column{col}, 4); err == nil || !strings.Contains(err.Error(), "row 9") {
			t.Fatalf("missing key: %v", err)
		}
	})
}

func countAudit(t *testing.T, d *db.DB) int {
	var n int
	if err := d.QueryRow(context.Background(), "SELECT count(*) FROM audit_log WHERE action = 'sealed.reseal'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

type cipherAEAD = cipher.AEAD

func newGCM(k []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}
