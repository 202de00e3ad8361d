package hazard

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

// Category is one hazard category (隐患类别).
type Category struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	Sort   int    `json:"sort"`
	Active bool   `json:"active"`
}

// Categories lists the categories (inactive ones too when all).
func Categories(ctx context.Context, q db.Querier, all bool) ([]Category, error) {
	query := "SELECT code, name, name_en, sort, active FROM hazard_categories"
	if !all {
		query += " WHERE active"
	}
	rows, err := q.Query(ctx, query+" ORDER BY sort, code")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Category
	for rows.Next() {
		var c Category
		if err := rows.Scan(&c.Code, &c.Name, &c.NameEN, &c.Sort, &c.Active); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// categoryCode resolves a category given by code or by (Chinese) name.
func categoryCode(ctx context.Context, q db.Querier, s string) (string, bool, error) {
	s = strings.TrimSpace(s)
	var code string
	var active bool
	err := q.QueryRow(ctx, "SELECT code, active FROM hazard_categories WHERE code = ? OR name = ? ORDER BY code LIMIT 1", s, s).Scan(&code, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return code, active, err
}

var codeRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// PutCategory adds or changes a category (HazardManage at the district).
func (s *Service) PutCategory(ctx context.Context, a *auth.Actor, c Category) (*Category, error) {
	if err := s.checkManage(ctx, a, "hazard_category", c.Code); err != nil {
		return nil, err
	}
	if !codeRE.MatchString(c.Code) {
		return nil, apperr.Field(apperr.EINVALID, "code", "类别代码须为小写字母、数字和下划线 / the code holds lower-case letters, digits and underscores")
	}
	var err error
	if c.Name, err = clean("name", c.Name, 20, true); err != nil {
		return nil, err
	}
	if c.NameEN, err = clean("name_en", c.NameEN, 40, false); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO hazard_categories (code, name, name_en, sort, active, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, sort = excluded.sort, active = excluded.active, updated_at = excluded.updated_at`,
			c.Code, c.Name, c.NameEN, c.Sort, c.Active, now)
		if db.IsUniqueViolation(err) {
			return apperr.Field(apperr.ECONFLICT, "name", "类别名称“%s”已存在 / the category name %s exists", c.Name, c.Name)
		}
		if err != nil {
			return err
		}
		e := a.Entry(now, "hazard.category", "hazard_category", c.Code, 0)
		e.After = c
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// Standards lists the grading reference's clauses (inactive ones too when all).
func Standards(ctx context.Context, q db.Querier, all bool) ([]Standard, error) {
	query := "SELECT id, code, name, version, clause, text, COALESCE(category, ''), active FROM hazard_standards"
	if !all {
		query += " WHERE active"
	}
	rows, err := q.Query(ctx, query+" ORDER BY name, version DESC, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Standard
	for rows.Next() {
		var st Standard
		if err := rows.Scan(&st.ID, &st.Code, &st.Name, &st.Version, &st.Clause, &st.Text, &st.Category, &st.Active); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

func standardByID(ctx context.Context, q db.Querier, id int64) (*Standard, error) {
	var st Standard
	err := q.QueryRow(ctx, "SELECT id, code, name, version, clause, text, COALESCE(category, ''), active FROM hazard_standards WHERE id = ?", id).
		Scan(&st.ID, &st.Code, &st.Name, &st.Version, &st.Clause, &st.Text, &st.Category, &st.Active)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.Field(apperr.EINVALID, "standard_id", "判定标准条款 %d 不存在 / no grading clause %d", id, id)
	}
	return &st, err
}

// StandardInput adds a clause to the reference table.
type StandardInput struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Version  string `json:"version"`
	Clause   string `json:"clause"`
	Text     string `json:"text"`
	Category string `json:"category,omitempty"`
}

// AddStandard adds a clause (a new version of a standard is new clauses;
// the old ones are deactivated, never deleted).
func (s *Service) AddStandard(ctx context.Context, a *auth.Actor, in StandardInput) (*Standard, error) {
	if err := s.checkManage(ctx, a, "hazard_standard", ""); err != nil {
		return nil, err
	}
	var err error
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"code", &in.Code, 60}, {"name", &in.Name, 100}, {"version", &in.Version, 20}, {"clause", &in.Clause, 60}, {"text", &in.Text, 1000}} {
		if *f.v, err = clean(f.name, *f.v, f.max, true); err != nil {
			return nil, err
		}
	}
	var cat any
	if in.Category != "" {
		code, _, err := categoryCode(ctx, s.DB, in.Category)
		if err != nil {
			return nil, err
		}
		if code == "" {
			return nil, apperr.Field(apperr.EINVALID, "category", "没有类别“%s” / no category %q", in.Category, in.Category)
		}
		cat = code
	}
	var st *Standard
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, err := db.InsertID(ctx, tx, `INSERT INTO hazard_standards (code, name, version, clause, text, category, active, created_at) VALUES (?, ?, ?, ?, ?, ?, TRUE, ?)`,
			in.Code, in.Name, in.Version, in.Clause, in.Text, cat, now)
		if db.IsUniqueViolation(err) {
			return apperr.Field(apperr.ECONFLICT, "clause", "该标准的这一版本已有此条款 / this version of the standard has this clause already")
		}
		if err != nil {
			return err
		}
		if st, err = standardByID(ctx, tx, id); err != nil {
			return err
		}
		e := a.Entry(now, "hazard.standard_add", "hazard_standard", itoa(id), 0)
		e.After = st
		return audit.Append(ctx, tx, e)
	})
	return st, err
}

// SetStandardActive activates or retires a clause.
func (s *Service) SetStandardActive(ctx context.Context, a *auth.Actor, id int64, active bool) (*Standard, error) {
	if err := s.checkManage(ctx, a, "hazard_standard", itoa(id)); err != nil {
		return nil, err
	}
	var st *Standard
	now := s.Clock.Now()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE hazard_standards SET active = ? WHERE id = ?", active, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("hazard standard")
		}
		if st, err = standardByID(ctx, tx, id); err != nil {
			return err
		}
		e := a.Entry(now, "hazard.standard_active", "hazard_standard", itoa(id), 0)
		e.After = st
		return audit.Append(ctx, tx, e)
	})
	return st, err
}

// Settings are the hazard rules local practice may change.
type Settings struct {
	RemindDays   int    `json:"remind_days"`    // reminder this many days before a deadline (3)
	EscalateDays int    `json:"escalate_days"`  // overdue this many days: the district hears of it (7)
	LeaderUserID *int64 `json:"leader_user_id"` // the district leader in charge, whom overdue major hazards reach
}

// LoadSettings reads the settings.
func LoadSettings(ctx context.Context, q db.Querier) (Settings, error) {
	var st Settings
	var leader sql.NullInt64
	err := q.QueryRow(ctx, "SELECT remind_days, escalate_days, leader_user_id FROM hazard_settings WHERE id = 1").Scan(&st.RemindDays, &st.EscalateDays, &leader)
	st.LeaderUserID = nullID(leader)
	return st, err
}

// PutSettings changes the settings (HazardManage at the district).
func (s *Service) PutSettings(ctx context.Context, a *auth.Actor, in Settings) (Settings, error) {
	if err := s.checkManage(ctx, a, "hazard_settings", "1"); err != nil {
		return in, err
	}
	if in.RemindDays < 0 || in.RemindDays > 60 {
		return in, apperr.Field(apperr.EINVALID, "remind_days", "提前提醒天数须在 0–60 之间 / remind_days must be 0–60")
	}
	if in.EscalateDays < 1 || in.EscalateDays > 365 {
		return in, apperr.Field(apperr.EINVALID, "escalate_days", "逾期上报区级的天数须在 1–365 之间 / escalate_days must be 1–365")
	}
	now := s.Clock.Now()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var leader any
		if in.LeaderUserID != nil {
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM users WHERE id = ? AND NOT disabled", *in.LeaderUserID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return apperr.Field(apperr.EINVALID, "leader_user_id", "用户 %d 不存在或已停用 / user %d does not exist or is disabled", *in.LeaderUserID, *in.LeaderUserID)
			}
			leader = *in.LeaderUserID
		}
		before, err := LoadSettings(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE hazard_settings SET remind_days = ?, escalate_days = ?, leader_user_id = ?, updated_at = ? WHERE id = 1",
			in.RemindDays, in.EscalateDays, leader, now); err != nil {
			return err
		}
		e := a.Entry(now, "hazard.settings", "hazard_settings", "1", 0)
		e.Before, e.After = before, in
		return audit.Append(ctx, tx, e)
	})
	return in, err
}

// checkManage authorizes HazardManage at the district (the root org).
func (s *Service) checkManage(ctx context.Context, a *auth.Actor, objType, objID string) error {
	root, err := org.RootPath(ctx, s.DB)
	if err != nil {
		return err
	}
	return s.Auth.Check(ctx, a, auth.HazardManage, root, objType, objID)
}
