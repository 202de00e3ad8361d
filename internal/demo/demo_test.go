package demo

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

var (
	validKinds = map[string]bool{
		KindDistrict: true, KindTownship: true, KindStreet: true, KindZone: true,
		KindVillage: true, KindCommunity: true, KindDepartment: true, KindPoliceStation: true,
	}
	validRoles = map[string]bool{
		RoleSysadmin: true, RoleSecadmin: true, RoleAuditor: true, RoleLeader: true,
		RoleStaff: true, RoleGridWorker: true, RoleSupervisor: true, RoleEnterprise: true,
	}
	adminRoles = map[string]bool{RoleSysadmin: true, RoleSecadmin: true, RoleAuditor: true}
	loginRE    = regexp.MustCompile(`^[a-z0-9._-]{3,32}$`)
	phoneRE    = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	codeRE     = regexp.MustCompile(`^[A-Z0-9-]+$`)
)

func countKinds(ds Dataset) map[string]int {
	n := map[string]int{}
	for _, o := range ds.Orgs {
		n[o.Kind]++
	}
	return n
}

func TestCounts(t *testing.T) {
	ds := District()
	kinds := countKinds(ds)
	roles := map[string]int{}
	for _, p := range ds.People {
		for _, r := range p.Roles {
			roles[r.Role]++
		}
	}
	tests := []struct {
		name string
		got  int
		min  int
	}{
		{"district", kinds[KindDistrict], 1},
		{"territorial units", kinds[KindTownship] + kinds[KindStreet] + kinds[KindZone], 9},
		{"townships", kinds[KindTownship], 1},
		{"streets", kinds[KindStreet], 1},
		{"zones", kinds[KindZone], 1},
		{"villages and communities", kinds[KindVillage] + kinds[KindCommunity], 60},
		{"villages", kinds[KindVillage], 1},
		{"communities", kinds[KindCommunity], 1},
		{"departments", kinds[KindDepartment], 15},
		{"police stations", kinds[KindPoliceStation], 6},
		{"people", len(ds.People), 150},
	}
	for r := range validRoles {
		tests = append(tests, struct {
			name string
			got  int
			min  int
		}{"role " + r, roles[r], 1})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got < tc.min {
				t.Errorf("got %d, want >= %d", tc.got, tc.min)
			}
		})
	}
	if kinds[KindDistrict] != 1 {
		t.Errorf("want exactly one district, got %d", kinds[KindDistrict])
	}
}

