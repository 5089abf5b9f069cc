package demo

// The places of the demo: real neighbourhoods, workplaces and schools,
// at their real positions (rounded), in five cities on four continents.
// The collectives are invented; the places are where such collectives
// would be.

// city is where a group of collectives lives: its people's languages and
// names, and the warehouse that holds its stocks.
type city struct {
	slug      string
	language  func(r float64) string // the language of a member, from a uniform draw
	names     []string               // first names people take as aliases
	warehouse site
	stocks    map[string]float64 // what the warehouse holds, per week
	tz        string             // the IANA time zone its people keep their hours in
}

// place is a collective and the sites it runs.
type place struct {
	id, name string
	kind     string // workplace, school, neighbourhood
	city     int    // index into cities
	lat, lon float64
	members  int
	// skills are the skills its members tend to have, most common
	// first.
	skills []string
	sites  []site
}

type site struct {
	id, name string
	kind     string // the world's site kind
	lat, lon float64
	recipes  []recipe
}

type recipe struct {
	id      string
	outputs map[string]float64
	inputs  map[string]float64
	labor   map[string]float64
	maxRuns float64 // 0: no limit
}

// Recipes shared by many sites.
var (
	cookMeals = recipe{id: "cook-meals",
		outputs: map[string]float64{"meal": 100},
		inputs:  map[string]float64{"rice": 7, "beans": 6, "tortilla": 150},
		labor:   map[string]float64{"cook": 6}, maxRuns: 40}
	clinicVisits = recipe{id: "visits",
		outputs: map[string]float64{"clinic-visit": 2},
		labor:   map[string]float64{"nurse": 1}, maxRuns: 120}
	childcare = recipe{id: "childcare",
		outputs: map[string]float64{"childcare-hour": 4},
		labor:   map[string]float64{"care": 1}, maxRuns: 400}
	repairs = recipe{id: "repairs",
		outputs: map[string]float64{"home-repair": 1},
		inputs:  map[string]float64{"materials": 1},
		labor:   map[string]float64{"build": 6}}
	rides = recipe{id: "rides",
		outputs: map[string]float64{"ride": 3},
		labor:   map[string]float64{"drive": 1}}
	printRun = recipe{id: "print-run",
		outputs: map[string]float64{"newspaper": 100},
		inputs:  map[string]float64{"paper": 1, "ink": 0.2},
		labor:   map[string]float64{"print": 2}, maxRuns: 20}
	sewClothes = recipe{id: "sew",
		outputs: map[string]float64{"clothes": 12},
		inputs:  map[string]float64{"cloth": 15},
		labor:   map[string]float64{"sew": 8}, maxRuns: 60}
	tortillas = recipe{id: "tortillas",
		outputs: map[string]float64{"tortilla": 1200},
		inputs:  map[string]float64{"masa": 40},
		labor:   map[string]float64{"process": 4}}
	masa = recipe{id: "masa",
		outputs: map[string]float64{"masa": 500},
		inputs:  map[string]float64{"maize": 520},
		labor:   map[string]float64{"process": 10}}
)

var (
	spanishNames = []string{"Rosa", "Lupe", "Chuy", "Maricela", "Beto", "Yesenia", "Toño", "Marisol", "Ramón", "Itzel",
		"Joaquín", "Xóchitl", "Lalo", "Carmen", "Nico", "Brenda", "Memo", "Araceli", "Rigo", "Dulce",
		"Pancho", "Elena", "Gabo", "Sofía", "Chayo", "Iván", "Nayeli", "Tere", "Wilmer", "Ixchel"}
	englishNames = []string{"Dee", "Marcus", "Tasha", "Jamal", "Kim", "Andre", "Shay", "Luis", "Mai", "Tony",
		"Keisha", "Sam", "Aaliyah", "Hector", "June", "Ray"}
	filipinoNames = []string{"Bong", "Marites", "Jun", "Liza", "Rommel", "Jovelyn", "Dado", "Maricel", "Nonoy", "Cherry",
		"Bayani", "Ligaya", "Tess", "Rey"}
	southAfricanNames = []string{"Thabo", "Nomsa", "Sipho", "Lerato", "Mandla", "Zanele", "Bongani", "Palesa", "Themba", "Ayanda",
		"Kagiso", "Naledi", "Lindiwe", "Tumelo"}
)

