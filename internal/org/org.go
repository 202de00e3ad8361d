// Package org is the organisation tree (组织机构): the district, its townships,
// streets and zones, their villages and communities, and the departments.
// Each node carries a materialised path ("/1/5/23/"), so that a subtree is one
// index range in both databases.
package org

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
)

// Kinds of organisation.
const (
	District      = "district"       // 区/县
	Township      = "township"       // 乡镇
	Street        = "street"         // 街道
	Zone          = "zone"           // 开发区
	Village       = "village"        // 村
	Community     = "community"      // 社区
	Department    = "department"     // 部门
	PoliceStation = "police_station" // 派出所
)

// Kinds lists every kind in display order.
var Kinds = []string{District, Township, Street, Zone, Village, Community, Department, PoliceStation}

// allowedParents says under which kinds each kind may sit. A district may be
// a root or sit under another district-level node when a city runs Anwen.
var allowedParents = map[string][]string{
	District:      {"", District},
	Township:      {District},
	Street:        {District},
	Zone:          {District},
	Village:       {Township, Street, Zone},
	Community:     {Township, Street, Zone},
	Department:    {District, Department},
	PoliceStation: {Department, District},
}

// Territorial reports whether kind is a territorial unit (属地) below the district.
func Territorial(kind string) bool { return kind == Township || kind == Street || kind == Zone }

// Org is one node of the tree.
type Org struct {
	ID       int64  `json:"id"`
	ParentID *int64 `json:"parent_id"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Code     string `json:"code,omitempty"`
	Depth    int    `json:"depth"`
	Sort     int    `json:"sort"`
	Path     string `json:"-"`
}

// Input is what a create or update takes.
type Input struct {
	ParentID *int64 `json:"parent_id"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Code     string `json:"code"`
	Sort     int    `json:"sort"`
}

// Service reads and changes the tree; every call is checked against the actor's grants.
type Service struct {
	DB    *db.DB
	Auth  *auth.Service
	Clock clock.Clock
}

const cols = "id, parent_id, name, kind, COALESCE(code, ''), depth, sort, path"

func scan(row interface{ Scan(...any) error }) (*Org, error) {
	o := &Org{}
	var parent sql.NullInt64
	if err := row.Scan(&o.ID, &parent, &o.Name, &o.Kind, &o.Code, &o.Depth, &o.Sort, &o.Path); err != nil {
		return nil, err
	}
	if parent.Valid {
		o.ParentID = &parent.Int64
	}
	return o, nil
}

// ByID reads one org without any permission check (for other services).
func ByID(ctx context.Context, q db.Querier, id int64) (*Org, error) {
	o, err := scan(q.QueryRow(ctx, "SELECT "+cols+" FROM orgs WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("organisation")
	}
	return o, err
}

// Root returns the top of the tree (the district), or nil before there is
// one. District-wide permissions (the calendar, the audit trail, feedback)
// are checked at its path.
func Root(ctx context.Context, q db.Querier) (*Org, error) {
	o, err := scan(q.QueryRow(ctx, "SELECT "+cols+" FROM orgs WHERE parent_id IS NULL ORDER BY id LIMIT 1"))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return o, err
}

// RootPath is Root's path, "" before there is a tree (which only the command line passes).
func RootPath(ctx context.Context, q db.Querier) (string, error) {
	o, err := Root(ctx, q)
	if o == nil || err != nil {
		return "", err
	}
	return o.Path, nil
}

// SubtreeRange returns the bounds [lo, hi) of the paths in the subtree at path:
// "/" sorts just before "0", so replacing the final "/" by "0" ends the range.
func SubtreeRange(path string) (lo, hi string) {
	return path, path[:len(path)-1] + "0"
}

// SubtreeSQL is a condition on column for the subtree at path, with its two arguments.
func SubtreeSQL(column, path string) (string, []any) {
	lo, hi := SubtreeRange(path)
	return "(" + column + " >= ? AND " + column + " < ?)", []any{lo, hi}
}

// Subtree lists the subtree at path (the node itself first), ordered by path.
func Subtree(ctx context.Context, q db.Querier, path string) ([]Org, error) {
	cond, args := SubtreeSQL("path", path)
	return list(ctx, q, "SELECT "+cols+" FROM orgs WHERE "+cond+" ORDER BY depth, sort, name, id", args...)
}

func list(ctx context.Context, q db.Querier, query string, args ...any) ([]Org, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Org
	for rows.Next() {
		o, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *o)
	}
	return out, rows.Err()
}

