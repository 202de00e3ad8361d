// Package people manages the officials who use Anwen (人员): their
// organisation, post (职务), phone and roles, each role held within an org scope.
package people

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
)

// RoleGrant is one role within one org scope, as the API shows it.
type RoleGrant struct {
	Role       string `json:"role"`
	ScopeOrgID int64  `json:"scope_org_id"`
	// ScopeOrgName is filled on reads and ignored on writes.
	ScopeOrgName string `json:"scope_org_name,omitempty"`
}

// key identifies a grant without its display name.
func (g RoleGrant) key() RoleGrant { return RoleGrant{Role: g.Role, ScopeOrgID: g.ScopeOrgID} }

// Person is one account as lists and pages show it. The phone is masked
// unless unmasked on purpose (and then audited).
type Person struct {
	ID          int64       `json:"id"`
	Login       string      `json:"login"`
	Name        string      `json:"name"`
	OrgID       int64       `json:"org_id"`
	OrgName     string      `json:"org_name,omitempty"`
	Post        string      `json:"post"`
	Phone       string      `json:"phone"`
	Roles       []RoleGrant `json:"roles"`
	MustChange  bool        `json:"must_change_password"`
	TOTPEnabled bool        `json:"totp_enabled"`
	Locked      bool        `json:"locked"`
	Disabled    bool        `json:"disabled"`
	orgPath     string
	phone       string
}

// Input is what a create or update takes.
type Input struct {
	Login    string      `json:"login"`
	Name     string      `json:"name"`
	OrgID    int64       `json:"org_id"`
	Post     string      `json:"post"`
	Phone    string      `json:"phone"`
	Roles    []RoleGrant `json:"roles"`
	Password string      `json:"password,omitempty"`
	Disabled bool        `json:"disabled,omitempty"`
}

// Service manages people; every call is checked against the actor's grants.
type Service struct {
	DB    *db.DB
	Auth  *auth.Service
	Clock clock.Clock
}

// MaskPhone keeps the first 3 and last 4 digits: 138****5678.
func MaskPhone(p string) string {
	if len(p) < 8 {
		if p == "" {
			return ""
		}
		return "****"
	}
	return p[:3] + strings.Repeat("*", len(p)-7) + p[len(p)-4:]
}

const cols = `u.id, u.login, u.name, u.org_id, o.name, o.path, u.post, u.phone, u.must_change_password, u.totp_enabled, u.locked_until, u.disabled`

func (s *Service) scan(rows interface{ Scan(...any) error }) (*Person, error) {
	p := &Person{}
	var locked sql.NullTime
	if err := rows.Scan(&p.ID, &p.Login, &p.Name, &p.OrgID, &p.OrgName, &p.orgPath, &p.Post, &p.phone, &p.MustChange, &p.TOTPEnabled, &locked, &p.Disabled); err != nil {
		return nil, err
	}
	p.Phone = MaskPhone(p.phone)
	p.Locked = locked.Valid && s.Clock.Now().Before(locked.Time)
	return p, nil
}

func (s *Service) loadRoles(ctx context.Context, q db.Querier, ps []*Person) error {
	if len(ps) == 0 {
		return nil
	}
	byID := map[int64]*Person{}
	var marks []string
	var args []any
	for _, p := range ps {
		byID[p.ID] = p
		p.Roles = []RoleGrant{}
		marks = append(marks, "?")
		args = append(args, p.ID)
	}
	// Chunks keep the IN list within both databases' parameter limits.
	for len(args) > 0 {
		n := min(len(args), 500)
		rows, err := q.Query(ctx, "SELECT r.user_id, r.role, r.scope_org_id, o.name FROM user_roles r JOIN orgs o ON o.id = r.scope_org_id WHERE r.user_id IN ("+strings.Join(marks[:n], ",")+") ORDER BY r.user_id, r.role, r.scope_org_id", args[:n]...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var g RoleGrant
			if err := rows.Scan(&id, &g.Role, &g.ScopeOrgID, &g.ScopeOrgName); err != nil {
				rows.Close()
				return err
			}
			byID[id].Roles = append(byID[id].Roles, g)
		}
		rows.Close()
		args, marks = args[n:], marks[n:]
	}
	return nil
}

