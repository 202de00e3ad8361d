package app

import (
	"context"

	"github.com/anwen-gov/anwen/internal/feedback"
)

func init() {
	wiring = append(wiring, func(ctx context.Context, a *App) error {
		feedback.Register(a.Web, &feedback.Service{DB: a.DB, Auth: a.Auth, Clock: a.Clock})
		return nil
	})
	Document(
		Operation{Method: "POST", Path: "/api/v1/feedback", Tag: "feedback", Summary: "Send a complaint or suggestion about the system to its administrators", Request: feedback.Input{}, Response: feedback.Created{}, Status: 201},
		Operation{Method: "GET", Path: "/api/v1/feedback", Tag: "feedback", Summary: "The caller's own feedback, with replies", Response: []feedback.Feedback{}},
		Operation{Method: "GET", Path: "/api/v1/feedback/inbox", Tag: "feedback", Summary: "All feedback, for the system and security administrators", Response: feedback.Inbox{},
			Query: []Param{{"status", "string", "open, answered or closed"}}},
		Operation{Method: "POST", Path: "/api/v1/feedback/{id}/reply", Tag: "feedback", Summary: "Answer or close an item", Request: feedback.ReplyInput{}, Response: feedback.Feedback{}},
	)
}
