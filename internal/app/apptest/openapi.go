package apptest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// OpenAPI is the OpenAPI document the running Anwen serves, loaded and
// valid, with a router that finds the documented operation of a request.
type OpenAPI struct {
	Doc    *openapi3.T
	env    *Env
	router routers.Router
}

// OpenAPI fetches /api/v1/openapi.json and fails t unless it is a valid
// OpenAPI 3 document.
func (e *Env) OpenAPI(t testing.TB) *OpenAPI {
	t.Helper()
	r := e.Anonymous().Get("/api/v1/openapi.json")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.json: %d", r.StatusCode)
	}
	doc, err := openapi3.NewLoader().LoadFromData(r.Body)
	if err != nil {
		t.Fatalf("load the OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &OpenAPI{Doc: doc, env: e, router: router}
}

// CheckRoutes fails t for every API route whose pattern starts with prefix
// ("" for all) that the document lacks, and for every documented operation
// there that is not a route. It returns the number of such API routes.
func (o *OpenAPI) CheckRoutes(t testing.TB, prefix string) int {
	t.Helper()
	documented := map[string]bool{}
	for path, item := range o.Doc.Paths.Map() {
		if strings.HasPrefix(path, prefix) {
			for method := range item.Operations() {
				documented[method+" "+path] = true
			}
		}
	}
	n := 0
	for _, rt := range o.env.App.Web.Routes() {
		if !rt.API || !strings.HasPrefix(rt.Pattern, prefix) {
			continue
		}
		n++
		key := rt.Method + " " + rt.Pattern
		if !documented[key] {
			t.Errorf("route %s is not in the OpenAPI document", key)
		}
		delete(documented, key)
	}
	for k := range documented {
		t.Errorf("the OpenAPI document has %s, which is not a route", k)
	}
	return n
}

// Call is one request whose answer must match the document.
type Call struct {
	Client       *Client
	Method, Path string
	Body         string // JSON; "" for none
}

// Call is the request method path (with body, JSON, when given) by c.
func (c *Client) Call(method, path string, body ...string) Call {
	return Call{Client: c, Method: method, Path: path, Body: strings.Join(body, "")}
}

// Check sends each call, in a subtest named after it, and fails it when
// the answer is a 5xx, when the answer (an error too) does not match its
// documented schema, or when a body the server took (an answer below 400)
// does not match the documented request. Calls meant to be refused may
// send bodies the document forbids.
func (o *OpenAPI) Check(t *testing.T, calls ...Call) {
	t.Helper()
	for _, c := range calls {
		t.Run(c.Method+" "+c.Path, func(t *testing.T) {
			var resp *Response
			if c.Body != "" {
				resp = c.Client.SendJSON(c.Method, c.Path, c.Body)
			} else {
				resp = c.Client.Do(c.Method, c.Path, nil, "")
			}
			if resp.StatusCode >= 500 {
				t.Fatalf("%d %.300s", resp.StatusCode, resp.Body)
			}
			req, _ := http.NewRequest(c.Method, o.env.Server.URL+c.Path, strings.NewReader(c.Body))
			if c.Body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			route, params, err := o.router.FindRoute(req)
			if err != nil {
				t.Fatalf("no documented route: %v", err)
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
			if c.Body != "" && resp.StatusCode < 400 {
				if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
					t.Errorf("the request does not match the document: %v", err)
				}
			}
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
				Body: io.NopCloser(bytes.NewReader(resp.Body)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
			if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
				t.Fatalf("%d %.300s: %v", resp.StatusCode, resp.Body, err)
			}
		})
	}
}
