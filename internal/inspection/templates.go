package inspection

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
)

// Template is a checklist (检查表) in one version.
type Template struct {
	ID         int64     `json:"id"`
	Code       string    `json:"code"`
	Name       string    `json:"name"`
	Industries []string  `json:"industries"` // enterprise industry codes it suits (empty: any)
	Version    int       `json:"version"`
	Active     bool      `json:"active"`
	ItemCount  int       `json:"item_count"`
	Items      []Item    `json:"items,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// Item is one checklist item.
type Item struct {
	ID           int64  `json:"id"`
	Number       int    `json:"number"`
	Text         string `json:"text"`
	Category     string `json:"category"`
	CategoryName string `json:"category_name"`
	Basis        string `json:"basis"` // 依据
}

// Suits reports whether the template suits an enterprise of industry.
func (t *Template) Suits(industry string) bool {
	for _, i := range t.Industries {
		if i == industry {
			return true
		}
	}
	return false
}

// VersionInput makes a new version of a template: its items replace the
// old version's, which stays (inactive) for the inspections that used it.
type VersionInput struct {
	Name       string      `json:"name,omitempty"`       // default: the old version's
	Industries *[]string   `json:"industries,omitempty"` // default: the old version's
	Items      []ItemInput `json:"items"`
}

// ItemInput is one item of a new version, numbered in order.
type ItemInput struct {
	Text     string `json:"text"`
	Category string `json:"category"` // code or Chinese name
	Basis    string `json:"basis,omitempty"`
}

const templateCols = `t.id, t.code, t.name, t.industries, t.version, t.active, t.created_at,
	(SELECT count(*) FROM inspection_template_items x WHERE x.template_id = t.id)`

func scanTemplate(row interface{ Scan(...any) error }) (*Template, error) {
	var t Template
	var ind string
	if err := row.Scan(&t.ID, &t.Code, &t.Name, &ind, &t.Version, &t.Active, &t.CreatedAt, &t.ItemCount); err != nil {
		return nil, err
	}
	t.Industries = splitList(ind)
	t.CreatedAt = t.CreatedAt.UTC()
	return &t, nil
}

func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// checkTemplateView lets whoever may see or record inspections anywhere read
// the checklists; anybody else is refused as if there were none.
func (s *Service) checkTemplateView(ctx context.Context, a *auth.Actor) error {
	if a == nil {
		return apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	if canSeeAny(a) || canRecordAny(a) {
		return nil
	}
	return s.refuse(ctx, a, auth.InspectionView, "", 0, apperr.NotFound("checklist template"))
}

// Templates lists the checklists, active ones only unless all.
func (s *Service) Templates(ctx context.Context, a *auth.Actor, all bool) ([]Template, error) {
	if err := s.checkTemplateView(ctx, a); err != nil {
		return nil, err
	}
	return listTemplates(ctx, s.DB, all)
}

func listTemplates(ctx context.Context, q db.Querier, all bool) ([]Template, error) {
	query := "SELECT " + templateCols + " FROM inspection_templates t"
	if !all {
		query += " WHERE t.active"
	}
	rows, err := q.Query(ctx, query+" ORDER BY t.active DESC, t.code, t.version DESC")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Template{}
	for rows.Next() {
		t, err := scanTemplate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}

// Template returns one checklist version with its items.
func (s *Service) Template(ctx context.Context, a *auth.Actor, id int64) (*Template, error) {
	if err := s.checkTemplateView(ctx, a); err != nil {
		return nil, err
	}
	return loadTemplate(ctx, s.DB, id)
}

func loadTemplate(ctx context.Context, q db.Querier, id int64) (*Template, error) {
	t, err := scanTemplate(q.QueryRow(ctx, "SELECT "+templateCols+" FROM inspection_templates t WHERE t.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("checklist template")
	}
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, "SELECT id, number, text, category, basis FROM inspection_template_items WHERE template_id = ? ORDER BY number", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t.Items = []Item{}
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.ID, &it.Number, &it.Text, &it.Category, &it.Basis); err != nil {
			return nil, err
		}
		it.CategoryName = CategoryName(it.Category)
		t.Items = append(t.Items, it)
	}
	return t, rows.Err()
}

// rootPath is the path of the top of the org tree: checklists serve the
// whole district, so keeping them needs hazard.manage there.
func rootPath(ctx context.Context, q db.Querier) (string, error) {
	var p string
	err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE parent_id IS NULL ORDER BY path LIMIT 1").Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return "/", nil
	}
	return p, err
}

// NewVersion makes version n+1 of template id's checklist from the items
// given, and retires the version it replaces. It needs hazard.manage over
// the whole district (the checklists serve everybody).
func (s *Service) NewVersion(ctx context.Context, a *auth.Actor, id int64, in VersionInput) (*Template, error) {
	if a == nil {
		return nil, apperr.New(apperr.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	root, err := rootPath(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Check(ctx, a, auth.HazardManage, root, "inspection_template", itoa(id)); err != nil {
		return nil, err
	}
	old, err := loadTemplate(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = old.Name
	}
	if len([]rune(name)) > 100 {
		return nil, apperr.Field(apperr.EINVALID, "name", "名称不能超过 100 字 / the name may have at most 100 characters")
	}
	industries := old.Industries
	if in.Industries != nil {
		industries = nil
		for _, i := range *in.Industries {
			if i = strings.TrimSpace(i); i != "" {
				if strings.Contains(i, ",") || len(i) > 40 {
					return nil, apperr.Field(apperr.EINVALID, "industries", "行业代码无效：%s / invalid industry code: %s", i, i)
				}
				industries = append(industries, i)
			}
		}
	}
	if len(in.Items) == 0 || len(in.Items) > maxItems {
		return nil, apperr.Field(apperr.EINVALID, "items", "检查表须有 1 至 %d 项 / a checklist has 1 to %d items", maxItems, maxItems)
	}
	items := make([]ItemInput, len(in.Items))
	for i, it := range in.Items {
		f := "items[" + itoa(int64(i)) + "]"
		it.Text, it.Basis = strings.TrimSpace(it.Text), strings.TrimSpace(it.Basis)
		if it.Text == "" || len([]rune(it.Text)) > maxNote {
			return nil, apperr.Field(apperr.EINVALID, f+".text", "第 %d 项：内容须为 1 至 %d 字 / item %d: the text has 1 to %d characters", i+1, maxNote, i+1, maxNote)
		}
		if len([]rune(it.Basis)) > maxNote {
			return nil, apperr.Field(apperr.EINVALID, f+".basis", "第 %d 项：依据不能超过 %d 字 / item %d: the basis has at most %d characters", i+1, maxNote, i+1, maxNote)
		}
		if it.Category = categoryCode(it.Category); it.Category == "" {
			return nil, apperr.Field(apperr.EINVALID, f+".category", "第 %d 项：类别无效 / item %d: unknown category", i+1, i+1)
		}
		items[i] = it
	}
	now := s.Clock.Now()
	var newID int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var last int
		if err := tx.QueryRow(ctx, "SELECT max(version) FROM inspection_templates WHERE code = ?", old.Code).Scan(&last); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE inspection_templates SET active = FALSE WHERE code = ? AND active", old.Code); err != nil {
			return err
		}
		var err error
		newID, err = db.InsertID(ctx, tx, `INSERT INTO inspection_templates (code, name, industries, version, active, created_by, created_at)
			VALUES (?, ?, ?, ?, TRUE, ?, ?)`, old.Code, name, strings.Join(industries, ","), last+1, nullID(a.UserID), now)
		if err != nil {
			return err
		}
		for i, it := range items {
			if _, err := tx.Exec(ctx, "INSERT INTO inspection_template_items (template_id, number, text, category, basis) VALUES (?, ?, ?, ?, ?)",
				newID, i+1, it.Text, it.Category, it.Basis); err != nil {
				return err
			}
		}
		e := a.Entry(now, "inspection.template_version", "inspection_template", itoa(newID), 0)
		e.Detail = old.Code + " version " + itoa(int64(last+1)) + " replaces template " + itoa(old.ID)
		e.After = items
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		if db.IsUniqueViolation(err) {
			return nil, apperr.New(apperr.ECONFLICT, "另一个新版本刚刚保存，请刷新后重试 / another new version was just saved: reload and try again")
		}
		return nil, err
	}
	return loadTemplate(ctx, s.DB, newID)
}

// nullID is NULL for 0 (the command line has no user).
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
