package dailyreport

import (
	"context"
	"database/sql"
	"errors"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/org"
)

// Unit is a reporting unit.
type Unit struct {
	OrgID    int64
	Name     string
	Kind     string
	Path     string
	ParentID int64
	Tier     string
}

// unitsOfTier is the set of reporting units of a tier as SQL over orgs o:
// every township, street and zone reports at the township tier unless an
// administrator excluded it; any org an administrator marked reports at the
// tier it was given.
const unitsOfTier = `(
	(u.org_id IS NULL AND o.kind IN ('township', 'street', 'zone') AND ? = 'township')
	OR (u.reports = TRUE AND u.tier = ?))`

const unitFrom = ` FROM orgs o LEFT JOIN report_units u ON u.org_id = o.id `

// Units lists a tier's reporting units inside the subtree at path ("" for all).
func Units(ctx context.Context, q db.Querier, tier, path string) ([]Unit, error) {
	query := "SELECT o.id, o.name, o.kind, o.path, COALESCE(o.parent_id, 0)" + unitFrom + "WHERE " + unitsOfTier
	args := []any{tier, tier}
	if path != "" {
		c, a := org.SubtreeSQL("o.path", path)
		query += " AND " + c
		args = append(args, a...)
	}
	rows, err := q.Query(ctx, query+" ORDER BY o.path", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Unit
	for rows.Next() {
		u := Unit{Tier: tier}
		if err := rows.Scan(&u.OrgID, &u.Name, &u.Kind, &u.Path, &u.ParentID); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// TierOf returns the tier at which org reports, or "" when it does not report.
func TierOf(ctx context.Context, q db.Querier, o *org.Org) (string, error) {
	var reports bool
	var tier string
	err := q.QueryRow(ctx, "SELECT reports, tier FROM report_units WHERE org_id = ?", o.ID).Scan(&reports, &tier)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if org.Territorial(o.Kind) {
			return TierTownship, nil
		}
		return "", nil
	case err != nil:
		return "", err
	case !reports:
		return "", nil
	}
	return tier, nil
}

// SetUnit marks whether an org reports, and at which tier, inside tx.
func SetUnit(ctx context.Context, tx *db.Tx, orgID int64, reports bool, tier string, now any) error {
	_, err := tx.Exec(ctx, `INSERT INTO report_units (org_id, reports, tier, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id) DO UPDATE SET reports = excluded.reports, tier = excluded.tier, updated_at = excluded.updated_at`,
		orgID, reports, tier, now)
	return err
}
