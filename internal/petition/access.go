package petition

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
)

// Who sees a case and who acts on it.
//
// A grant of the matrix is necessary, not sufficient. A person acts on a
// case for one of its sides, and belongs to that side when their own org
// lies in the side's org (its subtree) and a grant of theirs covers that
// org: the bureau (信访局, for registering, routing, supervision), the org
// the case was routed to (受理、答复), the org answering a review (复查、
// 复核). Someone whose org lies above a side's org (a township's staff for
// a case routed to one of its villages), and leaders and supervisors whose
// grants cover it, read the case without acting. A district-wide grant
// held in another department (the emergency bureau's staff) therefore
// does not open petitions.
//
// Before all that: an accusation is never visible to a member of the
// accused org or to the accused person, and whoever stepped aside (回避)
// no longer sees the case. They get 404, as if it did not exist.

// viewer is what is known of the actor for deciding access.
type viewer struct {
	a        *auth.Actor
	orgPath  string // the actor's own org's path ("" for the command line)
	recused  bool
	operator bool
	// selfRecuse: the step at hand is the actor stepping aside themself.
	selfRecuse bool
}

// viewerFor reads the actor's org path (and whether they stepped aside from case id, when id > 0).
func (s *Service) viewerFor(ctx context.Context, q db.Querier, a *auth.Actor, id int64) (*viewer, error) {
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	v := &viewer{a: a, operator: a.Operator}
	if a.OrgID != 0 {
		if err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", a.OrgID).Scan(&v.orgPath); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	if id > 0 && a.UserID != 0 {
		var n int
		if err := q.QueryRow(ctx, "SELECT count(*) FROM petition_recusals WHERE user_id = ? AND petition_id = ?", a.UserID, id).Scan(&n); err != nil {
			return nil, err
		}
		v.recused = n > 0
	}
	return v, nil
}

// member reports whether v belongs to the org at path for action: their
// own org lies in its subtree and a grant covers it.
func (v *viewer) member(action auth.Action, path string) bool {
	if path == "" {
		return false
	}
	if v.operator {
		return true
	}
	return auth.Covers(path, v.orgPath) && v.a.Can(action, path)
}

// above reports whether v's own org lies above the org at path (and a
// grant lets them read there).
func (v *viewer) above(path string) bool {
	return path != "" && v.orgPath != "" && auth.Covers(v.orgPath, path) && v.a.Can(auth.PetitionView, path)
}

// overseer reports whether v holds a leader's or supervisor's grant covering path.
func (v *viewer) overseer(path string) bool {
	if path == "" {
		return false
	}
	for _, g := range v.a.Grants {
		if (g.Role == auth.RoleLeader || g.Role == auth.RoleSupervisor) && auth.RoleAllows(g.Role, auth.PetitionView) && auth.Covers(g.ScopePath, path) {
			return true
		}
	}
	return false
}

// barred reports whether v may never see p: the accused org's members and
// the accused person, for an accusation; whoever stepped aside.
func (v *viewer) barred(p *Petition) bool {
	if v.operator {
		return false
	}
	if v.recused {
		return true
	}
	if p.Category == Accusation {
		if p.AccusedUserID != nil && *p.AccusedUserID == v.a.UserID {
			return true
		}
		if p.AccusedPath != "" && auth.Covers(p.AccusedPath, v.orgPath) {
			return true
		}
	}
	return false
}

// sidePath is the org path of a side of p ("" when the case has none yet).
func sidePath(p *Petition, side Side) string {
	switch side {
	case OnBureau:
		return p.BureauPath
	case OnHandler:
		return p.HandlingPath
	case OnReviewer:
		return p.ReviewPath
	}
	return ""
}

// can reports whether v may take a step of side with perm on p.
func (v *viewer) can(p *Petition, side Side, perm auth.Action) bool {
	if v.barred(p) {
		return false
	}
	if side == OnAnySide {
		return v.handles(p, perm)
	}
	return v.member(perm, sidePath(p, side))
}

// handles reports whether v works on p for some side with perm.
func (v *viewer) handles(p *Petition, perm auth.Action) bool {
	return v.member(perm, p.BureauPath) || v.member(perm, p.HandlingPath) || v.member(perm, p.ReviewPath)
}

// sees reports whether v may read p.
func (v *viewer) sees(p *Petition) bool {
	if v.barred(p) {
		return false
	}
	if v.handles(p, auth.PetitionView) {
		return true
	}
	for _, path := range []string{p.BureauPath, p.HandlingPath, p.ReviewPath} {
		if v.above(path) || v.overseer(path) {
			return true
		}
	}
	return false
}

// reveals reports whether v may open p's personal data (and an
// accusation's content): whoever handles it, with petition.reveal.
func (v *viewer) reveals(p *Petition) bool {
	return !v.barred(p) && v.handles(p, auth.PetitionReveal)
}

// recusesOthers reports whether v decides who steps aside from p: the
// bureau's staff, the handling or reviewing org's head.
func (v *viewer) recusesOthers(p *Petition) bool {
	return v.operator || v.member(auth.PetitionRoute, p.BureauPath) || v.member(auth.PetitionApprove, p.HandlingPath) || v.member(auth.PetitionApprove, p.ReviewPath)
}

// deny records a refusal and returns err.
func (s *Service) deny(ctx context.Context, a *auth.Actor, action string, p *Petition, err error) error {
	if a == nil {
		return err
	}
	var orgID int64
	if p != nil {
		orgID = p.BureauOrgID
	}
	id := ""
	if p != nil {
		id = itoa(p.ID)
	}
	audit.AppendAlone(ctx, s.DB, audit.Entry{At: s.Clock.Now(), UserID: a.UserID, UserLogin: a.Login, OrgID: orgID, Action: action,
		ObjectType: "petition", ObjectID: id, Result: audit.Denied, ClientAddr: a.ClientAddr, Detail: apperr.Code(err)})
	return err
}

