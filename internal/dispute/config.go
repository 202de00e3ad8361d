package dispute

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
)

// Type is a dispute type (纠纷类型), configurable.
type Type struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	Sort   int    `json:"sort"`
	Active bool   `json:"active"`
}

// TypeInput adds or changes a type (PUT /api/v1/disputes/types/{code}).
type TypeInput struct {
	Name   string `json:"name"`
	NameEN string `json:"name_en,omitempty"`
	Sort   int    `json:"sort,omitempty"`
	Active bool   `json:"active"`
}

// RiskLevelInput adds or changes a level (PUT /api/v1/disputes/risk-levels/{code}).
type RiskLevelInput struct {
	Name      string   `json:"name"`
	NameEN    string   `json:"name_en,omitempty"`
	Color     string   `json:"color"`
	Sort      int      `json:"sort,omitempty"`
	LeadScope string   `json:"lead_scope,omitempty"` // "", township, district
	LeadPosts []string `json:"lead_posts,omitempty"` // e.g. ["党委书记", "党工委书记"]
	Active    bool     `json:"active"`
}

// Lead scopes of a risk level: where the person who must lead is found.
const (
	LeadNone     = ""         // nobody in particular
	LeadTownship = "township" // the territory's township (乡镇/街道/开发区)
	LeadDistrict = "district" // the district
)

// RiskLevel is a risk level (风险等级) with its colour and who must lead a
// dispute of the level (包案领导): someone of LeadScope whose post is one of
// LeadPosts, e.g. red → the township's 党委书记.
type RiskLevel struct {
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	NameEN    string   `json:"name_en"`
	Color     string   `json:"color"` // #rrggbb
	Sort      int      `json:"sort"`
	LeadScope string   `json:"lead_scope"`
	LeadPosts []string `json:"lead_posts"`
	Active    bool     `json:"active"`
}

// NeedsLead reports whether a dispute of the level must have a 包案领导 of
// a given post.
func (l *RiskLevel) NeedsLead() bool { return l.LeadScope != LeadNone && len(l.LeadPosts) > 0 }

// Settings are the reminder and the default time to resolve.
type Settings struct {
	RemindDays  int `json:"remind_days"`  // days before the deadline to remind (0: none)
	DefaultDays int `json:"default_days"` // a deadline not given is this many days after the dispute
}

