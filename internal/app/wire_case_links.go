package app

import (
	"context"
	"strconv"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/dispute"
	"github.com/anwen-gov/anwen/internal/petition"
)

// A dispute passed on to petitions (转信访) names the petition case's
// number; each side links to the other where the caller may open it. A
// case can also be registered from the dispute (the matter pre-filled),
// which then marks the dispute passed on to it.
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

// disputeSubjects: the petition subject area (涉及领域) a dispute type
// most often becomes; the registrar can change it.
var disputeSubjects = map[string]string{"wages": "labour", "labour": "labour", "land": "land", "expropriation": "land",
	"neighbour": "civil", "family": "civil", "property": "urban", "construction": "urban", "environment": "environment",
	"medical": "health", "traffic": "transport"}

func (a *App) petitionFromDispute(ctx context.Context, actor *auth.Actor, id int64) (*petition.DisputeDraft, error) {
	svc := a.Disputes()
	if svc == nil {
		return nil, nil
	}
	d, err := svc.ForPetition(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	subject := disputeSubjects[d.Type]
	if subject == "" {
		subject = "other"
	}
	return &petition.DisputeDraft{ID: d.ID, Number: d.Number, Summary: d.Summary, Place: d.Place, PlaceOrgID: d.TerritoryOrgID,
		Subject: subject, HeadCount: max(d.PartyCount, 1)}, nil
}

func (a *App) passDispute(ctx context.Context, actor *auth.Actor, id int64, number string) error {
	svc := a.Disputes()
	if svc == nil {
		return nil
	}
	return svc.PassOnTo(ctx, actor, id, number)
}

func (a *App) mayRegisterPetition(ctx context.Context, actor *auth.Actor) bool {
	svc := a.Petitions()
	return svc != nil && svc.MayRegister(ctx, actor)
}
