package world

import (
	"fmt"
	"strconv"
	"strings"
)

// FieldError is one problem with a world: where it is, which rule it
// breaks and the values its message quotes.
//
// Path is a JSON path such as needs[17].product or
// recipes[2].outputs.meal; it is empty for the document as a whole. Rule
// is a stable code (listed in rules below) that programs may compare;
// Args are the values the message quotes, in order.
type FieldError struct {
	Path string
	Rule string
	Args []any
}

// Error is the English message, such as
// `needs[17].product: unknown product "mael"`.
func (e *FieldError) Error() string { return e.Message("en") }

// Message is the message in a language: Spanish for "es" (and "es-MX"
// and the like), English otherwise.
func (e *FieldError) Message(lang string) string {
	l := 0
	if lang == "es" || strings.HasPrefix(lang, "es-") {
		l = 1
	}
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		if p, ok := a.(phrase); ok {
			a = p.in(l)
		}
		args[i] = a
	}
	var text string
	if formats, ok := rules[e.Rule]; ok {
		text = fmt.Sprintf(formats[l], args...)
	} else {
		text = e.Rule
		for _, a := range args {
			text += " " + fmt.Sprint(a)
		}
	}
	if e.Path == "" {
		return text
	}
	return e.Path + ": " + text
}

// Errors is every problem found in a world, one per line when printed.
type Errors []*FieldError

// Error is the English messages, one per line.
func (es Errors) Error() string { return es.Message("en") }

// Message is the messages in a language (see FieldError.Message), one
// per line.
func (es Errors) Message(lang string) string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Message(lang))
	}
	return b.String()
}

// The rules a world can break. The codes are stable: programs compare
// them, translations key on them.
const (
	// Reading.
	ruleSyntax       = "syntax"        // line, column, problem: malformed JSON
	ruleSyntaxChar   = "syntax-char"   // line, column, character, what was expected
	ruleType         = "type"          // wanted type, found type
	ruleUnknownField = "unknown-field" // no such field in this object
	ruleDuplicateKey = "duplicate-key" // a key given twice in one object
	ruleRequired     = "required"      // a required field is missing

	// Values.
	ruleFormat      = "bad-format" // the format field is not Format
	ruleOneOf       = "not-one-of" // value, the allowed values
	ruleEmpty       = "empty"      // an empty text, list or map that must not be
	ruleBadID       = "bad-id"     // id not made of a-z, 0-9 and '-'
	ruleDuplicateID = "duplicate-id"
	ruleUnknownRef  = "unknown-ref"  // what, id
	ruleRepeated    = "repeated"     // an entry listed twice in one list
	ruleNoName      = "no-name"      // a names map without any language
	ruleLanguage    = "bad-language" // a names key that is not a language code
	ruleNotFinite   = "not-finite"
	ruleNegative    = "negative"     // value
	ruleNotPositive = "not-positive" // value
	ruleRange       = "out-of-range" // value, low, high
	ruleTooLarge    = "too-large"    // largest allowed, value
	ruleCell        = "bad-cell"     // cell

	// Products, recipes, stocks and needs.
	ruleServiceReach     = "service-without-reach"
	ruleGoodReach        = "good-with-reach"
	ruleServiceTransport = "service-with-transport-cost"
	ruleNothingIn        = "no-inputs-or-labor"
	ruleInAndOut         = "input-and-output" // product
	ruleStockedService   = "stocked-service"  // product
	ruleDuplicateStock   = "duplicate-stock"  // site, product, path of the first
	ruleMemberAndSite    = "both-member-and-site"
	ruleNoMemberOrSite   = "neither-member-nor-site"
)

