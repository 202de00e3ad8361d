package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
)

// Config holds the sign-in policy; every number is a flag.
type Config struct {
	MaxFailures     int           // failures in a row before lockout (5)
	LockoutDuration time.Duration // how long a lockout lasts (15 min)
	IdleTimeout     time.Duration // idle session timeout (30 min)
	// WaiveAdminTOTP lets the three administrators sign in without a second
	// factor. Only a demo install sets it, and the sign-in page says so.
	WaiveAdminTOTP bool
}

// DefaultConfig is the policy of 等保 level 3.
func DefaultConfig() Config {
	return Config{MaxFailures: 5, LockoutDuration: 15 * time.Minute, IdleTimeout: 30 * time.Minute}
}

// Service signs people in and manages their credentials.
type Service struct {
	DB    *db.DB
	Clock clock.Clock
	Cfg   Config

	tokens tokenPath // the bearer token's prepared query (token_fastpath.go)
}

// Account is a user's sign-in record.
type Account struct {
	ID           int64
	Login        string
	Name         string
	OrgID        int64
	PasswordHash string
	MustChange   bool
	TOTPSecret   string
	TOTPEnabled  bool
	Failed       int
	LockedUntil  sql.NullTime
	Disabled     bool
	// PasswordChangedAt is when the password was last set; web sessions
	// signed in before it are over.
	PasswordChangedAt sql.NullTime
}

// ErrBadCredentials is the one answer for an unknown login, a wrong password,
// a locked or disabled account: it tells an attacker nothing.
var ErrBadCredentials = apperr.New(apperr.EUNAUTHORIZED, "登录名或密码错误（连续失败多次将临时锁定账号） / wrong login or password (repeated failures lock the account for a while)")

const accountCols = `id, login, name, org_id, password_hash, must_change_password, totp_secret, totp_enabled, failed_logins, locked_until, disabled, password_changed_at`

func scanAccount(row interface{ Scan(...any) error }) (*Account, error) {
	a := &Account{}
	err := row.Scan(&a.ID, &a.Login, &a.Name, &a.OrgID, &a.PasswordHash, &a.MustChange, &a.TOTPSecret, &a.TOTPEnabled, &a.Failed, &a.LockedUntil, &a.Disabled, &a.PasswordChangedAt)
	return a, err
}

// AccountByLogin reads an account; ENOTFOUND when absent.
func (s *Service) AccountByLogin(ctx context.Context, q db.Querier, login string) (*Account, error) {
	a, err := scanAccount(q.QueryRow(ctx, "SELECT "+accountCols+" FROM users WHERE login = ?", login))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("user")
	}
	return a, err
}

