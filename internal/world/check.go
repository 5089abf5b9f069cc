package world

import (
	"slices"
	"strings"
)

// Programs that change a world one element at a time (a coordinator
// editing a site, an organizer a product) check the element with the
// functions below, which apply the very rules Validate applies to it in
// a whole world. Paths in their errors are relative to the element
// ("lat", "outputs.meal"); an empty path is the element as a whole.
// Rules across elements are the caller's: that an id is not taken, and
// that no stock holds a product that becomes a service.

// CheckSkill checks one skill; nil if it breaks no rule.
func CheckSkill(sk Skill) error {
	v := validator{w: &World{Skills: []Skill{sk}}}
	v.checkSkills()
	return v.errs.relative("skills[0]")
}

// CheckProduct checks one product; nil if it breaks no rule.
func CheckProduct(p Product) error {
	v := validator{w: &World{Products: []Product{p}}}
	v.checkProducts()
	return v.errs.relative("products[0]")
}

// CheckSite checks one site; nil if it breaks no rule.
func CheckSite(s Site) error {
	v := validator{w: &World{Sites: []Site{s}}}
	v.checkSites()
	return v.errs.relative("sites[0]")
}

// CheckRecipe checks one recipe, whose site, products and skills must be
// among the ids given; nil if it breaks no rule.
func CheckRecipe(r Recipe, skills, products, sites []string) error {
	v := validator{w: &World{Recipes: []Recipe{r}},
		skills: index(skills), products: index(products), sites: index(sites)}
	v.checkRecipes()
	return v.errs.relative("recipes[0]")
}

func index(ids []string) map[string]int {
	m := make(map[string]int, len(ids))
	for i, id := range ids {
		m[id] = i
	}
	return m
}

// relative returns es with prefix taken off every path, or nil when es
// is empty (so that a caller's err != nil means a problem).
func (es Errors) relative(prefix string) error {
	if len(es) == 0 {
		return nil
	}
	out := slices.Clone(es)
	for i, e := range out {
		c := *e
		if c.Path == prefix {
			c.Path = ""
		} else if rest, ok := strings.CutPrefix(c.Path, prefix+"."); ok {
			c.Path = rest
		}
		out[i] = &c
	}
	return out
}
