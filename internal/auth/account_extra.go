package auth

import (
	"context"
	"strconv"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/db"
)

// DisableTOTP turns off the second factor (双因素认证) of a person who holds no
// administrator role, once they confirm their password. The three
// administrators must keep theirs. Refusals, wrong passwords and the change
// itself all go into the trail as "auth.totp_disable".
func (s *Service) DisableTOTP(ctx context.Context, actor *Actor, password string) error {
	now := s.Clock.Now()
	entry := audit.Entry{At: now, UserID: actor.UserID, UserLogin: actor.Login, OrgID: actor.OrgID, Action: "auth.totp_disable",
		ObjectType: "user", ObjectID: strconv.FormatInt(actor.UserID, 10), ClientAddr: actor.ClientAddr}
	if actor.IsAdmin() {
		entry.Result, entry.Detail = audit.Denied, "administrators must keep a second factor"
		audit.AppendAlone(ctx, s.DB, entry)
		return apperr.New(apperr.ERULE, "系统管理员、安全管理员、审计管理员必须使用双因素认证 / the three administrators must keep two-factor sign-in")
	}
	a, err := s.AccountByID(ctx, s.DB, actor.UserID)
	if err != nil {
		return err
	}
	if !CheckPassword(a.PasswordHash, password) {
		entry.Result, entry.Detail = audit.Failed, "wrong password"
		audit.AppendAlone(ctx, s.DB, entry)
		return apperr.Field(apperr.ERULE, "password", "密码不正确 / the password is wrong")
	}
	if !a.TOTPEnabled {
		return apperr.New(apperr.ERULE, "双因素认证未开启 / two-factor sign-in is not on")
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE users SET totp_secret = '', totp_enabled = FALSE, updated_at = ? WHERE id = ?", now, a.ID); err != nil {
			return err
		}
		entry.Result = audit.OK
		return audit.Append(ctx, tx, entry)
	})
}
