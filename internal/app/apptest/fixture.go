package apptest

import (
	"context"

	"github.com/anwen-gov/anwen/internal/auth"
)

// As returns a bearer-token client for login, the same one on every call
// (TokenClient makes a new token each time).
func (e *Env) As(login string) *Client {
	e.T.Helper()
	if c, ok := e.clients[login]; ok {
		return c
	}
	if e.clients == nil {
		e.clients = map[string]*Client{}
	}
	c := e.TokenClient(login)
	e.clients[login] = c
	return c
}

// Actor loads login's actor, as a request of theirs would see it.
func (e *Env) Actor(login string) *auth.Actor {
	e.T.Helper()
	a, err := e.App.Auth.LoadActor(context.Background(), e.UserID(login), "test")
	if err != nil {
		e.T.Fatal(err)
	}
	return a
}

// Value runs a query for one value (a count, a status, an id), failing the
// test when there is none.
func Value[T any](e *Env, q string, args ...any) T {
	e.T.Helper()
	var v T
	if err := e.App.DB.QueryRow(context.Background(), q, args...).Scan(&v); err != nil {
		e.T.Fatalf("%s: %v", q, err)
	}
	return v
}