func TestOrgs(t *testing.T) {
	ds := District()
	tests := []struct {
		name  string
		check func(t *testing.T, ds Dataset)
	}{
		{"root is the district", func(t *testing.T, ds Dataset) {
			o := ds.Orgs[0]
			if o.Key != DistrictKey || o.ParentKey != "" || o.Name != "示范区" || o.Kind != KindDistrict {
				t.Errorf("first org = %+v", o)
			}
		}},
		{"parents come first", func(t *testing.T, ds Dataset) {
			seen := map[string]bool{}
			for i, o := range ds.Orgs {
				if i > 0 && !seen[o.ParentKey] {
					t.Errorf("org %s: parent %q not defined earlier", o.Key, o.ParentKey)
				}
				if i > 0 && o.ParentKey == "" {
					t.Errorf("org %s has no parent", o.Key)
				}
				seen[o.Key] = true
			}
		}},
		{"keys unique", func(t *testing.T, ds Dataset) {
			seen := map[string]bool{}
			for _, o := range ds.Orgs {
				if o.Key == "" || seen[o.Key] {
					t.Errorf("empty or duplicate key %q", o.Key)
				}
				seen[o.Key] = true
			}
		}},
		{"codes unique ASCII", func(t *testing.T, ds Dataset) {
			seen := map[string]bool{}
			for _, o := range ds.Orgs {
				if !codeRE.MatchString(o.Code) || seen[o.Code] {
					t.Errorf("bad or duplicate code %q (%s)", o.Code, o.Key)
				}
				seen[o.Code] = true
			}
		}},
		{"kinds valid", func(t *testing.T, ds Dataset) {
			for _, o := range ds.Orgs {
				if !validKinds[o.Kind] {
					t.Errorf("org %s: invalid kind %q", o.Key, o.Kind)
				}
			}
		}},
		{"names match kinds", func(t *testing.T, ds Dataset) {
			suffix := map[string][]string{
				KindTownship:      {"镇", "乡"},
				KindStreet:        {"街道"},
				KindZone:          {"经济开发区"},
				KindVillage:       {"村"},
				KindCommunity:     {"社区"},
				KindPoliceStation: {"派出所"},
			}
			for _, o := range ds.Orgs {
				ss, ok := suffix[o.Kind]
				if !ok {
					continue
				}
				match := false
				for _, s := range ss {
					match = match || strings.HasSuffix(o.Name, s)
				}
				if !match {
					t.Errorf("org %s %q does not end in %v", o.Key, o.Name, ss)
				}
			}
		}},
		{"hierarchy shape", func(t *testing.T, ds Dataset) {
			kind := map[string]string{}
			for _, o := range ds.Orgs {
				kind[o.Key] = o.Kind
			}
			for _, o := range ds.Orgs {
				p := kind[o.ParentKey]
				switch o.Kind {
				case KindTownship, KindStreet, KindZone, KindDepartment:
					if p != KindDistrict {
						t.Errorf("%s under %s", o.Key, p)
					}
				case KindVillage, KindCommunity:
					if p != KindTownship && p != KindStreet && p != KindZone {
						t.Errorf("%s under %s", o.Key, p)
					}
				case KindPoliceStation:
					if o.ParentKey != "d-gaj" {
						t.Errorf("%s under %s", o.Key, o.ParentKey)
					}
				}
			}
		}},
		{"required departments", func(t *testing.T, ds Dataset) {
			names := map[string]bool{}
			for _, o := range ds.Orgs {
				if o.Kind == KindDepartment {
					names[o.Name] = true
				}
			}
			for _, want := range []string{
				"区应急管理局", "区信访局", "区公安分局", "区委区政府两办督查室", "区纪委监委", "区委组织部",
				"区住房和城乡建设局", "区交通运输局", "区市场监督管理局", "区消防救援大队", "区教育局",
				"区卫生健康局", "区自然资源局", "区生态环境分局", "区人力资源和社会保障局", "区农业农村局",
				"区商务局", "区大数据中心",
			} {
				if !names[want] {
					t.Errorf("missing department %s", want)
				}
			}
		}},
		{"units have 6-8 places", func(t *testing.T, ds Dataset) {
			n := map[string]int{}
			for _, o := range ds.Orgs {
				if o.Kind == KindVillage || o.Kind == KindCommunity {
					n[o.ParentKey]++
				}
			}
			for _, o := range ds.Orgs {
				if o.Kind == KindTownship || o.Kind == KindStreet || o.Kind == KindZone {
					if n[o.Key] < 6 || n[o.Key] > 8 {
						t.Errorf("%s has %d villages/communities", o.Key, n[o.Key])
					}
				}
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, ds) })
	}
}