// AccountByID reads an account; ENOTFOUND when absent.
func (s *Service) AccountByID(ctx context.Context, q db.Querier, id int64) (*Account, error) {
	a, err := scanAccount(q.QueryRow(ctx, "SELECT "+accountCols+" FROM users WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("user")
	}
	return a, err
}

// SignIn checks a login and password. On success it resets the failure count;
// on failure it counts and, after MaxFailures in a row, locks the account for
// LockoutDuration. Success and failure are both audited.
func (s *Service) SignIn(ctx context.Context, login, password, client string) (*Account, error) {
	now := s.Clock.Now()
	login = strings.TrimSpace(login)
	if len(login) > 64 {
		login = login[:64]
	}
	a, err := s.AccountByLogin(ctx, s.DB, login)
	if apperr.Code(err) == apperr.ENOTFOUND {
		CheckPassword(dummyHash, password) // same work as a real check
		audit.AppendAlone(ctx, s.DB, audit.Entry{At: now, UserLogin: login, Action: "auth.signin", Result: audit.Failed, ClientAddr: client, Detail: "unknown login"})
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	entry := audit.Entry{At: now, UserID: a.ID, UserLogin: a.Login, OrgID: a.OrgID, Action: "auth.signin", ObjectType: "user", ObjectID: strconv.FormatInt(a.ID, 10), ClientAddr: client}
	if a.LockedUntil.Valid && now.Before(a.LockedUntil.Time) {
		entry.Result, entry.Detail = audit.Denied, "account locked until "+a.LockedUntil.Time.Format(time.RFC3339)
		audit.AppendAlone(ctx, s.DB, entry)
		return nil, ErrBadCredentials
	}
	if !CheckPassword(a.PasswordHash, password) || a.Disabled {
		entry.Result, entry.Detail = audit.Failed, "wrong password"
		if a.Disabled {
			entry.Detail = "account disabled"
		}
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			failed := a.Failed + 1
			var locked any
			if failed >= s.Cfg.MaxFailures && s.Cfg.MaxFailures > 0 {
				locked, failed = now.Add(s.Cfg.LockoutDuration), 0
				entry.Detail += "; account locked"
			} else if a.LockedUntil.Valid {
				locked = a.LockedUntil.Time
			}
			if _, err := tx.Exec(ctx, "UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?", failed, locked, a.ID); err != nil {
				return err
			}
			return audit.Append(ctx, tx, entry)
		})
		if err != nil {
			return nil, err
		}
		return nil, ErrBadCredentials
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?", a.ID); err != nil {
			return err
		}
		entry.Result = audit.OK
		return audit.Append(ctx, tx, entry)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// NeedsTOTP reports whether the account must give a second factor: it has one,
// or it holds an administrator role (unless a demo waives that).
func (s *Service) NeedsTOTP(a *Account, actor *Actor) (need, mustEnroll bool) {
	if a.TOTPEnabled {
		return true, false
	}
	if actor.IsAdmin() && !s.Cfg.WaiveAdminTOTP {
		return true, true
	}
	return false, false
}

// CheckTOTP verifies a code for a signed-in-by-password account, audited.
func (s *Service) CheckTOTP(ctx context.Context, a *Account, code, client string) error {
	now := s.Clock.Now()
	ok, _ := totp.ValidateCustom(strings.TrimSpace(code), a.TOTPSecret, now, totpOpts)
	entry := audit.Entry{At: now, UserID: a.ID, UserLogin: a.Login, OrgID: a.OrgID, Action: "auth.totp", ObjectType: "user", ObjectID: strconv.FormatInt(a.ID, 10), ClientAddr: client, Result: audit.OK}
	if !ok || a.TOTPSecret == "" {
		entry.Result = audit.Failed
		audit.AppendAlone(ctx, s.DB, entry)
		return apperr.Field(apperr.EUNAUTHORIZED, "code", "动态验证码不正确 / the one-time code is wrong")
	}
	return audit.AppendAlone(ctx, s.DB, entry)
}

// LoadActor builds the Actor for a user: their grants with each scope's path.
func (s *Service) LoadActor(ctx context.Context, userID int64, client string) (*Actor, error) {
	a, err := s.AccountByID(ctx, s.DB, userID)
	if err != nil {
		return nil, err
	}
	if a.Disabled {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "账号已停用 / the account is disabled")
	}
	actor := &Actor{UserID: a.ID, Login: a.Login, Name: a.Name, OrgID: a.OrgID, ClientAddr: client}
	if a.PasswordChangedAt.Valid {
		actor.PasswordChangedAt = a.PasswordChangedAt.Time
	}
	rows, err := s.DB.Query(ctx, `SELECT r.role, r.scope_org_id, o.path, u.enterprise_id, eo.path FROM user_roles r JOIN orgs o ON o.id = r.scope_org_id
		JOIN users u ON u.id = r.user_id LEFT JOIN enterprises e ON e.id = u.enterprise_id LEFT JOIN orgs eo ON eo.id = e.territory_org_id
		WHERE r.user_id = ? ORDER BY r.role, o.path`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var role, path string
		var scope int64
		var ent sql.NullInt64
		var entPath sql.NullString
		if err := rows.Scan(&role, &scope, &path, &ent, &entPath); err != nil {
			return nil, err
		}
		actor.EnterpriseID = ent.Int64
		actor.Grants = append(actor.Grants, grantOf(role, scope, path, ent, entPath))
	}
	return actor, rows.Err()
}

// grantOf makes a grant. An enterprise contact's grant reaches only its
// enterprise's objects, wherever the grant's org is: its scope is the
// enterprise's path, or nothing for an account that names no enterprise.
func grantOf(role string, scopeOrgID int64, scopePath string, enterpriseID sql.NullInt64, territoryPath sql.NullString) Grant {
	g := Grant{Role: role, ScopeOrgID: scopeOrgID, ScopePath: scopePath}
	if role == RoleEnterprise {
		g.ScopePath = ""
		if enterpriseID.Valid && territoryPath.Valid {
			g.ScopePath = EnterpriseScope(territoryPath.String, enterpriseID.Int64)
		}
	}
	return g
}

// SetPassword replaces a password after checking the policy. With mustChange
// the person is asked for a new one at the next sign-in (initial and reset passwords).
func SetPassword(ctx context.Context, tx *db.Tx, now time.Time, userID int64, login, password string, mustChange bool) error {
	if err := CheckPolicy(password, login); err != nil {
		return err
	}
	h, err := HashPassword(password)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, "UPDATE users SET password_hash = ?, must_change_password = ?, failed_logins = 0, locked_until = NULL, password_changed_at = ?, updated_at = ? WHERE id = ?",
		h, mustChange, now, now, userID)
	return err
}

