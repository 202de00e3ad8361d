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
	"github.com/anwen-gov/anwen/internal/enterprise"
	"github.com/anwen-gov/anwen/internal/hazard"
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/people"
)

// DemoResult counts what LoadDemo added.
type DemoResult struct{ Orgs, People, Enterprises int }

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
		n, err := demoEnterprises(ctx, tx, now, ds, byKey)
		if err != nil {
			return err
		}
		res.Enterprises = n
		if res.Orgs == 0 && res.People == 0 && res.Enterprises == 0 {
			return nil
		}
		if res.Orgs > 0 || res.People > 0 {
			if err := demoDailyReport(ctx, tx, now, byKey); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, audit.Entry{At: now, UserLogin: "(command line)", ClientAddr: "local", Action: "demo.load",
			Result: audit.OK, Detail: fmt.Sprintf("added %d organisations, %d people and %d enterprises", res.Orgs, res.People, res.Enterprises)})
	})
	return res, err
}

// demoEnterprises registers the demo's enterprises and places (matched by
// credit code, or by name and territory for a place without one) and names
// each enterprise contact's enterprise (users.enterprise_id) where none is set.
func demoEnterprises(ctx context.Context, tx *db.Tx, now time.Time, ds demo.Dataset, byKey map[string]*org.Org) (int, error) {
	added := 0
	for _, e := range ds.Enterprises {
		territory := byKey[e.TerritoryKey]
		in := enterprise.Input{Kind: e.Kind, Name: e.Name, USCC: e.USCC, Address: e.Address, TerritoryOrgID: territory.ID, Industry: e.Industry,
			RiskLevel: e.RiskLevel, KeyEnterprise: e.KeyEnterprise, CrowdedPlace: e.CrowdedPlace, MajorHazardSource: e.MajorHazardSource,
			PrincipalName: e.PrincipalName, PrincipalPhone: e.PrincipalPhone, SafetyOfficerName: e.OfficerName, SafetyOfficerPhone: e.OfficerPhone,
			FoundedOn: e.FoundedOn, Closed: e.Closed}
		if e.RegulatorKey != "" {
			in.RegulatorOrgID = &byKey[e.RegulatorKey].ID
		}
		var id int64
		var err error
		if e.USCC != "" {
			err = tx.QueryRow(ctx, "SELECT id FROM enterprises WHERE uscc = ?", e.USCC).Scan(&id)
		} else {
			err = tx.QueryRow(ctx, "SELECT id FROM enterprises WHERE name = ? AND territory_org_id = ?", e.Name, territory.ID).Scan(&id)
		}
		if errors.Is(err, sql.ErrNoRows) {
			if err := enterprise.Validate(&in, "2100-01-01"); err != nil {
				return 0, fmt.Errorf("demo enterprise %s: %w", e.Key, err)
			}
			if id, err = enterprise.Insert(ctx, tx, now, in); err != nil {
				return 0, fmt.Errorf("demo enterprise %s: %w", e.Key, err)
			}
			added++
		} else if err != nil {
			return 0, err
		}
		for _, login := range e.Contacts {
			if _, err := tx.Exec(ctx, "UPDATE users SET enterprise_id = ? WHERE login = ? AND enterprise_id IS NULL", id, login); err != nil {
				return 0, err
			}
		}
	}
	return added, nil
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

// DemoCount is how many fictional records of one kind LoadDemoRecords added.
type DemoCount struct {
	Name  string // e.g. "hazards"
	Added int
}

// demoRecords load each capability's fictional records, in this order
// (later ones may build on earlier ones); a capability adds its loader in
// its wiring file's init.
var demoRecords = []struct {
	name string
	load func(*App, context.Context) (int, error)
}{{"hazards", (*App).LoadDemoHazards}}

func addDemoRecords(name string, load func(*App, context.Context) (int, error)) {
	demoRecords = append(demoRecords, struct {
		name string
		load func(*App, context.Context) (int, error)
	}{name, load})
}

// LoadDemoRecords adds every capability's fictional records to the demo
// district, each once: the commands that show the demo call it after
// LoadDemo. Scenario tests start from the district without them, so that
// what they count is what they made.
func (a *App) LoadDemoRecords(ctx context.Context) ([]DemoCount, error) {
	var out []DemoCount
	for _, r := range demoRecords {
		n, err := r.load(a, ctx)
		if err != nil {
			return out, fmt.Errorf("demo %s: %w", r.name, err)
		}
		out = append(out, DemoCount{r.name, n})
	}
	return out, nil
}

// LoadDemoHazards registers the demo district's fictional hazards (隐患)
// in every state, once: the commands that load the demo call it after
// LoadDemo. Scenario tests start from the demo without them, so that what
// they count is what they made.
func (a *App) LoadDemoHazards(ctx context.Context) (int, error) {
	if a.Hazards() == nil {
		return 0, nil
	}
	return hazard.SeedDemo(ctx, a.Hazards())
}