func TestPeople(t *testing.T) {
	ds := District()
	orgs := map[string]Org{}
	for _, o := range ds.Orgs {
		orgs[o.Key] = o
	}
	tests := []struct {
		name  string
		check func(t *testing.T, p Person)
	}{
		{"login format", func(t *testing.T, p Person) {
			if !loginRE.MatchString(p.Login) {
				t.Errorf("bad login %q", p.Login)
			}
		}},
		{"phone format", func(t *testing.T, p Person) {
			if !phoneRE.MatchString(p.Phone) {
				t.Errorf("%s: bad phone %q", p.Login, p.Phone)
			}
		}},
		{"name is 2-3 Han characters", func(t *testing.T, p Person) {
			n := utf8.RuneCountInString(p.Name)
			if n < 2 || n > 3 {
				t.Errorf("%s: name %q has %d characters", p.Login, p.Name, n)
			}
			for _, c := range p.Name {
				if !unicode.Is(unicode.Han, c) {
					t.Errorf("%s: name %q has non-Han %q", p.Login, p.Name, c)
				}
			}
		}},
		{"not a famous name", func(t *testing.T, p Person) {
			if famousNames[p.Name] {
				t.Errorf("%s: famous name %q", p.Login, p.Name)
			}
		}},
		{"post present", func(t *testing.T, p Person) {
			if p.Post == "" {
				t.Errorf("%s: empty post", p.Login)
			}
		}},
		{"org exists", func(t *testing.T, p Person) {
			if _, ok := orgs[p.OrgKey]; !ok {
				t.Errorf("%s: unknown org %q", p.Login, p.OrgKey)
			}
		}},
		{"roles valid and scoped", func(t *testing.T, p Person) {
			if len(p.Roles) == 0 {
				t.Errorf("%s: no roles", p.Login)
			}
			for _, r := range p.Roles {
				if !validRoles[r.Role] {
					t.Errorf("%s: invalid role %q", p.Login, r.Role)
				}
				if _, ok := orgs[r.ScopeOrgKey]; !ok {
					t.Errorf("%s: unknown scope %q", p.Login, r.ScopeOrgKey)
				}
			}
		}},
		{"at most one administrator role", func(t *testing.T, p Person) {
			n := 0
			for _, r := range p.Roles {
				if adminRoles[r.Role] {
					n++
				}
			}
			if n > 1 {
				t.Errorf("%s holds %d administrator roles", p.Login, n)
			}
			if n > 0 && p.Login != "admin" && p.Login != "secadmin" && p.Login != "auditor" {
				t.Errorf("%s is not a special login but holds an administrator role", p.Login)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, p := range ds.People {
				tc.check(t, p)
			}
		})
	}

	uniq := []struct {
		name string
		key  func(Person) string
	}{
		{"logins unique", func(p Person) string { return p.Login }},
		{"phones unique", func(p Person) string { return p.Phone }},
		{"names unique", func(p Person) string { return p.Name }},
	}
	for _, tc := range uniq {
		t.Run(tc.name, func(t *testing.T) {
			seen := map[string]bool{}
			for _, p := range ds.People {
				k := tc.key(p)
				if seen[k] {
					t.Errorf("duplicate %q", k)
				}
				seen[k] = true
			}
		})
	}
}

func TestSpecialLogins(t *testing.T) {
	ds := District()
	people := map[string]Person{}
	for _, p := range ds.People {
		people[p.Login] = p
	}
	tests := []struct {
		login string
		role  string
		scope string
	}{
		{"admin", RoleSysadmin, DistrictKey},
		{"secadmin", RoleSecadmin, DistrictKey},
		{"auditor", RoleAuditor, DistrictKey},
		{"leader", RoleLeader, DistrictKey},
		{"yjj", RoleStaff, DistrictKey},
		{"xfj", RoleStaff, DistrictKey},
		{"duchashi", RoleSupervisor, DistrictKey},
		{"qingshan", RoleStaff, "t-qingshan"},
		{"wanggeyuan", RoleGridWorker, "v-qingshan-01"},
		{"qiye", RoleEnterprise, "v-qingshan-01"},
	}
	for _, tc := range tests {
		t.Run(tc.login, func(t *testing.T) {
			p, ok := people[tc.login]
			if !ok {
				t.Fatalf("missing login %s", tc.login)
			}
			if len(p.Roles) != 1 || p.Roles[0] != (Role{tc.role, tc.scope}) {
				t.Errorf("roles = %+v, want [%s@%s]", p.Roles, tc.role, tc.scope)
			}
		})
	}
	t.Run("leader is 区长", func(t *testing.T) {
		if people["leader"].Post != "区长" {
			t.Errorf("post = %q", people["leader"].Post)
		}
	})
}

func TestUnitLeadership(t *testing.T) {
	ds := District()
	leaders := map[string]int{}
	staff := map[string]int{}
	grid := map[string]int{}
	for _, p := range ds.People {
		for _, r := range p.Roles {
			switch r.Role {
			case RoleLeader:
				leaders[r.ScopeOrgKey]++
			case RoleStaff:
				staff[r.ScopeOrgKey]++
			case RoleGridWorker:
				grid[r.ScopeOrgKey]++
			}
		}
	}
	for _, o := range ds.Orgs {
		switch o.Kind {
		case KindTownship, KindStreet, KindZone:
			t.Run(o.Key, func(t *testing.T) {
				if leaders[o.Key] < 3 || staff[o.Key] < 2 {
					t.Errorf("leaders=%d staff=%d", leaders[o.Key], staff[o.Key])
				}
			})
		case KindVillage, KindCommunity:
			t.Run(o.Key, func(t *testing.T) {
				if staff[o.Key] < 1 || grid[o.Key] < 1 {
					t.Errorf("staff=%d grid=%d", staff[o.Key], grid[o.Key])
				}
			})
		case KindDepartment:
			t.Run(o.Key, func(t *testing.T) {
				if leaders[o.Key] < 1 {
					t.Errorf("no leader")
				}
			})
		case KindPoliceStation:
			t.Run(o.Key, func(t *testing.T) {
				if staff[o.Key] < 2 {
					t.Errorf("staff=%d", staff[o.Key])
				}
			})
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, b := District(), District()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("District() differs between calls")
	}
	// Mutating one result must not affect the next.
	a.People[0].Roles[0].Role = "changed"
	a.Orgs[0].Name = "changed"
	if c := District(); !reflect.DeepEqual(b, c) {
		t.Fatal("District() shares state between calls")
	}
	if !reflect.DeepEqual(SignIns(), SignIns()) {
		t.Fatal("SignIns() differs between calls")
	}
}

func TestDemoPassword(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"length >= 8", utf8.RuneCountInString(DemoPassword) >= 8},
		{"three character classes", classes(DemoPassword) >= 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.ok {
				t.Errorf("DemoPassword %q fails", DemoPassword)
			}
		})
	}
}

