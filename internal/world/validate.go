package world

import (
	"maps"
	"math"
	"slices"
	"strconv"

	"github.com/commune-org/commune/internal/geo"
)

// Validate checks w against the rules of world v1 and returns nil or
// Errors listing every rule broken, in the order of the world.
//
// Besides what the format says, two rules are ours. A product may not be
// both an input and an output of one recipe: the planner would only see
// the net effect, so the recipe should say that, and a recipe using up
// at least what it makes would be a loop that makes nothing. A site may
// hold only one stock of a product, since two would most likely be a
// mistake in counting.
func (w *World) Validate() error {
	v := validator{w: w}
	v.run()
	if len(v.errs) == 0 {
		return nil
	}
	return v.errs
}

// validator checks a world one list after another; each list refers only
// to lists checked before it, whose ids it has indexed.
type validator struct {
	w    *World
	errs Errors
	// broken holds the paths the reader could not decode; references into
	// a list that could not be read at all are not checked.
	broken map[string]bool

	skills, products, sites, members map[string]int
}

func (v *validator) add(path, rule string, args ...any) {
	v.errs = append(v.errs, &FieldError{Path: path, Rule: rule, Args: args})
}

func (v *validator) run() {
	w := v.w
	if w.Format != Format {
		v.add("format", ruleFormat, w.Format)
	}
	if w.Period != "" && w.Period != "week" {
		v.add("period", ruleOneOf, w.Period, "week")
	}
	v.checkSkills()
	v.checkProducts()
	v.checkSites()
	v.checkRecipes()
	v.checkStocks()
	v.checkMembers()
	v.checkNeeds()
}

func (v *validator) checkSkills() {
	v.skills = make(map[string]int, len(v.w.Skills))
	for i := range v.w.Skills {
		s := &v.w.Skills[i]
		v.id("skills", i, s.ID, v.skills)
		v.names("skills", i, s.Name)
	}
}

func (v *validator) checkProducts() {
	v.products = make(map[string]int, len(v.w.Products))
	for i := range v.w.Products {
		p := &v.w.Products[i]
		v.id("products", i, p.ID, v.products)
		v.names("products", i, p.Name)
		if p.Unit == "" {
			v.add(at("products", i, "unit"), ruleEmpty)
		}
		if p.Kind != Good && p.Kind != Service {
			v.add(at("products", i, "kind"), ruleOneOf, string(p.Kind), "good, service")
		}
		// Whatever the kind is meant to be, a cost given must be a
		// number a good can have, and a service none at all.
		if p.TransportCost != nil {
			if p.Kind == Service {
				v.add(at("products", i, "transport_cost"), ruleServiceTransport)
			} else if r, args := quantity(*p.TransportCost, false); r != "" {
				v.add(at("products", i, "transport_cost"), r, args...)
			}
		}
		switch p.Kind {
		case Good:
			if p.ReachKm != 0 {
				v.add(at("products", i, "reach_km"), ruleGoodReach)
			}
		case Service:
			if p.ReachKm == 0 {
				v.add(at("products", i, "reach_km"), ruleServiceReach)
			} else if r, args := quantity(p.ReachKm, true); r != "" {
				v.add(at("products", i, "reach_km"), r, args...)
			}
		default:
			if r, args := quantity(p.ReachKm, false); r != "" {
				v.add(at("products", i, "reach_km"), r, args...)
			}
		}
	}
}

func (v *validator) checkSites() {
	v.sites = make(map[string]int, len(v.w.Sites))
	for i := range v.w.Sites {
		s := &v.w.Sites[i]
		v.id("sites", i, s.ID, v.sites)
		if s.Name == "" {
			v.add(at("sites", i, "name"), ruleEmpty)
		}
		switch s.Kind {
		case Workplace, School, Neighborhood, Depot, OtherSite:
		default:
			v.add(at("sites", i, "kind"), ruleOneOf, string(s.Kind), "workplace, school, neighborhood, depot, other")
		}
		if r, args := degrees(s.Lat, 90); r != "" {
			v.add(at("sites", i, "lat"), r, args...)
		}
		if r, args := degrees(s.Lon, 180); r != "" {
			v.add(at("sites", i, "lon"), r, args...)
		}
	}
}

// degrees is the rule a latitude (limit 90) or longitude (limit 180)
// breaks, if any, with the arguments of its message.
func degrees(x, limit float64) (rule string, args []any) {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return ruleNotFinite, nil
	case x < -limit || x > limit:
		return ruleRange, []any{x, -limit, limit}
	}
	return "", nil
}

