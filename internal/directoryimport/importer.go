// Package directoryimport reads organisations (组织机构) and people (人员)
// from an Excel workbook and writes them all or not at all, and writes the
// same workbook back out (export, template), so that offices can keep their
// rosters in Excel: export → edit → import.
//
// An import checks every row first — formats with the org and people
// services' own rules, references between rows, duplicates within the file
// and against the database, and the actor's permission for each row — and
// reports every problem with its sheet, row and column. Only a file without
// any problem is written, in one transaction, with one audit record per
// created object and one summary record.
package directoryimport

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/people"
	"github.com/anwen-gov/anwen/internal/sheet"
)

// Service imports and exports the directory.
type Service struct {
	DB     *db.DB
	Auth   *auth.Service
	Clock  clock.Clock
	Orgs   *org.Service
	People *people.Service
}

// Result is what a successful import (or dry run) answers.
type Result struct {
	DryRun        bool       `json:"dry_run"`
	OrgsCreated   int        `json:"orgs_created"`
	PeopleCreated int        `json:"people_created"`
	Passwords     []Password `json:"passwords"`
}

// Password is a generated initial password, returned once.
type Password struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

// syntheticBase starts the stand-in ids of organisations the file creates,
// so that people.Validate can check references to them before they exist.
const syntheticBase = int64(1) << 52

// target is an organisation a cell refers to: one in the database or one
// created by an earlier row.
type target struct {
	id   int64  // real, or syntheticBase + index of the planned org
	path string // real, or synthetic under the parent's path; "" when unknown
	kind string
	code string
}

type plannedOrg struct {
	row       int
	in        org.Input
	parent    *org.Org // an existing parent
	parentIdx int      // index of a parent created by the file, -1 if none
	target    target
}

type plannedPerson struct {
	row      int
	in       people.Input // ids may be synthetic
	password string
	generate bool
}

type planner struct {
	s        *Service
	a        *auth.Actor
	ctx      context.Context
	wb       *workbook
	errs     []RowError
	denied   int
	existing map[string]*org.Org // code → org in the database
	logins   map[string]bool     // logins in the database
	orgRow   map[string]int      // code → row of the orgs sheet that first defines it
	planned  map[string]int      // code → index in orgs, for rows already planned
	broken   map[string]bool     // codes defined by rows with problems
	orgs     []plannedOrg
	people   []plannedPerson
}

func (p *planner) fail(sh *sheet.Sheet, row int, field, format string, args ...any) {
	p.errs = append(p.errs, sh.RowError(row, field, format, args...))
}

// Import reads data and, when every row passes, creates what it describes
// (unless dryRun). A file with problems yields *sheet.Rejected and writes nothing;
// when some of the problems are permission refusals, one denied audit record
// says so.
func (s *Service) Import(ctx context.Context, a *auth.Actor, data []byte, dryRun bool) (*Result, error) {
	wb, err := readWorkbook(data)
	if err != nil {
		return nil, err
	}
	var headerErrs []RowError
	for _, sh := range []*sheet.Sheet{wb.orgs, wb.people} {
		if sh != nil {
			headerErrs = append(headerErrs, sh.Problems...)
		}
	}
	if len(headerErrs) > 0 {
		return nil, &sheet.Rejected{Rows: headerErrs}
	}
	if (wb.orgs == nil || len(wb.orgs.Rows) == 0) && (wb.people == nil || len(wb.people.Rows) == 0) {
		return nil, apperr.Field(apperr.ERULE, "file", "文件中没有可导入的数据行 / the file holds no rows to import")
	}
	p := &planner{s: s, a: a, ctx: ctx, wb: wb, orgRow: map[string]int{}, planned: map[string]int{}, broken: map[string]bool{}}
	if err := p.load(); err != nil {
		return nil, err
	}
	p.planOrgs()
	p.planPeople()
	if len(p.errs) > 0 {
		if p.denied > 0 {
			e := a.Entry(s.Clock.Now(), "directory.import", "directory", "", 0)
			e.Result = audit.Denied
			e.Detail = fmt.Sprintf("refused: %d row(s) outside the actor's permissions", p.denied)
			if dryRun {
				e.Detail += " (dry run)"
			}
			if err := audit.AppendAlone(ctx, s.DB, e); err != nil {
				return nil, err
			}
		}
		return nil, &sheet.Rejected{Rows: p.errs}
	}
	res := &Result{DryRun: dryRun, OrgsCreated: len(p.orgs), PeopleCreated: len(p.people), Passwords: []Password{}}
	if dryRun {
		return res, nil
	}
	return res, s.write(ctx, a, p, data, res)
}

