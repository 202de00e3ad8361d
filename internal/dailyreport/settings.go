package dailyreport

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/web"
)

// Settings name the two desks and the leader a unit's repeated silence goes to.
type Settings struct {
	SafetyDeskOrgID    *int64 `json:"safety_desk_org_id"`
	StabilityDeskOrgID *int64 `json:"stability_desk_org_id"`
	EscalateUserID     *int64 `json:"escalate_user_id"`
}

// LoadSettings reads the settings.
func LoadSettings(ctx context.Context, q db.Querier) (*Settings, error) {
	var s Settings
	var a, b, c sql.NullInt64
	if err := q.QueryRow(ctx, "SELECT safety_desk_org_id, stability_desk_org_id, escalate_user_id FROM report_settings WHERE id = 1").Scan(&a, &b, &c); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		v   sql.NullInt64
		dst **int64
	}{{a, &s.SafetyDeskOrgID}, {b, &s.StabilityDeskOrgID}, {c, &s.EscalateUserID}} {
		if p.v.Valid {
			v := p.v.Int64
			*p.dst = &v
		}
	}
	return &s, nil
}

// SetSettings changes the desks and the escalation leader (district-wide).
func (s *Service) SetSettings(ctx context.Context, a *auth.Actor, in Settings) (*Settings, error) {
	root, err := org.RootPath(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Check(ctx, a, auth.DailyReportManage, root, "report_settings", ""); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		id    *int64
		field string
	}{{in.SafetyDeskOrgID, "safety_desk_org_id"}, {in.StabilityDeskOrgID, "stability_desk_org_id"}} {
		if p.id != nil {
			if _, err := org.ByID(ctx, s.DB, *p.id); err != nil {
				return nil, apperr.Field(apperr.ERULE, p.field, "组织 %d 不存在 / organisation %d does not exist", *p.id, *p.id)
			}
		}
	}
	if in.EscalateUserID != nil {
		var n int
		if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM users WHERE id = ? AND disabled = FALSE", *in.EscalateUserID).Scan(&n); err != nil || n == 0 {
			return nil, apperr.Field(apperr.ERULE, "escalate_user_id", "人员 %d 不存在或已停用 / person %d does not exist or is disabled", *in.EscalateUserID, *in.EscalateUserID)
		}
	}
	cur, err := LoadSettings(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE report_settings SET safety_desk_org_id = ?, stability_desk_org_id = ?, escalate_user_id = ?, updated_at = ? WHERE id = 1",
			in.SafetyDeskOrgID, in.StabilityDeskOrgID, in.EscalateUserID, now); err != nil {
			return err
		}
		e := a.Entry(now, "dailyreport.settings", "report_settings", "", 0)
		e.Before, e.After = cur, in
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return LoadSettings(ctx, s.DB)
}

// UnitMark says whether an org reports and at which tier.
type UnitMark struct {
	Reports bool   `json:"reports"`
	Tier    string `json:"tier"`
}

// UnitInfo is a reporting unit as the API lists it.
type UnitInfo struct {
	OrgID int64  `json:"org_id"`
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Tier  string `json:"tier"`
}

// MarkUnit makes an org report (departments, villages …) or stop reporting
// (a township that is exempted), within the actor's scope.
func (s *Service) MarkUnit(ctx context.Context, a *auth.Actor, orgID int64, m UnitMark) (*UnitInfo, error) {
	o, err := org.ByID(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Check(ctx, a, auth.DailyReportManage, o.Path, "org", strconv.FormatInt(o.ID, 10)); err != nil {
		return nil, err
	}
	if m.Tier == "" {
		m.Tier = TierTownship
		if o.Kind == org.Village || o.Kind == org.Community {
			m.Tier = TierVillage
		}
	}
	if m.Tier != TierTownship && m.Tier != TierVillage {
		return nil, apperr.Field(apperr.EINVALID, "tier", "层级须为 township 或 village / the tier must be township or village")
	}
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := SetUnit(ctx, tx, o.ID, m.Reports, m.Tier, now); err != nil {
			return err
		}
		e := a.Entry(now, "dailyreport.unit", "org", strconv.FormatInt(o.ID, 10), o.ID)
		e.After = m
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	tier, err := TierOf(ctx, s.DB, o)
	return &UnitInfo{OrgID: o.ID, Name: o.Name, Kind: o.Kind, Tier: tier}, err
}

// ListUnits lists the reporting units of both tiers under orgID (0: the actor's scope).
func (s *Service) ListUnits(ctx context.Context, a *auth.Actor, orgID int64) ([]UnitInfo, error) {
	o, err := s.scopeOrg(ctx, a, auth.DailyReportView, orgID)
	if err != nil {
		return nil, err
	}
	out := []UnitInfo{}
	for _, tier := range Tiers {
		us, err := Units(ctx, s.DB, tier, o.Path)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			out = append(out, UnitInfo{OrgID: u.OrgID, Name: u.Name, Kind: u.Kind, Tier: tier})
		}
	}
	return out, nil
}

func (h *handlers) apiGetSettings(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	s, err := LoadSettings(r.Context(), h.svc.DB)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, s)
	return nil
}

func (h *handlers) apiPutSettings(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in Settings
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	s, err := h.svc.SetSettings(r.Context(), a, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, s)
	return nil
}

func (h *handlers) apiUnits(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	orgID, err := orgParam(r)
	if err != nil {
		return err
	}
	us, err := h.svc.ListUnits(r.Context(), a, orgID)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, us)
	return nil
}

func (h *handlers) apiMarkUnit(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var m UnitMark
	if err := web.DecodeJSON(w, r, &m); err != nil {
		return err
	}
	u, err := h.svc.MarkUnit(r.Context(), a, id, m)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, u)
	return nil
}
