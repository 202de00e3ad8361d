package auth

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
)

// Roles. The first three are the separated administrators (三员): no account
// may hold two of them.
const (
	RoleSysadmin   = "sysadmin"    // 系统管理员: organisations, accounts, calendar
	RoleSecadmin   = "secadmin"    // 安全管理员: locks, password resets, tokens, security events
	RoleAuditor    = "auditor"     // 安全审计员: reads and exports the audit trail
	RoleLeader     = "leader"      // 领导
	RoleStaff      = "staff"       // 工作人员
	RoleGridWorker = "grid_worker" // 网格员
	RoleSupervisor = "supervisor"  // 督查
	RoleEnterprise = "enterprise"  // 企业联络人
)

// Roles lists every role in display order.
var Roles = []string{RoleSysadmin, RoleSecadmin, RoleAuditor, RoleLeader, RoleStaff, RoleGridWorker, RoleSupervisor, RoleEnterprise}

// AdminRoles are the three separated administrator roles.
var AdminRoles = []string{RoleSysadmin, RoleSecadmin, RoleAuditor}

// IsAdminRole reports whether role is one of the three administrators.
func IsAdminRole(role string) bool {
	for _, r := range AdminRoles {
		if r == role {
			return true
		}
	}
	return false
}

// ValidRole reports whether role exists.
func ValidRole(role string) bool {
	for _, r := range Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Action is something a person does to an object. Its prefix before the dot is
// the object kind; "<kind>.view" is what makes an object visible at all.
type Action string

const (
	OrgView        Action = "org.view"
	OrgManage      Action = "org.manage"
	UserView       Action = "user.view"
	UserManage     Action = "user.manage"      // create, edit, roles (not the admin roles)
	UserAdminRoles Action = "user.admin_roles" // grant the three administrator roles
	UserSecurity   Action = "user.security"    // unlock, reset password, revoke tokens
	UserViewPhone  Action = "user.view_phone"  // unmask a phone number
	CalendarView   Action = "calendar.view"    // everyone reads the work calendar
	CalendarManage Action = "calendar.manage"
	AuditView      Action = "audit.view"
	// Daily zero report (每日零报告): file a unit's report (one's own, or on
	// its behalf from a scope above it); read the desks' board and history;
	// set deadlines, periods, reporting units and check-in tokens.
	DailyReportSubmit Action = "dailyreport.submit"
	DailyReportView   Action = "dailyreport.view"
	DailyReportManage Action = "dailyreport.manage"
	// NotifyManage manages the notification channels of the organisations in
	// scope, the outbox and the quiet hours; everyone manages their own
	// channels and inbox without it.
	NotifyManage Action = "notify.manage"
	FeedbackView Action = "feedback.view"
	// Enterprises and places (生产经营单位/场所): read the register; keep it
	// (create, edit, import, contacts).
	EnterpriseView   Action = "enterprise.view"
	EnterpriseManage Action = "enterprise.manage"
	// Inspections (检查记录): record one, including an enterprise's own
	// self-inspection (自查).
	InspectionView   Action = "inspection.view"
	InspectionRecord Action = "inspection.record"
	// Hazards (隐患): read the ledger; register one (排查上报); rectify it as
	// the responsible side (整改, evidence); accept or send back, approve
	// extensions, cancel — as the supervising org (验收销号); put a major
	// hazard under listed supervision from a superior org (挂牌督办); keep
	// categories and the grading reference table.
	HazardView      Action = "hazard.view"
	HazardReport    Action = "hazard.report"
	HazardRectify   Action = "hazard.rectify"
	HazardAccept    Action = "hazard.accept"
	HazardSupervise Action = "hazard.supervise"
	HazardManage    Action = "hazard.manage"
	// Campaigns (排查整治行动): read them and their tasks; launch one and
	// report a task's progress.
	CampaignView   Action = "campaign.view"
	CampaignManage Action = "campaign.manage"
)

// Actions lists every action, for GET /api/v1/me and the matrix test.
var Actions = []Action{OrgView, OrgManage, UserView, UserManage, UserAdminRoles, UserSecurity, UserViewPhone, CalendarView, CalendarManage, AuditView, FeedbackView, DailyReportSubmit, DailyReportView, DailyReportManage, NotifyManage,
	EnterpriseView, EnterpriseManage, InspectionView, InspectionRecord, HazardView, HazardReport, HazardRectify, HazardAccept, HazardSupervise, HazardManage, CampaignView, CampaignManage}

// matrix is the one table of who may do what. A grant's scope (an org and its
// subtree) bounds where it applies.
//
// An enterprise contact's grant is scoped to its enterprise's path
// (<territory path>e<id>/, see EnterpriseScope), so it reaches only objects
// about that enterprise; the system administrator keeps the register but
// does no safety work.
var matrix = map[string][]Action{
	RoleSysadmin:   {OrgView, OrgManage, UserView, UserManage, UserViewPhone, CalendarView, CalendarManage, FeedbackView, DailyReportView, DailyReportManage, NotifyManage, EnterpriseView, EnterpriseManage, HazardManage},
	RoleSecadmin:   {OrgView, UserView, UserSecurity, UserAdminRoles, CalendarView, FeedbackView},
	RoleAuditor:    {OrgView, UserView, CalendarView, AuditView},
	RoleLeader:     {OrgView, UserView, UserViewPhone, CalendarView, DailyReportSubmit, DailyReportView, EnterpriseView, InspectionView, InspectionRecord, HazardView, HazardReport, HazardAccept, HazardSupervise, CampaignView, CampaignManage},
	RoleStaff:      {OrgView, UserView, UserViewPhone, CalendarView, DailyReportSubmit, DailyReportView, DailyReportManage, EnterpriseView, EnterpriseManage, InspectionView, InspectionRecord, HazardView, HazardReport, HazardRectify, HazardAccept, HazardSupervise, HazardManage, CampaignView, CampaignManage},
	RoleSupervisor: {OrgView, UserView, UserViewPhone, CalendarView, DailyReportView, EnterpriseView, InspectionView, HazardView, CampaignView},
	RoleGridWorker: {OrgView, UserView, CalendarView, DailyReportSubmit, EnterpriseView, InspectionView, InspectionRecord, HazardView, HazardReport, HazardRectify, CampaignView},
	RoleEnterprise: {CalendarView, EnterpriseView, InspectionView, InspectionRecord, HazardView, HazardReport, HazardRectify},
}

// EnterpriseScope is the path of an enterprise's objects: its territory
// org's path with "e<id>/" after it. It lies inside the territory's
// subtree, so whoever covers the territory covers the enterprise.
func EnterpriseScope(territoryPath string, enterpriseID int64) string {
	return territoryPath + "e" + strconv.FormatInt(enterpriseID, 10) + "/"
}

// RoleAllows reports whether role carries action anywhere.
func RoleAllows(role string, a Action) bool {
	for _, x := range matrix[role] {
		if x == a {
			return true
		}
	}
	return false
}

// Grant is one role held within one org scope; ScopePath is that org's
// materialised path.
type Grant struct {
	Role       string `json:"role"`
	ScopeOrgID int64  `json:"scope_org_id"`
	ScopePath  string `json:"-"`
}

// Actor is the person (or their token) making a request.
type Actor struct {
	UserID     int64
	Login      string
	Name       string
	OrgID      int64
	Grants     []Grant
	ClientAddr string
	ViaToken   bool
	// EnterpriseID is the enterprise an enterprise contact speaks for (0: none).
	EnterpriseID int64
	// PasswordChangedAt is when the password was last set (zero: never
	// since this was recorded); web sessions signed in before it are over.
	PasswordChangedAt time.Time
	// Operator is the person at the server's command line (anwen user create,
	// anwen demo): whoever can run the binary against the database already has it all.
	Operator bool
}

// CommandLine returns the actor for commands run on the server itself.
func CommandLine() *Actor {
	return &Actor{Login: "(command line)", ClientAddr: "local", Operator: true}
}

// Covers reports whether path lies in the subtree at scope.
func Covers(scope, path string) bool { return scope != "" && strings.HasPrefix(path, scope) }

// Authorize decides action on an object whose org has path. It answers
// ENOTFOUND when the object is not even visible to the actor (as if it did
// not exist) and EFORBIDDEN when it is visible but the action is not allowed.
// Every permission check in Anwen goes through here.
func Authorize(a *Actor, action Action, path string) error {
	if a == nil {
		return apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	if a.Operator || a.Can(action, path) {
		return nil
	}
	view := Action(objectOf(action) + ".view")
	if action != view && a.Can(view, path) {
		return apperr.New(apperr.EFORBIDDEN, "无权执行此操作 / you may not do this")
	}
	return apperr.NotFound(objectOf(action))
}

// Can reports whether some grant allows action at path.
func (a *Actor) Can(action Action, path string) bool {
	for _, g := range a.Grants {
		if RoleAllows(g.Role, action) && Covers(g.ScopePath, path) {
			return true
		}
	}
	return false
}

// CanAnywhere reports whether some grant allows action somewhere (for menus).
func (a *Actor) CanAnywhere(action Action) bool {
	for _, g := range a.Grants {
		if RoleAllows(g.Role, action) {
			return true
		}
	}
	return false
}

// Scopes returns the paths where action is allowed, without nested duplicates.
func (a *Actor) Scopes(action Action) []string {
	var out []string
	for _, g := range a.Grants {
		// An empty scope (an enterprise contact naming no enterprise) covers nothing.
		if !RoleAllows(g.Role, action) || g.ScopePath == "" {
			continue
		}
		out = append(out, g.ScopePath)
	}
	// Drop scopes inside another scope.
	var top []string
	for i, p := range out {
		inside := false
		for j, q := range out {
			if i != j && Covers(q, p) && (p != q || j < i) {
				inside = true
				break
			}
		}
		if !inside {
			top = append(top, p)
		}
	}
	return top
}

// WidestGrant is the grant allowing action with the widest scope (the
// shortest path), leaving out the roles in except; nil when there is none.
// Statistics default to it.
func (a *Actor) WidestGrant(action Action, except ...string) *Grant {
	var best *Grant
	for i, g := range a.Grants {
		if !RoleAllows(g.Role, action) || g.ScopePath == "" || slices.Contains(except, g.Role) {
			continue
		}
		if best == nil || len(g.ScopePath) < len(best.ScopePath) {
			best = &a.Grants[i]
		}
	}
	return best
}

// HasRole reports whether the actor holds role in any scope.
func (a *Actor) HasRole(role string) bool {
	for _, g := range a.Grants {
		if g.Role == role {
			return true
		}
	}
	return false
}

// IsAdmin reports whether the actor holds one of the three administrator roles.
func (a *Actor) IsAdmin() bool {
	for _, g := range a.Grants {
		if IsAdminRole(g.Role) {
			return true
		}
	}
	return false
}

func objectOf(a Action) string {
	s := string(a)
	if i := strings.IndexByte(s, '.'); i > 0 {
		return s[:i]
	}
	return s
}

// CheckAdminSeparation refuses a set of roles that holds two of the three
// administrator roles.
func CheckAdminSeparation(roles []string) error {
	seen := ""
	for _, r := range roles {
		if !IsAdminRole(r) {
			continue
		}
		if seen != "" && seen != r {
			return apperr.Field(apperr.ERULE, "roles", "三员分立：系统管理员、安全管理员、审计管理员不能由同一账号兼任（%s 与 %s） / the three administrator roles are separate: one account cannot hold both %s and %s", seen, r, seen, r)
		}
		seen = r
	}
	return nil
}

// Entry starts an audit entry for something the actor did.
func (a *Actor) Entry(now time.Time, action, objectType, objectID string, orgID int64) audit.Entry {
	return audit.Entry{At: now, UserID: a.UserID, UserLogin: a.Login, OrgID: orgID, Action: action,
		ObjectType: objectType, ObjectID: objectID, Result: audit.OK, ClientAddr: a.ClientAddr}
}
