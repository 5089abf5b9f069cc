package web

import (
	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// Cause says a shortfall's cause in the page's language, naming
// products, skills and sites as the catalog names them rather than by
// their ids, so that a coordinator reads "not enough Cooking hours near
// Boyle Heights kitchen" and knows whom to ask. The words come from the
// page's catalog (cause.* keys), so a new language needs no code.
func (p *page) Cause(c plan.Cause, cat *store.Catalog) string {
	product, skill, site := c.Product, c.Skill, c.Site
	if cat != nil {
		product = catalogName(p, cat.Products, c.Product, func(x world.Product) (string, world.Names) { return x.ID, x.Name })
		skill = catalogName(p, cat.Skills, c.Skill, func(x world.Skill) (string, world.Names) { return x.ID, x.Name })
		for _, s := range cat.Sites {
			if s.ID == c.Site && s.Name != "" {
				site = s.Name
			}
		}
	}
	switch c.Kind {
	case plan.NoRecipe:
		return p.T("cause.no-recipe", product)
	case plan.OutOfReach:
		return p.T("cause.out-of-reach", product, formatNum(p.Lang, c.Km, shownDecimals), c.Place)
	case plan.LaborShort:
		return p.T("cause.labor", skill, c.Place, site)
	case plan.Capacity:
		return p.T("cause.capacity", c.Recipe, site)
	case plan.InputShort:
		return p.T("cause.input", product, site)
	case plan.Stopped:
		return p.T("cause.stopped")
	case plan.Unproved:
		return p.T("cause.unproved")
	}
	return p.T("cause.shared")
}

// catalogName finds id in list and returns its name in the page's
// language, or id when it is not there.
func catalogName[T any](p *page, list []T, id string, key func(T) (string, world.Names)) string {
	for _, x := range list {
		if k, n := key(x); k == id {
			return p.Name(n, id)
		}
	}
	return id
}