// rules holds the message of each rule in English and in Spanish.
var rules = map[string][2]string{
	ruleSyntax: {
		"line %d, column %d: malformed JSON: %s",
		"línea %d, columna %d: JSON mal formado: %s"},
	ruleSyntaxChar: {
		"line %d, column %d: malformed JSON: unexpected %s, want %s",
		"línea %d, columna %d: JSON mal formado: %s inesperado, se espera %s"},
	ruleType: {
		"want %s, got %s",
		"se espera %s, hay %s"},
	ruleUnknownField: {
		"unknown field",
		"campo desconocido"},
	ruleDuplicateKey: {
		"given twice",
		"aparece dos veces"},
	ruleRequired: {
		"required",
		"falta (es obligatorio)"},
	ruleFormat: {
		`not a world v1 file: format is %q, want "` + Format + `"`,
		`no es un archivo de mundo v1: el formato es %q, se espera "` + Format + `"`},
	ruleOneOf: {
		"%q is not one of: %s",
		"%q no es ninguno de: %s"},
	ruleEmpty: {
		"must not be empty",
		"no puede estar vacío"},
	ruleBadID: {
		`id %q may only hold a-z, 0-9 and "-"`,
		`el id %q solo puede llevar a-z, 0-9 y "-"`},
	ruleDuplicateID: {
		"id %q is already used by %s",
		"el id %q ya lo usa %s"},
	ruleUnknownRef: {
		"unknown %s %q",
		"no existe %s %q"},
	ruleRepeated: {
		"%q is listed twice",
		"%q aparece dos veces"},
	ruleNoName: {
		"needs a name in at least one language",
		"necesita un nombre en al menos un idioma"},
	ruleLanguage: {
		`not a language code such as "en" or "es"`,
		`no es un código de idioma como "en" o "es"`},
	ruleNotFinite: {
		"must be a finite number",
		"debe ser un número finito"},
	ruleNegative: {
		"must not be negative, got %v",
		"no puede ser negativo, hay %v"},
	ruleNotPositive: {
		"must be greater than 0, got %v",
		"debe ser mayor que 0, hay %v"},
	ruleRange: {
		"%v is outside %v to %v",
		"%v está fuera de %v a %v"},
	ruleTooLarge: {
		"must be at most %v, got %v",
		"debe ser como mucho %v, hay %v"},
	ruleCell: {
		"%q is not a geohash cell of 4 to 6 characters",
		"%q no es una celda geohash de 4 a 6 caracteres"},
	ruleServiceReach: {
		"a service needs reach_km greater than 0",
		"un servicio necesita reach_km mayor que 0"},
	ruleGoodReach: {
		"only services have reach_km; a good is moved instead",
		"solo los servicios tienen reach_km; un bien se transporta"},
	ruleServiceTransport: {
		"a service is not moved, so it has no transport_cost",
		"un servicio no se transporta, así que no tiene transport_cost"},
	ruleNothingIn: {
		"a recipe needs inputs or labor: nothing is made from nothing",
		"una receta necesita insumos o trabajo: nada se hace de la nada"},
	ruleInAndOut: {
		"%q is also an output of this recipe; give only its net output",
		"%q también es un producto de esta receta; indique solo la cantidad neta"},
	ruleStockedService: {
		"%q is a service and cannot be stocked",
		"%q es un servicio y no se puede almacenar"},
	ruleDuplicateStock: {
		"site %q already has a stock of %q in %s",
		"el sitio %q ya tiene existencias de %q en %s"},
	ruleMemberAndSite: {
		"has both member and site; give exactly one",
		"tiene member y site a la vez; indique solo uno"},
	ruleNoMemberOrSite: {
		"needs a member or a site",
		"necesita member o site"},
}

// phrase is a piece of a message that is itself translated: a kind of
// thing, a JSON type, a syntax problem. Its value is the English text.
type phrase string

func (p phrase) in(lang int) string {
	if lang == 1 {
		if es, ok := phrases[p]; ok {
			return es
		}
	}
	return string(p)
}

const (
	phraseSkill   phrase = "skill"
	phraseProduct phrase = "product"
	phraseSite    phrase = "site"
	phraseMember  phrase = "member"

	phraseValue   phrase = "a value"
	phraseString  phrase = "a string"
	phraseNumber  phrase = "a number"
	phraseObject  phrase = "an object"
	phraseArray   phrase = "an array"
	phraseColon   phrase = "':'"
	phraseInObj   phrase = "',' or '}'"
	phraseInArray phrase = "',' or ']'"

	phraseEnd      phrase = "unexpected end of input"
	phraseTrailing phrase = "more text after the end of the world"
	phraseControl  phrase = "control character in a string"
	phraseEscape   phrase = "unknown escape in a string"
	phraseUTF8     phrase = "invalid UTF-8"
	phraseBadNum   phrase = "malformed number"
)

// phrases holds the Spanish of each phrase.
var phrases = map[phrase]string{
	phraseSkill:   "la habilidad",
	phraseProduct: "el producto",
	phraseSite:    "el sitio",
	phraseMember:  "el miembro",

	phraseValue:   "un valor",
	phraseString:  "un texto",
	phraseNumber:  "un número",
	phraseObject:  "un objeto",
	phraseArray:   "una lista",
	phraseInObj:   "',' o '}'",
	phraseInArray: "',' o ']'",

	phraseEnd:      "el texto termina antes de tiempo",
	phraseTrailing: "hay más texto después del final del mundo",
	phraseControl:  "carácter de control dentro de un texto",
	phraseEscape:   "secuencia de escape desconocida dentro de un texto",
	phraseUTF8:     "UTF-8 no válido",
	phraseBadNum:   "número mal formado",
}

// at is the path of a field of a list element: at("needs", 17,
// "product") is "needs[17].product"; without a field it is the element.
func at(list string, i int, field ...string) string {
	p := list + "[" + strconv.Itoa(i) + "]"
	for _, f := range field {
		p += "." + f
	}
	return p
}

// keyPath is the path of a key of an object: base.key, or base["key"]
// when the key is not a plain word (so that the path reads back
// unambiguously). An empty base gives the key alone.
func keyPath(base, key string) string {
	plain := key != ""
	for i := 0; i < len(key) && plain; i++ {
		c := key[i]
		plain = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
	}
	switch {
	case !plain:
		return base + "[" + strconv.Quote(key) + "]"
	case base == "":
		return key
	}
	return base + "." + key
}