func (s *Service) byID(ctx context.Context, q db.Querier, id int64) (*Person, error) {
	p, err := s.scan(q.QueryRow(ctx, "SELECT "+cols+" FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("user")
	}
	if err != nil {
		return nil, err
	}
	return p, s.loadRoles(ctx, q, []*Person{p})
}

// Get returns a person the actor may see.
func (s *Service) Get(ctx context.Context, a *auth.Actor, id int64) (*Person, error) {
	p, err := s.byID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if p.ID != a.UserID {
		if err := s.Auth.Check(ctx, a, auth.UserView, p.orgPath, "user", strconv.FormatInt(id, 10)); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Filter narrows a list.
type Filter struct {
	OrgID  int64  // this org and its subtree
	Exact  bool   // only people of OrgID itself, not of its subtree
	Query  string // substring of name, login or post
	Role   string
	Limit  int
	Offset int
}

// List returns the people the actor may see, with the total count.
func (s *Service) List(ctx context.Context, a *auth.Actor, f Filter) ([]Person, int, error) {
	var conds []string
	var args []any
	if !a.Operator {
		var scopes []string
		for _, p := range a.Scopes(auth.UserView) {
			c, ar := org.SubtreeSQL("o.path", p)
			scopes = append(scopes, c)
			args = append(args, ar...)
		}
		if len(scopes) == 0 {
			return []Person{}, 0, nil
		}
		conds = append(conds, "("+strings.Join(scopes, " OR ")+")")
	}
	if f.OrgID != 0 {
		o, err := org.ByID(ctx, s.DB, f.OrgID)
		if err != nil {
			return nil, 0, err
		}
		if err := s.Auth.Check(ctx, a, auth.UserView, o.Path, "org", strconv.FormatInt(o.ID, 10)); err != nil {
			return nil, 0, err
		}
		if f.Exact {
			conds = append(conds, "u.org_id = ?")
			args = append(args, o.ID)
		} else {
			c, ar := org.SubtreeSQL("o.path", o.Path)
			conds = append(conds, c)
			args = append(args, ar...)
		}
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + strings.NewReplacer("%", "", "_", "").Replace(q) + "%"
		conds = append(conds, "(u.name LIKE ? OR u.login LIKE ? OR u.post LIKE ?)")
		args = append(args, like, like, like)
	}
	if f.Role != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = ?)")
		args = append(args, f.Role)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int
	if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM users u JOIN orgs o ON o.id = u.org_id"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 5000 {
		f.Limit = 5000
	}
	rows, err := s.DB.Query(ctx, "SELECT "+cols+" FROM users u JOIN orgs o ON o.id = u.org_id"+where+
		" ORDER BY o.path, u.id LIMIT "+strconv.Itoa(f.Limit)+" OFFSET "+strconv.Itoa(max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, err
	}
	var ptrs []*Person
	for rows.Next() {
		p, err := s.scan(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		ptrs = append(ptrs, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if err := s.loadRoles(ctx, s.DB, ptrs); err != nil {
		return nil, 0, err
	}
	out := make([]Person, 0, len(ptrs))
	for _, p := range ptrs {
		out = append(out, *p)
	}
	return out, total, nil
}

var (
	loginRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)
	phoneRe = regexp.MustCompile(`^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$`)
)

// Validate checks one input on its own: formats and the separation of the
// three administrators. (Scopes and orgs need the database: see checkGrants.)
func Validate(in *Input, creating bool) error {
	in.Login = strings.ToLower(strings.TrimSpace(in.Login))
	in.Name = strings.TrimSpace(in.Name)
	in.Post = strings.TrimSpace(in.Post)
	in.Phone = strings.TrimSpace(in.Phone)
	if creating && !loginRe.MatchString(in.Login) {
		return apperr.Field(apperr.EINVALID, "login", "登录名须为 2–32 位小写字母、数字或 . _ - / the login needs 2–32 lower-case letters, digits or . _ -")
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 50 {
		return apperr.Field(apperr.EINVALID, "name", "姓名不能为空，最长 50 字 / the name is required, at most 50 characters")
	}
	if utf8.RuneCountInString(in.Post) > 50 {
		return apperr.Field(apperr.EINVALID, "post", "职务最长 50 字 / the post may have at most 50 characters")
	}
	if in.Phone != "" && !phoneRe.MatchString(in.Phone) {
		return apperr.Field(apperr.EINVALID, "phone", "电话号码格式不正确 / the phone number is not valid")
	}
	if in.OrgID <= 0 {
		return apperr.Field(apperr.EINVALID, "org_id", "请选择所属组织 / the organisation is required")
	}
	var roles []string
	seen := map[RoleGrant]bool{}
	for i, g := range in.Roles {
		g = g.key()
		in.Roles[i] = g
		if !auth.ValidRole(g.Role) {
			return apperr.Field(apperr.EINVALID, "roles", "未知角色 %q / unknown role %q", g.Role, g.Role)
		}
		if g.ScopeOrgID <= 0 {
			return apperr.Field(apperr.EINVALID, "roles", "角色 %s 须指定管辖范围 / role %s needs a scope organisation", g.Role, g.Role)
		}
		if seen[g] {
			return apperr.Field(apperr.EINVALID, "roles", "角色重复 / a role is listed twice")
		}
		seen[g] = true
		roles = append(roles, g.Role)
	}
	return auth.CheckAdminSeparation(roles)
}

// checkGrants checks that the actor may place a person in orgPath and hand out
// each role within its scope: administrator roles need the security
// administrator (三员: the system administrator cannot make another administrator).
func (s *Service) checkGrants(ctx context.Context, a *auth.Actor, q db.Querier, orgPath string, grants []RoleGrant) error {
	// The security administrator places people only to grant them an administrator role.
	if err := auth.Authorize(a, auth.UserManage, orgPath); err != nil && !(apperr.Code(err) == apperr.EFORBIDDEN && a.Can(auth.UserAdminRoles, orgPath)) {
		return s.Auth.Check(ctx, a, auth.UserManage, orgPath, "user", "")
	}
	for _, g := range grants {
		scope, err := org.ByID(ctx, q, g.ScopeOrgID)
		if err != nil {
			return apperr.Field(apperr.ERULE, "roles", "管辖范围组织 %d 不存在 / scope organisation %d does not exist", g.ScopeOrgID, g.ScopeOrgID)
		}
		need := auth.UserManage
		if auth.IsAdminRole(g.Role) {
			need = auth.UserAdminRoles
		}
		if err := s.Auth.Check(ctx, a, need, scope.Path, "user", ""); err != nil {
			return apperr.Field(apperr.EFORBIDDEN, "roles", "无权授予角色 %s / you may not grant role %s", g.Role, g.Role)
		}
	}
	return nil
}

// Create adds a person. The password they get must be changed at first sign-in.
func (s *Service) Create(ctx context.Context, a *auth.Actor, in Input) (*Person, error) {
	if err := Validate(&in, true); err != nil {
		return nil, err
	}
	if err := auth.CheckPolicy(in.Password, in.Login); err != nil {
		return nil, err
	}
	o, err := org.ByID(ctx, s.DB, in.OrgID)
	if err != nil {
		return nil, apperr.Field(apperr.ERULE, "org_id", "所属组织不存在 / the organisation does not exist")
	}
	if err := s.checkGrants(ctx, a, s.DB, o.Path, in.Roles); err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	var out *Person
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, err := CreateTx(ctx, tx, s.Clock.Now(), in, hash, true)
		if err != nil {
			return err
		}
		out, err = s.byID(ctx, tx, id)
		if err != nil {
			return err
		}
		return audit.Append(ctx, tx, s.entry(a, "user.create", out, nil, out))
	})
	return out, err
}

// CreateTx inserts a person with a password hash inside tx; the caller has
// checked permissions and validated in.
func CreateTx(ctx context.Context, tx *db.Tx, now time.Time, in Input, passwordHash string, mustChange bool) (int64, error) {
	id, err := db.InsertID(ctx, tx, `INSERT INTO users (login, name, org_id, post, phone, password_hash, must_change_password, disabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Login, in.Name, in.OrgID, in.Post, in.Phone, passwordHash, mustChange, in.Disabled, now, now)
	if db.IsUniqueViolation(err) {
		return 0, apperr.Field(apperr.ECONFLICT, "login", "登录名 %q 已存在 / the login %q is taken", in.Login, in.Login)
	}
	if err != nil {
		return 0, err
	}
	return id, setRoles(ctx, tx, id, in.Roles)
}

func setRoles(ctx context.Context, tx *db.Tx, id int64, grants []RoleGrant) error {
	if _, err := tx.Exec(ctx, "DELETE FROM user_roles WHERE user_id = ?", id); err != nil {
		return err
	}
	for _, g := range grants {
		if _, err := tx.Exec(ctx, "INSERT INTO user_roles (user_id, role, scope_org_id) VALUES (?, ?, ?)", id, g.Role, g.ScopeOrgID); err != nil {
			return err
		}
	}
	return nil
}

// Update changes a person's profile and roles. Administrator roles the
// person already holds stay unless the actor may change them.
func (s *Service) Update(ctx context.Context, a *auth.Actor, id int64, in Input) (*Person, error) {
	cur, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	in.Login = cur.Login
	if err := Validate(&in, false); err != nil {
		return nil, err
	}
	if in.Password != "" {
		return nil, apperr.Field(apperr.EINVALID, "password", "修改密码请使用重置密码功能 / use the password reset to change a password")
	}
	newOrg, err := org.ByID(ctx, s.DB, in.OrgID)
	if err != nil {
		return nil, apperr.Field(apperr.ERULE, "org_id", "所属组织不存在 / the organisation does not exist")
	}
	// Only grants that change need the right to grant them.
	var changed []RoleGrant
	old := map[RoleGrant]bool{}
	for _, g := range cur.Roles {
		old[g.key()] = true
	}
	keep := map[RoleGrant]bool{}
	for _, g := range in.Roles {
		keep[g.key()] = true
		if !old[g.key()] {
			changed = append(changed, g.key())
		}
	}
	for _, g := range cur.Roles {
		if !keep[g.key()] {
			changed = append(changed, g.key())
		}
	}
	if err := auth.Authorize(a, auth.UserManage, cur.orgPath); err != nil && !(len(changed) > 0 && a.Can(auth.UserAdminRoles, cur.orgPath) && cur.OrgID == in.OrgID) {
		return nil, s.Auth.Check(ctx, a, auth.UserManage, cur.orgPath, "user", strconv.FormatInt(id, 10))
	}
	if err := s.checkGrants(ctx, a, s.DB, newOrg.Path, changed); err != nil {
		return nil, err
	}
	if id == a.UserID && cur.Disabled != in.Disabled {
		return nil, apperr.Field(apperr.ERULE, "disabled", "不能停用自己的账号 / you cannot disable your own account")
	}
	var out *Person
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE users SET name = ?, org_id = ?, post = ?, phone = ?, disabled = ?, updated_at = ? WHERE id = ?",
			in.Name, in.OrgID, in.Post, in.Phone, in.Disabled, s.Clock.Now(), id); err != nil {
			return err
		}
		if err := setRoles(ctx, tx, id, in.Roles); err != nil {
			return err
		}
		out, err = s.byID(ctx, tx, id)
		if err != nil {
			return err
		}
		return audit.Append(ctx, tx, s.entry(a, "user.update", out, cur, out))
	})
	return out, err
}

// RevealPhone returns the unmasked phone number and records that it was seen.
func (s *Service) RevealPhone(ctx context.Context, a *auth.Actor, id int64) (string, error) {
	p, err := s.Get(ctx, a, id)
	if err != nil {
		return "", err
	}
	if p.ID != a.UserID {
		if err := s.Auth.Check(ctx, a, auth.UserViewPhone, p.orgPath, "user", strconv.FormatInt(id, 10)); err != nil {
			return "", err
		}
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		return audit.Append(ctx, tx, s.entry(a, "user.view_phone", p, nil, nil))
	})
	return p.phone, err
}

// ResetPassword gives a person a new random password, shown once to the
// security administrator, that must be changed at the next sign-in. It also
// lifts a lockout.
func (s *Service) ResetPassword(ctx context.Context, a *auth.Actor, id int64) (string, error) {
	p, err := s.Get(ctx, a, id)
	if err != nil {
		return "", err
	}
	if err := s.Auth.Check(ctx, a, auth.UserSecurity, p.orgPath, "user", strconv.FormatInt(id, 10)); err != nil {
		return "", err
	}
	pw := RandomPassword()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := auth.SetPassword(ctx, tx, s.Clock.Now(), id, p.Login, pw, true); err != nil {
			return err
		}
		return audit.Append(ctx, tx, s.entry(a, "user.password_reset", p, nil, nil))
	})
	return pw, err
}

// Unlock lifts a lockout before it runs out.
func (s *Service) Unlock(ctx context.Context, a *auth.Actor, id int64) error {
	p, err := s.Get(ctx, a, id)
	if err != nil {
		return err
	}
	if err := s.Auth.Check(ctx, a, auth.UserSecurity, p.orgPath, "user", strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?", id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, s.entry(a, "user.unlock", p, nil, nil))
	})
}

// RandomPassword makes a 14-character password that meets the policy.
func RandomPassword() string {
	const (
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		lower  = "abcdefghijkmnopqrstuvwxyz"
		digits = "23456789"
		sym    = "@#%+=?!"
	)
	pick := func(set string) byte {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		return set[n.Int64()]
	}
	b := []byte{pick(upper), pick(lower), pick(digits), pick(sym)}
	all := upper + lower + digits + sym
	for len(b) < 14 {
		b = append(b, pick(all))
	}
	// Shuffle so the classes are not in a fixed order.
	for i := len(b) - 1; i > 0; i-- {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		j := n.Int64()
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// snapshot is what the trail digests: the profile without secrets.
type snapshot struct {
	Login, Name, Post string
	OrgID             int64
	Roles             []RoleGrant
	Disabled          bool
}

func (s *Service) entry(a *auth.Actor, action string, p *Person, before, after *Person) audit.Entry {
	e := a.Entry(s.Clock.Now(), action, "user", strconv.FormatInt(p.ID, 10), p.OrgID)
	snap := func(x *Person) any {
		if x == nil {
			return nil
		}
		roles := append([]RoleGrant(nil), x.Roles...)
		sort.Slice(roles, func(i, j int) bool {
			return roles[i].Role+strconv.FormatInt(roles[i].ScopeOrgID, 10) < roles[j].Role+strconv.FormatInt(roles[j].ScopeOrgID, 10)
		})
		return snapshot{x.Login, x.Name, x.Post, x.OrgID, roles, x.Disabled}
	}
	e.Before, e.After = snap(before), snap(after)
	return e
}
