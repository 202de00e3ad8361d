package web

import (
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/auth"
)

// The bar lists entries by group and weight; with more than menuFoldAbove
// entries, a named group of two or more folds into one drop-down.
func TestMenuGroups(t *testing.T) {
	never := func(*auth.Actor) bool { return false }
	s := &Server{}
	for _, m := range []MenuItem{
		{Href: "/inbox", Label: "inbox", Group: MenuPersonal},
		{Href: "/hazards", Label: "hazards", Group: MenuSafety, Weight: 30},
		{Href: "/daily", Label: "daily"},
		{Href: "/enterprises", Label: "enterprises", Group: MenuSafety, Weight: 10},
		{Href: "/orgs", Label: "orgs", Group: MenuAdmin, Weight: 10},
		{Href: "/disputes", Label: "disputes", Group: MenuStability},
		{Href: "/secret", Label: "secret", Group: MenuAdmin, Show: never},
	} {
		s.AddMenu(m)
	}
	show := func(links []MenuLink) string {
		var parts []string
		for _, l := range links {
			if l.Links == nil {
				parts = append(parts, l.Label+mark(l.Current))
				continue
			}
			parts = append(parts, l.Label+mark(l.Current)+"["+show0(l.Links)+"]")
		}
		return strings.Join(parts, " ")
	}
	// Six entries (the hidden one does not count): nothing folds.
	if got, want := show(s.menuFor(&auth.Actor{}, "/hazards/12")), "daily enterprises hazards* disputes inbox orgs"; got != want {
		t.Errorf("few entries:\n got %s\nwant %s", got, want)
	}
	for _, h := range []string{"/inspections", "/campaigns"} {
		s.AddMenu(MenuItem{Href: h, Label: h[1:], Group: MenuSafety, Weight: 20})
	}
	// Eight: the safety group folds and is current when one of its links is;
	// groups of one entry and the main and personal groups never fold.
	if got, want := show(s.menuFor(&auth.Actor{}, "/hazards/12")), "daily nav.group.safety*[enterprises inspections campaigns hazards*] disputes inbox orgs"; got != want {
		t.Errorf("many entries:\n got %s\nwant %s", got, want)
	}
}

func mark(cur bool) string {
	if cur {
		return "*"
	}
	return ""
}

func show0(links []MenuLink) string {
	var parts []string
	for _, l := range links {
		parts = append(parts, l.Label+mark(l.Current))
	}
	return strings.Join(parts, " ")
}