// visible loads case id for a, or ENOTFOUND (recorded) when a may not see it.
func (s *Service) visible(ctx context.Context, a *auth.Actor, id int64) (*Petition, *viewer, error) {
	if a == nil {
		return nil, nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	p, err := s.load(ctx, s.DB, id)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.viewerFor(ctx, s.DB, a, id)
	if err != nil {
		return nil, nil, err
	}
	if !v.sees(p) {
		return nil, nil, s.deny(ctx, a, string(auth.PetitionView), p, apperr.NotFound("petition"))
	}
	return p, v, nil
}

// CanView is nil when a may see case id (the attachments' owner check for
// a case that is not an accusation; an accusation's files are its
// content, for those who handle it only).
func (s *Service) CanView(ctx context.Context, a *auth.Actor, id int64) error {
	p, v, err := s.visible(ctx, a, id)
	if err != nil {
		return err
	}
	if p.Category == Accusation && !v.reveals(p) {
		return s.deny(ctx, a, string(auth.PetitionReveal), p, apperr.New(apperr.EFORBIDDEN, "检举控告材料仅限办理人员查看 / accusation material is for those who handle it"))
	}
	return nil
}

// listScope is the part of the ledger's WHERE clause that keeps to what v
// may see, with its arguments; all is true when v sees every case (the
// bureau, the district's leaders), apart from the bars.
func (v *viewer) listScope(bureauPath string) (cond string, args []any, all bool) {
	if v.operator || v.member(auth.PetitionView, bureauPath) || v.above(bureauPath) || v.overseer(bureauPath) {
		return "", nil, true
	}
	var ors []string
	// The side orgs v belongs to or stands above: a path column in the
	// subtree of v's org and of a grant's scope, or an ancestor of v's org
	// that a grant covers.
	ancestors := ancestorsOf(v.orgPath)
	for _, col := range []string{"p.handling_path", "p.review_path"} {
		for _, scope := range v.a.Scopes(auth.PetitionView) {
			deeper := ""
			switch {
			case v.orgPath != "" && auth.Covers(scope, v.orgPath):
				deeper = v.orgPath
			case v.orgPath != "" && auth.Covers(v.orgPath, scope):
				deeper = scope
			}
			if deeper != "" {
				lo, hi := deeper, deeper[:len(deeper)-1]+"0"
				ors, args = append(ors, "("+col+" >= ? AND "+col+" < ?)"), append(args, lo, hi)
			}
			var in []string
			for _, anc := range ancestors {
				if anc != v.orgPath && auth.Covers(scope, anc) {
					in, args = append(in, "?"), append(args, anc)
				}
			}
			if len(in) > 0 {
				ors = append(ors, col+" IN ("+strings.Join(in, ", ")+")")
			}
		}
		// Oversight: a leader's or supervisor's scope.
		for _, g := range v.a.Grants {
			if (g.Role == auth.RoleLeader || g.Role == auth.RoleSupervisor) && auth.RoleAllows(g.Role, auth.PetitionView) && g.ScopePath != "" {
				lo, hi := g.ScopePath, g.ScopePath[:len(g.ScopePath)-1]+"0"
				ors, args = append(ors, "("+col+" >= ? AND "+col+" < ?)"), append(args, lo, hi)
			}
		}
	}
	if len(ors) == 0 {
		return "1 = 0", nil, false
	}
	return "(" + strings.Join(ors, " OR ") + ")", args, false
}

// handlingScope is the WHERE clause of the cases v handles (for action) as
// the handling or reviewing org: a side org that is v's own org or one
// above it within a grant's scope.
func (v *viewer) handlingScope(action auth.Action) (string, []any) {
	if v.operator {
		return "1 = 1", nil
	}
	var in []string
	var args []any
	for _, anc := range ancestorsOf(v.orgPath) {
		if v.a.Can(action, anc) {
			in, args = append(in, "?"), append(args, anc)
		}
	}
	if len(in) == 0 {
		return "1 = 0", nil
	}
	list := strings.Join(in, ", ")
	return "(p.handling_path IN (" + list + ") OR p.review_path IN (" + list + "))", append(args, args...)
}

// ancestorsOf lists the paths from the root down to path itself.
func ancestorsOf(path string) []string {
	if path == "" {
		return nil
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	out := make([]string, len(parts))
	for i := range parts {
		out[i] = "/" + strings.Join(parts[:i+1], "/") + "/"
	}
	return out
}

// bars is the WHERE clause that leaves out what v may never see.
func (v *viewer) bars() (string, []any) {
	if v.operator {
		return "", nil
	}
	var conds []string
	var args []any
	if v.a.UserID != 0 {
		conds = append(conds, "p.id NOT IN (SELECT petition_id FROM petition_recusals WHERE user_id = ?)")
		args = append(args, v.a.UserID)
	}
	// An accusation against v's org (or an org above it) or against v.
	var accused []string
	var accArgs []any
	for _, anc := range ancestorsOf(v.orgPath) {
		accused, accArgs = append(accused, "?"), append(accArgs, anc)
	}
	acc := "COALESCE(p.accused_user_id, 0) = ?"
	accArgs = append([]any{v.a.UserID}, accArgs...)
	if len(accused) > 0 {
		acc += " OR p.accused_path IN (" + strings.Join(accused, ", ") + ")"
	}
	conds = append(conds, "NOT (p.category = 'accusation' AND ("+acc+"))")
	args = append(args, accArgs...)
	return strings.Join(conds, " AND "), args
}
