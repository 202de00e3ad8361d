package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/crypto/argon2"

	"github.com/anwen-gov/anwen/internal/apperr"
)

// argon2id parameters (RFC 9106's second recommended option, memory-constrained).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// HashPassword returns an encoded argon2id hash ($argon2id$v=19$m=…,t=…,p=…$salt$key).
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the encoded hash. A malformed
// hash never matches.
func CheckPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<20 || t > 20 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

// dummyHash is checked against when the login is unknown, so that an unknown
// user and a wrong password take the same time.
var dummyHash, _ = HashPassword("anwen-dummy-password")

// CheckPolicy enforces the password rule of 等保 level 3: at least 8
// characters, from at least 3 of upper case, lower case, digits and symbols.
func CheckPolicy(password, login string) error {
	if len([]rune(password)) < 8 {
		return apperr.Field(apperr.ERULE, "password", "密码至少 8 位 / the password needs at least 8 characters")
	}
	if len(password) > 128 {
		return apperr.Field(apperr.ERULE, "password", "密码最长 128 位 / the password may have at most 128 characters")
	}
	var upper, lower, digit, symbol bool
	for _, r := range password {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		default:
			symbol = true
		}
	}
	classes := 0
	for _, b := range []bool{upper, lower, digit, symbol} {
		if b {
			classes++
		}
	}
	if classes < 3 {
		return apperr.Field(apperr.ERULE, "password", "密码须包含大写字母、小写字母、数字、符号中的至少三类 / the password needs 3 of: upper case, lower case, digits, symbols")
	}
	if login != "" && strings.Contains(strings.ToLower(password), strings.ToLower(login)) {
		return apperr.Field(apperr.ERULE, "password", "密码不能包含登录名 / the password must not contain the login")
	}
	return nil
}
