package web

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/anwen-gov/anwen/internal/apperr"
)

// The API error carries allowed_actions exactly when the error is a
// lifecycle refusal, [] when no step is left.
func TestWriteErrorAllowedActions(t *testing.T) {
	s := &Server{}
	for _, c := range []struct {
		name    string
		err     error
		status  int
		allowed any // the decoded allowed_actions; nil: absent
	}{
		{"refusal", apperr.NotAllowed([]string{"start", "cancel"}, "不能 / cannot"), 422, []any{"start", "cancel"}},
		{"nothing left", apperr.NotAllowed(nil, "不能 / cannot"), 422, []any{}},
		{"other rule", apperr.Field(apperr.ERULE, "deadline", "x"), 422, nil},
		{"not found", apperr.NotFound("hazard"), 404, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			s.WriteError(w, httptest.NewRequest("POST", "/api/v1/x", nil), c.err)
			if w.Code != c.status {
				t.Fatalf("status %d, want %d", w.Code, c.status)
			}
			var body struct{ Error map[string]any }
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			got, has := body.Error["allowed_actions"]
			if (c.allowed == nil) == has {
				t.Fatalf("allowed_actions present %v: %s", has, w.Body)
			}
			if has {
				b1, _ := json.Marshal(got)
				b2, _ := json.Marshal(c.allowed)
				if string(b1) != string(b2) {
					t.Errorf("allowed_actions %s, want %s", b1, b2)
				}
			}
			if body.Error["code"] == "" || body.Error["message"] == "" {
				t.Errorf("code or message missing: %s", w.Body)
			}
		})
	}
}