// Get returns an org the actor may see; ENOTFOUND otherwise.
func (s *Service) Get(ctx context.Context, a *auth.Actor, id int64) (*Org, error) {
	o, err := ByID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Check(ctx, a, auth.OrgView, o.Path, "org", strconv.FormatInt(id, 10)); err != nil {
		return nil, err
	}
	return o, nil
}

// Visible lists every org the actor may see, flat, each scope's subtree once.
func (s *Service) Visible(ctx context.Context, a *auth.Actor) ([]Org, error) {
	if a.Operator {
		return list(ctx, s.DB, "SELECT "+cols+" FROM orgs ORDER BY depth, sort, name, id")
	}
	var conds []string
	var args []any
	for _, p := range a.Scopes(auth.OrgView) {
		c, ar := SubtreeSQL("path", p)
		conds = append(conds, c)
		args = append(args, ar...)
	}
	if len(conds) == 0 {
		return []Org{}, nil
	}
	out, err := list(ctx, s.DB, "SELECT "+cols+" FROM orgs WHERE "+strings.Join(conds, " OR ")+" ORDER BY depth, sort, name, id", args...)
	if out == nil {
		out = []Org{}
	}
	return out, err
}

// VisibleDepth is Visible cut at maxDepth levels below each scope root, so
// that a tree view of a province does not load every village.
func (s *Service) VisibleDepth(ctx context.Context, a *auth.Actor, maxDepth int) ([]Org, error) {
	var conds []string
	var args []any
	scopes := a.Scopes(auth.OrgView)
	if a.Operator {
		scopes = []string{"/"}
	}
	for _, p := range scopes {
		c, ar := SubtreeSQL("path", p)
		conds = append(conds, "("+c+" AND depth <= ?)")
		args = append(args, append(ar, strings.Count(p, "/")-2+maxDepth)...)
	}
	if len(conds) == 0 {
		return []Org{}, nil
	}
	return list(ctx, s.DB, "SELECT "+cols+" FROM orgs WHERE "+strings.Join(conds, " OR ")+" ORDER BY depth, sort, name, id", args...)
}

// Search finds visible orgs whose name or code contains q (at most limit).
func (s *Service) Search(ctx context.Context, a *auth.Actor, q string, limit int) ([]Org, error) {
	var conds []string
	var args []any
	for _, p := range a.Scopes(auth.OrgView) {
		c, ar := SubtreeSQL("path", p)
		conds = append(conds, c)
		args = append(args, ar...)
	}
	if len(conds) == 0 || strings.TrimSpace(q) == "" {
		return []Org{}, nil
	}
	like := "%" + strings.NewReplacer("%", "", "_", "").Replace(strings.TrimSpace(q)) + "%"
	args = append(args, like, like)
	return list(ctx, s.DB, "SELECT "+cols+" FROM orgs WHERE ("+strings.Join(conds, " OR ")+") AND (name LIKE ? OR code LIKE ?) ORDER BY depth, sort, name, id LIMIT "+strconv.Itoa(limit), args...)
}

// Children lists the direct children of id that the actor may see.
func (s *Service) Children(ctx context.Context, a *auth.Actor, id int64) ([]Org, error) {
	if _, err := s.Get(ctx, a, id); err != nil {
		return nil, err
	}
	return list(ctx, s.DB, "SELECT "+cols+" FROM orgs WHERE parent_id = ? ORDER BY sort, name, id", id)
}

