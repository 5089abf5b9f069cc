package web

import (
	"testing"

	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// TestCauseNames: a shortfall's cause is said with the names the
// catalog gives products, skills and sites, in the page's language, and
// with the ids when the catalog does not know them.
func TestCauseNames(t *testing.T) {
	u, err := newUI()
	if err != nil {
		t.Fatal(err)
	}
	cat := &store.Catalog{
		Skills:   []world.Skill{{ID: "cook", Name: world.Names{"en": "Cooking", "es": "Cocina"}}},
		Products: []world.Product{{ID: "meal", Name: world.Names{"en": "Meal", "es": "Comida"}}, {ID: "rice", Name: world.Names{"en": "Rice"}}},
		Sites:    []world.Site{{ID: "kitchen-boyle", Name: "Boyle Heights kitchen"}},
	}
	for _, tc := range []struct {
		lang  string
		cause plan.Cause
		cat   *store.Catalog
		want  string
	}{
		{"en", plan.Cause{Kind: plan.LaborShort, Skill: "cook", Place: "9q5cs", Site: "kitchen-boyle"}, cat,
			"not enough Cooking hours within reach of area 9q5cs (at Boyle Heights kitchen)"},
		{"es", plan.Cause{Kind: plan.LaborShort, Skill: "cook", Place: "9q5cs", Site: "kitchen-boyle"}, cat,
			"faltan horas de Cocina al alcance de la zona 9q5cs (en Boyle Heights kitchen)"},
		{"es", plan.Cause{Kind: plan.NoRecipe, Product: "meal"}, cat, "ninguna receta produce Comida, y ningún sitio tiene"},
		{"es", plan.Cause{Kind: plan.InputShort, Product: "rice", Site: "kitchen-boyle"}, cat, "falta Rice en Boyle Heights kitchen para producirlo"},
		{"en", plan.Cause{Kind: plan.OutOfReach, Product: "meal", Km: 2.5, Place: "9q5c"}, cat, "no site offers Meal within 2.5 km of area 9q5c"},
		{"es", plan.Cause{Kind: plan.OutOfReach, Product: "meal", Km: 2.5, Place: "9q5c"}, cat, "ningún sitio ofrece Comida a menos de 2,5 km de la zona 9q5c"},
		{"en", plan.Cause{Kind: plan.Capacity, Recipe: "cook-meals", Site: "kitchen-boyle"}, cat, "recipe cook-meals at Boyle Heights kitchen is at its capacity"},
		{"en", plan.Cause{Kind: plan.Capacity, Recipe: "cook-meals", Site: "press-1"}, nil, "recipe cook-meals at press-1 is at its capacity"},
		{"en", plan.Cause{Kind: plan.Shared}, cat, "what there is, is shared fairly with other needs of the same tier"},
		{"en", plan.Cause{Kind: plan.Unproved}, cat, "no cause proved: a stage of its tier stopped at a limit before its optimum, and it may get more"},
		{"es", plan.Cause{Kind: plan.Unproved}, cat, "sin causa probada: una etapa de su nivel se detuvo en un límite antes de su óptimo, y quizá pueda recibir más"},
	} {
		p := &page{ui: u, Lang: tc.lang}
		if got := p.Cause(tc.cause, tc.cat); got != tc.want {
			t.Errorf("%s %+v: got %q, want %q", tc.lang, tc.cause, got, tc.want)
		}
	}
}