// mostly returns a language chooser: main with probability p, else other.
func mostly(main string, p float64, other string) func(float64) string {
	return func(r float64) string {
		if r < p {
			return main
		}
		return other
	}
}

var cities = []city{
	{slug: "la", tz: "America/Los_Angeles", language: mostly("es", 0.7, "en"), names: append(append([]string{}, spanishNames...), englishNames...),
		warehouse: site{id: "warehouse-vernon", name: "Vernon warehouse", kind: "depot", lat: 34.0005, lon: -118.2140},
		stocks:    map[string]float64{"rice": 900, "beans": 800, "maize": 1500, "paper": 30, "ink": 8, "materials": 110, "cloth": 1200}},
	{slug: "tijuana", tz: "America/Tijuana", language: mostly("es", 1, "es"), names: spanishNames,
		warehouse: site{id: "warehouse-otay", name: "Otay warehouse", kind: "depot", lat: 32.5300, lon: -116.9650},
		stocks:    map[string]float64{"rice": 120, "beans": 110, "tortilla": 20000, "paper": 8, "ink": 2, "cloth": 600, "materials": 8}},
	{slug: "cdmx", tz: "America/Mexico_City", language: mostly("es", 1, "es"), names: spanishNames,
		warehouse: site{id: "warehouse-iztapalapa", name: "Central de Abasto depot", kind: "depot", lat: 19.3710, lon: -99.0900},
		stocks:    map[string]float64{"rice": 130, "beans": 120, "tortilla": 22000, "paper": 10, "ink": 2, "cloth": 500, "materials": 6}},
	{slug: "manila", tz: "Asia/Manila", language: mostly("en", 1, "en"), names: filipinoNames,
		warehouse: site{id: "warehouse-navotas", name: "Navotas depot", kind: "depot", lat: 14.6570, lon: 120.9470},
		stocks:    map[string]float64{"rice": 160, "beans": 60, "tortilla": 12000, "paper": 6, "ink": 2, "cloth": 400, "materials": 8}},
	{slug: "johannesburg", tz: "Africa/Johannesburg", language: mostly("en", 1, "en"), names: southAfricanNames,
		warehouse: site{id: "warehouse-city-deep", name: "City Deep depot", kind: "depot", lat: -26.2220, lon: 28.0830},
		stocks:    map[string]float64{"rice": 90, "beans": 90, "tortilla": 9000, "materials": 5}},
}