// Ancestors returns the chain from the root down to o's parent, for breadcrumbs.
func Ancestors(ctx context.Context, q db.Querier, o *Org) ([]Org, error) {
	var ids []any
	var marks []string
	for _, p := range strings.Split(strings.Trim(o.Path, "/"), "/") {
		if p == strconv.FormatInt(o.ID, 10) || p == "" {
			continue
		}
		id, _ := strconv.ParseInt(p, 10, 64)
		ids = append(ids, id)
		marks = append(marks, "?")
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return list(ctx, q, "SELECT "+cols+" FROM orgs WHERE id IN ("+strings.Join(marks, ",")+") ORDER BY depth", ids...)
}

// ValidateInput trims in and checks it on its own (name, kind, code length).
func ValidateInput(in *Input) error {
	in.Name = strings.TrimSpace(in.Name)
	in.Code = strings.TrimSpace(in.Code)
	if in.Name == "" {
		return apperr.Field(apperr.EINVALID, "name", "名称不能为空 / the name is required")
	}
	if utf8.RuneCountInString(in.Name) > 100 {
		return apperr.Field(apperr.EINVALID, "name", "名称最长 100 字 / the name may have at most 100 characters")
	}
	if _, ok := allowedParents[in.Kind]; !ok {
		return apperr.Field(apperr.EINVALID, "kind", "类型无效：%q / unknown kind %q", in.Kind, in.Kind)
	}
	if len(in.Code) > 40 {
		return apperr.Field(apperr.EINVALID, "code", "编码最长 40 位 / the code may have at most 40 characters")
	}
	return nil
}

// CheckParentKind reports whether an org of kind may sit under one of
// parentKind ("" for a root).
func CheckParentKind(kind, parentKind string) error {
	for _, k := range allowedParents[kind] {
		if k == parentKind {
			return nil
		}
	}
	if parentKind == "" {
		return apperr.Field(apperr.ERULE, "parent_id", "该类型必须有上级组织 / a %s needs a parent", kind)
	}
	return apperr.Field(apperr.ERULE, "parent_id", "%s 不能设在 %s 之下 / a %s cannot sit under a %s", kind, parentKind, kind, parentKind)
}

// Create adds an org under in.ParentID (a root needs the command line).
func (s *Service) Create(ctx context.Context, a *auth.Actor, in Input) (*Org, error) {
	if err := ValidateInput(&in); err != nil {
		return nil, err
	}
	var parent *Org
	if in.ParentID != nil {
		p, err := ByID(ctx, s.DB, *in.ParentID)
		if err != nil {
			return nil, apperr.Field(apperr.ERULE, "parent_id", "上级组织不存在 / the parent organisation does not exist")
		}
		if err := s.Auth.Check(ctx, a, auth.OrgManage, p.Path, "org", ""); err != nil {
			return nil, err
		}
		parent = p
	} else if !a.Operator {
		return nil, s.Auth.Refuse(ctx, a, auth.OrgManage, "org", apperr.Field(apperr.EFORBIDDEN, "parent_id", "只能在已有组织下新增 / new organisations go under an existing one"))
	}
	parentKind := ""
	if parent != nil {
		parentKind = parent.Kind
	}
	if err := CheckParentKind(in.Kind, parentKind); err != nil {
		return nil, err
	}
	var out *Org
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		o, err := CreateTx(ctx, tx, s.Clock.Now(), parent, in)
		if err != nil {
			return err
		}
		out = o
		return audit.Append(ctx, tx, s.entry(a, "org.create", o, nil, o))
	})
	return out, err
}

