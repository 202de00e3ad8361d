package audittrail

import (
	"sort"
	"sync"

	"github.com/anwen-gov/anwen/internal/web"
)

// Action labels: the trail stores action codes; the page shows a label in the
// reader's language beside the code. Capabilities add theirs with
// AddActionLabels.
var (
	labelMu sync.RWMutex
	labels  = map[string][2]string{
		"auth.signin":          {"登录", "Sign in"},
		"auth.signout":         {"退出", "Sign out"},
		"auth.totp":            {"动态验证码验证", "One-time code check"},
		"auth.totp_enable":     {"启用双因素认证", "Two-factor sign-in enabled"},
		"auth.password_change": {"修改密码", "Password change"},
		"auth.token":           {"令牌认证", "Token authentication"},
		"token.create":         {"创建接口令牌", "API token created"},
		"token.revoke":         {"吊销接口令牌", "API token revoked"},
		"user.view":            {"查看人员", "View people"},
		"user.create":          {"新增人员", "Person created"},
		"user.update":          {"修改人员", "Person updated"},
		"user.manage":          {"管理人员", "Manage people"},
		"user.admin_roles":     {"授予管理员角色", "Grant administrator roles"},
		"user.security":        {"账号安全操作", "Account security"},
		"user.view_phone":      {"查看完整号码", "Full phone number viewed"},
		"user.password_reset":  {"重置密码", "Password reset"},
		"user.unlock":          {"解除锁定", "Account unlocked"},
		"org.view":             {"查看组织", "View organisations"},
		"org.create":           {"新增组织", "Organisation created"},
		"org.update":           {"修改组织", "Organisation updated"},
		"org.manage":           {"管理组织", "Manage organisations"},
		"calendar.manage":      {"管理工作日历", "Manage the calendar"},
		"calendar.set":         {"设置工作日历", "Calendar day set"},
		"calendar.clear":       {"清除日历设置", "Calendar day cleared"},
		"calendar.seed":        {"初始化工作日历", "Calendar seeded"},
		"demo.load":            {"加载演示数据", "Demo data loaded"},
		"audit.view":           {"查看审计日志", "View the audit trail"},
		"audit.search":         {"查询审计日志", "Audit trail searched"},
		"audit.export":         {"导出审计日志", "Audit trail exported"},
		"audit.verify":         {"校验审计日志", "Audit chain verified"},
		"feedback.view":        {"查看意见反馈", "View feedback"},
		"feedback.create":      {"提交意见反馈", "Feedback sent"},
		"feedback.reply":       {"回复意见反馈", "Feedback answered"},
	}
)

// AddActionLabels registers labels for action codes: code → {Chinese, English}.
func AddActionLabels(m map[string][2]string) {
	labelMu.Lock()
	defer labelMu.Unlock()
	for k, v := range m {
		labels[k] = v
	}
}

// ActionLabel returns the label of action in lang, or "" when it has none.
func ActionLabel(lang, action string) string {
	labelMu.RLock()
	l, ok := labels[action]
	labelMu.RUnlock()
	if !ok {
		return ""
	}
	if lang == web.English && l[1] != "" {
		return l[1]
	}
	return l[0]
}

// actionOption is one suggestion for the action filter.
type actionOption struct{ Code, Label string }

func actionOptions(lang string) []actionOption {
	labelMu.RLock()
	out := make([]actionOption, 0, len(labels))
	for code := range labels {
		out = append(out, actionOption{Code: code})
	}
	labelMu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	for i := range out {
		out[i].Label = ActionLabel(lang, out[i].Code)
	}
	return out
}