// ChangeOwnPassword lets a signed-in person replace their password.
func (s *Service) ChangeOwnPassword(ctx context.Context, actor *Actor, old, new string) error {
	now := s.Clock.Now()
	a, err := s.AccountByID(ctx, s.DB, actor.UserID)
	if err != nil {
		return err
	}
	if !CheckPassword(a.PasswordHash, old) {
		audit.AppendAlone(ctx, s.DB, audit.Entry{At: now, UserID: a.ID, UserLogin: a.Login, OrgID: a.OrgID, Action: "auth.password_change", ObjectType: "user", ObjectID: strconv.FormatInt(a.ID, 10), Result: audit.Failed, ClientAddr: actor.ClientAddr, Detail: "wrong current password"})
		return apperr.Field(apperr.ERULE, "old_password", "当前密码不正确 / the current password is wrong")
	}
	if old == new {
		return apperr.Field(apperr.ERULE, "password", "新密码不能与当前密码相同 / the new password must differ from the current one")
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := SetPassword(ctx, tx, now, a.ID, a.Login, new, false); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, UserID: a.ID, UserLogin: a.Login, OrgID: a.OrgID, Action: "auth.password_change", ObjectType: "user", ObjectID: strconv.FormatInt(a.ID, 10), Result: audit.OK, ClientAddr: actor.ClientAddr})
	})
}

var totpOpts = totp.ValidateOpts{Period: 30, Skew: 1, Digits: 6}

// NewTOTPSecret generates a secret and its otpauth:// URL for enrolment.
func NewTOTPSecret(issuer, login string) (secret, url string, err error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: login})
	if err != nil {
		return "", "", err
	}
	return k.Secret(), k.URL(), nil
}

// EnableTOTP stores secret after the person proved they hold it with a valid code.
func (s *Service) EnableTOTP(ctx context.Context, actor *Actor, secret, code string) error {
	now := s.Clock.Now()
	if ok, _ := totp.ValidateCustom(strings.TrimSpace(code), secret, now, totpOpts); !ok || secret == "" {
		return apperr.Field(apperr.ERULE, "code", "动态验证码不正确 / the one-time code is wrong")
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE users SET totp_secret = ?, totp_enabled = TRUE, updated_at = ? WHERE id = ?", secret, now, actor.UserID); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, UserID: actor.UserID, UserLogin: actor.Login, OrgID: actor.OrgID, Action: "auth.totp_enable", ObjectType: "user", ObjectID: strconv.FormatInt(actor.UserID, 10), Result: audit.OK, ClientAddr: actor.ClientAddr})
	})
}

// Token prefix makes a leaked token easy to recognise in logs and scanners.
const tokenPrefix = "anw_"

func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// CreateToken issues an API token for login and returns it; only its hash is
// stored, so it is shown once. by is who asked (nil for the command line).
func (s *Service) CreateToken(ctx context.Context, by *Actor, login, name string) (string, int64, error) {
	now := s.Clock.Now()
	a, err := s.AccountByLogin(ctx, s.DB, login)
	if err != nil {
		return "", 0, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", 0, err
	}
	tok := tokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, err = db.InsertID(ctx, tx, "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)", a.ID, name, hashToken(tok), now)
		if err != nil {
			return err
		}
		e := audit.Entry{At: now, OrgID: a.OrgID, Action: "token.create", ObjectType: "api_token", ObjectID: strconv.FormatInt(id, 10), Result: audit.OK, Detail: "for " + a.Login}
		if by != nil {
			e.UserID, e.UserLogin, e.ClientAddr = by.UserID, by.Login, by.ClientAddr
		} else {
			e.UserLogin, e.ClientAddr = "(command line)", "local"
		}
		return audit.Append(ctx, tx, e)
	})
	return tok, id, err
}

