package call

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/commune-org/commune/internal/geo"
)

// Kind is what is happening.
type Kind string

const (
	Raid     Kind = "raid"
	Picket   Kind = "picket"
	Disaster Kind = "disaster"
	Other    Kind = "other"
)

func (k Kind) valid() bool {
	switch k {
	case Raid, Picket, Disaster, Other:
		return true
	}
	return false
}

// Status is where a call is in its life.
type Status string

const (
	// Unverified: reported, seen only by coordinators until a second
	// coordinator or an organizer verifies it.
	Unverified Status = "unverified"
	// Open: verified, reaching members ring after ring.
	Open Status = "open"
	// Closed: someone closed it, or its time ran out.
	Closed Status = "closed"
	// Expired: never verified in time; it reached no member.
	Expired Status = "expired"
)

// Answer is what a member says to a call.
type Answer string

const (
	Coming  Answer = "coming"
	Arrived Answer = "arrived"
	Cannot  Answer = "cannot"
)

// ParseAnswer reads "coming", "arrived" or "cannot".
func ParseAnswer(s string) (Answer, error) {
	switch a := Answer(s); a {
	case Coming, Arrived, Cannot:
		return a, nil
	}
	return "", &FieldError{Field: "answer", Rule: "answer", Args: []any{s}}
}

// Request is a call as its author sends it: where (a site's position, or
// a cell), what, how many people, until when, and a message in Spanish,
// English or both.
type Request struct {
	Site      string // a site id; the caller resolves it to a position
	Cell      string // or a geohash cell
	Kind      Kind
	Headcount int
	Until     time.Time
	Message   Message
}

// Message is a call's text in each language; at least one is given, and
// members read the other when theirs is missing.
type Message struct {
	ES string `json:"es,omitempty"`
	EN string `json:"en,omitempty"`
}

// For returns the message in lang, or in the other language when lang's
// is empty.
func (m Message) For(lang string) string {
	if lang == "es" && m.ES != "" || m.EN == "" {
		return m.ES
	}
	return m.EN
}

// Limits of a request.
const (
	MaxHeadcount  = 10000
	MaxMessageLen = 1000 // characters, in each language
	MaxDuration   = 7 * 24 * time.Hour
)

// Check validates a request at now, without the database: every problem
// at once, each naming its field. Whether a site exists is the caller's
// to check (it has the database); Check only says that one of site and
// cell is given.
func (r *Request) Check(now time.Time) Errors {
	var errs Errors
	add := func(field, rule string, args ...any) {
		errs = append(errs, &FieldError{Field: field, Rule: rule, Args: args})
	}
	switch {
	case r.Site == "" && r.Cell == "":
		add("site", "place")
	case r.Site != "" && r.Cell != "":
		add("site", "one-place")
	case r.Cell != "":
		if _, _, _, _, err := geo.Bounds(r.Cell); err != nil || len(r.Cell) < 5 || len(r.Cell) > 9 {
			add("cell", "cell", r.Cell)
		}
	}
	if !r.Kind.valid() {
		add("kind", "kind", string(r.Kind))
	}
	if r.Headcount < 1 || r.Headcount > MaxHeadcount {
		add("headcount", "headcount", r.Headcount, MaxHeadcount)
	}
	switch {
	case r.Until.IsZero():
		add("until", "until-missing")
	case !r.Until.After(now):
		add("until", "until-past")
	case r.Until.Sub(now) > MaxDuration:
		add("until", "until-far")
	}
	es, en := strings.TrimSpace(r.Message.ES), strings.TrimSpace(r.Message.EN)
	if es == "" && en == "" {
		add("message", "message-missing")
	}
	for _, m := range []struct{ field, text string }{{"message.es", r.Message.ES}, {"message.en", r.Message.EN}} {
		switch {
		case !utf8.ValidString(m.text):
			add(m.field, "utf8")
		case utf8.RuneCountInString(m.text) > MaxMessageLen:
			add(m.field, "too-long", MaxMessageLen)
		}
	}
	return errs
}

// Errors are the problems of a request, all of them.
type Errors []*FieldError

func (es Errors) Error() string {
	var parts []string
	for _, e := range es {
		parts = append(parts, e.Message("en"))
	}
	return strings.Join(parts, "; ")
}

// FieldError is one problem: the field, the rule it breaks and the
// rule's arguments, so that it can be said in either language.
type FieldError struct {
	Field string
	Rule  string
	Args  []any
}

func (e *FieldError) Error() string { return e.Message("en") }

// Message says the problem in lang ("es" or "en"): "headcount: must be 1 to 10000, got 0".
func (e *FieldError) Message(lang string) string {
	texts, ok := ruleTexts[e.Rule]
	if !ok {
		return e.Field + ": " + e.Rule
	}
	text := texts[0]
	if lang == "es" {
		text = texts[1]
	}
	return e.Field + ": " + fmt.Sprintf(text, e.Args...)
}

var ruleTexts = map[string][2]string{
	"place":           {"give a site or a cell", "indica un sitio o una celda"},
	"one-place":       {"give a site or a cell, not both", "indica un sitio o una celda, no ambos"},
	"unknown-site":    {"unknown site %q", "sitio desconocido %q"},
	"cell":            {"%q is not a geohash cell of 5 to 9 characters", "%q no es una celda geohash de 5 a 9 caracteres"},
	"kind":            {"%q is not one of raid, picket, disaster, other", "%q no es uno de raid, picket, disaster, other"},
	"headcount":       {"must be 1 to %[2]d, got %[1]d", "debe ser de 1 a %[2]d, se recibió %[1]d"},
	"until-missing":   {"give the time the call ends", "indica la hora en que termina el llamado"},
	"until-past":      {"is in the past", "ya pasó"},
	"until-far":       {"is more than 7 days away", "está a más de 7 días"},
	"message-missing": {"give the message in Spanish, English or both", "escribe el mensaje en español, inglés o ambos"},
	"utf8":            {"not valid UTF-8", "no es UTF-8 válido"},
	"too-long":        {"longer than %d characters", "tiene más de %d caracteres"},
	"answer":          {"%q is not one of coming, arrived, cannot", "%q no es uno de coming, arrived, cannot"},
}
