package auth_test

import (
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
)

func TestCheckPolicy(t *testing.T) {
	tests := []struct {
		password, login string
		ok              bool
	}{
		{"Abcdefg1", "", true},
		{"abcdefg1!", "", true},
		{"短密码Ab123", "", true},  // Chinese characters count as a fourth kind (symbols)
		{"Abcdef1", "", false},  // 7 characters
		{"abcdefgh", "", false}, // one class
		{"abcdefg1", "", false}, // two classes
		{"ABCDEFG!", "", false}, // two classes
		{"Zhangsan-2026", "zhangsan", false},
		{strings.Repeat("Aa1!", 40), "", false}, // longer than 128
	}
	for _, tt := range tests {
		err := auth.CheckPolicy(tt.password, tt.login)
		if (err == nil) != tt.ok {
			t.Errorf("CheckPolicy(%q, %q) = %v, want ok=%v", tt.password, tt.login, err, tt.ok)
		}
		if err != nil && apperr.Code(err) != apperr.ERULE {
			t.Errorf("CheckPolicy(%q) code %s, want %s", tt.password, apperr.Code(err), apperr.ERULE)
		}
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := auth.HashPassword("Correct-horse-1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash format %s", h)
	}
	h2, _ := auth.HashPassword("Correct-horse-1")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	tests := []struct {
		hash, password string
		want           bool
	}{
		{h, "Correct-horse-1", true},
		{h, "correct-horse-1", false},
		{h, "", false},
		{"", "Correct-horse-1", false},
		{"$argon2id$v=19$m=0,t=0,p=0$AAAA$AAAA", "x", false},
		{"$argon2id$v=19$m=99999999,t=3,p=2$AAAA$AAAA", "x", false}, // absurd cost is refused, not computed
		{"$bcrypt$whatever", "x", false},
		{strings.Replace(h, "$argon2id$", "$argon2i$", 1), "Correct-horse-1", false},
	}
	for _, tt := range tests {
		if got := auth.CheckPassword(tt.hash, tt.password); got != tt.want {
			t.Errorf("CheckPassword(%.30q, %q) = %v, want %v", tt.hash, tt.password, got, tt.want)
		}
	}
}

func TestAuthorize(t *testing.T) {
	district := "/1/"
	township := "/1/5/"
	village := "/1/5/40/"
	other := "/1/6/"
	staff := &auth.Actor{UserID: 1, Grants: []auth.Grant{{Role: auth.RoleStaff, ScopePath: township}}}
	admin := &auth.Actor{UserID: 2, Grants: []auth.Grant{{Role: auth.RoleSysadmin, ScopePath: district}}}
	auditor := &auth.Actor{UserID: 3, Grants: []auth.Grant{{Role: auth.RoleAuditor, ScopePath: district}}}
	tests := []struct {
		name   string
		actor  *auth.Actor
		action auth.Action
		path   string
		want   string
	}{
		{"staff views own village", staff, auth.OrgView, village, ""},
		{"staff views the township", staff, auth.OrgView, township, ""},
		{"staff cannot see another township", staff, auth.OrgView, other, apperr.ENOTFOUND},
		{"staff cannot see the district", staff, auth.OrgView, district, apperr.ENOTFOUND},
		{"staff may not manage what it sees", staff, auth.OrgManage, village, apperr.EFORBIDDEN},
		{"staff may not manage what it cannot see", staff, auth.OrgManage, other, apperr.ENOTFOUND},
		{"admin manages anywhere", admin, auth.OrgManage, other, ""},
		{"admin may not read the trail", admin, auth.AuditView, district, apperr.ENOTFOUND},
		{"auditor reads the trail", auditor, auth.AuditView, district, ""},
		{"auditor may not manage orgs", auditor, auth.OrgManage, village, apperr.EFORBIDDEN},
		{"admin may not reset passwords", admin, auth.UserSecurity, village, apperr.EFORBIDDEN},
		{"nobody", nil, auth.OrgView, village, apperr.EUNAUTHORIZED},
		{"command line", auth.CommandLine(), auth.AuditView, district, ""},
		// A sibling whose id starts with the same digits is not inside the scope.
		{"prefix is not containment", &auth.Actor{Grants: []auth.Grant{{Role: auth.RoleStaff, ScopePath: "/1/5/"}}}, auth.OrgView, "/1/50/", apperr.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := apperr.Code(auth.Authorize(tt.actor, tt.action, tt.path)); got != tt.want {
				t.Fatalf("Authorize = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAdminSeparation(t *testing.T) {
	tests := []struct {
		roles []string
		ok    bool
	}{
		{[]string{"sysadmin"}, true},
		{[]string{"sysadmin", "leader", "staff"}, true},
		{[]string{"auditor", "auditor"}, true}, // one role in two scopes
		{[]string{"sysadmin", "secadmin"}, false},
		{[]string{"staff", "auditor", "secadmin"}, false},
	}
	for _, tt := range tests {
		if err := auth.CheckAdminSeparation(tt.roles); (err == nil) != tt.ok {
			t.Errorf("CheckAdminSeparation(%v) = %v", tt.roles, err)
		}
	}
}

func TestScopesDropNested(t *testing.T) {
	a := &auth.Actor{Grants: []auth.Grant{
		{Role: auth.RoleStaff, ScopePath: "/1/5/"},
		{Role: auth.RoleLeader, ScopePath: "/1/5/40/"},
		{Role: auth.RoleGridWorker, ScopePath: "/1/7/"},
		{Role: auth.RoleStaff, ScopePath: "/1/5/"},
	}}
	got := a.Scopes(auth.OrgView)
	if len(got) != 2 || got[0] != "/1/5/" || got[1] != "/1/7/" {
		t.Fatalf("Scopes = %v", got)
	}
}

// BenchmarkCheckPassword measures what one sign-in costs the server: argon2id
// is slow on purpose (64 MiB, 3 passes).
func BenchmarkCheckPassword(b *testing.B) {
	h, _ := auth.HashPassword("Correct-horse-1")
	for b.Loop() {
		if !auth.CheckPassword(h, "Correct-horse-1") {
			b.Fatal("mismatch")
		}
	}
}
