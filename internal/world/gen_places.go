package world

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/commune-org/commune/internal/geo"
)

// Where generated worlds happen: the neighbourhoods of Los Angeles, or
// cities on every continent, each with neighbourhoods where people live
// and farmland around it. Weights are rough populations; positions are
// real.

// genPlace is a neighbourhood or an area of farmland.
type genPlace struct {
	name, slug string
	lat, lon   float64
	weight     float64 // people living there, relative to the world
	spreadKm   float64 // standard deviation of homes and sites around the centre
	rural      bool    // farmland: farms go here, and farming families
	transport  uint8   // the usual reach of the people living there: 0 near, 1 middle, 2 far
	city       int
	collective []string // the neighbourhood's collective, shared by its members
}

type cityPlace struct {
	name, slug string
	lat, lon   float64
	weight     float64
}

// laPlaces are neighbourhoods of greater Los Angeles, Boyle Heights
// first; with the farmland they are about 80 km across, from Santa
// Clarita to Irvine.
var laPlaces = []cityPlace{
	{"Boyle Heights", "boyle-heights", 34.0339, -118.2054, 3},
	{"Pico-Union", "pico-union", 34.0469, -118.2817, 2.5},
	{"South Central", "south-central", 33.9897, -118.2781, 4},
	{"East LA", "east-la", 34.0239, -118.1720, 3.5},
	{"Westlake", "westlake", 34.0577, -118.2756, 2.5},
	{"Koreatown", "koreatown", 34.0618, -118.3004, 3},
	{"Downtown", "downtown", 34.0407, -118.2468, 2},
	{"Chinatown", "chinatown", 34.0623, -118.2383, 1},
	{"Lincoln Heights", "lincoln-heights", 34.0686, -118.2087, 1.5},
	{"Echo Park", "echo-park", 34.0782, -118.2606, 1.5},
	{"Highland Park", "highland-park", 34.1114, -118.1923, 2},
	{"Hollywood", "hollywood", 34.0928, -118.3287, 2.5},
	{"West Adams", "west-adams", 34.0330, -118.3275, 2},
	{"Crenshaw", "crenshaw", 34.0109, -118.3353, 2},
	{"Watts", "watts", 33.9390, -118.2430, 2},
	{"Florence-Firestone", "florence-firestone", 33.9736, -118.2467, 2},
	{"Huntington Park", "huntington-park", 33.9817, -118.2251, 2},
	{"Maywood", "maywood", 33.9867, -118.1853, 1},
	{"Bell Gardens", "bell-gardens", 33.9653, -118.1514, 1.5},
	{"South Gate", "south-gate", 33.9547, -118.2120, 2},
	{"Lynwood", "lynwood", 33.9303, -118.2115, 1.5},
	{"Compton", "compton", 33.8958, -118.2201, 2.5},
	{"Inglewood", "inglewood", 33.9617, -118.3531, 2.5},
	{"Hawthorne", "hawthorne", 33.9164, -118.3526, 2},
	{"Gardena", "gardena", 33.8883, -118.3090, 1.5},
	{"Carson", "carson", 33.8317, -118.2820, 2},
	{"Wilmington", "wilmington", 33.7797, -118.2626, 1.5},
	{"San Pedro", "san-pedro", 33.7361, -118.2923, 1.5},
	{"Long Beach", "long-beach", 33.7701, -118.1937, 4},
	{"Bellflower", "bellflower", 33.8817, -118.1170, 1.5},
	{"Norwalk", "norwalk", 33.9022, -118.0817, 2},
	{"Whittier", "whittier", 33.9792, -118.0328, 2},
	{"Montebello", "montebello", 34.0165, -118.1138, 1.5},
	{"El Monte", "el-monte", 34.0686, -118.0276, 2.5},
	{"Alhambra", "alhambra", 34.0953, -118.1270, 2},
	{"Pasadena", "pasadena", 34.1478, -118.1445, 2.5},
	{"Glendale", "glendale", 34.1425, -118.2551, 3},
	{"North Hollywood", "north-hollywood", 34.1870, -118.3813, 2.5},
	{"Van Nuys", "van-nuys", 34.1899, -118.4514, 2.5},
	{"Panorama City", "panorama-city", 34.2247, -118.4493, 1.5},
	{"Pacoima", "pacoima", 34.2628, -118.4270, 1.5},
	{"San Fernando", "san-fernando", 34.2819, -118.4390, 1},
	{"Sylmar", "sylmar", 34.3078, -118.4490, 1.5},
	{"Culver City", "culver-city", 34.0211, -118.3965, 1},
	{"Santa Monica", "santa-monica", 34.0195, -118.4912, 1.5},
	{"Pomona", "pomona", 34.0551, -117.7500, 2},
	{"Anaheim", "anaheim", 33.8366, -117.9143, 3},
	{"Santa Ana", "santa-ana", 33.7455, -117.8677, 3},
}

