package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
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
		return audit.Append(ctx, tx, audit.Entry{At: now, UserLogin: "(command line)", ClientAddr: "local", Action: "demo.load",
			Result: audit.OK, Detail: fmt.Sprintf("added %d organisations and %d people", res.Orgs, res.People)})
	})
	return res, err
}