func (v *validator) checkRecipes() {
	ids := make(map[string]int, len(v.w.Recipes))
	for i := range v.w.Recipes {
		r := &v.w.Recipes[i]
		v.id("recipes", i, r.ID, ids)
		if !v.known("sites", v.sites, r.Site) {
			v.add(at("recipes", i, "site"), ruleUnknownRef, phraseSite, r.Site)
		}
		if len(r.Outputs) == 0 {
			v.add(at("recipes", i, "outputs"), ruleEmpty)
		}
		v.amounts(at("recipes", i, "outputs"), r.Outputs, phraseProduct, "products", v.products)
		v.amounts(at("recipes", i, "inputs"), r.Inputs, phraseProduct, "products", v.products)
		for _, p := range slices.Sorted(maps.Keys(r.Inputs)) {
			if _, ok := r.Outputs[p]; ok {
				v.add(keyPath(at("recipes", i, "inputs"), p), ruleInAndOut, p)
			}
		}
		v.amounts(at("recipes", i, "labor"), r.Labor, phraseSkill, "skills", v.skills)
		if len(r.Inputs) == 0 && len(r.Labor) == 0 {
			v.add(at("recipes", i), ruleNothingIn)
		}
		if r.MaxRuns != nil {
			if rule, args := quantity(*r.MaxRuns, false); rule != "" {
				v.add(at("recipes", i, "max_runs"), rule, args...)
			}
		}
	}
}

// amounts checks a map from ids of a list (products or skills) to
// quantities greater than 0.
func (v *validator) amounts(path string, m map[string]float64, what phrase, list string, index map[string]int) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !v.known(list, index, k) {
			v.add(keyPath(path, k), ruleUnknownRef, what, k)
		}
		if r, args := quantity(m[k], true); r != "" {
			v.add(keyPath(path, k), r, args...)
		}
	}
}

func (v *validator) checkStocks() {
	first := make(map[[2]string]int, len(v.w.Stocks))
	for i := range v.w.Stocks {
		s := &v.w.Stocks[i]
		if !v.known("sites", v.sites, s.Site) {
			v.add(at("stocks", i, "site"), ruleUnknownRef, phraseSite, s.Site)
		}
		if !v.known("products", v.products, s.Product) {
			v.add(at("stocks", i, "product"), ruleUnknownRef, phraseProduct, s.Product)
		}
		if j, ok := v.products[s.Product]; ok && v.w.Products[j].Kind == Service {
			v.add(at("stocks", i, "product"), ruleStockedService, s.Product)
		}
		if r, args := quantity(s.Qty, false); r != "" {
			v.add(at("stocks", i, "qty"), r, args...)
		}
		key := [2]string{s.Site, s.Product}
		if j, dup := first[key]; dup {
			v.add(at("stocks", i), ruleDuplicateStock, s.Site, s.Product, at("stocks", j))
		} else {
			first[key] = i
		}
	}
}

func (v *validator) checkMembers() {
	v.members = make(map[string]int, len(v.w.Members))
	for i := range v.w.Members {
		m := &v.w.Members[i]
		v.id("members", i, m.ID, v.members)
		if geo.CheckHome(m.Cell) != nil {
			v.add(at("members", i, "cell"), ruleCell, m.Cell)
		}
		for j, c := range m.Collectives {
			switch {
			case c == "":
				v.add(at("members", i, "collectives")+elem(j), ruleEmpty)
			case slices.Contains(m.Collectives[:j], c):
				v.add(at("members", i, "collectives")+elem(j), ruleRepeated, c)
			}
		}
		c := &m.Commitment
		if c.Hours > WeekHours && !math.IsInf(c.Hours, 1) {
			v.add(at("members", i, "commitment", "hours"), ruleTooLarge, WeekHours, c.Hours)
		} else if r, args := quantity(c.Hours, false); r != "" {
			v.add(at("members", i, "commitment", "hours"), r, args...)
		}
		for j, s := range c.Skills {
			if !v.known("skills", v.skills, s) {
				v.add(at("members", i, "commitment", "skills")+elem(j), ruleUnknownRef, phraseSkill, s)
			}
			if slices.Contains(c.Skills[:j], s) {
				v.add(at("members", i, "commitment", "skills")+elem(j), ruleRepeated, s)
			}
		}
		if r, args := quantity(c.MaxKm, false); r != "" {
			v.add(at("members", i, "commitment", "max_km"), r, args...)
		}
	}
}