func classes(s string) int {
	var upper, lower, digit, symbol bool
	for _, c := range s {
		switch {
		case unicode.IsUpper(c):
			upper = true
		case unicode.IsLower(c):
			lower = true
		case unicode.IsDigit(c):
			digit = true
		default:
			symbol = true
		}
	}
	n := 0
	for _, b := range []bool{upper, lower, digit, symbol} {
		if b {
			n++
		}
	}
	return n
}

func TestSignIns(t *testing.T) {
	ds := District()
	people := map[string]Person{}
	for _, p := range ds.People {
		people[p.Login] = p
	}
	orgName := map[string]string{}
	for _, o := range ds.Orgs {
		orgName[o.Key] = o.Name
	}
	ins := SignIns()
	if len(ins) < 10 {
		t.Fatalf("got %d sign-ins, want >= 10", len(ins))
	}
	for _, s := range ins {
		t.Run(s.Login, func(t *testing.T) {
			p, ok := people[s.Login]
			if !ok {
				t.Fatalf("login %s not in People", s.Login)
			}
			if s.Name != p.Name {
				t.Errorf("name %q, person is %q", s.Name, p.Name)
			}
			if s.OrgName != orgName[p.OrgKey] {
				t.Errorf("org %q, person is at %q", s.OrgName, orgName[p.OrgKey])
			}
			if s.Description == "" {
				t.Error("empty description")
			}
		})
	}
}
