package web

import (
	"errors"
	"fmt"
	"strings"

	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// What the API and the pages say about edits of sites, recipes and the
// catalog (sites.go, catalog.go and their pages): the rules of a world
// an element breaks, and what still uses a thing that was to go, both
// in the caller's language.

const (
	// msgFieldRule is a rule of a world, already said in the caller's
	// language by world.FieldError.Message.
	msgFieldRule msgKey = "field-rule"
	msgFieldPath msgKey = "field-path"
	// msgFieldNumber: a form's field that is not a number.
	msgFieldNumber msgKey = "field-number"

	msgInUse          msgKey = "in-use"
	msgInUseStocked   msgKey = "in-use-stocked"
	msgUseRecipes     msgKey = "use-recipes"
	msgUseStocks      msgKey = "use-stocks"
	msgUseNeeds       msgKey = "use-needs"
	msgUseCommitments msgKey = "use-commitments"
	msgWhatSite       msgKey = "what-site"
	msgWhatProduct    msgKey = "what-product"
	msgWhatSkill      msgKey = "what-skill"
)

// elementProblems turns the world rules an element broke (the
// world.Errors a store.PutSite and its kin return) into the problems of
// a request, each naming its field, in the caller's language. Any other
// error is returned as it is.
func elementProblems(err error, l lang) error {
	var we world.Errors
	if !errors.As(err, &we) {
		return err
	}
	var v invalid
	for _, fe := range we {
		rule := *fe
		rule.Path = ""
		v.add(fe.Path, msgFieldRule, rule.Message(l.code()))
	}
	return v
}

// inUseText says what still uses a thing, in a language.
func inUseText(l lang, e *store.InUseError) string {
	var uses []string
	if len(e.Recipes) > 0 {
		uses = append(uses, fmt.Sprintf(l.t(msgUseRecipes), strings.Join(e.Recipes, ", ")))
	}
	if len(e.Stocks) > 0 {
		uses = append(uses, fmt.Sprintf(l.t(msgUseStocks), strings.Join(e.Stocks, ", ")))
	}
	if e.Needs > 0 {
		uses = append(uses, fmt.Sprintf(l.t(msgUseNeeds), e.Needs))
	}
	if e.Commitments > 0 {
		uses = append(uses, fmt.Sprintf(l.t(msgUseCommitments), e.Commitments))
	}
	what := map[string]msgKey{"site": msgWhatSite, "product": msgWhatProduct, "skill": msgWhatSkill}[e.What]
	if e.Field != "" {
		return e.Field + ": " + fmt.Sprintf(l.t(msgInUseStocked), l.t(what), e.ID, strings.Join(uses, "; "))
	}
	return fmt.Sprintf(l.t(msgInUse), l.t(what), e.ID, strings.Join(uses, "; "))
}

// samePath adds a problem unless a body's field, when given, is the
// value the path says.
func (v *invalid) samePath(field string, got *string, want string) {
	if got != nil && *got != want {
		v.add(field, msgFieldPath, want)
	}
}

// required adds a problem when a required field is missing.
func (v *invalid) required(field string, missing bool) {
	if missing {
		v.add(field, msgFieldRequired)
	}
}
