package auth_test

import (
	"testing"

	"github.com/anwen-gov/anwen/internal/auth"
)

// TestWidestGrant: the widest scope allowing the action, leaving out the
// roles excepted and grants that cover nothing.
func TestWidestGrant(t *testing.T) {
	a := &auth.Actor{Grants: []auth.Grant{
		{Role: auth.RoleStaff, ScopeOrgID: 2, ScopePath: "/1/2/"},
		{Role: auth.RoleEnterprise, ScopeOrgID: 0, ScopePath: ""},
		{Role: auth.RoleLeader, ScopeOrgID: 1, ScopePath: "/1/"},
	}}
	if g := a.WidestGrant(auth.HazardView); g == nil || g.ScopeOrgID != 1 {
		t.Fatalf("widest hazard grant: %+v", g)
	}
	if g := a.WidestGrant(auth.HazardView, auth.RoleLeader); g == nil || g.ScopeOrgID != 2 {
		t.Fatalf("without the leader: %+v", g)
	}
	if g := (&auth.Actor{}).WidestGrant(auth.PetitionView); g != nil {
		t.Fatalf("no grants: %+v", g)
	}
}