// load reads from the database the organisations the file names by code and
// the logins it would create.
func (p *planner) load() error {
	codes := map[string]bool{}
	if sh := p.wb.orgs; sh != nil {
		for _, r := range sh.Rows {
			codes[r.Cells["code"]] = true
			codes[r.Cells["parent_code"]] = true
		}
	}
	var logins []string
	if sh := p.wb.people; sh != nil {
		for _, r := range sh.Rows {
			codes[r.Cells["org_code"]] = true
			refs, _ := ParseRoles(r.Cells["roles"])
			for _, ref := range refs {
				codes[ref.Code] = true
			}
			logins = append(logins, normLogin(r.Cells["login"]))
		}
	}
	delete(codes, "")
	var list []string
	for c := range codes {
		list = append(list, c)
	}
	var err error
	if p.existing, err = orgsByCode(p.ctx, p.s.DB, list); err != nil {
		return err
	}
	p.logins, err = existingLogins(p.ctx, p.s.DB, logins)
	return err
}

func normLogin(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// inChunks runs fn on slices of at most 500 values, within both databases'
// parameter limits.
func inChunks(values []string, fn func(marks string, args []any) error) error {
	for len(values) > 0 {
		n := min(len(values), 500)
		args := make([]any, n)
		for i, v := range values[:n] {
			args[i] = v
		}
		if err := fn(strings.TrimSuffix(strings.Repeat("?,", n), ","), args); err != nil {
			return err
		}
		values = values[n:]
	}
	return nil
}

func orgsByCode(ctx context.Context, q db.Querier, codes []string) (map[string]*org.Org, error) {
	out := map[string]*org.Org{}
	err := inChunks(codes, func(marks string, args []any) error {
		rows, err := q.Query(ctx, "SELECT id, name, kind, code, depth, sort, path FROM orgs WHERE code IN ("+marks+")", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o := &org.Org{}
			if err := rows.Scan(&o.ID, &o.Name, &o.Kind, &o.Code, &o.Depth, &o.Sort, &o.Path); err != nil {
				return err
			}
			out[o.Code] = o
		}
		return rows.Err()
	})
	return out, err
}

func existingLogins(ctx context.Context, q db.Querier, logins []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := inChunks(logins, func(marks string, args []any) error {
		rows, err := q.Query(ctx, "SELECT login FROM users WHERE login IN ("+marks+")", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l string
			if err := rows.Scan(&l); err != nil {
				return err
			}
			out[l] = true
		}
		return rows.Err()
	})
	return out, err
}

// badCodeChars may not appear in a code: they separate items of a roles cell.
const badCodeChars = ";；,，、@＠\"'"

// orgFields maps org.Input's error fields to columns.
var orgFields = map[string]string{"name": "name", "kind": "kind", "code": "code", "parent_id": "parent_code"}

// validateOrg runs the org service's own checks and reports every field that
// fails, not just the first: each failing field is set to a good value and
// the check runs again.
func validateOrg(in org.Input) []*apperr.Error {
	var out []*apperr.Error
	for range 4 {
		cp := in
		err := org.ValidateInput(&cp)
		if err == nil {
			break
		}
		e, ok := apperr.As(err)
		if !ok {
			break
		}
		out = append(out, e)
		switch e.Field {
		case "name":
			in.Name = "x"
		case "kind":
			in.Kind = org.Village
		case "code":
			in.Code = ""
		default:
			return out
		}
	}
	return out
}

func (p *planner) planOrgs() {
	sh := p.wb.orgs
	if sh == nil {
		return
	}
	// First pass: where each code is defined, and duplicates within the file.
	for _, r := range sh.Rows {
		if c := r.Cells["code"]; c != "" {
			if _, dup := p.orgRow[c]; !dup {
				p.orgRow[c] = r.Num
			}
		}
	}
	for _, r := range sh.Rows {
		p.planOrg(sh, r)
	}
}

func (p *planner) planOrg(sh *sheet.Sheet, r sheet.Row) {
	before := len(p.errs)
	in := org.Input{Name: r.Cells["name"], Code: r.Cells["code"]}
	kindOK := true
	if k := r.Cells["kind"]; k == "" {
		p.fail(sh, r.Num, "kind", "类型不能为空 / the kind is required")
		kindOK = false
	} else if kind, ok := parseKind(k); ok {
		in.Kind = kind
	} else {
		p.fail(sh, r.Num, "kind", "类型“%s”无效，可填：区、乡镇、街道、开发区、村、社区、部门、派出所 / unknown kind %q", short(k), short(k))
		kindOK = false
	}
	if v := r.Cells["sort"]; v != "" {
		n, err := parseInt(v)
		if err != nil {
			p.fail(sh, r.Num, "sort", "排序须为整数 / the sort order must be a whole number")
		}
		in.Sort = n
	}
	check := in
	if !kindOK {
		check.Kind = org.Village
	}
	for _, e := range validateOrg(check) {
		p.fail(sh, r.Num, orgFields[e.Field], "%s", e.Message)
	}
	in.Name = strings.TrimSpace(in.Name)
	code := in.Code
	switch {
	case code == "":
		p.fail(sh, r.Num, "code", "编码不能为空（导入时各行靠编码相互引用） / the code is required (rows refer to each other by code)")
	case strings.ContainsAny(code, badCodeChars) || strings.ContainsFunc(code, isSpace):
		p.fail(sh, r.Num, "code", "编码不能含空格或 ; , 、 @ 引号 / the code may not hold spaces, ; , @ or quotes")
	case p.orgRow[code] != r.Num:
		p.fail(sh, r.Num, "code", "编码“%s”与第 %d 行重复 / the code %q repeats row %d", code, p.orgRow[code], code, p.orgRow[code])
		code = "" // the first row keeps the code
	case p.existing[code] != nil:
		p.fail(sh, r.Num, "code", "编码“%s”已存在 / the code %q already exists", code, code)
	}

	po := plannedOrg{row: r.Num, in: in, parentIdx: -1}
	parentCode := r.Cells["parent_code"]
	parentKnown := false
	parentKind, parentPath := "", ""
	switch {
	case parentCode == "" && in.Kind == org.District:
		parentKnown = true
		if !p.a.Operator {
			p.denied++
			p.fail(sh, r.Num, "parent_code", "区级根组织只能在服务器命令行创建，请填写上级编码 / a district root can only be created on the server's command line; fill in the parent code")
		}
	case parentCode == "":
		p.fail(sh, r.Num, "parent_code", "上级编码不能为空 / the parent code is required")
	case parentCode == code && code != "":
		p.fail(sh, r.Num, "parent_code", "上级编码不能是本行自己的编码 / an organisation cannot be its own parent")
	default:
		if i, ok := p.planned[parentCode]; ok {
			po.parentIdx = i
			t := p.orgs[i].target
			parentKind, parentPath = t.kind, t.path
			parentKnown = !p.broken[parentCode]
		} else if row, later := p.orgRow[parentCode]; later && row > r.Num {
			p.fail(sh, r.Num, "parent_code", "上级编码“%s”在第 %d 行，须写在本行之前 / the parent %q is on row %d: put it above this row", parentCode, row, parentCode, row)
		} else if o := p.existing[parentCode]; o != nil {
			po.parent = o
			parentKind, parentPath, parentKnown = o.Kind, o.Path, true
		} else if _, above := p.orgRow[parentCode]; !above {
			p.fail(sh, r.Num, "parent_code", "上级编码“%s”不存在 / no organisation has the code %q", parentCode, parentCode)
		}
		// Otherwise a row above defines the code but could not be planned:
		// its problem is reported there.
	}
	if parentKnown && kindOK {
		if parentPath != "" {
			if err := auth.Authorize(p.a, auth.OrgManage, parentPath); err != nil {
				p.denied++
				if apperr.Code(err) == apperr.EFORBIDDEN {
					p.fail(sh, r.Num, "parent_code", "无权在“%s”下新增组织 / you may not add organisations under %q", parentCode, parentCode)
				} else {
					p.fail(sh, r.Num, "parent_code", "上级编码“%s”不存在或不在您的管辖范围内 / %q does not exist or is outside your scope", parentCode, parentCode)
				}
			}
		}
		if parentKind != "" || parentCode == "" {
			if err := org.CheckParentKind(in.Kind, parentKind); err != nil {
				p.fail(sh, r.Num, "parent_code", "%s", kindMessage(in.Kind, parentKind, err))
			}
		}
	}
	if code == "" || p.existing[code] != nil {
		return
	}
	idx := len(p.orgs)
	po.target = target{id: syntheticBase + int64(idx), kind: in.Kind, code: code}
	if parentPath != "" || (parentCode == "" && in.Kind == org.District) {
		if parentPath == "" {
			parentPath = "/"
		}
		po.target.path = parentPath + "new" + strconv.Itoa(idx) + "/"
	}
	p.planned[code] = idx
	p.orgs = append(p.orgs, po)
	if len(p.errs) > before || !parentKnown {
		p.broken[code] = true
	}
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u3000' }

// kindMessage words a parent-kind refusal with Chinese kind names.
func kindMessage(kind, parentKind string, err error) string {
	if parentKind == "" {
		return fmt.Sprintf("%s须有上级组织 / a %s needs a parent", kindLabel[kind], kind)
	}
	if _, ok := apperr.As(err); ok {
		return fmt.Sprintf("%s不能设在%s之下 / a %s cannot sit under a %s", kindLabel[kind], kindLabel[parentKind], kind, parentKind)
	}
	return err.Error()
}

func parseInt(s string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil && n > -1_000_000 && n < 1_000_000 {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != float64(int(f)) || f <= -1_000_000 || f >= 1_000_000 {
		return 0, fmt.Errorf("not a whole number")
	}
	return int(f), nil
}

// resolve finds the organisation a people-sheet cell names.
func (p *planner) resolve(code string) (target, bool) {
	if i, ok := p.planned[code]; ok {
		return p.orgs[i].target, true
	}
	if o := p.existing[code]; o != nil {
		return target{id: o.ID, path: o.Path, kind: o.Kind, code: code}, true
	}
	return target{}, false
}

// personFields maps people.Input's error fields to columns.
var personFields = map[string]string{"login": "login", "name": "name", "post": "post", "phone": "phone", "org_id": "org_code", "roles": "roles", "password": "password"}

// validatePerson runs people.Validate and reports every field that fails.
func validatePerson(in people.Input) []*apperr.Error {
	var out []*apperr.Error
	for range 7 {
		cp := in
		cp.Roles = append([]people.RoleGrant(nil), in.Roles...)
		err := people.Validate(&cp, true)
		if err == nil {
			break
		}
		e, ok := apperr.As(err)
		if !ok {
			break
		}
		out = append(out, e)
		switch e.Field {
		case "login":
			in.Login = "ok"
		case "name":
			in.Name = "x"
		case "post":
			in.Post = ""
		case "phone":
			in.Phone = ""
		case "org_id":
			in.OrgID = 1
		case "roles":
			in.Roles = nil
		default:
			return out
		}
	}
	return out
}

func (p *planner) planPeople() {
	sh := p.wb.people
	if sh == nil {
		return
	}
	firstRow := map[string]int{}
	// Stand-in ids for codes that resolve to nothing, so that Validate does
	// not report them again (they are reported once, here).
	unknown := map[string]int64{}
	standIn := func(code string) int64 {
		if id, ok := unknown[code]; ok {
			return id
		}
		id := syntheticBase*2 + int64(len(unknown))
		unknown[code] = id
		return id
	}
	for _, r := range sh.Rows {
		before := len(p.errs)
		in := people.Input{Login: normLogin(r.Cells["login"]), Name: r.Cells["name"], Post: r.Cells["post"], Phone: r.Cells["phone"]}
		fail := func(field, format string, args ...any) { p.fail(sh, r.Num, field, format, args...) }

		maskedPhone := strings.ContainsAny(in.Phone, "*＊")
		if maskedPhone {
			fail("phone", "手机号为导出时的脱敏号码，请填写完整号码或留空 / the phone number is masked (as exported): fill in the full number or leave it empty")
		}

		// The person's organisation.
		orgCode := r.Cells["org_code"]
		var home target
		homeOK := false
		if orgCode == "" {
			fail("org_code", "所属组织编码不能为空 / the organisation code is required")
			in.OrgID = standIn("")
		} else if t, ok := p.resolve(orgCode); ok {
			home, homeOK = t, true
			in.OrgID = t.id
		} else {
			fail("org_code", "所属组织编码“%s”不存在 / no organisation has the code %q", orgCode, orgCode)
			in.OrgID = standIn(orgCode)
		}

		// Roles with their scopes.
		refs, rerr := ParseRoles(r.Cells["roles"])
		rolesOK := rerr == nil
		if rerr != nil {
			fail("roles", "%s", rerr.Error())
		}
		scopes := make([]target, len(refs))
		scopeOK := make([]bool, len(refs))
		for i, ref := range refs {
			switch {
			case ref.Code == "":
				scopes[i], scopeOK[i] = home, homeOK
				in.Roles = append(in.Roles, people.RoleGrant{Role: ref.Role, ScopeOrgID: in.OrgID})
			default:
				if t, ok := p.resolve(ref.Code); ok {
					scopes[i], scopeOK[i] = t, true
					in.Roles = append(in.Roles, people.RoleGrant{Role: ref.Role, ScopeOrgID: t.id})
				} else {
					rolesOK = false
					fail("roles", "管辖范围编码“%s”不存在 / no organisation has the scope code %q", short(ref.Code), short(ref.Code))
					in.Roles = append(in.Roles, people.RoleGrant{Role: ref.Role, ScopeOrgID: standIn(ref.Code)})
				}
			}
		}

		check := in
		if maskedPhone {
			check.Phone = ""
		}
		for _, e := range validatePerson(check) {
			if e.Field == "roles" {
				rolesOK = false
			}
			fail(personFields[e.Field], "%s", e.Message)
		}

		// Duplicates.
		if in.Login != "" {
			if row, dup := firstRow[in.Login]; dup {
				fail("login", "登录名“%s”与第 %d 行重复 / the login %q repeats row %d", in.Login, row, in.Login, row)
			} else {
				firstRow[in.Login] = r.Num
				if p.logins[in.Login] {
					fail("login", "登录名“%s”已存在 / the login %q already exists", in.Login, in.Login)
				}
			}
		}

		// The initial password.
		pp := plannedPerson{row: r.Num, password: r.Cells["password"]}
		if pp.password == "" {
			pp.generate = true
		} else if err := auth.CheckPolicy(pp.password, in.Login); err != nil {
			fail("password", "%s", errMessage(err))
		}

		// Permissions: place the person in the organisation, grant each role
		// within its scope (the three administrator roles need user.admin_roles).
		if homeOK && home.path != "" {
			if err := auth.Authorize(p.a, auth.UserManage, home.path); err != nil && !(apperr.Code(err) == apperr.EFORBIDDEN && p.a.Can(auth.UserAdminRoles, home.path)) {
				p.denied++
				if apperr.Code(err) == apperr.EFORBIDDEN {
					fail("org_code", "无权在“%s”新增人员 / you may not add people to %q", orgCode, orgCode)
				} else {
					fail("org_code", "所属组织编码“%s”不存在或不在您的管辖范围内 / %q does not exist or is outside your scope", orgCode, orgCode)
				}
			}
		}
		if rolesOK {
			for i, ref := range refs {
				if !scopeOK[i] || scopes[i].path == "" {
					continue
				}
				need := auth.UserManage
				if auth.IsAdminRole(ref.Role) {
					need = auth.UserAdminRoles
				}
				if err := auth.Authorize(p.a, need, scopes[i].path); err != nil {
					p.denied++
					fail("roles", "无权授予角色“%s@%s” / you may not grant %s within %s", roleLabel[ref.Role], scopes[i].code, ref.Role, scopes[i].code)
				}
			}
		}
		if len(p.errs) == before {
			pp.in = in
			pp.in.Name = strings.TrimSpace(in.Name)
			pp.in.Post = strings.TrimSpace(in.Post)
			pp.in.Phone = strings.TrimSpace(in.Phone)
			p.people = append(p.people, pp)
		}
	}
}

func errMessage(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Message
	}
	return err.Error()
}

// hashAll hashes the passwords with at most two goroutines: argon2id is slow
// and memory-hungry on purpose, and the server has other work to do.
func hashAll(ctx context.Context, passwords []string) ([]string, error) {
	out := make([]string, len(passwords))
	errs := make([]error, len(passwords))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(2, len(passwords)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i], errs[i] = auth.HashPassword(passwords[i])
			}
		}()
	}
