package app

import (
	"context"

	"github.com/anwen-gov/anwen/internal/account"
)

// The account capability (账号安全): a person's own password, second factor
// and API tokens.
func init() {
	wiring = append(wiring, func(ctx context.Context, a *App) error {
		account.Register(a.Web, a.People)
		return nil
	})
	Document(
		Operation{Method: "POST", Path: "/api/v1/me/password", Tag: "account", Summary: "Change the caller's own password (policy: ≥8 characters, 3 of 4 classes, not the login); wrong current passwords are audited and limited to 5 in 15 minutes",
			Request: account.PasswordJSON{}, Status: 204},
		Operation{Method: "GET", Path: "/api/v1/tokens", Tag: "account", Summary: "The caller's API tokens, revoked ones included (never the token itself)", Response: []account.TokenJSON{}},
		Operation{Method: "POST", Path: "/api/v1/tokens", Tag: "account", Summary: "Create an API token for the caller; the token is in this answer only (at most 20 active)",
			Request: account.TokenNameJSON{}, Response: account.NewTokenJSON{}, Status: 201},
		Operation{Method: "DELETE", Path: "/api/v1/tokens/{id}", Tag: "account", Summary: "Revoke a token at once: the caller's own, or (security administrator) anyone's in scope; 404 otherwise", Status: 204},
	)
}
