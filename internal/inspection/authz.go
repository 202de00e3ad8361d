package inspection

import (
	"context"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/org"
)

// grantAllows says whether one grant allows action on an inspection of kind
// at path. An enterprise contact's grant (scoped to its enterprise's path)
// reaches only self-inspections; a government grant reaches every kind, but
// does not record a self-inspection: that is the enterprise's own word.
func grantAllows(g auth.Grant, action auth.Action, path, kind string) bool {
	if g.ScopePath == "" || !auth.RoleAllows(g.Role, action) || !auth.Covers(g.ScopePath, path) {
		return false
	}
	if g.Role == auth.RoleEnterprise {
		return kind == KindSelf
	}
	return action != auth.InspectionRecord || kind != KindSelf
}

// can reports whether a may do action on an inspection of kind at path.
func can(a *auth.Actor, action auth.Action, path, kind string) bool {
	if a == nil {
		return false
	}
	if a.Operator {
		return true
	}
	for _, g := range a.Grants {
		if grantAllows(g, action, path, kind) {
			return true
		}
	}
	return false
}

// reaches reports whether some grant of a carries action over path, of
// whatever kind.
func reaches(a *auth.Actor, action auth.Action, path string) bool {
	return a != nil && (a.Operator || a.Can(action, path))
}

// isContactOf reports whether a speaks for enterprise id (企业联络人).
func isContactOf(a *auth.Actor, id int64) bool {
	return a != nil && id != 0 && a.EnterpriseID == id && a.HasRole(auth.RoleEnterprise)
}

// authorize decides action on an inspection of kind at path, as
// auth.Authorize does (ENOTFOUND when the actor sees nothing there,
// EFORBIDDEN when it sees but may not), and records a refusal in the trail.
func (s *Service) authorize(ctx context.Context, a *auth.Actor, action auth.Action, path, kind, objectID string, orgID int64) error {
	if a == nil {
		return apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	if can(a, action, path, kind) {
		return nil
	}
	var err error
	switch {
	case action == auth.InspectionView || !reaches(a, auth.InspectionView, path):
		err = apperr.NotFound("inspection")
	case action == auth.InspectionRecord && reaches(a, auth.InspectionRecord, path) && kind != KindSelf:
		err = apperr.Field(apperr.EFORBIDDEN, "kind", "企业联络人只能记录本企业的自查 / an enterprise contact records only its own enterprise's self-inspections")
	default:
		err = apperr.New(apperr.EFORBIDDEN, "无权执行此操作 / you may not do this")
	}
	return s.refuse(ctx, a, action, objectID, orgID, err)
}

// refuse records err as a denied event and returns it.
func (s *Service) refuse(ctx context.Context, a *auth.Actor, action auth.Action, objectID string, orgID int64, err error) error {
	if a == nil {
		return err
	}
	e := a.Entry(s.Clock.Now(), string(action), "inspection", objectID, orgID)
	e.Result, e.Detail = audit.Denied, apperr.Code(err)
	if aerr := audit.AppendAlone(ctx, s.DB, e); aerr != nil {
		s.log().Warn("inspection: record refusal", "err", aerr)
	}
	return err
}

// scopeSQL is the condition on the columns path and kind (of table alias i)
// that keeps the inspections a may see.
func scopeSQL(a *auth.Actor) (string, []any) {
	if a.Operator {
		return "1 = 1", nil
	}
	var conds []string
	var args []any
	for _, g := range a.Grants {
		if g.ScopePath == "" || !auth.RoleAllows(g.Role, auth.InspectionView) {
			continue
		}
		c, ar := org.SubtreeSQL("i.path", g.ScopePath)
		if g.Role == auth.RoleEnterprise {
			c = "(" + c + " AND i.kind = 'self')"
		}
		conds = append(conds, c)
		args = append(args, ar...)
	}
	if len(conds) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// canSeeAny reports whether a may see some inspection somewhere (the menu, the list).
func canSeeAny(a *auth.Actor) bool {
	if a == nil {
		return false
	}
	if a.Operator {
		return true
	}
	for _, g := range a.Grants {
		if g.ScopePath != "" && auth.RoleAllows(g.Role, auth.InspectionView) {
			return true
		}
	}
	return false
}

// canRecordAny reports whether a may record some inspection somewhere.
func canRecordAny(a *auth.Actor) bool {
	if a == nil {
		return false
	}
	if a.Operator {
		return true
	}
	for _, g := range a.Grants {
		if g.ScopePath != "" && auth.RoleAllows(g.Role, auth.InspectionRecord) {
			return true
		}
	}
	return false
}
