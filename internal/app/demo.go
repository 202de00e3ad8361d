package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/dailyreport"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/demo"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/people"
)

// DemoResult counts what LoadDemo added.
type DemoResult struct{ Orgs, People int }

// LoadDemo loads the fictional 示范区, idempotently: organisations are matched
// by code and people by login, and only what is missing is added, in one
// transaction with one audit record.
func (a *App) LoadDemo(ctx context.Context) (DemoResult, error) {
	var res DemoResult
	ds := demo.District()
	// One hash for every demo person: argon2id is slow on purpose, and they
	// all share the published demo password anyway.
	hash, err := auth.HashPassword(demo.DemoPassword)
	if err != nil {
		return res, err
	}
	now := a.Clock.Now()
	err = a.DB.InTx(ctx, func(tx *db.Tx) error {
		byKey := map[string]*org.Org{}
		for _, o := range ds.Orgs {
			var id int64
			err := tx.QueryRow(ctx, "SELECT id FROM orgs WHERE code = ?", o.Code).Scan(&id)
			if err == nil {
				if byKey[o.Key], err = org.ByID(ctx, tx, id); err != nil {
					return err
				}
				continue
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			parent := byKey[o.ParentKey]
			created, err := org.CreateTx(ctx, tx, now, parent, org.Input{Name: o.Name, Kind: o.Kind, Code: o.Code})
			if err != nil {
				return fmt.Errorf("demo org %s: %w", o.Key, err)
			}
			byKey[o.Key] = created
			res.Orgs++
		}
		for _, p := range ds.People {
			var id int64
			err := tx.QueryRow(ctx, "SELECT id FROM users WHERE login = ?", p.Login).Scan(&id)
			if err == nil {
				continue
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			in := people.Input{Login: p.Login, Name: p.Name, OrgID: byKey[p.OrgKey].ID, Post: p.Post, Phone: p.Phone}
			for _, r := range p.Roles {
				in.Roles = append(in.Roles, people.RoleGrant{Role: r.Role, ScopeOrgID: byKey[r.ScopeOrgKey].ID})
			}
			if err := people.Validate(&in, true); err != nil {
				return fmt.Errorf("demo person %s: %w", p.Login, err)
			}
			if _, err := people.CreateTx(ctx, tx, now, in, hash, false); err != nil {
				return fmt.Errorf("demo person %s: %w", p.Login, err)
			}
			res.People++
		}
		if res.Orgs == 0 && res.People == 0 {
			return nil
		}
		if err := demoDailyReport(ctx, tx, now, byKey); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, UserLogin: "(command line)", ClientAddr: "local", Action: "demo.load",
			Result: audit.OK, Detail: fmt.Sprintf("added %d organisations and %d people", res.Orgs, res.People)})
	})
	return res, err
}

// demoDailyReport names the desks (应急管理局 for safety, 信访局 for
// stability), the leader repeated silence goes to (the deputy head for work
// safety), and has 青山镇's villages report to their township.
func demoDailyReport(ctx context.Context, tx *db.Tx, now time.Time, byKey map[string]*org.Org) error {
	var escalate any
	var uid int64
	if err := tx.QueryRow(ctx, "SELECT id FROM users WHERE org_id = ? AND post LIKE ? ORDER BY id LIMIT 1", byKey[demo.DistrictKey].ID, "%分管安全生产%").Scan(&uid); err == nil {
		escalate = uid
	}
	if _, err := tx.Exec(ctx, "UPDATE report_settings SET safety_desk_org_id = ?, stability_desk_org_id = ?, escalate_user_id = ?, updated_at = ? WHERE id = 1",
		byKey["d-yjj"].ID, byKey["d-xfj"].ID, escalate, now); err != nil {
		return err
	}
	for key, o := range byKey {
		if o.Kind != org.Village && o.Kind != org.Community {
			continue
		}
		if p := byKey["t-qingshan"]; p != nil && o.ParentID != nil && *o.ParentID == p.ID {
			if err := dailyreport.SetUnit(ctx, tx, o.ID, true, dailyreport.TierVillage, now); err != nil {
				return fmt.Errorf("demo reporting unit %s: %w", key, err)
			}
		}
	}
	return nil
}
