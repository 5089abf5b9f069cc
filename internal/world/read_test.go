package world

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// base is a small valid world, field by field, as JSON text.
var base = map[string]string{
	"format": `"commune.world/v1"`,
	"skills": `[{"id": "cook", "name": {"en": "Cooking", "es": "Cocina"}}]`,
	"products": `[{"id": "meal", "name": {"en": "Meal"}, "unit": "meal", "kind": "good"},
		{"id": "visit", "name": {"en": "Visit"}, "unit": "visit", "kind": "service", "reach_km": 10},
		{"id": "rice", "name": {"en": "Rice"}, "unit": "kg", "kind": "good"}]`,
	"sites":   `[{"id": "kitchen", "name": "Kitchen", "kind": "workplace", "lat": 34.03, "lon": -118.2}]`,
	"recipes": `[{"id": "cook-meals", "site": "kitchen", "outputs": {"meal": 100}, "inputs": {"rice": 8}, "labor": {"cook": 6}}]`,
	"members": `[{"id": "m-1", "cell": "9q5cs", "commitment": {"hours": 12, "skills": ["cook"], "max_km": 8}}]`,
	"needs":   `[{"id": "n-1", "member": "m-1", "product": "meal", "qty": 14, "tier": "essential"}]`,
}

// worldText is base with some fields replaced by other JSON text, removed
// (by ""), or added (any key not in the world, at the end).
func worldText(over map[string]string) string {
	var b strings.Builder
	b.WriteString("{")
	sep := "\n"
	write := func(k, v string) {
		if v != "" {
			b.WriteString(sep + `"` + k + `": ` + v)
			sep = ",\n"
		}
	}
	for _, k := range worldSchema.keys {
		v, ok := over[k]
		if !ok {
			v = base[k]
		}
		write(k, v)
	}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range over {
			if !slices.Contains(worldSchema.keys, k) && !yield(k) {
				return
			}
		}
	}) {
		write(k, over[k])
	}
	b.WriteString("\n}\n")
	return b.String()
}

func TestReadBase(t *testing.T) {
	w, err := Read(strings.NewReader(worldText(nil)))
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Products) != 3 || w.Recipes[0].Labor["cook"] != 6 || w.Needs[0].Tier != Essential {
		t.Errorf("got %+v", w)
	}
}

