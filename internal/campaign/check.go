package campaign

import (
	"context"
	"database/sql"
	"errors"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
)

// CheckInspection says whether an inspection of the object at path (an
// enterprise's, or a place's territory) may count for campaign id, recorded
// by a: the campaign must be one the caller sees, running, and cover the
// object (its subtree, industries and risk levels). It returns the
// campaign's title for the inspection form. The inspection capability asks
// this through its own small interface (wired in internal/app).
func (s *Service) CheckInspection(ctx context.Context, a *auth.Actor, id int64, enterpriseID *int64, path string) (string, error) {
	notFound := apperr.Field(apperr.EINVALID, "campaign_id", "排查整治行动 %d 不存在 / campaign %d does not exist", id, id)
	if id <= 0 || a == nil {
		return "", notFound
	}
	c, err := load(ctx, s.DB, id)
	if apperr.Code(err) == apperr.ENOTFOUND {
		return "", notFound
	}
	if err != nil {
		return "", err
	}
	// Seen from the launching side, or through a task (a launched campaign
	// over the object's place, which the caller covers).
	if !a.Operator && !a.Can(auth.CampaignView, c.launchPath) && (c.Status == Draft || !a.Can(auth.CampaignView, path) || !auth.Covers(c.scopePath, path)) {
		return "", notFound
	}
	if c.Status != Active {
		return "", apperr.Field(apperr.ERULE, "campaign_id", "“%s”%s，检查不再计入 / campaign %q is %s: inspections no longer count for it", c.Title, StatusZH[c.Status], c.Title, c.Status)
	}
	outside := apperr.Field(apperr.ERULE, "campaign_id", "检查对象不在“%s”的范围内 / the object is outside the scope of %q", c.Title, c.Title)
	if !auth.Covers(c.scopePath, path) {
		return "", outside
	}
	if enterpriseID != nil && (len(c.Industries) > 0 || len(c.RiskLevels) > 0) {
		var industry, risk string
		err := s.DB.QueryRow(ctx, "SELECT industry, risk_level FROM enterprises WHERE id = ?", *enterpriseID).Scan(&industry, &risk)
		if errors.Is(err, sql.ErrNoRows) {
			return "", outside
		}
		if err != nil {
			return "", err
		}
		if !in(c.Industries, industry) || !in(c.RiskLevels, risk) {
			return "", outside
		}
	}
	return c.Title, nil
}

// in reports whether v is in list; an empty list holds everything.
func in(list []string, v string) bool {
	if len(list) == 0 {
		return true
	}
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