// ActorFromToken resolves a bearer token. Missing, malformed, unknown and
// revoked tokens all answer EUNAUTHORIZED; failures are audited.
func (s *Service) ActorFromToken(ctx context.Context, tok, client string) (*Actor, error) {
	now := s.Clock.Now()
	bad := apperr.New(apperr.EUNAUTHORIZED, "令牌无效或已撤销 / the token is invalid or revoked")
	if !strings.HasPrefix(tok, tokenPrefix) || len(tok) != len(tokenPrefix)+52 {
		audit.AppendAlone(ctx, s.DB, audit.Entry{At: now, Action: "auth.token", Result: audit.Failed, ClientAddr: client, Detail: "malformed token"})
		return nil, bad
	}
	// The token, its person and the person's grants in one read.
	t, err := s.tokenActor(ctx, hashToken(tok), client)
	if err != nil {
		return nil, err
	}
	id, revoked, used := t.id, t.revoked, t.used
	if !t.found || revoked.Valid {
		detail := "unknown token"
		if revoked.Valid {
			detail = "revoked token " + strconv.FormatInt(id, 10)
		}
		audit.AppendAlone(ctx, s.DB, audit.Entry{At: now, Action: "auth.token", Result: audit.Failed, ClientAddr: client, Detail: detail})
		return nil, bad
	}
	if t.disabled {
		return nil, bad
	}
	actor := t.actor
	actor.ViaToken = true
	// last_used_at is advisory and kept to the minute, so that a busy script
	// does not turn every read into a write.
	if (!used.Valid || now.Sub(used.Time) >= time.Minute) && s.tokens.touch(id, now) {
		s.DB.Exec(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", now, id)
	}
	return actor, nil
}

// TokenInfo describes a token without its secret.
type TokenInfo struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Login      string     `json:"login"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// ListTokens lists the tokens of one user (0: every user).
func (s *Service) ListTokens(ctx context.Context, userID int64) ([]TokenInfo, error) {
	q := `SELECT t.id, t.user_id, u.login, t.name, t.created_at, t.last_used_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id`
	var args []any
	if userID != 0 {
		q += " WHERE t.user_id = ?"
		args = append(args, userID)
	}
	rows, err := s.DB.Query(ctx, q+" ORDER BY t.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TokenInfo
	for rows.Next() {
		var t TokenInfo
		var used, rev sql.NullTime
		if err := rows.Scan(&t.ID, &t.UserID, &t.Login, &t.Name, &t.CreatedAt, &used, &rev); err != nil {
			return nil, err
		}
		if used.Valid {
			t.LastUsedAt = &used.Time
		}
		if rev.Valid {
			t.RevokedAt = &rev.Time
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes a token at once. A person may revoke their own tokens;
// the security administrator may revoke anyone's in scope. by nil means the command line.
func (s *Service) RevokeToken(ctx context.Context, by *Actor, id int64) error {
	now := s.Clock.Now()
	var userID, orgID int64
	var path string
	err := s.DB.QueryRow(ctx, "SELECT t.user_id, u.org_id, o.path FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN orgs o ON o.id = u.org_id WHERE t.id = ?", id).Scan(&userID, &orgID, &path)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound("token")
	}
	if err != nil {
		return err
	}
	if by != nil && by.UserID != userID {
		if err := s.Check(ctx, by, UserSecurity, path, "api_token", strconv.FormatInt(id, 10)); err != nil {
			return apperr.NotFound("token")
		}
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", now, id); err != nil {
			return err
		}
		e := audit.Entry{At: now, OrgID: orgID, Action: "token.revoke", ObjectType: "api_token", ObjectID: strconv.FormatInt(id, 10), Result: audit.OK}
		if by != nil {
			e.UserID, e.UserLogin, e.ClientAddr = by.UserID, by.Login, by.ClientAddr
		} else {
			e.UserLogin, e.ClientAddr = "(command line)", "local"
		}
		return audit.Append(ctx, tx, e)
	})
}

// Refuse records err, a refusal decided outside Authorize (a page that is for
// administrators only), as a denied security event and returns it.
func (s *Service) Refuse(ctx context.Context, a *Actor, action Action, objectType string, err error) error {
	if a != nil {
		audit.AppendAlone(ctx, s.DB, audit.Entry{At: s.Clock.Now(), UserID: a.UserID, UserLogin: a.Login, OrgID: a.OrgID,
			Action: string(action), ObjectType: objectType, Result: audit.Denied, ClientAddr: a.ClientAddr, Detail: apperr.Code(err)})
	}
	return err
}

// Check is Authorize plus the trail: a refusal is recorded as a security
// event in a transaction of its own (the caller's write never happens).
func (s *Service) Check(ctx context.Context, a *Actor, action Action, path, objectType, objectID string) error {
	err := Authorize(a, action, path)
	if err == nil {
		return nil
	}
	if a != nil {
		audit.AppendAlone(ctx, s.DB, audit.Entry{At: s.Clock.Now(), UserID: a.UserID, UserLogin: a.Login, OrgID: a.OrgID,
			Action: string(action), ObjectType: objectType, ObjectID: objectID, Result: audit.Denied, ClientAddr: a.ClientAddr, Detail: apperr.Code(err)})
	}
	return err
}

// RecordSignOut puts a sign-out into the trail.
func (s *Service) RecordSignOut(ctx context.Context, a *Actor) {
	audit.AppendAlone(ctx, s.DB, a.Entry(s.Clock.Now(), "auth.signout", "user", strconv.FormatInt(a.UserID, 10), a.OrgID))
}