// Each case is a world with several problems; Read must report all of
// them, exactly, in the order of the world.
var invalidWorlds = []struct {
	name string
	over map[string]string
	text string // the whole document, instead of over
	want []string
}{
	{
		name: "unknown references",
		over: map[string]string{
			"recipes": `[{"id": "cook-meals", "site": "kitchn", "outputs": {"mael": 100}, "inputs": {"beans": 1}, "labor": {"sing": 6}}]`,
			"stocks":  `[{"site": "depot", "product": "beans", "qty": 5}]`,
			"members": `[{"id": "m-1", "cell": "9q5cs", "commitment": {"hours": 12, "skills": ["cook", "sing"], "max_km": 8}}]`,
			"needs": `[{"id": "n-1", "member": "m-2", "product": "mael", "qty": 14, "tier": "essential"},
				{"id": "n-2", "site": "kitchn", "product": "meal", "qty": 1, "tier": "basic"}]`,
		},
		want: []string{
			`recipes[0].site: unknown site "kitchn"`,
			`recipes[0].outputs.mael: unknown product "mael"`,
			`recipes[0].inputs.beans: unknown product "beans"`,
			`recipes[0].labor.sing: unknown skill "sing"`,
			`stocks[0].site: unknown site "depot"`,
			`stocks[0].product: unknown product "beans"`,
			`members[0].commitment.skills[1]: unknown skill "sing"`,
			`needs[0].member: unknown member "m-2"`,
			`needs[0].product: unknown product "mael"`,
			`needs[1].site: unknown site "kitchn"`,
		},
	},
	{
		name: "negative and zero quantities",
		over: map[string]string{
			"products": `[{"id": "meal", "name": {"en": "Meal"}, "unit": "meal", "kind": "good", "transport_cost": -0.5},
				{"id": "rice", "name": {"en": "Rice"}, "unit": "kg", "kind": "good", "transport_cost": 0}]`,
			"recipes": `[{"id": "cook-meals", "site": "kitchen", "outputs": {"meal": 0}, "inputs": {"rice": -3}, "labor": {"cook": -6}, "max_runs": -1}]`,
			"stocks":  `[{"site": "kitchen", "product": "rice", "qty": -1}, {"site": "kitchen", "product": "meal", "qty": 0}]`,
			"members": `[{"id": "m-1", "cell": "9q5cs", "commitment": {"hours": -2, "skills": [], "max_km": -1.5}}]`,
			"needs": `[{"id": "n-1", "member": "m-1", "product": "meal", "qty": 0, "tier": "essential"},
				{"id": "n-2", "member": "m-1", "product": "rice", "qty": -4e-3, "tier": "basic"}]`,
		},
		want: []string{
			`products[0].transport_cost: must not be negative, got -0.5`,
			`recipes[0].outputs.meal: must be greater than 0, got 0`,
			`recipes[0].inputs.rice: must be greater than 0, got -3`,
			`recipes[0].labor.cook: must be greater than 0, got -6`,
			`recipes[0].max_runs: must not be negative, got -1`,
			`stocks[0].qty: must not be negative, got -1`,
			`members[0].commitment.hours: must not be negative, got -2`,
			`members[0].commitment.max_km: must not be negative, got -1.5`,
			`needs[0].qty: must be greater than 0, got 0`,
			`needs[1].qty: must be greater than 0, got -0.004`,
		},
	},
	{
		name: "needs with both member and site, and with neither",
		over: map[string]string{
			"needs": `[{"id": "n-1", "member": "m-1", "site": "kitchen", "product": "meal", "qty": 1, "tier": "basic"},
				{"id": "n-2", "product": "meal", "qty": 1, "tier": "basic"},
				{"id": "n-3", "member": "", "site": "kitchen", "product": "meal", "qty": 1, "tier": "basic"}]`,
		},
		want: []string{
			`needs[0]: has both member and site; give exactly one`,
			`needs[1]: needs a member or a site`,
		},
	},
	{
		name: "goods and services",
		over: map[string]string{
			"products": `[{"id": "meal", "name": {"en": "Meal"}, "unit": "meal", "kind": "good", "reach_km": 5},
				{"id": "visit", "name": {"en": "Visit"}, "unit": "visit", "kind": "service"},
				{"id": "ride", "name": {"en": "Ride"}, "unit": "ride", "kind": "service", "transport_cost": 0.1, "reach_km": -2},
				{"id": "rice", "name": {"en": "Rice"}, "unit": "kg", "kind": "grain"}]`,
			"stocks": `[{"site": "kitchen", "product": "visit", "qty": 3}]`,
		},
		want: []string{
			`products[0].reach_km: only services have reach_km; a good is moved instead`,
			`products[1].reach_km: a service needs reach_km greater than 0`,
			`products[2].transport_cost: a service is not moved, so it has no transport_cost`,
			`products[2].reach_km: must be greater than 0, got -2`,
			`products[3].kind: "grain" is not one of: good, service`,
			`stocks[0].product: "visit" is a service and cannot be stocked`,
		},
	},
	{
		name: "malformed cells and member lists",
		over: map[string]string{
			"members": `[{"id": "m-1", "cell": "9q5", "commitment": {"hours": 1, "skills": [], "max_km": 1}},
				{"id": "m-2", "cell": "9q5cs12", "commitment": {"hours": 1, "skills": [], "max_km": 1}},
				{"id": "m-3", "cell": "9q5ca", "commitment": {"hours": 1, "skills": [], "max_km": 1}},
				{"id": "m-4", "cell": "9Q5C", "commitment": {"hours": 1, "skills": [], "max_km": 1}},
				{"id": "m-5", "cell": "", "commitment": {"hours": 1, "skills": [], "max_km": 1}},
				{"id": "m-6", "cell": "9q5c", "collectives": ["a", "", "a"], "commitment": {"hours": 1, "skills": ["cook", "cook"], "max_km": 1}}]`,
		},
		want: []string{
			`members[0].cell: "9q5" is not a geohash cell of 4 to 6 characters`,
			`members[1].cell: "9q5cs12" is not a geohash cell of 4 to 6 characters`,
			`members[2].cell: "9q5ca" is not a geohash cell of 4 to 6 characters`,
			`members[3].cell: "9Q5C" is not a geohash cell of 4 to 6 characters`,
			`members[4].cell: "" is not a geohash cell of 4 to 6 characters`,
			`members[5].collectives[1]: must not be empty`,
			`members[5].collectives[2]: "a" is listed twice`,
			`members[5].commitment.skills[1]: "cook" is listed twice`,
		},
	},
	{
		name: "unknown fields",
		over: map[string]string{
			"skills":  `[{"id": "cook", "nmae": {"en": "Cooking"}}]`,
			"sites":   `[{"id": "kitchen", "name": "Kitchen", "kind": "workplace", "Lat": 34.03, "lon": -118.2}]`,
			"members": `[{"id": "m-1", "cell": "9q5cs", "commitment": {"hours": 12, "skills": ["cook"], "maxkm": 8}}]`,
			"needs":   `[{"id": "n-1", "member": "m-1", "product": "meal", "qty": 14, "tier": "essential", "a b": {"c": [1]}, "": 0}]`,
			"extra":   `{"deep": [{"nested": null}]}`,
		},
		want: []string{
			`skills[0].nmae: unknown field`,
			`skills[0].name: required`,
			`sites[0].Lat: unknown field`,
			`sites[0].lat: required`,
			`members[0].commitment.maxkm: unknown field`,
			`members[0].commitment.max_km: required`,
			`needs[0]["a b"]: unknown field`,
			`needs[0][""]: unknown field`,
			`extra: unknown field`,
		},
	},
	{
		name: "type errors",
		over: map[string]string{
			"skills":   `[{"id": "cook", "name": ["Cooking"]}]`,
			"products": `[{"id": "meal", "name": {"en": "Meal"}, "unit": null, "kind": "good"}, {"id": "rice", "name": {"en": 7}, "unit": "kg", "kind": "good"}]`,
			"sites":    `[{"id": "kitchen", "name": "Kitchen", "kind": "workplace", "lat": true, "lon": "-118.2"}]`,
			"recipes":  `[{"id": "cook-meals", "site": "kitchen", "outputs": {"meal": "100"}, "labor": {"cook": 6}, "max_runs": false}]`,
			"stocks":   `{}`,
			"members":  `[{"id": "m-1", "cell": "9q5cs", "commitment": {"hours": 12, "skills": "cook", "max_km": 8}}, 5, {"id": 2}]`,
			"needs":    `[{"id": "n-1", "member": "m-1", "product": "meal", "qty": "14", "tier": "essential"}]`,
		},
		want: []string{
			`skills[0].name: want an object, got an array`,
			`products[0].unit: want a string, got null`,
			`products[1].name.en: want a string, got a number`,
			`sites[0].lat: want a number, got true`,
			`sites[0].lon: want a number, got a string`,
			`recipes[0].outputs.meal: want a number, got a string`,
			`recipes[0].max_runs: want a number, got false`,
			`stocks: want an array, got an object`,
			`members[0].commitment.skills: want an array, got a string`,
			`members[1]: want an object, got a number`,
			`members[2].id: want a string, got a number`,
			`members[2].cell: required`,
			`members[2].commitment: required`,
			`needs[0].qty: want a number, got a string`,
		},
	},
	{
		name: "a list that cannot be read is not blamed again",
		over: map[string]string{"skills": `"cook"`, "sites": ``},
		want: []string{
			`skills: want an array, got a string`,
			`sites: required`,
		},
	},
	{
		name: "duplicate and malformed ids",
		over: map[string]string{
			"skills": `[{"id": "cook", "name": {"en": "Cooking"}}, {"id": "cook", "name": {"en": "Cooking again"}}]`,
			"products": `[{"id": "meal", "name": {"en": "Meal"}, "unit": "meal", "kind": "good"},
				{"id": "rice", "name": {"en": "Rice"}, "unit": "kg", "kind": "good"},
				{"id": "Rice_2", "name": {"en": "Rice"}, "unit": "kg", "kind": "good"}]`,
			"members": `[{"id": "m-1", "cell": "9q5cs", "commitment": {"hours": 1, "skills": [], "max_km": 1}},
				{"id": "m-1", "cell": "9q5cs", "commitment": {"hours": 1, "skills": [], "max_km": 1}},
				{"id": "", "cell": "9q5cs", "commitment": {"hours": 1, "skills": [], "max_km": 1}}]`,
			"needs": `[{"id": "n-1", "member": "m-1", "product": "meal", "qty": 1, "tier": "basic"},
				{"id": "n-1", "member": "m-1", "product": "rice", "qty": 1, "tier": "basic"}]`,
		},
		want: []string{
			`skills[1].id: id "cook" is already used by skills[0]`,
			`products[2].id: id "Rice_2" may only hold a-z, 0-9 and "-"`,
			`members[1].id: id "m-1" is already used by members[0]`,
			`members[2].id: must not be empty`,
			`needs[1].id: id "n-1" is already used by needs[0]`,
		},
	},
	{
		name: "keys given twice",
		over: map[string]string{
			"skills": `[{"id": "cook", "id": "chef", "name": {"en": "Cooking", "en": "Cook"}}]`,
		},
		want: []string{
			`skills[0].id: given twice`,
			`skills[0].name.en: given twice`,
		},
	},
	{
		name: "format and enumerations",
		over: map[string]string{
			"format": `"commune.plan/v1"`,
			"period": `"month"`,
			"sites":  `[{"id": "kitchen", "name": "Kitchen", "kind": "factory", "lat": 95, "lon": -200.5}]`,
			"needs":  `[{"id": "n-1", "member": "m-1", "product": "meal", "qty": 1e400, "tier": "urgent"}]`,
		},
		want: []string{
			`format: not a world v1 file: format is "commune.plan/v1", want "commune.world/v1"`,
			`period: "month" is not one of: week`,
			`sites[0].kind: "factory" is not one of: workplace, school, neighborhood, depot, other`,
			`sites[0].lat: 95 is outside -90 to 90`,
			`sites[0].lon: -200.5 is outside -180 to 180`,
			`needs[0].qty: must be a finite number`,
			`needs[0].tier: "urgent" is not one of: essential, basic, wanted`,
		},
	},
	{
		name: "recipes and stocks",
		over: map[string]string{
			"recipes": `[{"id": "nothing", "site": "kitchen", "outputs": {"meal": 1}},
				{"id": "empty", "site": "kitchen", "outputs": {}, "labor": {"cook": 1}},
				{"id": "loop", "site": "kitchen", "outputs": {"meal": 2}, "inputs": {"meal": 1, "rice": 1}}]`,
			"stocks": `[{"site": "kitchen", "product": "rice", "qty": 5}, {"site": "kitchen", "product": "rice", "qty": 7}]`,
		},
		want: []string{
			`recipes[0]: a recipe needs inputs or labor: nothing is made from nothing`,
			`recipes[1].outputs: must not be empty`,
			`recipes[2].inputs.meal: "meal" is also an output of this recipe; give only its net output`,
			`stocks[1]: site "kitchen" already has a stock of "rice" in stocks[0]`,
		},
	},
	{
		name: "names and empty texts",
		over: map[string]string{
			"skills": `[{"id": "cook", "name": {}}]`,
			"products": `[{"id": "meal", "name": {"EN": "Meal", "es": "", "es-MX": "Comida", "english": "Meal"}, "unit": "", "kind": "good"},
				{"id": "rice", "name": null, "unit": "kg", "kind": "good"}]`,
			"sites": `[{"id": "kitchen", "name": "", "kind": "workplace", "lat": 34.03, "lon": -118.2}]`,
		},
		want: []string{
			`skills[0].name: needs a name in at least one language`,
			`products[0].name.EN: not a language code such as "en" or "es"`,
			`products[0].name.english: not a language code such as "en" or "es"`,
			`products[0].name.es: must not be empty`,
			`products[0].unit: must not be empty`,
			`products[1].name: needs a name in at least one language`,
			`sites[0].name: must not be empty`,
		},
	},
	{
		name: "not an object",
		text: `["commune.world/v1"]`,
		want: []string{`want an object, got an array`},
	},
	// Malformed JSON: one error, with its line and column (in characters).
	{
		name: "empty",
		text: "",
		want: []string{`line 1, column 1: malformed JSON: unexpected end of input`},
	},
	{
		name: "trailing comma",
		text: `{"format": "commune.world/v1",}`,
		want: []string{`line 1, column 31: malformed JSON: unexpected '}', want a string`},
	},
	{
		name: "missing comma",
		text: "{\n  \"skills\": [\n    {\"id\": \"cook\" \"name\": {}}\n  ]\n}",
		want: []string{`skills[0]: line 3, column 19: malformed JSON: unexpected '"', want ',' or '}'`},
	},
	{
		name: "column in characters",
		text: `{"skills": [{"name": {"es": "Coçina"}, }]}`,
		want: []string{`skills[0]: line 1, column 40: malformed JSON: unexpected '}', want a string`},
	},
	{
		name: "unterminated string",
		text: `{"format": "commune`,
		want: []string{`format: line 1, column 20: malformed JSON: unexpected end of input`},
	},
	{
		name: "bad escape",
		text: `{"format": "a\x"}`,
		want: []string{`format: line 1, column 14: malformed JSON: unknown escape in a string`},
	},
	{
		name: "control character",
		text: "{\"format\": \"a\tb\"}",
		want: []string{`format: line 1, column 14: malformed JSON: control character in a string`},
	},
	{
		name: "invalid UTF-8",
		text: "{\"format\": \"a\xffb\"}",
		want: []string{`format: line 1, column 14: malformed JSON: invalid UTF-8`},
	},
	{
		name: "text after the world",
		text: `{"format": "commune.world/v1"} x`,
		want: []string{`line 1, column 32: malformed JSON: more text after the end of the world`},
	},
	{
		name: "bad number",
		text: `{"needs": [{"qty": 1.}]}`,
		want: []string{`needs[0].qty: line 1, column 22: malformed JSON: malformed number`},
	},
	{
		name: "leading zero",
		text: `{"needs": [{"qty": 01}]}`,
		want: []string{`needs[0]: line 1, column 21: malformed JSON: unexpected '1', want ',' or '}'`},
	},
	{
		name: "inside an unknown field",
		text: `{"extra": [1, 2}`,
		want: []string{`extra: line 1, column 16: malformed JSON: unexpected '}', want ',' or ']'`},
	},
	{
		name: "misspelt literal",
		text: `{"format": nul}`,
		want: []string{`format: line 1, column 15: malformed JSON: unexpected '}', want 'l'`},
	},
	{
		name: "syntax error after other problems",
		text: `{"format": 1, "skills": "x", "needs": [}`,
		want: []string{`needs[0]: line 1, column 40: malformed JSON: unexpected '}', want a value`},
	},
}

