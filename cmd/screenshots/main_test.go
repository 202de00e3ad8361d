package main

import "testing"

func TestFileName(t *testing.T) {
	for _, c := range []struct{ path, want string }{
		{"/", "home"},
		{"/signin", "signin"},
		{"/orgs/1", "orgs-1"},
		{"/people?org=3&q=林", "people-org-3-q"},
		{"/api/v1/openapi.json", "api-v1-openapi.json"},
	} {
		t.Run(c.path, func(t *testing.T) {
			if got := fileName(c.path); got != c.want {
				t.Errorf("fileName(%q) = %q, want %q", c.path, got, c.want)
			}
		})
	}
}
