package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/anwen-gov/anwen/internal/apperr"
)

// statusOf maps each domain error code to its HTTP status: the one place
// where that happens.
var statusOf = map[string]int{
	apperr.EINVALID:      http.StatusBadRequest,
	apperr.EUNAUTHORIZED: http.StatusUnauthorized,
	apperr.EFORBIDDEN:    http.StatusForbidden,
	apperr.ENOTFOUND:     http.StatusNotFound,
	apperr.ECONFLICT:     http.StatusConflict,
	apperr.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	apperr.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	apperr.ERULE:         http.StatusUnprocessableEntity,
	apperr.ELOCKED:       http.StatusTooManyRequests,
	apperr.ERATELIMIT:    http.StatusTooManyRequests,
	apperr.EINTERNAL:     http.StatusInternalServerError,
}

// Status returns the HTTP status for err.
func Status(err error) int {
	if s, ok := statusOf[apperr.Code(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON shape of every API error. A lifecycle refusal
// (apperr.NotAllowed) also lists the actions allowed instead, [] when none is;
// other errors have no allowed_actions.
type ErrorBody struct {
	Error struct {
		Code    string   `json:"code"`
		Message string   `json:"message"`
		Field   string   `json:"field,omitempty"`
		Allowed []string `json:"allowed_actions,omitzero"`
	} `json:"error"`
}

// publicError turns err into what a client may see: domain errors as they are,
// anything else as a generic internal error (logged, never shown).
func (s *Server) publicError(r *http.Request, err error) *apperr.Error {
	if e, ok := apperr.As(err); ok {
		return e
	}
	s.Log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	return &apperr.Error{Code: apperr.EINTERNAL, Message: "服务器内部错误，已记录 / internal error, logged"}
}

// WriteError answers an API request with the JSON error body.
func (s *Server) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	e := s.publicError(r, err)
	var body ErrorBody
	body.Error.Code, body.Error.Message, body.Error.Field, body.Error.Allowed = e.Code, e.Message, e.Field, e.Allowed
	WriteJSON(w, Status(e), body)
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		slog.Debug("write json", "err", err)
	}
}

// MaxBody is the largest request body the JSON API takes.
const MaxBody = 1 << 20

// DecodeJSON reads one JSON object from the request into v: at most 1 MiB,
// Content-Type application/json, no unknown fields, nothing after it. Every
// failure is a domain error naming the field where it can.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	if strings.TrimSpace(strings.ToLower(ct)) != "application/json" {
		return apperr.New(apperr.EUNSUPPORTED, "请求体须为 application/json / the body must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return jsonError(err)
		}
		return apperr.New(apperr.EINVALID, "请求体只能包含一个 JSON 对象 / the body must hold exactly one JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var mbe *http.MaxBytesError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return apperr.New(apperr.ETOOLARGE, "请求体超过 1 MiB / the body is larger than 1 MiB")
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.EINVALID, "请求体为空 / the body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.EINVALID, "JSON 不完整 / the JSON is truncated")
	case errors.As(err, &syn):
		return apperr.New(apperr.EINVALID, "JSON 格式错误（第 %d 字节） / malformed JSON at byte %d", syn.Offset, syn.Offset)
	case errors.As(err, &typ):
		return apperr.Field(apperr.EINVALID, typ.Field, "字段 %s 的类型应为 %s / field %s must be %s", typ.Field, typ.Type, typ.Field, typ.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Field(apperr.EINVALID, f, "未知字段 %s / unknown field %s", f, f)
	default:
		return apperr.New(apperr.EINVALID, "JSON 无效：%s / invalid JSON: %s", err, fmt.Sprint(err))
	}
}
