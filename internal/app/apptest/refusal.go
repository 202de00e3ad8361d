package apptest

import "encoding/json"

// AllowedActions returns error.allowed_actions of a JSON error body (a
// lifecycle refusal, apperr.NotAllowed), and whether the body has it at all.
func (r *Response) AllowedActions() ([]string, bool) {
	var b struct {
		Error struct {
			Allowed []string `json:"allowed_actions"`
		} `json:"error"`
	}
	json.Unmarshal(r.Body, &b)
	return b.Error.Allowed, b.Error.Allowed != nil
}
