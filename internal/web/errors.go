package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// Codes of the web layer's own, beside the store's.
const (
	// codeUnauthenticated: no credentials, or credentials that prove
	// nothing.
	codeUnauthenticated store.Code = "unauthenticated"
	// codeTooLarge: a request body over Options.MaxBody.
	codeTooLarge store.Code = "too_large"
	// codeMethodNotAllowed: a route of the path, but not with the
	// request's method.
	codeMethodNotAllowed store.Code = "method_not_allowed"
	// codeTooManyRequests: a rate limit of the login endpoints.
	codeTooManyRequests store.Code = "too_many_requests"
)

// statuses is the one mapping from application codes to HTTP statuses.
var statuses = map[store.Code]int{
	store.CodeNotFound:    http.StatusNotFound,
	store.CodeInvalid:     http.StatusBadRequest,
	store.CodeForbidden:   http.StatusForbidden,
	store.CodeConflict:    http.StatusConflict,
	store.CodeUnavailable: http.StatusServiceUnavailable,
	store.CodeInternal:    http.StatusInternalServerError,
	codeUnauthenticated:   http.StatusUnauthorized,
	codeTooLarge:          http.StatusRequestEntityTooLarge,
	codeMethodNotAllowed:  http.StatusMethodNotAllowed,
	codeTooManyRequests:   http.StatusTooManyRequests,
}

// codeMessages is the message of each code, when the error has nothing
// more specific to say.
var codeMessages = map[store.Code]msgKey{
	store.CodeNotFound:    msgNotFound,
	store.CodeInvalid:     msgInvalid,
	store.CodeForbidden:   msgForbidden,
	store.CodeConflict:    msgConflict,
	store.CodeUnavailable: msgUnavailable,
	store.CodeInternal:    msgInternal,
	codeUnauthenticated:   msgUnauthenticated,
	codeTooLarge:          msgTooLarge,
	codeMethodNotAllowed:  msgMethodNotAllowed,
	codeTooManyRequests:   msgTooManyRequests,
}

// apiError is an error the web layer makes itself: a code and a
// message it can translate.
type apiError struct {
	code store.Code
	key  msgKey
}

func (e *apiError) Error() string { return string(e.code) + ": " + english.t(e.key) }

func errorf(code store.Code, key msgKey) error { return &apiError{code: code, key: key} }

// errorBody is what every failed request answers.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    store.Code `json:"code"`
	Message string     `json:"message"`
	// Errors lists every problem of an invalid document, each naming
	// its field (needs[3].qty: must be > 0).
	Errors []string `json:"errors,omitempty"`
}

// writeError is the one place where an error becomes a response.
//
// The message of a store.Error is shown after the code's translated
// message: the store writes it in English and names only pseudonymous
// ids. An internal error shows nothing of itself; it goes to the log.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	l := language(r.Header.Get("Accept-Language"))
	d := errorDetail{Code: store.ErrorCode(err)}
	var ae *apiError
	var we world.Errors
	var se *store.Error
	var mbe *http.MaxBytesError
	var iu *store.InUseError
	inv, isInvalid := asInvalid(err)
	switch {
	case isInvalid && len(inv) > 0:
		d.Code, d.Message = store.CodeInvalid, l.t(msgInvalid)+": "+inv[0].text(l)
		for _, p := range inv {
			d.Errors = append(d.Errors, p.text(l))
		}
	case errors.As(err, &ae):
		d.Code, d.Message = ae.code, l.t(ae.key)
	case errors.As(err, &mbe):
		d.Code, d.Message = codeTooLarge, l.t(msgTooLarge)
	case errors.As(err, &we):
		d.Code, d.Message = store.CodeInvalid, l.t(msgBadWorld)
		for _, fe := range we {
			d.Errors = append(d.Errors, fe.Message(l.code()))
		}
	case errors.As(err, &iu):
		d.Code, d.Message = store.CodeConflict, l.t(msgConflict)+": "+inUseText(l, iu)
	case errors.As(err, &se) && se.Code != store.CodeInternal:
		d.Message = l.t(codeMessages[se.Code])
		if se.Message != "" {
			d.Message += ": " + se.Message
		}
	default:
		d.Message = l.t(msgInternal)
	}
	status, ok := statuses[d.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "route", r.Pattern, "code", string(d.Code), "err", err)
	}
	if d.Code == codeUnauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="commune"`)
	}
	writeJSON(w, status, errorBody{Error: d})
}

// writeJSON answers v as JSON with the status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