var places = []place{
	// Los Angeles: neighbourhoods.
	{id: "boyle-heights", name: "Boyle Heights", kind: "neighbourhood", city: 0, lat: 34.0339, lon: -118.2054, members: 200,
		skills: []string{"cook", "care", "build", "drive", "nurse"},
		sites: []site{
			{id: "kitchen-boyle", name: "Boyle Heights community kitchen", kind: "neighborhood", lat: 34.0330, lon: -118.2050, recipes: []recipe{cookMeals}},
			{id: "clinic-soto", name: "Soto Street clinic", kind: "workplace", lat: 34.0445, lon: -118.2100, recipes: []recipe{clinicVisits}},
			{id: "childcare-boyle", name: "Cuarto de niños, Mariachi Plaza", kind: "neighborhood", lat: 34.0470, lon: -118.2190, recipes: []recipe{childcare}},
		}},
	{id: "pico-union", name: "Pico-Union", kind: "neighbourhood", city: 0, lat: 34.0469, lon: -118.2817, members: 180,
		skills: []string{"cook", "print", "care", "drive", "build"},
		sites: []site{
			{id: "kitchen-pico", name: "Pico-Union kitchen", kind: "neighborhood", lat: 34.0460, lon: -118.2830, recipes: []recipe{cookMeals}},
			{id: "press-pico", name: "Pico-Union print shop", kind: "workplace", lat: 34.0470, lon: -118.2830, recipes: []recipe{printRun}},
			{id: "childcare-pico", name: "Pico-Union childcare", kind: "neighborhood", lat: 34.0490, lon: -118.2790, recipes: []recipe{childcare}},
		}},
	{id: "south-central", name: "South Central", kind: "neighbourhood", city: 0, lat: 33.9897, lon: -118.2781, members: 200,
		skills: []string{"cook", "build", "drive", "care", "nurse"},
		sites: []site{
			{id: "kitchen-south", name: "South Central kitchen", kind: "neighborhood", lat: 33.9890, lon: -118.2790, recipes: []recipe{cookMeals}},
			{id: "clinic-south", name: "Central Avenue clinic", kind: "workplace", lat: 33.9950, lon: -118.2560, recipes: []recipe{clinicVisits}},
			{id: "repair-south", name: "South Central repair crew", kind: "workplace", lat: 33.9800, lon: -118.2700, recipes: []recipe{repairs}},
			{id: "childcare-south", name: "South Central childcare", kind: "neighborhood", lat: 33.9920, lon: -118.2810, recipes: []recipe{childcare}},
		}},
	{id: "westlake", name: "Westlake / MacArthur Park", kind: "neighbourhood", city: 0, lat: 34.0577, lon: -118.2756, members: 150,
		skills: []string{"cook", "drive", "care", "build"},
		sites: []site{
			{id: "kitchen-westlake", name: "MacArthur Park kitchen", kind: "neighborhood", lat: 34.0580, lon: -118.2770, recipes: []recipe{cookMeals}},
			{id: "depot-westlake", name: "Westlake rides", kind: "workplace", lat: 34.0560, lon: -118.2720, recipes: []recipe{rides}},
		}},
	{id: "east-la", name: "East LA", kind: "neighbourhood", city: 0, lat: 34.0239, lon: -118.1720, members: 170,
		skills: []string{"cook", "build", "drive", "care"},
		sites: []site{
			{id: "kitchen-eastla", name: "Whittier Boulevard kitchen", kind: "neighborhood", lat: 34.0230, lon: -118.1700, recipes: []recipe{cookMeals}},
			{id: "repair-eastla", name: "East LA repair crew", kind: "workplace", lat: 34.0260, lon: -118.1800, recipes: []recipe{repairs}},
			{id: "depot-eastla", name: "East LA rides", kind: "workplace", lat: 34.0250, lon: -118.1650, recipes: []recipe{rides}},
			{id: "childcare-eastla", name: "East LA childcare", kind: "neighborhood", lat: 34.0220, lon: -118.1750, recipes: []recipe{childcare}},
		}},
	// Los Angeles: workplaces.
	{id: "vernon-garment", name: "Garment workers, Vernon", kind: "workplace", city: 0, lat: 34.0039, lon: -118.2301, members: 90,
		skills: []string{"sew", "drive", "cook"},
		sites:  []site{{id: "vernon-plant", name: "Vernon garment plant", kind: "workplace", lat: 34.0040, lon: -118.2300, recipes: []recipe{sewClothes}}}},
	{id: "fashion-district", name: "Garment workers, Fashion District", kind: "workplace", city: 0, lat: 34.0367, lon: -118.2505, members: 80,
		skills: []string{"sew", "print", "drive"},
		sites:  []site{{id: "fashion-shop", name: "Fashion District sewing floor", kind: "workplace", lat: 34.0367, lon: -118.2505, recipes: []recipe{sewClothes}}}},
	{id: "commerce-food", name: "Food processing workers, Commerce", kind: "workplace", city: 0, lat: 34.0006, lon: -118.1598, members: 80,
		skills: []string{"process", "drive", "cook"},
		sites:  []site{{id: "commerce-mill", name: "Commerce masa mill", kind: "workplace", lat: 34.0006, lon: -118.1598, recipes: []recipe{masa}}}},
	{id: "tortilleria-boyle", name: "Tortillería workers, Boyle Heights", kind: "workplace", city: 0, lat: 34.0401, lon: -118.2110, members: 40,
		skills: []string{"process", "cook"},
		sites:  []site{{id: "tortilleria", name: "Tortillería on César Chávez Avenue", kind: "workplace", lat: 34.0401, lon: -118.2110, recipes: []recipe{tortillas}}}},
	// Los Angeles: high schools.
	{id: "roosevelt-hs", name: "Roosevelt High School students", kind: "school", city: 0, lat: 34.0382, lon: -118.2103, members: 70,
		skills: []string{"care", "print", "cook"},
		sites:  []site{{id: "roosevelt", name: "Roosevelt High School", kind: "school", lat: 34.0382, lon: -118.2103}}},
	{id: "belmont-hs", name: "Belmont High School students", kind: "school", city: 0, lat: 34.0642, lon: -118.2633, members: 60,
		skills: []string{"care", "print", "drive"},
		sites:  []site{{id: "belmont", name: "Belmont High School", kind: "school", lat: 34.0642, lon: -118.2633}}},
	{id: "jefferson-hs", name: "Jefferson High School students", kind: "school", city: 0, lat: 34.0117, lon: -118.2597, members: 60,
		skills: []string{"care", "cook", "build"},
		sites:  []site{{id: "jefferson", name: "Jefferson High School", kind: "school", lat: 34.0117, lon: -118.2597}}},
	// Tijuana.
	{id: "maquila-otay", name: "Maquiladora workers, Otay", kind: "workplace", city: 1, lat: 32.5336, lon: -116.9717, members: 110,
		skills: []string{"sew", "drive", "cook"},
		sites: []site{
			{id: "maquila", name: "Otay maquiladora", kind: "workplace", lat: 32.5336, lon: -116.9717, recipes: []recipe{sewClothes}},
			{id: "rides-otay", name: "Transporte Otay", kind: "workplace", lat: 32.5350, lon: -116.9800, recipes: []recipe{rides, repairs}},
		}},
	{id: "colonia-libertad", name: "Colonia Libertad", kind: "neighbourhood", city: 1, lat: 32.5420, lon: -117.0240, members: 100,
		skills: []string{"cook", "print", "nurse", "care"},
		sites: []site{
			{id: "kitchen-libertad", name: "Comedor Colonia Libertad", kind: "neighborhood", lat: 32.5420, lon: -117.0240, recipes: []recipe{cookMeals}},
			{id: "clinic-libertad", name: "Clínica Libertad", kind: "workplace", lat: 32.5400, lon: -117.0200, recipes: []recipe{clinicVisits}},
			{id: "press-tijuana", name: "Imprenta Tijuana", kind: "workplace", lat: 32.5330, lon: -117.0300, recipes: []recipe{printRun}},
			{id: "childcare-libertad", name: "Guardería Libertad", kind: "neighborhood", lat: 32.5410, lon: -117.0260, recipes: []recipe{childcare}},
		}},
	// Mexico City.
	{id: "iztapalapa", name: "Iztapalapa", kind: "neighbourhood", city: 2, lat: 19.3574, lon: -99.0926, members: 120,
		skills: []string{"cook", "care", "build", "nurse"},
		sites: []site{
			{id: "kitchen-iztapalapa", name: "Comedor Iztapalapa", kind: "neighborhood", lat: 19.3574, lon: -99.0926, recipes: []recipe{cookMeals}},
			{id: "childcare-iztapalapa", name: "Guardería Iztapalapa", kind: "neighborhood", lat: 19.3600, lon: -99.0870, recipes: []recipe{childcare}},
			{id: "clinic-iztapalapa", name: "Clínica Iztapalapa", kind: "workplace", lat: 19.3550, lon: -99.0980, recipes: []recipe{clinicVisits}},
			{id: "brigada-iztapalapa", name: "Brigada de transporte y reparación", kind: "workplace", lat: 19.3590, lon: -99.0950, recipes: []recipe{rides, repairs}},
		}},
	{id: "san-antonio-abad", name: "Costureras, San Antonio Abad", kind: "workplace", city: 2, lat: 19.4120, lon: -99.1360, members: 90,
		skills: []string{"sew", "print", "cook"},
		sites: []site{
			{id: "taller-abad", name: "Taller San Antonio Abad", kind: "workplace", lat: 19.4120, lon: -99.1360, recipes: []recipe{sewClothes}},
			{id: "press-cdmx", name: "Imprenta Obrera", kind: "workplace", lat: 19.4200, lon: -99.1330, recipes: []recipe{printRun}},
		}},
	// Manila.
	{id: "tondo", name: "Tondo", kind: "neighbourhood", city: 3, lat: 14.6186, lon: 120.9660, members: 110,
		skills: []string{"cook", "drive", "care", "nurse"},
		sites: []site{
			{id: "kitchen-tondo", name: "Tondo community kitchen", kind: "neighborhood", lat: 14.6186, lon: 120.9660, recipes: []recipe{cookMeals}},
			{id: "clinic-tondo", name: "Tondo health centre", kind: "workplace", lat: 14.6150, lon: 120.9700, recipes: []recipe{clinicVisits}},
			{id: "childcare-tondo", name: "Tondo day care", kind: "neighborhood", lat: 14.6200, lon: 120.9640, recipes: []recipe{childcare}},
			{id: "jeepney-tondo", name: "Tondo jeepney and repair crew", kind: "workplace", lat: 14.6220, lon: 120.9680, recipes: []recipe{rides, repairs}},
		}},
	{id: "valenzuela-factories", name: "Factory workers, Valenzuela", kind: "workplace", city: 3, lat: 14.7000, lon: 120.9830, members: 90,
		skills: []string{"sew", "print", "drive"},
		sites: []site{
			{id: "valenzuela-plant", name: "Valenzuela garment plant", kind: "workplace", lat: 14.7000, lon: 120.9830, recipes: []recipe{sewClothes}},
			{id: "press-manila", name: "Valenzuela print shop", kind: "workplace", lat: 14.6950, lon: 120.9800, recipes: []recipe{printRun}},
		}},
	// Johannesburg.
	{id: "soweto", name: "Soweto", kind: "neighbourhood", city: 4, lat: -26.2485, lon: 27.8540, members: 110,
		skills: []string{"cook", "care", "build", "nurse"},
		sites: []site{
			{id: "kitchen-soweto", name: "Soweto community kitchen", kind: "neighborhood", lat: -26.2485, lon: 27.8540, recipes: []recipe{cookMeals}},
			{id: "clinic-soweto", name: "Soweto clinic", kind: "workplace", lat: -26.2500, lon: 27.8600, recipes: []recipe{clinicVisits}},
			{id: "childcare-soweto", name: "Soweto crèche", kind: "neighborhood", lat: -26.2450, lon: 27.8500, recipes: []recipe{childcare}},
			{id: "taxi-soweto", name: "Soweto taxi collective", kind: "workplace", lat: -26.2400, lon: 27.8700, recipes: []recipe{rides}},
		}},
	{id: "alexandra", name: "Alexandra", kind: "neighbourhood", city: 4, lat: -26.1030, lon: 28.0970, members: 90,
		skills: []string{"cook", "build", "drive"},
		sites: []site{
			{id: "kitchen-alexandra", name: "Alexandra kitchen", kind: "neighborhood", lat: -26.1030, lon: 28.0970, recipes: []recipe{cookMeals}},
			{id: "repair-alexandra", name: "Alexandra building crew", kind: "workplace", lat: -26.1050, lon: 28.1000, recipes: []recipe{repairs}},
			{id: "childcare-alexandra", name: "Alexandra crèche", kind: "neighborhood", lat: -26.1010, lon: 28.0950, recipes: []recipe{childcare}},
		}},
}
