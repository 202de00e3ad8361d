package petition

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
)

// Settings name the petition bureau, the discipline organ whose queue
// accusations go to, and the area code that numbers start with.
type Settings struct {
	// BureauOrgID is the petition bureau (信访局). When unset, the daily
	// report's stability desk (the bureau that receives the stability half
	// of every zero report) is taken.
	BureauOrgID *int64 `json:"bureau_org_id"`
	// DisciplineOrgID is the discipline organ (纪委监委) accusations are passed to.
	DisciplineOrgID *int64 `json:"discipline_org_id"`
	// AreaCode is the 6-digit administrative division code (行政区划代码)
	// numbers start with; empty: the district org's code.
	AreaCode string `json:"area_code"`
}

// LoadSettings reads the settings.
func LoadSettings(ctx context.Context, q db.Querier) (*Settings, error) {
	var st Settings
	var b, d sql.NullInt64
	if err := q.QueryRow(ctx, "SELECT bureau_org_id, discipline_org_id, area_code FROM petition_settings WHERE id = 1").Scan(&b, &d, &st.AreaCode); err != nil {
		return nil, err
	}
	st.BureauOrgID, st.DisciplineOrgID = nullID(b), nullID(d)
	return &st, nil
}

// bureau is the petition bureau's org.
func bureau(ctx context.Context, q db.Querier) (*org.Org, error) {
	st, err := LoadSettings(ctx, q)
	if err != nil {
		return nil, err
	}
	id := st.BureauOrgID
	if id == nil {
		var desk sql.NullInt64
		err := q.QueryRow(ctx, "SELECT stability_desk_org_id FROM report_settings WHERE id = 1").Scan(&desk)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		id = nullID(desk)
	}
	if id == nil {
		return nil, apperr.New(apperr.ERULE, "尚未设置信访局（信访事项设置） / the petition bureau is not set (petition settings)")
	}
	return org.ByID(ctx, q, *id)
}

var areaCodeRE = regexp.MustCompile(`^\d{6}$`)

// areaCode is what numbers start with.
func areaCode(ctx context.Context, q db.Querier) (string, error) {
	st, err := LoadSettings(ctx, q)
	if err != nil {
		return "", err
	}
	if st.AreaCode != "" {
		return st.AreaCode, nil
	}
	root, err := org.Root(ctx, q)
	if err != nil {
		return "", err
	}
	if root == nil || root.Code == "" {
		return "XF", nil
	}
	return root.Code, nil
}

// PutSettings changes the settings (petition.configure over the whole district).
func (s *Service) PutSettings(ctx context.Context, a *auth.Actor, in Settings) (*Settings, error) {
	root, err := org.Root(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	if root == nil || !(a.Operator || a.Can(auth.PetitionConfigure, root.Path)) {
		return nil, s.Auth.Refuse(ctx, a, auth.PetitionConfigure, "petition_settings", apperr.New(apperr.EFORBIDDEN, "无权修改信访事项设置 / you may not change the petition settings"))
	}
	in.AreaCode = strings.TrimSpace(in.AreaCode)
	if in.AreaCode != "" && !areaCodeRE.MatchString(in.AreaCode) {
		return nil, apperr.Field(apperr.EINVALID, "area_code", "行政区划代码为 6 位数字 / the area code has 6 digits")
	}
	for _, f := range []struct {
		id    *int64
		field string
	}{{in.BureauOrgID, "bureau_org_id"}, {in.DisciplineOrgID, "discipline_org_id"}} {
		if f.id == nil {
			continue
		}
		o, err := org.ByID(ctx, s.DB, *f.id)
		if err != nil {
			return nil, apperr.Field(apperr.EINVALID, f.field, "组织 %d 不存在 / organisation %d does not exist", *f.id, *f.id)
		}
		if o.ParentID == nil {
			return nil, apperr.Field(apperr.EINVALID, f.field, "须为区下属的部门 / choose a department, not the district itself")
		}
	}
	before, err := LoadSettings(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE petition_settings SET bureau_org_id = ?, discipline_org_id = ?, area_code = ?, updated_at = ? WHERE id = 1",
			nullInt(in.BureauOrgID), nullInt(in.DisciplineOrgID), in.AreaCode, s.Clock.Now()); err != nil {
			return err
		}
		e := a.Entry(s.Clock.Now(), "petition.settings", "petition_settings", "1", root.ID)
		e.Before, e.After = before, in
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return LoadSettings(ctx, s.DB)
}

// GetSettings reads the settings for whoever works with petitions or keeps them.
func (s *Service) GetSettings(ctx context.Context, a *auth.Actor) (*Settings, error) {
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	if !(a.Operator || a.CanAnywhere(auth.PetitionView) || a.CanAnywhere(auth.PetitionConfigure)) {
		return nil, s.Auth.Refuse(ctx, a, auth.PetitionView, "petition_settings", apperr.NotFound("petition_settings"))
	}
	return LoadSettings(ctx, s.DB)
}
