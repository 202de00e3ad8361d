package browsertest

import "testing"

func TestFileName(t *testing.T) {
	for _, c := range []struct{ path, want string }{
		{"/", "home"},
		{"/signin", "signin"},
		{"/orgs/1", "orgs-1"},
		{"/people?org=3&q=林", "people-org-3-q"},
		{"/api/v1/openapi.json", "api-v1-openapi.json"},
		{"/disputes/1?reveal", "disputes-1-reveal"},
	} {
		t.Run(c.path, func(t *testing.T) {
			if got := FileName(c.path); got != c.want {
				t.Errorf("FileName(%q) = %q, want %q", c.path, got, c.want)
			}
		})
	}
}