feed:
	for i := range passwords {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// userSnapshot is what the trail digests for a created person, the same
// shape the people service digests.
type userSnapshot struct {
	Login, Name, Post string
	OrgID             int64
	Roles             []people.RoleGrant
	Disabled          bool
}

// write creates everything planned in one transaction.
func (s *Service) write(ctx context.Context, a *auth.Actor, p *planner, data []byte, res *Result) error {
	passwords := make([]string, len(p.people))
	for i := range p.people {
		pp := &p.people[i]
		if pp.generate {
			pp.password = people.RandomPassword()
			for range 10 {
				if auth.CheckPolicy(pp.password, pp.in.Login) == nil {
					break
				}
				pp.password = people.RandomPassword()
			}
			res.Passwords = append(res.Passwords, Password{Login: pp.in.Login, Password: pp.password})
		}
		passwords[i] = pp.password
	}
	hashes, err := hashAll(ctx, passwords)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	sum := sha256.Sum256(data)
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		created := make([]*org.Org, len(p.orgs))
		realID := func(id int64) int64 {
			if id >= syntheticBase && id < syntheticBase*2 {
				return created[id-syntheticBase].ID
			}
			return id
		}
		for i, po := range p.orgs {
			parent := po.parent
			if po.parentIdx >= 0 {
				parent = created[po.parentIdx]
			}
			o, err := org.CreateTx(ctx, tx, now, parent, po.in)
			if apperr.Code(err) == apperr.ECONFLICT {
				return &sheet.Rejected{Rows: []RowError{p.wb.orgs.RowError(po.row, "code", "%s", errMessage(err))}}
			}
			if err != nil {
				return err
			}
			created[i] = o
			e := a.Entry(now, "org.create", "org", strconv.FormatInt(o.ID, 10), o.ID)
			e.After, e.Detail = o, "import"
			if err := audit.Append(ctx, tx, e); err != nil {
				return err
			}
		}
		for i, pp := range p.people {
			in := pp.in
			in.OrgID = realID(in.OrgID)
			in.Roles = make([]people.RoleGrant, len(pp.in.Roles))
			for j, g := range pp.in.Roles {
				in.Roles[j] = people.RoleGrant{Role: g.Role, ScopeOrgID: realID(g.ScopeOrgID)}
			}
			id, err := people.CreateTx(ctx, tx, now, in, hashes[i], true)
			if apperr.Code(err) == apperr.ECONFLICT {
				return &sheet.Rejected{Rows: []RowError{p.wb.people.RowError(pp.row, "login", "%s", errMessage(err))}}
			}
			if err != nil {
				return err
			}
			roles := append([]people.RoleGrant(nil), in.Roles...)
			sort.Slice(roles, func(i, j int) bool {
				return roles[i].Role+strconv.FormatInt(roles[i].ScopeOrgID, 10) < roles[j].Role+strconv.FormatInt(roles[j].ScopeOrgID, 10)
			})
			e := a.Entry(now, "user.create", "user", strconv.FormatInt(id, 10), in.OrgID)
			e.After, e.Detail = userSnapshot{in.Login, in.Name, in.Post, in.OrgID, roles, false}, "import"
			if err := audit.Append(ctx, tx, e); err != nil {
				return err
			}
		}
		e := a.Entry(now, "directory.import", "directory", "", 0)
		e.Detail = fmt.Sprintf("created %d organisations and %d people from a workbook (sha256 %s)", len(p.orgs), len(p.people), hex.EncodeToString(sum[:]))
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		res.Passwords = nil
	}
	return err
}
