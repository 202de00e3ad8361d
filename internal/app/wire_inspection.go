package app

import (
	"context"
	"sync"

	"github.com/anwen-gov/anwen/internal/inspection"
)

// inspectionServices holds each App's inspection service until App gets a
// field of its own for it (see Inspections).
var inspectionServices sync.Map // *App → *inspection.Service

// Inspections is the inspection service (检查记录) of a: set its hazard
// registrar with Inspections().SetRegistrar(…) so that a failed item
// becomes a hazard in one action (without one the button is hidden and the
// API answers 422).
func (a *App) Inspections() *inspection.Service {
	s, _ := inspectionServices.Load(a)
	svc, _ := s.(*inspection.Service)
	return svc
}

// Inspections (检查记录) with checklist templates (检查表). This file sorts
// after wire_attachment.go, so a.Attachments is set when it runs.
func init() {
	wiring = append(wiring, func(ctx context.Context, a *App) error {
		svc := &inspection.Service{DB: a.DB, Auth: a.Auth, Clock: a.Clock, Attachments: a.Attachments, Log: a.Log}
		inspectionServices.Store(a, svc)
		if a.Attachments != nil {
			// Who may see an inspection may see its photos (every photo is
			// the inspection's; inspection_photos says which item it shows).
			a.Attachments.RegisterOwner(inspection.OwnerType, svc.CanView)
		}
		inspection.Register(a.Web, svc)
		return nil
	})
	var list []Param
	for _, p := range inspection.FilterParams {
		list = append(list, Param{p[0], p[1], p[2]})
	}
	Document(
		Operation{Method: "POST", Path: "/api/v1/inspections", Tag: "inspections",
			Summary: "Record an inspection (检查记录): kind self (企业自查, an enterprise contact for its own enterprise only), territorial, department, leadership (leader_user_id), joint or reinspection (previous_id); " +
				"an enterprise_id, or a place and territory_org_id; the checklist (template_id) answered pass / fail / na, every item unless draft, a note on every failed item (400 naming answers[i].note); " +
				"free findings; photos uploaded first (POST /api/v1/attachments) and sent as attachment_ids. An enterprise contact asking for another kind: 403; government staff asking for self: 422",
			Request: inspection.Input{}, Response: inspection.Inspection{}, Status: 201},
		Operation{Method: "GET", Path: "/api/v1/inspections", Tag: "inspections",
			Summary:  "Inspections the caller may see, newest first, filtered and paged, with the total (also in X-Total-Count); an enterprise contact sees its enterprise's self-inspections",
			Response: inspection.Page{}, Query: list},
		Operation{Method: "GET", Path: "/api/v1/inspections/{id}", Tag: "inspections", Summary: "An inspection with its inspectors, answers, findings, photos and what the caller may do (can_edit, can_register_hazards); 404 outside the caller's scope",
			Response: inspection.Inspection{}},
		Operation{Method: "PUT", Path: "/api/v1/inspections/{id}", Tag: "inspections",
			Summary: "Replace a draft (its creator only; 403 for others, 422 once submitted); with draft false it is submitted and never changes again. Answers and findings keep their ids and photos (findings by id; findings left out are dropped)",
			Request: inspection.Input{}, Response: inspection.Inspection{}},
		Operation{Method: "POST", Path: "/api/v1/inspections/{id}/hazards", Tag: "inspections",
			Summary: "Register a failed item (answer_id) or a free finding (finding_id) of a submitted inspection as a hazard (登记为隐患), prefilled with the enterprise, place, category, time, finder and photos; " +
				"optional deadline (YYYY-MM-DD). A second time: 409 naming the hazard. 422 when hazard registration is not available",
			Request: inspection.HazardRequest{}, Response: inspection.HazardLink{}, Status: 201},
		Operation{Method: "GET", Path: "/api/v1/inspection-templates", Tag: "inspections", Summary: "Checklist templates (检查表), active versions (all=1: retired ones too)",
			Response: []inspection.Template{}, Query: []Param{{"all", "string", "1: retired versions too"}}},
		Operation{Method: "GET", Path: "/api/v1/inspection-templates/{id}", Tag: "inspections", Summary: "One checklist version with its items (number, text, category, basis)", Response: inspection.Template{}},
		Operation{Method: "POST", Path: "/api/v1/inspection-templates/{id}/versions", Tag: "inspections",
			Summary: "Make the next version of a checklist from the items given (hazard.manage over the whole district); the version replaced is retired, kept for the inspections that used it",
			Request: inspection.VersionInput{}, Response: inspection.Template{}, Status: 201},
	)
}
