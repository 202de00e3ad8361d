package demo

import (
	"strings"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/enterprise"
	"github.com/anwen-gov/anwen/internal/enterprise/uscc"
)

func TestEnterprises(t *testing.T) {
	ds := District()
	orgs := map[string]Org{}
	for _, o := range ds.Orgs {
		orgs[o.Key] = o
	}
	people := map[string]Person{}
	for _, p := range ds.People {
		people[p.Login] = p
	}
	if n := len(ds.Enterprises); n < 35 || n > 50 {
		t.Errorf("%d enterprises, want about 40", n)
	}
	keys, codes, names := map[string]bool{}, map[string]bool{}, map[string]bool{}
	risks, industries, kinds := map[string]int{}, map[string]int{}, map[string]int{}
	inQingshan, closed := 0, 0
	for _, e := range ds.Enterprises {
		t.Run(e.Key, func(t *testing.T) {
			if keys[e.Key] || names[e.Name] {
				t.Errorf("duplicate key or name")
			}
			keys[e.Key], names[e.Name] = true, true
			if e.USCC != "" {
				if got, err := uscc.Validate(e.USCC); err != nil || got != e.USCC {
					t.Errorf("credit code %q: %v", e.USCC, err)
				}
				if e.USCC[2:8] != demoDivision {
					t.Errorf("credit code %q does not carry the fictional division %s", e.USCC, demoDivision)
				}
				if codes[e.USCC] {
					t.Errorf("duplicate credit code %s", e.USCC)
				}
				codes[e.USCC] = true
			} else if e.Kind != kindPlace {
				t.Errorf("an enterprise without a credit code")
			}
			tr, ok := orgs[e.TerritoryKey]
			if !ok || (tr.Kind != KindVillage && tr.Kind != KindCommunity && tr.Kind != KindTownship && tr.Kind != KindStreet && tr.Kind != KindZone) {
				t.Errorf("territory %q (%s) is not a territorial org", e.TerritoryKey, tr.Kind)
			}
			if e.RegulatorKey != "" && orgs[e.RegulatorKey].Kind != KindDepartment {
				t.Errorf("regulator %q is not a department", e.RegulatorKey)
			}
			if _, ok := enterprise.IndustryByCode(e.Industry); !ok {
				t.Errorf("unknown industry %q", e.Industry)
			}
			if !enterprise.ValidRisk(e.RiskLevel) {
				t.Errorf("unknown risk level %q", e.RiskLevel)
			}
			if e.FoundedOn != "" {
				if _, err := time.Parse("2006-01-02", e.FoundedOn); err != nil {
					t.Errorf("founded on %q: %v", e.FoundedOn, err)
				}
			}
			if famousNames[e.PrincipalName] || famousNames[e.OfficerName] || e.PrincipalName == "" {
				t.Errorf("principal %q, officer %q", e.PrincipalName, e.OfficerName)
			}
			for _, phone := range []string{e.PrincipalPhone, e.OfficerPhone} {
				if phone != "" && !phoneRE.MatchString(phone) {
					t.Errorf("bad phone %q", phone)
				}
			}
			for _, login := range e.Contacts {
				p, ok := people[login]
				if !ok || len(p.Roles) != 1 || p.Roles[0].Role != RoleEnterprise {
					t.Errorf("contact %q is not an enterprise contact of the demo", login)
				} else if p.Name != e.OfficerName || p.Phone != e.OfficerPhone {
					t.Errorf("contact %s is not the safety officer", login)
				}
			}
			// The input the register takes passes its own validation.
			in := enterprise.Input{Kind: e.Kind, Name: e.Name, USCC: e.USCC, Address: e.Address, TerritoryOrgID: 1, Industry: e.Industry, RiskLevel: e.RiskLevel,
				PrincipalName: e.PrincipalName, PrincipalPhone: e.PrincipalPhone, SafetyOfficerName: e.OfficerName, SafetyOfficerPhone: e.OfficerPhone, FoundedOn: e.FoundedOn}
			if err := enterprise.Validate(&in, "2026-11-27"); err != nil {
				t.Errorf("does not validate: %v", err)
			}
		})
		risks[e.RiskLevel]++
		industries[e.Industry]++
		kinds[e.Kind]++
		if strings.HasPrefix(e.TerritoryKey, "v-qingshan-") || strings.HasPrefix(e.TerritoryKey, "c-qingshan-") || e.TerritoryKey == "t-qingshan" {
			inQingshan++
		}
		if e.Closed {
			closed++
		}
	}
	for _, r := range []string{"major", "large", "general", "low"} {
		if risks[r] == 0 {
			t.Errorf("no enterprise of risk level %s", r)
		}
	}
	for _, ind := range []string{"hazchem", "fireworks", "gas", "construction", "dust", "catering", "crowded"} {
		if industries[ind] == 0 {
			t.Errorf("no enterprise of industry %s", ind)
		}
	}
	if kinds[kindPlace] == 0 || kinds[kindEnt] == 0 {
		t.Errorf("kinds %v", kinds)
	}
	if inQingshan < 6 {
		t.Errorf("%d entries in 青山镇, want several", inQingshan)
	}
	if closed == 0 {
		t.Error("no closed enterprise to show")
	}
}

// The "qiye" sign-in speaks for exactly one enterprise, in 青山镇, and every
// enterprise contact of the demo speaks for one.
func TestEnterpriseContacts(t *testing.T) {
	ds := District()
	of := map[string][]Enterprise{}
	for _, e := range ds.Enterprises {
		for _, l := range e.Contacts {
			of[l] = append(of[l], e)
		}
	}
	if es := of["qiye"]; len(es) != 1 || !strings.HasPrefix(es[0].TerritoryKey, "v-qingshan-") {
		t.Fatalf("qiye speaks for %+v, want one enterprise in 青山镇", es)
	}
	for _, p := range ds.People {
		if p.Roles[0].Role == RoleEnterprise && len(of[p.Login]) != 1 {
			t.Errorf("enterprise contact %s speaks for %d enterprises", p.Login, len(of[p.Login]))
		}
	}
}

func TestEnterprisesDeterministic(t *testing.T) {
	a, b := District().Enterprises, District().Enterprises
	if len(a) != len(b) {
		t.Fatal("lengths differ")
	}
	for i := range a {
		if a[i].USCC != b[i].USCC || a[i].PrincipalName != b[i].PrincipalName || a[i].PrincipalPhone != b[i].PrincipalPhone {
			t.Fatalf("entry %d differs between calls", i)
		}
	}
}