// laFarmland is where the farms of the Los Angeles world are.
var laFarmland = []cityPlace{
	{"Chino", "chino", 34.0122, -117.6889, 0.6},
	{"Santa Clarita", "santa-clarita", 34.3917, -118.5426, 0.5},
	{"Irvine fields", "irvine", 33.6846, -117.8265, 0.5},
}

// worldCities are on every continent; weights are metropolitan
// populations in millions.
var worldCities = []cityPlace{
	{"Los Angeles", "los-angeles", 34.0522, -118.2437, 13},
	{"Tijuana", "tijuana", 32.5149, -117.0382, 2},
	{"Mexico City", "mexico-city", 19.4326, -99.1332, 21},
	{"Guadalajara", "guadalajara", 20.6597, -103.3496, 5},
	{"Guatemala City", "guatemala-city", 14.6349, -90.5069, 3},
	{"Havana", "havana", 23.1136, -82.3666, 2},
	{"New York", "new-york", 40.7128, -74.0060, 19},
	{"Chicago", "chicago", 41.8781, -87.6298, 9},
	{"Toronto", "toronto", 43.6532, -79.3832, 6},
	{"Bogotá", "bogota", 4.7110, -74.0721, 11},
	{"Lima", "lima", -12.0464, -77.0428, 11},
	{"São Paulo", "sao-paulo", -23.5505, -46.6333, 22},
	{"Rio de Janeiro", "rio-de-janeiro", -22.9068, -43.1729, 13},
	{"Buenos Aires", "buenos-aires", -34.6037, -58.3816, 15},
	{"Santiago", "santiago", -33.4489, -70.6693, 7},
	{"Lagos", "lagos", 6.5244, 3.3792, 15},
	{"Accra", "accra", 5.6037, -0.1870, 4},
	{"Dakar", "dakar", 14.7167, -17.4677, 3},
	{"Kinshasa", "kinshasa", -4.4419, 15.2663, 15},
	{"Cairo", "cairo", 30.0444, 31.2357, 21},
	{"Addis Ababa", "addis-ababa", 9.0300, 38.7400, 5},
	{"Nairobi", "nairobi", -1.2921, 36.8219, 5},
	{"Johannesburg", "johannesburg", -26.2041, 28.0473, 10},
	{"Madrid", "madrid", 40.4168, -3.7038, 7},
	{"Paris", "paris", 48.8566, 2.3522, 11},
	{"London", "london", 51.5074, -0.1278, 9},
	{"Berlin", "berlin", 52.5200, 13.4050, 4},
	{"Naples", "naples", 40.8518, 14.2681, 3},
	{"Istanbul", "istanbul", 41.0082, 28.9784, 15},
	{"Tehran", "tehran", 35.6892, 51.3890, 9},
	{"Karachi", "karachi", 24.8607, 67.0011, 16},
	{"Mumbai", "mumbai", 19.0760, 72.8777, 21},
	{"Delhi", "delhi", 28.7041, 77.1025, 30},
	{"Dhaka", "dhaka", 23.8103, 90.4125, 21},
	{"Bangkok", "bangkok", 13.7563, 100.5018, 11},
	{"Ho Chi Minh City", "ho-chi-minh-city", 10.8231, 106.6297, 9},
	{"Jakarta", "jakarta", -6.2088, 106.8456, 11},
	{"Manila", "manila", 14.5995, 120.9842, 14},
	{"Shanghai", "shanghai", 31.2304, 121.4737, 26},
	{"Seoul", "seoul", 37.5665, 126.9780, 10},
	{"Tokyo", "tokyo", 35.6762, 139.6503, 37},
	{"Sydney", "sydney", -33.8688, 151.2093, 5},
	{"Melbourne", "melbourne", -37.8136, 144.9631, 5},
	{"Auckland", "auckland", -36.8485, 174.7633, 1.7},
}

// genCompass names the neighbourhoods of a generated city, the centre first.
var genCompass = []struct {
	en, slug string
	bearing  float64 // degrees from north
}{
	{"Centre", "centre", 0}, {"North", "north", 0}, {"East", "east", 90}, {"South", "south", 180},
	{"West", "west", 270}, {"Northeast", "northeast", 45}, {"Southeast", "southeast", 135},
	{"Southwest", "southwest", 225}, {"Northwest", "northwest", 315},
}

// ruralShare is the part of a city's people who live on its farmland.
const ruralShare = 0.12

// sitesPerPlace is about how many sites each neighbourhood of a city
// has: a world with few sites has them in few neighbourhoods, and its
// members live there, rather than everywhere with nothing near them.
const sitesPerPlace = 12

