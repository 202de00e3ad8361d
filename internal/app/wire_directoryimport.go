package app

import (
	"context"

	"github.com/anwen-gov/anwen/internal/directoryimport"
)

// The Excel import and export of organisations and people.
func init() {
	const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	Document(
		Operation{Method: "POST", Path: "/api/v1/import/directory", Tag: "users",
			Summary:     "Import organisations and people from a workbook (this body type, or multipart/form-data with the field file), all or nothing; 422 lists every problem as rows of {sheet,row,column,cell,message}; generated passwords are returned once",
			RequestType: xlsx, Response: directoryimport.Result{},
			Query: []Param{{"dry_run", "string", "1: check every row, write nothing"}}},
		Operation{Method: "GET", Path: "/api/v1/import/directory/template.xlsx", Tag: "users", Summary: "The import template: both sheets, one example row each, and a 说明 sheet", ResponseType: xlsx},
		Operation{Method: "GET", Path: "/api/v1/export/directory.xlsx", Tag: "users", Summary: "The organisations and people the caller may see, in the import format (phones masked, no passwords); recorded in the audit trail", ResponseType: xlsx},
	)
	wiring = append(wiring, func(ctx context.Context, a *App) error {
		svc := &directoryimport.Service{DB: a.DB, Auth: a.Auth, Clock: a.Clock, Orgs: a.Orgs, People: a.People}
		directoryimport.Register(a.Web, svc)
		return nil
	})
}
