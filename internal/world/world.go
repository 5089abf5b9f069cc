package world

// Format is the value of the "format" field of a world file.
const Format = "commune.world/v1"

// World is everything the planner needs for one period.
type World struct {
	Format   string    `json:"format"`
	Period   string    `json:"period,omitempty"` // "week" when empty
	Skills   []Skill   `json:"skills"`
	Products []Product `json:"products"`
	Sites    []Site    `json:"sites"`
	Recipes  []Recipe  `json:"recipes"`
	Stocks   []Stock   `json:"stocks,omitempty"`
	Members  []Member  `json:"members"`
	Needs    []Need    `json:"needs"`
}

// Names maps a language code ("en", "es") to a name in that language.
type Names map[string]string

// Skill is a kind of work members offer and recipes require.
type Skill struct {
	ID   string `json:"id"`
	Name Names  `json:"name"`
}

// ProductKind tells goods, which can be stored and moved, from services,
// which are delivered where they are produced.
type ProductKind string

const (
	Good    ProductKind = "good"
	Service ProductKind = "service"
)

// DefaultTransportCost is the cost of moving one unit of a good one
// kilometre when the product does not say.
const DefaultTransportCost = 0.001

// Product is a good or a service.
type Product struct {
	ID   string      `json:"id"`
	Name Names       `json:"name"`
	Unit string      `json:"unit"`
	Kind ProductKind `json:"kind"`
	// TransportCost is per unit and kilometre, for goods; nil means
	// DefaultTransportCost.
	TransportCost *float64 `json:"transport_cost,omitempty"`
	// ReachKm is how far from the producing site a service reaches;
	// required for services, absent for goods.
	ReachKm float64 `json:"reach_km,omitempty"`
}

// Cost is the product's transport cost per unit and kilometre.
func (p *Product) Cost() float64 {
	if p.TransportCost == nil {
		return DefaultTransportCost
	}
	return *p.TransportCost
}

// SiteKind says what a site is; it does not change how it is planned.
type SiteKind string

const (
	Workplace    SiteKind = "workplace"
	School       SiteKind = "school"
	Neighborhood SiteKind = "neighborhood"
	Depot        SiteKind = "depot"
	OtherSite    SiteKind = "other"
)

// Site is a public place where work happens or goods are kept.
type Site struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Kind       SiteKind `json:"kind"`
	Lat        float64  `json:"lat"`
	Lon        float64  `json:"lon"`
	Collective string   `json:"collective,omitempty"`
}

// Recipe is one way of producing at one site. Quantities are per run.
type Recipe struct {
	ID      string             `json:"id"`
	Site    string             `json:"site"`
	Outputs map[string]float64 `json:"outputs"`
	Inputs  map[string]float64 `json:"inputs,omitempty"`
	Labor   map[string]float64 `json:"labor,omitempty"`
	// MaxRuns is the site's capacity for this recipe in the period; nil
	// means unlimited.
	MaxRuns *float64 `json:"max_runs,omitempty"`
}

// Stock is what a site holds at the start of the period.
type Stock struct {
	Site    string  `json:"site"`
	Product string  `json:"product"`
	Qty     float64 `json:"qty"`
}

// Member is a person as the planner sees them: an id, a home cell (a
// geohash of 4 to 6 characters, never more precise), collectives, and what
// they commit.
type Member struct {
	ID          string     `json:"id"`
	Cell        string     `json:"cell"`
	Collectives []string   `json:"collectives,omitempty"`
	Commitment  Commitment `json:"commitment"`
}

// Commitment is what a member contributes in the period: at most Hours,
// in the skills they offer, at sites no farther than MaxKm from home.
type Commitment struct {
	Hours  float64  `json:"hours"`
	Skills []string `json:"skills"`
	MaxKm  float64  `json:"max_km"`
}

// Tier orders needs: essential before basic before wanted.
type Tier string

const (
	Essential Tier = "essential"
	Basic     Tier = "basic"
	Wanted    Tier = "wanted"
)

// Tiers lists the tiers in the order they are met.
var Tiers = [3]Tier{Essential, Basic, Wanted}

// Need is a quantity of a product wanted by a member (at their cell) or
// by a collective at a site; exactly one of Member and Site is set.
type Need struct {
	ID      string  `json:"id"`
	Member  string  `json:"member,omitempty"`
	Site    string  `json:"site,omitempty"`
	Product string  `json:"product"`
	Qty     float64 `json:"qty"`
	Tier    Tier    `json:"tier"`
}
