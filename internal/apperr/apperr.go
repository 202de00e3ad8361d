// Package apperr holds the domain error codes every capability returns. The web
// package maps each code to an HTTP status and message in one place.
package apperr

import (
	"errors"
	"fmt"
)

// Codes. Each maps to one HTTP status in web/errors.go.
const (
	EINVALID      = "invalid"       // 400: malformed input
	EUNAUTHORIZED = "unauthorized"  // 401: not signed in, bad token
	EFORBIDDEN    = "forbidden"     // 403: visible object, action not allowed
	ENOTFOUND     = "not_found"     // 404: absent, or outside the caller's scope
	ECONFLICT     = "conflict"      // 409: duplicate or stale
	ETOOLARGE     = "too_large"     // 413
	EUNSUPPORTED  = "unsupported"   // 415: wrong content type
	ERULE         = "rule_violated" // 422: well-formed but breaks a business rule
	ELOCKED       = "locked"        // 423 shown as 429 to clients: account locked
	ERATELIMIT    = "rate_limited"  // 429
	EINTERNAL     = "internal"      // 500: a bug; the message never leaks details
)

// Error is a domain error: a code, a message a person can read, and optionally
// the input field it concerns. A lifecycle refusal (NotAllowed) also carries
// the actions that are allowed instead.
type Error struct {
	Code    string
	Message string
	Field   string
	Allowed []string // non-nil only on a NotAllowed refusal (maybe empty)
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return e.Code + ": " + e.Message
}

// New returns an error with code and message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns an error about one input field.
func Field(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound is the answer for an absent object and for one outside the caller's scope alike.
func NotFound(what string) *Error { return New(ENOTFOUND, "%s not found", what) }

// Code returns the code of err, EINTERNAL for errors that are not domain errors, "" for nil.
func Code(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// As returns the domain error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
