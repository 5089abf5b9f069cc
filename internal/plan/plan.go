package plan

import (
	"github.com/commune-org/commune/internal/world"
)

// Format is the value of the "format" field of a plan file.
const Format = "commune.plan/v1"

// Plan is the result of planning a world, as in the plan file v1.
type Plan struct {
	Format      string             `json:"format"`
	World       Counts             `json:"world"`
	Status      string             `json:"status"`
	Tiers       Tiers              `json:"tiers"`
	Labor       LaborSummary       `json:"labor"`
	Production  []Production       `json:"production"`
	Assignments []Assignment       `json:"assignments"`
	Flows       []Flow             `json:"flows"`
	Transfers   []Transfer         `json:"transfers"`
	Allocations []Allocation       `json:"allocations"`
	LaborValues map[string]float64 `json:"labor_values"`
	Shortfalls  []Shortfall        `json:"shortfalls"`
	Solver      SolverInfo         `json:"solver"`
	// Stopped are the stages that ended at a limit of iterations or
	// time, or stalled, before their optimum, in the order solved; the
	// plan then keeps every rule but may give less than possible, and
	// its Status is "feasible". It is not part of the plan file, whose
	// status and stages' status say so of the stages whose point the
	// plan uses.
	Stopped []StoppedStage `json:"-"`
}

// StoppedStage is a stage that stopped before its optimum: its name, as
// in Stage, and why, as lp.Status says it ("time_limit",
// "iteration_limit", "stalled").
type StoppedStage struct {
	Stage  string
	Status string
}

// Counts sizes the world a plan was made from.
type Counts struct {
	Members  int `json:"members"`
	Sites    int `json:"sites"`
	Products int `json:"products"`
	Recipes  int `json:"recipes"`
	Needs    int `json:"needs"`
}

// Tiers holds the coverage of each tier.
type Tiers struct {
	Essential TierResult `json:"essential"`
	Basic     TierResult `json:"basic"`
	Wanted    TierResult `json:"wanted"`
}

// Of returns the result of tier t.
func (ts *Tiers) Of(t world.Tier) *TierResult {
	switch t {
	case world.Essential:
		return &ts.Essential
	case world.Basic:
		return &ts.Basic
	}
	return &ts.Wanted
}

// TierResult is how far a tier's needs are met. MinCoverage is the
// smallest allocated/qty over the tier's needs (1 for a tier without
// needs).
type TierResult struct {
	Needed      float64 `json:"needed"`
	Met         float64 `json:"met"`
	MinCoverage float64 `json:"min_coverage"`
}

// LaborSummary compares the hours committed with the hours assigned.
type LaborSummary struct {
	CommittedHours float64 `json:"committed_hours"`
	AssignedHours  float64 `json:"assigned_hours"`
}

// Production is how many times a recipe runs in the period.
type Production struct {
	Recipe string  `json:"recipe"`
	Runs   float64 `json:"runs"`
}

// Assignment is work for one member at one site in one skill.
type Assignment struct {
	Member string  `json:"member"`
	Site   string  `json:"site"`
	Skill  string  `json:"skill"`
	Hours  float64 `json:"hours"`
}

// Flow delivers a product from a site to a need.
type Flow struct {
	Product string  `json:"product"`
	From    string  `json:"from"`
	ToNeed  string  `json:"to_need"`
	Qty     float64 `json:"qty"`
	Km      float64 `json:"km"`
}

// Transfer moves a good between two sites.
type Transfer struct {
	Product string  `json:"product"`
	From    string  `json:"from"`
	To      string  `json:"to"`
	Qty     float64 `json:"qty"`
	Km      float64 `json:"km"`
}

// Allocation is what a need receives in total.
type Allocation struct {
	Need string  `json:"need"`
	Qty  float64 `json:"qty"`
}

// Shortfall explains a need that is not fully met. Reason is in English;
// Cause says the same in fields, so that a user interface can say it in
// any language (an extension of the plan file v1).
type Shortfall struct {
	Need    string  `json:"need"`
	Missing float64 `json:"missing"`
	Reason  string  `json:"reason"`
	Cause   Cause   `json:"cause"`
}

// CauseKind names what limits a need.
type CauseKind string

const (
	// NoRecipe: nothing produces the product and no site holds it.
	NoRecipe CauseKind = "no-recipe"
	// OutOfReach: no site offering the service is within its reach of the
	// need's place.
	OutOfReach CauseKind = "out-of-reach"
	// LaborShort: not enough hours of Skill within reach of Site.
	LaborShort CauseKind = "labor"
	// Capacity: Recipe at Site runs at its max_runs.
	Capacity CauseKind = "capacity"
	// InputShort: the input Product is short at Site.
	InputShort CauseKind = "input"
	// Shared: the resources that limit this need are fully used by
	// other needs of the same tier at the fair share.
	Shared CauseKind = "shared"
	// Stopped: the planner stopped before the need's tier (a stage ran out
	// of its iterations or time without a point that keeps the rules),
	// and the tier's needs got nothing. A need no site links to is
	// explained as in a planned tier (NoRecipe, OutOfReach, ...): no plan
	// would reach it.
	Stopped CauseKind = "stopped"
	// Unproved: a stage of the need's tier stopped before its optimum
	// (Plan.Stopped), so the plan may give the need less than it could,
	// and no resource is proved to bind it. A need nothing could reach
	// keeps its own cause (NoRecipe, OutOfReach).
	Unproved CauseKind = "unproved"
)

// Cause is the binding resource behind a shortfall; the fields that do
// not apply to its kind are empty.
type Cause struct {
	Kind    CauseKind `json:"kind"`
	Product string    `json:"product,omitempty"`
	Skill   string    `json:"skill,omitempty"`
	Site    string    `json:"site,omitempty"`
	Recipe  string    `json:"recipe,omitempty"`
	Place   string    `json:"place,omitempty"` // a geohash cell
	Km      float64   `json:"km,omitempty"`
}

// SolverInfo says which solver made the plan and how big its LPs were.
// Pools, Demands and Stages extend the plan file v1.
type SolverInfo struct {
	Name     string  `json:"name"`
	Rows     int     `json:"rows"`
	Cols     int     `json:"cols"`
	Nonzeros int     `json:"nonzeros"`
	Seconds  float64 `json:"seconds"`
	// Pools and Demands are how many labour pools the members formed and
	// how many demand nodes the needs.
	Pools   int     `json:"pools,omitempty"`
	Demands int     `json:"demands,omitempty"`
	Stages  []Stage `json:"stages,omitempty"`
}

// Stage is one LP of the lexicographic sequence. Rows, Cols and
// Nonzeros are the size of the LP the built-in solver iterated on, after
// its presolve (zero from an external solver): a tier's stages leave the
// later tiers out (model.openTiers).
type Stage struct {
	Name       string  `json:"name"` // "essential/maxmin", "basic/total", "cost", ...
	Objective  float64 `json:"objective"`
	Iterations int     `json:"iterations"`
	Seconds    float64 `json:"seconds"`
	Rows       int     `json:"rows,omitempty"`
	Cols       int     `json:"cols,omitempty"`
	Nonzeros   int     `json:"nonzeros,omitempty"`
	// Status is empty for a stage solved to its optimum; for one stopped
	// at a limit ("iteration_limit", "time_limit") or stalled ("stalled")
	// at a point that keeps the rules, it says so, and Objective is that
	// point's.
	Status string `json:"status,omitempty"`
}