func (v *validator) checkNeeds() {
	// Needs are the longest list. When their ids come in increasing order,
	// as generated and exported worlds have them, the order shows they are
	// unique without a map of millions of ids. Likewise a member's needs
	// usually come together, so the last member found is remembered.
	var ids map[string]int
	if !increasing(v.w.Needs) {
		ids = make(map[string]int, len(v.w.Needs))
	}
	lastMember := ""
	for i := range v.w.Needs {
		n := &v.w.Needs[i]
		v.id("needs", i, n.ID, ids)
		switch {
		case n.Member != "" && n.Site != "":
			v.add(at("needs", i), ruleMemberAndSite)
		case n.Member != "":
			if n.Member == lastMember {
				break
			}
			if !v.known("members", v.members, n.Member) {
				v.add(at("needs", i, "member"), ruleUnknownRef, phraseMember, n.Member)
			} else {
				lastMember = n.Member
			}
		case n.Site != "":
			if !v.known("sites", v.sites, n.Site) {
				v.add(at("needs", i, "site"), ruleUnknownRef, phraseSite, n.Site)
			}
		default:
			v.add(at("needs", i), ruleNoMemberOrSite)
		}
		if !v.known("products", v.products, n.Product) {
			v.add(at("needs", i, "product"), ruleUnknownRef, phraseProduct, n.Product)
		}
		if r, args := quantity(n.Qty, true); r != "" {
			v.add(at("needs", i, "qty"), r, args...)
		}
		switch n.Tier {
		case Essential, Basic, Wanted:
		default:
			v.add(at("needs", i, "tier"), ruleOneOf, string(n.Tier), "essential, basic, wanted")
		}
	}
}

// increasing reports whether the ids of needs are in strictly increasing
// order.
func increasing(needs []Need) bool {
	for i := 1; i < len(needs); i++ {
		if needs[i-1].ID >= needs[i].ID {
			return false
		}
	}
	return true
}

// id checks the id of element i of a list and adds it to the list's
// index, unless an earlier element has it. A nil index is for a list
// whose ids are known to be unique.
func (v *validator) id(list string, i int, id string, index map[string]int) {
	if id == "" {
		v.add(at(list, i, "id"), ruleEmpty)
		return
	}
	if !validID(id) {
		v.add(at(list, i, "id"), ruleBadID, id)
	}
	if index == nil {
		return
	}
	if j, dup := index[id]; dup {
		v.add(at(list, i, "id"), ruleDuplicateID, id, at(list, j))
		return
	}
	index[id] = i
}

// validID reports whether id is made of a-z, 0-9 and '-' only.
func validID(id string) bool {
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return id != ""
}

// known reports whether id is in the index of a list, or the list could
// not be read (and so nothing can be said).
func (v *validator) known(list string, index map[string]int, id string) bool {
	_, ok := index[id]
	return ok || v.broken[list]
}

// names checks the names of element i of a list: at least one, each
// under a language code and not empty.
func (v *validator) names(list string, i int, n Names) {
	if len(n) == 0 {
		v.add(at(list, i, "name"), ruleNoName)
		return
	}
	for _, lang := range slices.Sorted(maps.Keys(n)) {
		switch {
		case !isLanguage(lang):
			v.add(keyPath(at(list, i, "name"), lang), ruleLanguage)
		case n[lang] == "":
			v.add(keyPath(at(list, i, "name"), lang), ruleEmpty)
		}
	}
}

// isLanguage reports whether s looks like a BCP 47 language tag in the
// simple form used here: two or three lower-case letters, then subtags
// of one to eight letters or digits after hyphens ("es", "es-MX").
func isLanguage(s string) bool {
	n := 0
	for n < len(s) && 'a' <= s[n] && s[n] <= 'z' {
		n++
	}
	if n < 2 || n > 3 {
		return false
	}
	for s = s[n:]; s != ""; {
		if s[0] != '-' {
			return false
		}
		n = 1
		for n < len(s) && n <= 9 && ('a' <= s[n] && s[n] <= 'z' || 'A' <= s[n] && s[n] <= 'Z' || '0' <= s[n] && s[n] <= '9') {
			n++
		}
		if n == 1 || n > 9 {
			return false
		}
		s = s[n:]
	}
	return true
}

// quantity is the rule a quantity breaks, if any, with the arguments of
// its message: it must be finite, and greater than 0 when positive is
// set, else not negative.
func quantity(x float64, positive bool) (rule string, args []any) {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return ruleNotFinite, nil
	case positive && x <= 0:
		return ruleNotPositive, []any{x}
	case !positive && x < 0:
		return ruleNegative, []any{x}
	case x > MaxQuantity:
		return ruleTooLarge, []any{MaxQuantity, x}
	}
	return "", nil
}

// MaxQuantity is the largest number a world may give as a quantity, an
// amount of hours, a capacity, a cost or a distance. The planner works
// to a relative tolerance, and cannot hold a tier's shares to it where a
// need or a stock of 10¹² stands beside needs of a few units: on the
// example world with a few needs, two members' hours and a stock set to
// 10¹² its first max-min round never ended, where at 10⁹ it planned in
// 0.06 s. Nothing a member or site needs, holds or makes in a period
// comes near it.
const MaxQuantity = 1e9

// WeekHours is the most hours a member can commit in a period of a week.
const WeekHours = 7 * 24

// elem is the path suffix of element j of a list.
func elem(j int) string { return "[" + strconv.Itoa(j) + "]" }
