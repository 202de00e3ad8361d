package app

import (
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/anwen-gov/anwen/internal/web"
)

// Operation documents one API route. The OpenAPI document is built from this
// table and from the Go types the handlers really encode and decode, so that
// a field renamed in code is renamed in the document too.
type Operation struct {
	Method, Path string
	Tag          string
	Summary      string
	Request      any    // zero value of the JSON body type, nil for none
	RequestType  string // a non-JSON body's media type (e.g. an xlsx upload)
	Response     any    // zero value of the JSON answer, nil for none
	ResponseType string // a non-JSON answer's media type
	Status       int    // success status (200 when 0)
	Query        []Param
	Public       bool
}

// Param is a query parameter.
type Param struct {
	Name, Type, Description string
}

var (
	opsMu      sync.Mutex
	operations []Operation
)

// Document adds operations to the API description; each capability's
// wire file documents its own routes.
func Document(ops ...Operation) {
	opsMu.Lock()
	defer opsMu.Unlock()
	operations = append(operations, ops...)
}

// Operations returns the documented operations.
func Operations() []Operation {
	opsMu.Lock()
	defer opsMu.Unlock()
	return append([]Operation(nil), operations...)
}

// OpenAPI builds the OpenAPI 3 document.
func OpenAPI() map[string]any {
	g := &schemaGen{defs: map[string]any{}}
	g.defs["Error"] = map[string]any{
		"type": "object", "required": []string{"error"},
		"properties": map[string]any{"error": map[string]any{
			"type": "object", "required": []string{"code", "message"},
			"properties": map[string]any{
				"code":    map[string]any{"type": "string", "enum": []string{"invalid", "unauthorized", "forbidden", "not_found", "conflict", "too_large", "unsupported", "rule_violated", "locked", "rate_limited", "internal"}},
				"message": map[string]any{"type": "string"},
				"field":   map[string]any{"type": "string"},
				"allowed_actions": map[string]any{"type": "array", "items": map[string]any{"type": "string"},
					"description": "On a lifecycle step the object's table does not have from its state (422, field action): the actions allowed instead, [] when none is"},
			}}}}
	paths := map[string]map[string]any{}
	for _, op := range Operations() {
		p := paths[op.Path]
		if p == nil {
			p = map[string]any{}
			paths[op.Path] = p
		}
		o := map[string]any{"summary": op.Summary, "tags": []string{op.Tag}, "operationId": operationID(op)}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(op.Path, -1) {
			typ := map[string]any{"type": "integer", "format": "int64", "minimum": 1}
			if m[1] != "id" {
				typ = map[string]any{"type": "string"}
			}
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": typ})
		}
		for _, q := range op.Query {
			typ := q.Type
			if typ == "" {
				typ = "string"
			}
			params = append(params, map[string]any{"name": q.Name, "in": "query", "required": false, "description": q.Description, "schema": map[string]any{"type": typ}})
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if op.Request != nil {
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(op.Request))}}}
		} else if op.RequestType != "" {
			schema := map[string]any{"type": "string", "format": "binary"}
			if op.RequestType == "multipart/form-data" { // one file in the field "file"
				schema = map[string]any{"type": "object", "required": []string{"file"}, "properties": map[string]any{"file": schema}}
			}
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{op.RequestType: map[string]any{"schema": schema}}}
		}
		status := op.Status
		if status == 0 {
			status = http.StatusOK
		}
		ok := map[string]any{"description": http.StatusText(status)}
		switch {
		case op.Response != nil:
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(op.Response))}}
		case op.ResponseType != "":
			ok["content"] = map[string]any{op.ResponseType: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
		}
		errResp := map[string]any{"description": "Error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
		o["responses"] = map[string]any{strconv.Itoa(status): ok, "4XX": errResp, "5XX": errResp}
		if op.Public {
			o["security"] = []any{}
		}
		p[strings.ToLower(op.Method)] = o
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "Anwen (安稳) API", "version": "1",
			"description": "Work safety and petitions, run to closure. Errors are {\"error\":{\"code\",\"message\",\"field\"}} (a refused lifecycle step adds \"allowed_actions\"); objects outside the caller's scope answer 404."},
		"servers":  []any{map[string]any{"url": "/"}},
		"security": []any{map[string]any{"bearerAuth": []string{}}, map[string]any{"sessionCookie": []string{}}},
		"paths":    paths,
		"components": map[string]any{
			"schemas": g.defs,
			"securitySchemes": map[string]any{
				"bearerAuth":    map[string]any{"type": "http", "scheme": "bearer", "description": "anwen token create --user LOGIN"},
				"sessionCookie": map[string]any{"type": "apiKey", "in": "cookie", "name": "anwen_session"},
			},
		},
	}
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

func operationID(op Operation) string {
	s := strings.ToLower(op.Method) + strings.NewReplacer("/api/v1/", "", "/", "_", "{", "", "}", "", "-", "_", ".", "_").Replace(op.Path)
	return s
}

type schemaGen struct{ defs map[string]any }

var timeType = reflect.TypeOf(time.Time{})

// schema turns a Go type into a JSON schema the way encoding/json encodes it.
func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Pointer:
		s := g.schema(t.Elem())
		if ref, ok := s["$ref"]; ok {
			return map[string]any{"allOf": []any{map[string]any{"$ref": ref}}, "nullable": true}
		}
		c := map[string]any{"nullable": true}
		for k, v := range s {
			c[k] = v
		}
		return c
	case t.Implements(reflect.TypeOf((*interface{ MarshalText() ([]byte, error) })(nil)).Elem()):
		return map[string]any{"type": "string"}
	}
	switch t.Kind() {
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return map[string]any{"type": "integer"}
	case reflect.Int64, reflect.Uint64, reflect.Uint:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		if t.Name() == "" {
			return g.object(t)
		}
		name := t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:] + "." + t.Name()
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = map[string]any{} // placeholder against recursion
			g.defs[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	g.fields(t, props, &required)
	sort.Strings(required)
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

func (g *schemaGen) fields(t reflect.Type, props map[string]any, required *[]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			g.fields(ft, props, required)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.schema(f.Type)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") && f.Type.Kind() != reflect.Pointer {
			*required = append(*required, name)
		}
	}
}

func registerOpenAPI(srv *web.Server) {
	var once sync.Once
	var doc map[string]any
	srv.PublicAPI("GET", "/api/v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { doc = OpenAPI() })
		web.WriteJSON(w, http.StatusOK, doc)
	})
}
