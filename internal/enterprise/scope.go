package enterprise

import (
	"strconv"
	"strings"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/org"
)

// ScopeSQL is the SQL condition that keeps the rows an actor may see for
// action, for any table whose rows belong to an org and possibly to an
// enterprise: the register itself, hazards, inspections. orgPathCol is the
// column holding the path of the row's org (for an enterprise, its territory
// org's path: join orgs); enterpriseIDCol the column holding the enterprise
// id (NULL for rows about no enterprise).
//
// Each scope of actor.Scopes(action) is either an org path ("/1/5/"), which
// admits the org's subtree, or an enterprise path ("/1/5/e12/", see
// auth.EnterpriseScope), which admits only rows of that enterprise. The
// operator at the command line sees everything; an actor without any scope
// nothing ("1 = 0").
//
//	cond, args := enterprise.ScopeSQL(a, auth.HazardView, "o.path", "h.enterprise_id")
//	rows, err := db.Query(ctx, "SELECT … FROM hazards h JOIN orgs o ON o.id = h.org_id WHERE "+cond, args...)
func ScopeSQL(a *auth.Actor, action auth.Action, orgPathCol, enterpriseIDCol string) (string, []any) {
	if a != nil && a.Operator {
		return "1 = 1", nil
	}
	if a == nil {
		return "1 = 0", nil
	}
	return ScopesSQL(a.Scopes(action), orgPathCol, enterpriseIDCol)
}

// ScopesSQL is ScopeSQL for a list of scope paths.
func ScopesSQL(scopes []string, orgPathCol, enterpriseIDCol string) (string, []any) {
	var conds, marks []string
	var args, ids []any
	for _, p := range scopes {
		if p == "" {
			continue
		}
		if id, ok := ScopeEnterprise(p); ok {
			marks = append(marks, "?")
			ids = append(ids, id)
			continue
		}
		c, ar := org.SubtreeSQL(orgPathCol, p)
		conds = append(conds, c)
		args = append(args, ar...)
	}
	if len(ids) > 0 {
		conds = append(conds, enterpriseIDCol+" IN ("+strings.Join(marks, ", ")+")")
		args = append(args, ids...)
	}
	if len(conds) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// ScopeEnterprise tells whether a scope path is an enterprise's
// ("<territory path>e<id>/") and returns the id.
func ScopeEnterprise(path string) (int64, bool) {
	p := strings.TrimSuffix(path, "/")
	seg := p[strings.LastIndexByte(p, '/')+1:]
	if len(seg) < 2 || seg[0] != 'e' {
		return 0, false
	}
	id, err := strconv.ParseInt(seg[1:], 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}

// OwnEnterprise returns the enterprise an actor sees alone: when every
// scope the actor holds for action is one enterprise (an enterprise contact),
// its id; otherwise 0.
func OwnEnterprise(a *auth.Actor, action auth.Action) int64 {
	if a == nil || a.Operator {
		return 0
	}
	var own int64
	for _, p := range a.Scopes(action) {
		id, ok := ScopeEnterprise(p)
		if !ok || (own != 0 && own != id) {
			return 0
		}
		own = id
	}
	return own
}