// layOut lays out the cities and their neighbourhoods, and the
// cumulative weights members are drawn from.
func (g *generator) layOut() {
	switch g.opt.Area {
	case "la":
		g.cities = []string{"Los Angeles"}
		n := max(1, (g.opt.Sites+sitesPerPlace-1)/sitesPerPlace)
		g.addCity(0, 1, nearest(laPlaces, n), g.farmland(laPlaces[0], laFarmland, 1), 1.5)
	case "world":
		total := 0.0
		for _, c := range worldCities {
			total += c.weight
		}
		for i, c := range worldCities {
			g.cities = append(g.cities, c.name)
			n := max(1, int(math.Round(float64(g.opt.Sites)*c.weight/total/sitesPerPlace)))
			if c.slug == "los-angeles" {
				g.addCity(i, c.weight/total, nearest(laPlaces, n), g.farmland(laPlaces[0], laFarmland, c.weight/total), 1.5)
				continue
			}
			hoods, farms := g.cityLayout(c, n)
			g.addCity(i, c.weight/total, hoods, g.farmland(c, farms, c.weight/total), 1.2)
		}
	}
	g.placeCum = make([]float64, len(g.places))
	sum := 0.0
	for i, p := range g.places {
		sum += p.weight
		g.placeCum[i] = sum
	}
}

// nearest returns the n places nearest the first, nearest first: an
// organization with few sites is in the neighbourhoods around where it
// began.
func nearest(ps []cityPlace, n int) []cityPlace {
	out := slices.Clone(ps)
	slices.SortStableFunc(out, func(a, b cityPlace) int {
		return cmp.Compare(geo.Distance(ps[0].lat, ps[0].lon, a.lat, a.lon), geo.Distance(ps[0].lat, ps[0].lon, b.lat, b.lon))
	})
	return out[:min(n, len(out))]
}

// farmsPerFarmland is about how many farms share an area of farmland.
const farmsPerFarmland = 4

// farmland returns the areas of farmland, nearest the city first, that
// the farms expected in a city with this share of the world's people
// need: one at least, so that people living on farmland work on farms.
func (g *generator) farmland(city cityPlace, areas []cityPlace, share float64) []cityPlace {
	total := 0.0
	for c := range numSiteClasses {
		total += siteClasses[c].weight
	}
	farms := float64(g.opt.Sites) * share * siteClasses[farmSite].weight / total
	n := max(1, int(math.Ceil(farms/farmsPerFarmland)))
	return nearest(append([]cityPlace{city}, areas...), n+1)[1:]
}

// addCity adds a city's neighbourhoods and farmland, sharing weight
// among them: ruralShare on the farmland, the rest by neighbourhood.
func (g *generator) addCity(city int, weight float64, hoods, farms []cityPlace, spreadKm float64) {
	add := func(ps []cityPlace, share float64, rural bool) {
		total := 0.0
		for _, p := range ps {
			total += p.weight
		}
		for _, p := range ps {
			g.places = append(g.places, genPlace{name: p.name, slug: p.slug, lat: p.lat, lon: p.lon,
				weight: weight * share * p.weight / total, spreadKm: spreadKm, rural: rural, city: city,
				transport: uint8(g.rng.IntN(3)), collective: []string{p.slug}})
		}
	}
	add(hoods, 1-ruralShare, false)
	add(farms, ruralShare, true)
}

// cityLayout makes up to n neighbourhoods of a city: a centre, then
// north, east, south and west of it about 8 km out, then the diagonals;
// and three areas of farmland 30 to 45 km out.
func (g *generator) cityLayout(c cityPlace, n int) (hoods, farms []cityPlace) {
	for i, d := range genCompass[:min(n, len(genCompass))] {
		km := 0.0
		if i > 0 {
			km = 6 + 4*g.rng.Float64()
		}
		lat, lon := genOffset(c.lat, c.lon, km, d.bearing+20*(g.rng.Float64()-0.5))
		w := 0.6 + 0.8*g.rng.Float64()
		if i == 0 {
			w = 2
		}
		hoods = append(hoods, cityPlace{c.name + " " + d.en, c.slug + "-" + d.slug, lat, lon, w})
	}
	for i := 1; i <= 3; i++ {
		lat, lon := genOffset(c.lat, c.lon, 30+15*g.rng.Float64(), 360*g.rng.Float64())
		farms = append(farms, cityPlace{fmt.Sprintf("%s countryside %d", c.name, i), fmt.Sprintf("%s-countryside-%d", c.slug, i), lat, lon, 1})
	}
	return hoods, farms
}

// genOffset moves km along a bearing (degrees from north), on a local flat
// approximation that is good to a few metres at city scale.
func genOffset(lat, lon, km, bearing float64) (float64, float64) {
	const kmPerDeg = 111.32
	b := bearing * math.Pi / 180
	lat2 := lat + km*math.Cos(b)/kmPerDeg
	lon2 := lon + km*math.Sin(b)/(kmPerDeg*math.Cos(lat*math.Pi/180))
	return lat2, lon2
}

// scatter returns a point around place p, normally distributed with the
// place's spread.
func (g *generator) scatter(p *genPlace, scale float64) (float64, float64) {
	const kmPerDeg = 111.32
	dy, dx := g.rng.NormFloat64()*p.spreadKm*scale, g.rng.NormFloat64()*p.spreadKm*scale
	return p.lat + dy/kmPerDeg, p.lon + dx/(kmPerDeg*math.Cos(p.lat*math.Pi/180))
}
