package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/commune-org/commune/internal/store"
)

// Request bodies are read whole and checked field by field before the
// store is asked for anything, so that a bad request changes nothing and
// its answer lists every problem, each naming its field (qty: must be >
// 0), in the caller's language. The store checks again, in English, as
// the last line; the checks here are the ones a caller reads.

// Messages of the problems of a request body, beside messages.go's.
const (
	msgFieldRequired       msgKey = "field-required"
	msgFieldPositive       msgKey = "field-positive"
	msgFieldNonNegative    msgKey = "field-non-negative"
	msgFieldAtMost         msgKey = "field-at-most"
	msgFieldOneOf          msgKey = "field-one-of"
	msgFieldUnknown        msgKey = "field-unknown"
	msgFieldType           msgKey = "field-type"
	msgFieldMalformed      msgKey = "field-malformed"
	msgFieldNoBody         msgKey = "field-no-body"
	msgFieldTruncated      msgKey = "field-truncated"
	msgFieldTrailing       msgKey = "field-trailing"
	msgFieldLength         msgKey = "field-length"
	msgFieldName           msgKey = "field-name"
	msgFieldID             msgKey = "field-id"
	msgFieldLanguage       msgKey = "field-language"
	msgFieldCell           msgKey = "field-cell"
	msgFieldEmail          msgKey = "field-email"
	msgFieldPhone          msgKey = "field-phone"
	msgFieldRepeated       msgKey = "field-repeated"
	msgFieldUnknownProduct msgKey = "field-unknown-product"
	msgFieldUnknownSkill   msgKey = "field-unknown-skill"
	msgFieldLimit          msgKey = "field-limit"
	msgFieldCursor         msgKey = "field-cursor"
	msgNoPlan              msgKey = "no-plan"

	// Words that the messages above quote, themselves said in the
	// caller's language (problem.text): the JSON types of
	// msgFieldType, the tiers of msgFieldOneOf.
	msgTypeNumber msgKey = "type-number"
	msgTypeBool   msgKey = "type-bool"
	msgTypeArray  msgKey = "type-array"
	msgTypeObject msgKey = "type-object"
	msgTypeString msgKey = "type-string"
	msgTiers      msgKey = "tiers"
)

// problem is one thing wrong with a request: the field (a JSON path such
// as skills[2], or a query parameter), and a message of the catalogs
// with the values it quotes. A value that is a msgKey is a word of the
// catalogs, quoted in the message's language: a Spanish reader was told
// "se espera a number".
type problem struct {
	field string
	key   msgKey
	args  []any
}

func (p problem) text(l lang) string {
	args := make([]any, len(p.args))
	for i, a := range p.args {
		if k, ok := a.(msgKey); ok {
			a = l.t(k)
		}
		args[i] = a
	}
	msg := fmt.Sprintf(l.t(p.key), args...)
	if p.field == "" {
		return msg
	}
	return p.field + ": " + msg
}

// invalid is every problem of a request; writeError answers it 400
// with the first in the message and all of them in errors.
type invalid []problem

func (v invalid) Error() string {
	var b strings.Builder
	for i, p := range v {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.text(english))
	}
	return b.String()
}

// add records a problem with a field.
func (v *invalid) add(field string, key msgKey, args ...any) {
	*v = append(*v, problem{field: field, key: key, args: args})
}

// err returns v as an error, or nil when there is no problem.
func (v invalid) err() error {
	if len(v) == 0 {
		return nil
	}
	return v
}

// asInvalid turns the store's errors about a field that the catalogs can
// say (an unknown product or skill, a bad cursor) into an invalid, and
// reports whether err was one of them or an invalid already.
func asInvalid(err error) (invalid, bool) {
	var v invalid
	if errors.As(err, &v) {
		return v, true
	}
	var re *store.RefError
	if errors.As(err, &re) {
		key := msgFieldUnknownProduct
		if re.What == "skill" {
			key = msgFieldUnknownSkill
		}
		return invalid{{field: re.Field, key: key, args: []any{re.ID}}}, true
	}
	if errors.Is(err, store.ErrCursor) {
		return invalid{{field: "after", key: msgFieldCursor}}, true
	}
	return nil, false
}

// decode reads the request's body, one JSON object, into v. Unknown
// fields, values of the wrong type and anything after the object are
// problems, each naming its field.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var mbe *http.MaxBytesError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return invalid{{key: msgFieldNoBody}}
	case errors.As(err, &se):
		return invalid{{key: msgFieldMalformed, args: []any{se.Offset}}}
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return invalid{{field: field, key: msgFieldType, args: []any{jsonType(te.Type.Kind().String())}}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return invalid{{field: name, key: msgFieldUnknown}}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid{{key: msgFieldTruncated}}
	default:
		return invalid{{key: msgFieldMalformed, args: []any{dec.InputOffset()}}}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return invalid{{key: msgFieldTrailing}}
	}
	return nil
}

// jsonType names a Go kind as a JSON type, a word of the catalogs.
func jsonType(kind string) any {
	switch {
	case strings.HasPrefix(kind, "float"), strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return msgTypeNumber
	case kind == "bool":
		return msgTypeBool
	case kind == "slice", kind == "array":
		return msgTypeArray
	case kind == "struct", kind == "map", kind == "ptr":
		return msgTypeObject
	case kind == "string":
		return msgTypeString
	}
	return kind
}

// pageOf reads the after and limit parameters of a list. An absent limit
// is 0, which the store reads as its default.
func pageOf(r *http.Request) (after string, limit int, err error) {
	q := r.URL.Query()
	if s := q.Get("limit"); s != "" {
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 1 || n > store.MaxLimit {
			return "", 0, invalid{{field: "limit", key: msgFieldLimit, args: []any{store.MaxLimit}}}
		}
		limit = n
	}
	return q.Get("after"), limit, nil
}

// maxName bounds aliases, as the store does.
const maxName = 64

// checkName checks a name people read: 1 to 64 characters, no control
// characters, no spaces around it.
func (v *invalid) checkName(field, s string) {
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0 || n > maxName || !utf8.ValidString(s):
		v.add(field, msgFieldLength, maxName)
	case strings.TrimSpace(s) != s || strings.IndexFunc(s, unicode.IsControl) >= 0:
		v.add(field, msgFieldName)
	}
}

// checkID checks an id of the catalog: a-z, 0-9 and '-', 1 to 64 of
// them.
func (v *invalid) checkID(field, id string) {
	if id == "" || len(id) > maxName {
		v.add(field, msgFieldLength, maxName)
		return
	}
	for _, c := range []byte(id) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			v.add(field, msgFieldID, id)
			return
		}
	}
}