func TestReadInvalid(t *testing.T) {
	for _, c := range invalidWorlds {
		t.Run(c.name, func(t *testing.T) {
			text := c.text
			if c.over != nil {
				text = worldText(c.over)
			}
			w, err := Read(strings.NewReader(text))
			if w != nil {
				t.Errorf("got a world, want none")
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("got %v, want Errors", err)
			}
			got := strings.Split(errs.Error(), "\n")
			if !slices.Equal(got, c.want) {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(c.want, "\n\t"))
			}
		})
	}
}

func TestReadNulls(t *testing.T) {
	text := worldText(map[string]string{
		"products": `[{"id": "meal", "name": {"en": "Meal"}, "unit": "meal", "kind": "good", "transport_cost": null},
			{"id": "rice", "name": {"en": "Rice"}, "unit": "kg", "kind": "good"}]`,
		"recipes": `[{"id": "cook-meals", "site": "kitchen", "outputs": {"meal": 100}, "inputs": null, "labor": {"cook": 6}, "max_runs": null}]`,
		"stocks":  `null`,
		"members": `[{"id": "m-1", "cell": "9q5cs", "collectives": null, "commitment": {"hours": 12, "skills": null, "max_km": 8}}]`,
	})
	w, err := Read(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	r := w.Recipes[0]
	if w.Products[0].TransportCost != nil || r.Inputs != nil || r.MaxRuns != nil || w.Stocks != nil ||
		w.Members[0].Collectives != nil || w.Members[0].Commitment.Skills != nil {
		t.Errorf("null is not read as absent: %+v", w)
	}
}

func TestReadEmptyIsNil(t *testing.T) {
	text := worldText(map[string]string{
		"recipes": `[{"id": "cook-meals", "site": "kitchen", "outputs": {"meal": 100}, "inputs": {}, "labor": {"cook": 6}}]`,
		"stocks":  `[]`,
		"members": `[{"id": "m-1", "cell": "9q5cs", "collectives": [], "commitment": {"hours": 12, "skills": [], "max_km": 8}}]`,
	})
	w, err := Read(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if w.Recipes[0].Inputs != nil || w.Stocks != nil || w.Members[0].Collectives != nil || w.Members[0].Commitment.Skills != nil {
		t.Errorf("empty lists and maps are not read as nil: %+v", w)
	}
}

func TestReadStrings(t *testing.T) {
	text := worldText(map[string]string{
		"sites": `[{"id": "kitchen", "name": "K\u00fcche \"Ost\"\n\t\\ \/ \ud83c\udf5a \ud800 \u00e9t\u00E9 caf\u00e9 ☕", "kind": "workplace", "lat": 34.03, "lon": -118.2}]`,
	})
	w, err := Read(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	want := "Küche \"Ost\"\n\t\\ / 🍚 \ufffd été café ☕"
	if got := w.Sites[0].Name; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestReadNumbers(t *testing.T) {
	for _, c := range []struct {
		text string
		want float64
	}{
		{"0", 0}, {"-0", 0}, {"14", 14}, {"-118.2437", -118.2437}, {"1e2", 100}, {"1E+2", 100},
		{"2.5e-3", 0.0025}, {"123456789012345", 123456789012345}, {"1234567890123456789", 1234567890123456789},
		{"-999999999999999", -999999999999999}, {"1e-400", 0},
	} {
		text := worldText(map[string]string{
			"sites": `[{"id": "kitchen", "name": "Kitchen", "kind": "workplace", "lat": ` + c.text + `, "lon": 0}]`,
		})
		d := decoder{data: []byte(text)}
		var w World
		if err := d.document(&w); err != nil || len(d.errs) > 0 {
			t.Errorf("%s: %v %v", c.text, err, d.errs)
			continue
		}
		if got := w.Sites[0].Lat; got != c.want {
			t.Errorf("%s: got %v, want %v", c.text, got, c.want)
		}
	}
}

func TestReadFile(t *testing.T) {
	w, err := ReadFile("testdata/small.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Members) != 6 || len(w.Needs) != 8 {
		t.Errorf("got %d members and %d needs, want 6 and 8", len(w.Members), len(w.Needs))
	}
	if _, err := ReadFile("testdata/missing.json"); err == nil || errors.As(err, new(Errors)) {
		t.Errorf("got %v, want a file error", err)
	}
}

func TestMessagesSpanish(t *testing.T) {
	text := worldText(map[string]string{
		"skills":  `[{"id": "cook", "name": {"en": "Cooking"}}, {"id": "cook", "name": {"en": "Cook"}}]`,
		"members": `[{"id": "m-1", "cell": "9q5", "commitment": {"hours": "12", "skills": ["sing"], "max_km": 8, "maxkm": 8}}]`,
		"needs":   `[{"id": "n-1", "member": "m-1", "site": "kitchen", "product": "mael", "qty": 0, "tier": "essential"}]`,
	})
	_, err := Read(strings.NewReader(text))
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("got %v, want Errors", err)
	}
	want := []string{
		`skills[1].id: el id "cook" ya lo usa skills[0]`,
		`members[0].commitment.hours: se espera un número, hay un texto`,
		`members[0].commitment.maxkm: campo desconocido`,
		`members[0].cell: "9q5" no es una celda geohash de 4 a 6 caracteres`,
		`members[0].commitment.skills[0]: no existe la habilidad "sing"`,
		`needs[0]: tiene member y site a la vez; indique solo uno`,
		`needs[0].product: no existe el producto "mael"`,
		`needs[0].qty: debe ser mayor que 0, hay 0`,
	}
	if got := strings.Split(errs.Message("es"), "\n"); !slices.Equal(got, want) {
		t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	_, err = Read(strings.NewReader(`{"format": "x",}`))
	if got, want := err.(Errors).Message("es-MX"), `línea 1, columna 16: JSON mal formado: '}' inesperado, se espera un texto`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestUnderBroken(t *testing.T) {
	for _, c := range []struct {
		path   string
		broken []string
		want   bool
	}{
		{"members[3].cell", []string{"members[3]"}, true},
		{"members[30].cell", []string{"members[3]"}, false},
		{"members[3].commitment.hours", []string{"members[3].commitment"}, true},
		{"members[3].commitment", []string{"members[3].commitment.hours"}, false},
		{"needs[0].qty", []string{""}, true},
		{"needs", []string{"needs"}, true},
		{`skills[0].name["a.b"]`, []string{`skills[0].name["a.b"]`}, true},
		{`skills[0].name["a.b"]`, []string{`skills[0].name["a`}, false},
		{`skills[0].name["a\"].b"]`, []string{`skills[0].name["a\"]`}, false},
		{`skills[0].name["a\"].b"]`, []string{`skills[0].name`}, true},
	} {
		broken := make(map[string]bool)
		for _, b := range c.broken {
			broken[b] = true
		}
		if got := underBroken(c.path, broken); got != c.want {
			t.Errorf("underBroken(%s, %q): got %v, want %v", c.path, c.broken, got, c.want)
		}
	}
}
