package app

import (
	"github.com/anwen-gov/anwen/internal/org"
	"github.com/anwen-gov/anwen/internal/people"
	"github.com/anwen-gov/anwen/internal/workcalendar"
)

// The API of the foundation: organisations, people, the work calendar.
func init() {
	orgs := []org.Org{}
	users := []people.Person{}
	Document(
		Operation{Method: "GET", Path: "/api/v1/openapi.json", Tag: "meta", Summary: "This document", Response: map[string]any{}, Public: true},
		Operation{Method: "GET", Path: "/api/v1/orgs", Tag: "orgs", Summary: "The organisations the caller may see, flat, parents before children", Response: orgs},
		Operation{Method: "POST", Path: "/api/v1/orgs", Tag: "orgs", Summary: "Create an organisation under parent_id", Request: org.Input{}, Response: org.Org{}, Status: 201},
		Operation{Method: "GET", Path: "/api/v1/orgs/{id}", Tag: "orgs", Summary: "One organisation (404 outside the caller's scope)", Response: org.Org{}},
		Operation{Method: "PATCH", Path: "/api/v1/orgs/{id}", Tag: "orgs", Summary: "Rename, re-kind or move an organisation (a move carries its subtree)", Request: org.Patch{}, Response: org.Org{}},
		Operation{Method: "GET", Path: "/api/v1/me", Tag: "users", Summary: "The caller, with the actions they may take somewhere", Response: people.Me{}},
		Operation{Method: "GET", Path: "/api/v1/users", Tag: "users", Summary: "People the caller may see; phones masked; X-Total-Count header", Response: users,
			Query: []Param{{"org_id", "integer", "this organisation and its subtree"}, {"q", "string", "substring of name, login or post"}, {"role", "string", "holders of this role"}, {"limit", "integer", "at most 5000"}, {"offset", "integer", ""}}},
		Operation{Method: "POST", Path: "/api/v1/users", Tag: "users", Summary: "Create a person; the password must be changed at first sign-in", Request: people.Input{}, Response: people.Person{}, Status: 201},
		Operation{Method: "GET", Path: "/api/v1/users/{id}", Tag: "users", Summary: "One person", Response: people.Person{}},
		Operation{Method: "PATCH", Path: "/api/v1/users/{id}", Tag: "users", Summary: "Change a person's profile, roles or disabled flag", Request: people.Patch{}, Response: people.Person{}},
		Operation{Method: "GET", Path: "/api/v1/users/{id}/phone", Tag: "users", Summary: "The unmasked phone number (recorded in the audit trail)", Response: struct {
			Phone string `json:"phone"`
		}{}},
		Operation{Method: "POST", Path: "/api/v1/users/{id}/password-reset", Tag: "users", Summary: "New random password, shown once, to be changed at next sign-in (security administrator)", Response: struct {
			Password   string `json:"password"`
			MustChange bool   `json:"must_change_password"`
		}{}},
		Operation{Method: "POST", Path: "/api/v1/users/{id}/unlock", Tag: "users", Summary: "Lift a sign-in lockout (security administrator)", Status: 204},
		Operation{Method: "GET", Path: "/api/v1/calendar", Tag: "calendar", Summary: "A year's holidays and make-up working days", Response: workcalendar.YearJSON{}, Query: []Param{{"year", "integer", "default: this year"}}},
		Operation{Method: "PUT", Path: "/api/v1/calendar/days/{date}", Tag: "calendar", Summary: "Set a day as holiday or make-up working day", Request: workcalendar.DayInput{}, Response: workcalendar.Day{}},
		Operation{Method: "DELETE", Path: "/api/v1/calendar/days/{date}", Tag: "calendar", Summary: "Remove a day's entry", Status: 204},
		Operation{Method: "GET", Path: "/api/v1/calendar/working-day", Tag: "calendar", Summary: "Whether a date is a working day", Response: workcalendar.WorkingDayJSON{}, Query: []Param{{"date", "string", "YYYY-MM-DD"}}},
		Operation{Method: "GET", Path: "/api/v1/calendar/add", Tag: "calendar", Summary: "The date N working (or calendar) days after another", Response: workcalendar.AddJSON{},
			Query: []Param{{"from", "string", "YYYY-MM-DD"}, {"days", "integer", "-3660..3660"}, {"unit", "string", "working (default) or calendar"}}},
	)
}
