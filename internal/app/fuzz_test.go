package app_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/app/apptest"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// FuzzAPIWrites throws arbitrary bodies at every JSON write route: whatever
// arrives, the answer is a 2xx or a 4xx with a JSON error, never a 500 or a panic.
func FuzzAPIWrites(f *testing.F) {
	seeds := []string{
		`{"parent_id":1,"name":"村","kind":"village"}`,
		`{"login":"fuzz.a","name":"测试","org_id":1,"password":"Strong-pass-1","roles":[{"role":"staff","scope_org_id":1}]}`,
		`{"name":null}`, `{"roles":[{}]}`, `{"parent_id":-1}`, `{"org_id":1e400}`, `[]`, `""`, `null`, `{`, "\xff\xfe", `{"name":"\u0000"}`,
		`{"kind":"holiday","name":"x"}`, `{"old_password":"a","new_password":"b"}`, `{"reply":"x","status":"closed"}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	env := apptest.Start(f, dbtest.SQLite(f))
	tok := env.TokenClient("admin").Token
	var writes []string
	for _, r := range env.App.Web.Routes() {
		if r.API && r.Method != http.MethodGet {
			writes = append(writes, r.Method+" "+r.Pattern)
		}
	}
	if len(writes) == 0 {
		f.Fatal("no write routes registered")
	}
	handler := env.App.Web.Handler()
	idOf := map[string]string{"{id}": itoa(env.OrgID("SFQ-QS-04")), "{date}": "2026-12-05"}
	f.Fuzz(func(t *testing.T, pick uint8, body []byte) {
		method, pattern, _ := strings.Cut(writes[int(pick)%len(writes)], " ")
		path := pattern
		for k, v := range idOf {
			path = strings.ReplaceAll(path, k, v)
		}
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s with %q: %d %s", method, path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 && !strings.Contains(rec.Body.String(), `"error"`) {
			t.Fatalf("%s %s with %q: %d without a JSON error: %s", method, path, body, rec.Code, rec.Body)
		}
	})
}