var (
	codeRE  = regexp.MustCompile(`^[a-z][a-z0-9_]{0,29}$`)
	colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// Types lists the types, active only unless all.
func Types(ctx context.Context, q db.Querier, all bool) ([]Type, error) {
	query := "SELECT code, name, name_en, sort, active FROM dispute_types"
	if !all {
		query += " WHERE active"
	}
	rows, err := q.Query(ctx, query+" ORDER BY sort, code")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Type{}
	for rows.Next() {
		var t Type
		if err := rows.Scan(&t.Code, &t.Name, &t.NameEN, &t.Sort, &t.Active); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RiskLevels lists the levels, active only unless all, most serious first.
func RiskLevels(ctx context.Context, q db.Querier, all bool) ([]RiskLevel, error) {
	query := "SELECT code, name, name_en, color, sort, lead_scope, lead_posts, active FROM dispute_risk_levels"
	if !all {
		query += " WHERE active"
	}
	rows, err := q.Query(ctx, query+" ORDER BY sort, code")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RiskLevel{}
	for rows.Next() {
		l, err := scanLevel(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *l)
	}
	return out, rows.Err()
}

func scanLevel(row interface{ Scan(...any) error }) (*RiskLevel, error) {
	var l RiskLevel
	var posts string
	if err := row.Scan(&l.Code, &l.Name, &l.NameEN, &l.Color, &l.Sort, &l.LeadScope, &posts, &l.Active); err != nil {
		return nil, err
	}
	l.LeadPosts = splitPosts(posts)
	return &l, nil
}

func splitPosts(s string) []string {
	out := []string{}
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// riskLevel reads one level.
func riskLevel(ctx context.Context, q db.Querier, code string) (*RiskLevel, error) {
	l, err := scanLevel(q.QueryRow(ctx, "SELECT code, name, name_en, color, sort, lead_scope, lead_posts, active FROM dispute_risk_levels WHERE code = ?", code))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return l, err
}

// LoadSettings reads the settings.
func LoadSettings(ctx context.Context, q db.Querier) (Settings, error) {
	var s Settings
	err := q.QueryRow(ctx, "SELECT remind_days, default_days FROM dispute_settings WHERE id = 1").Scan(&s.RemindDays, &s.DefaultDays)
	return s, err
}

// configure checks dispute.configure over the whole district.
func (s *Service) configure(ctx context.Context, a *auth.Actor, what string) (int64, error) {
	root, err := org.Root(ctx, s.DB)
	if err != nil {
		return 0, err
	}
	if root == nil {
		return 0, apperr.New(apperr.ERULE, "请先建立组织机构 / create the organisation tree first")
	}
	if err := s.Auth.Check(ctx, a, auth.DisputeConfigure, root.Path, what, ""); err != nil {
		return 0, err
	}
	return root.ID, nil
}

// PutType adds or changes a type (dispute.configure over the district).
// A type is never deleted: one no longer used is made inactive.
func (s *Service) PutType(ctx context.Context, a *auth.Actor, t Type) (*Type, error) {
	rootID, err := s.configure(ctx, a, "dispute_type")
	if err != nil {
		return nil, err
	}
	if !codeRE.MatchString(t.Code) {
		return nil, apperr.Field(apperr.EINVALID, "code", "代码须为小写字母开头的字母、数字或下划线（至多 30 个） / the code is a lower-case letter, then letters, digits or _ (at most 30)")
	}
	if t.Name = strings.TrimSpace(t.Name); t.Name == "" || len([]rune(t.Name)) > 20 {
		return nil, apperr.Field(apperr.EINVALID, "name", "请填写类型名称（至多 20 字） / the name is required (at most 20 characters)")
	}
	t.NameEN = strings.TrimSpace(t.NameEN)
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO dispute_types (code, name, name_en, sort, active, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, sort = excluded.sort, active = excluded.active, updated_at = excluded.updated_at`,
			t.Code, t.Name, t.NameEN, t.Sort, t.Active, now)
		if db.IsUniqueViolation(err) {
			return apperr.Field(apperr.ECONFLICT, "name", "类型名称“%s”已被使用 / the name %s is taken", t.Name, t.Name)
		}
		if err != nil {
			return err
		}
		e := a.Entry(now, "dispute.type_put", "dispute_type", t.Code, rootID)
		e.After, e.Detail = t, t.Name
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// PutRiskLevel adds or changes a risk level (dispute.configure over the
// district): its name, colour, order and who must lead. At least one level
// stays active.
func (s *Service) PutRiskLevel(ctx context.Context, a *auth.Actor, l RiskLevel) (*RiskLevel, error) {
	rootID, err := s.configure(ctx, a, "dispute_risk_level")
	if err != nil {
		return nil, err
	}
	if !codeRE.MatchString(l.Code) {
		return nil, apperr.Field(apperr.EINVALID, "code", "代码须为小写字母开头的字母、数字或下划线（至多 30 个） / the code is a lower-case letter, then letters, digits or _ (at most 30)")
	}
	if l.Name = strings.TrimSpace(l.Name); l.Name == "" || len([]rune(l.Name)) > 10 {
		return nil, apperr.Field(apperr.EINVALID, "name", "请填写等级名称（至多 10 字） / the name is required (at most 10 characters)")
	}
	if !colorRE.MatchString(l.Color) {
		return nil, apperr.Field(apperr.EINVALID, "color", "颜色须写成 #rrggbb / the colour is #rrggbb")
	}
	l.Color = strings.ToLower(l.Color)
	switch l.LeadScope {
	case LeadNone, LeadTownship, LeadDistrict:
	default:
		return nil, apperr.Field(apperr.EINVALID, "lead_scope", "lead_scope 只能是空、township 或 district / lead_scope is empty, township or district")
	}
	var posts []string
	for _, p := range l.LeadPosts {
		if p = strings.TrimSpace(p); p != "" {
			if len([]rune(p)) > 30 || strings.ContainsAny(p, ",，、") {
				return nil, apperr.Field(apperr.EINVALID, "lead_posts", "职务“%s”不合适 / the post %q is not valid", p, p)
			}
			posts = append(posts, p)
		}
	}
	if l.LeadScope != LeadNone && len(posts) == 0 {
		return nil, apperr.Field(apperr.EINVALID, "lead_posts", "请写明须由哪些职务包案（如 党委书记） / name the posts that must lead (e.g. 党委书记)")
	}
	if l.LeadScope == LeadNone {
		posts = nil
	}
	l.LeadPosts = append([]string{}, posts...)
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO dispute_risk_levels (code, name, name_en, color, sort, lead_scope, lead_posts, active, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, color = excluded.color, sort = excluded.sort,
				lead_scope = excluded.lead_scope, lead_posts = excluded.lead_posts, active = excluded.active, updated_at = excluded.updated_at`,
			l.Code, l.Name, strings.TrimSpace(l.NameEN), l.Color, l.Sort, l.LeadScope, strings.Join(posts, ","), l.Active, now)
		if db.IsUniqueViolation(err) {
			return apperr.Field(apperr.ECONFLICT, "name", "等级名称“%s”已被使用 / the name %s is taken", l.Name, l.Name)
		}
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM dispute_risk_levels WHERE active").Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.Field(apperr.ERULE, "active", "至少保留一个启用的风险等级 / at least one risk level stays active")
		}
		e := a.Entry(now, "dispute.risk_level_put", "dispute_risk_level", l.Code, rootID)
		e.After, e.Detail = l, fmt.Sprintf("%s %s", l.Name, l.Color)
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return &l, nil
}

// PutSettings changes the settings (dispute.configure over the district).
// A new reminder time applies to deadlines set from now on.
func (s *Service) PutSettings(ctx context.Context, a *auth.Actor, in Settings) (*Settings, error) {
	rootID, err := s.configure(ctx, a, "dispute_settings")
	if err != nil {
		return nil, err
	}
	if in.RemindDays < 0 || in.RemindDays > 60 {
		return nil, apperr.Field(apperr.EINVALID, "remind_days", "提前提醒天数须在 0–60 之间 / remind_days is 0–60")
	}
	if in.DefaultDays < 1 || in.DefaultDays > 365 {
		return nil, apperr.Field(apperr.EINVALID, "default_days", "默认化解期限须在 1–365 天之间 / default_days is 1–365")
	}
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		before, err := LoadSettings(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE dispute_settings SET remind_days = ?, default_days = ?, updated_at = ? WHERE id = 1", in.RemindDays, in.DefaultDays, now); err != nil {
			return err
		}
		e := a.Entry(now, "dispute.settings_put", "dispute_settings", "1", rootID)
		e.Before, e.After = before, in
		e.Detail = fmt.Sprintf("remind %d days, default %d days", in.RemindDays, in.DefaultDays)
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return &in, nil
}