// CreateTx inserts an org inside tx without checks beyond the database's own
// (for the demo loader and imports, which check first).
func CreateTx(ctx context.Context, tx *db.Tx, now time.Time, parent *Org, in Input) (*Org, error) {
	var parentID any
	prefix, depth := "/", 0
	if parent != nil {
		parentID, prefix, depth = parent.ID, parent.Path, parent.Depth+1
	}
	var code any
	if in.Code != "" {
		code = in.Code
	}
	// The path needs the id: insert with a placeholder unique to this
	// transaction, then set it.
	tmp := prefix + "new-" + strconv.FormatInt(now.UnixNano(), 36) + "/"
	id, err := db.InsertID(ctx, tx, `INSERT INTO orgs (parent_id, name, kind, code, path, depth, sort, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, parentID, in.Name, in.Kind, code, tmp, depth, in.Sort, now, now)
	if db.IsUniqueViolation(err) {
		return nil, apperr.Field(apperr.ECONFLICT, "code", "编码 %q 已被使用 / the code %q is taken", in.Code, in.Code)
	}
	if err != nil {
		return nil, err
	}
	path := prefix + strconv.FormatInt(id, 10) + "/"
	if _, err := tx.Exec(ctx, "UPDATE orgs SET path = ? WHERE id = ?", path, id); err != nil {
		return nil, err
	}
	o := &Org{ID: id, Name: in.Name, Kind: in.Kind, Code: in.Code, Depth: depth, Sort: in.Sort, Path: path}
	if parent != nil {
		pid := parent.ID
		o.ParentID = &pid
	}
	return o, nil
}

// Update renames, re-kinds or moves an org. A move carries the whole subtree
// and is refused when the new parent lies inside the org itself.
func (s *Service) Update(ctx context.Context, a *auth.Actor, id int64, in Input) (*Org, error) {
	if err := ValidateInput(&in); err != nil {
		return nil, err
	}
	cur, err := ByID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Check(ctx, a, auth.OrgManage, cur.Path, "org", strconv.FormatInt(id, 10)); err != nil {
		return nil, err
	}
	parent := (*Org)(nil)
	moving := false
	switch {
	case in.ParentID == nil && cur.ParentID != nil:
		if !a.Operator {
			return nil, apperr.Field(apperr.ERULE, "parent_id", "不能移为顶级组织 / an organisation cannot become a root here")
		}
		moving = true
	case in.ParentID != nil:
		p, err := ByID(ctx, s.DB, *in.ParentID)
		if err != nil {
			return nil, apperr.Field(apperr.ERULE, "parent_id", "上级组织不存在 / the parent organisation does not exist")
		}
		parent = p
		moving = cur.ParentID == nil || *cur.ParentID != p.ID
		if moving {
			if auth.Covers(cur.Path, p.Path) {
				return nil, apperr.Field(apperr.ERULE, "parent_id", "不能把组织移到它自己或其下级之下 / an organisation cannot move under itself or its own descendant")
			}
			if err := s.Auth.Check(ctx, a, auth.OrgManage, p.Path, "org", strconv.FormatInt(p.ID, 10)); err != nil {
				return nil, err
			}
		}
	}
	if cur.ParentID != nil && parent == nil && !moving {
		parent, _ = ByID(ctx, s.DB, *cur.ParentID)
	}
	parentKind := ""
	if parent != nil {
		parentKind = parent.Kind
	}
	if err := CheckParentKind(in.Kind, parentKind); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	var out *Org
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var code any
		if in.Code != "" {
			code = in.Code
		}
		if _, err := tx.Exec(ctx, "UPDATE orgs SET name = ?, kind = ?, code = ?, sort = ?, updated_at = ? WHERE id = ?",
			in.Name, in.Kind, code, in.Sort, now, id); err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.Field(apperr.ECONFLICT, "code", "编码 %q 已被使用 / the code %q is taken", in.Code, in.Code)
			}
			return err
		}
		if moving {
			newPrefix, newDepth := "/", 0
			var parentID any
			if parent != nil {
				newPrefix, newDepth, parentID = parent.Path, parent.Depth+1, parent.ID
			}
			newPath := newPrefix + strconv.FormatInt(id, 10) + "/"
			lo, hi := SubtreeRange(cur.Path)
			if _, err := tx.Exec(ctx, "UPDATE orgs SET parent_id = ? WHERE id = ?", parentID, id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE orgs SET path = CAST(? AS TEXT) || substr(path, CAST(? AS INTEGER)), depth = depth + CAST(? AS INTEGER)
				WHERE path >= ? AND path < ?`, newPath, len(cur.Path)+1, newDepth-cur.Depth, lo, hi); err != nil {
				return err
			}
		}
		o, err := ByID(ctx, tx, id)
		if err != nil {
			return err
		}
		out = o
		return audit.Append(ctx, tx, s.entry(a, "org.update", o, cur, o))
	})
	return out, err
}

func (s *Service) entry(a *auth.Actor, action string, o *Org, before, after any) audit.Entry {
	e := a.Entry(s.Clock.Now(), action, "org", strconv.FormatInt(o.ID, 10), o.ID)
	e.Before, e.After = before, after
	return e
}
