package app

import (
	"context"
	"strconv"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/dispute"
	"github.com/anwen-gov/anwen/internal/petition"
)

// A dispute passed on to petitions (转信访) names the petition case's
// number; each side links to the other where the caller may open it.
// The lookups go through App at call time, so the two capabilities'
// wiring may run in either order and either may be absent.

func (a *App) petitionOf(ctx context.Context, actor *auth.Actor, number string) *dispute.CaseLink {
	svc := a.Petitions()
	if svc == nil {
		return nil
	}
	p, err := svc.Linked(ctx, actor, number)
	if err != nil {
		a.Log.Warn("dispute: petition link", "number", number, "err", err)
	}
	if p == nil {
		return nil
	}
	return &dispute.CaseLink{ID: p.ID, Number: p.Number, Href: "/petitions/" + strconv.FormatInt(p.ID, 10)}
}

func (a *App) disputesOf(ctx context.Context, actor *auth.Actor, number string) []petition.Link {
	svc := a.Disputes()
	if svc == nil {
		return nil
	}
	ds, err := svc.PassedOn(ctx, actor, number)
	if err != nil {
		a.Log.Warn("petition: dispute links", "number", number, "err", err)
	}
	var out []petition.Link
	for _, d := range ds {
		out = append(out, petition.Link{ID: d.ID, Number: d.Number, Href: "/disputes/" + strconv.FormatInt(d.ID, 10)})
	}
	return out
}
