package plan

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/world"
	"github.com/commune-org/commune/lp"
)

// shortfalls explains every need that is not fully met by the resource
// that binds it. It follows the need upstream: the sites that may deliver
// to it, the recipes there, and for each recipe its capacity, the hours of
// each skill it needs within reach of the site, and its inputs, recursively.
// Among the binding resources found it names the one whose dual price in
// the tier's max-min stage is largest: the one whose relief would raise
// the tier's floor most. In a tier one of whose stages stopped before
// its optimum (unproved) no resource is proved to bind, and the cause
// is Unproved, unless no plan could reach the need (NoRecipe,
// OutOfReach).
func shortfalls(g *graph, md *model, x []float64, explainBy []*lp.Solution, planned int, unproved [3]bool, alloc []Allocation) []Shortfall {
	w := g.w
	flowsInto := make([][]int, len(g.demands))
	for i, f := range g.flows {
		flowsInto[f.demand] = append(flowsInto[f.demand], i)
	}
	demandOf := make([]int, len(w.Needs))
	for d, dm := range g.demands {
		for _, n := range dm.needs {
			demandOf[n] = d
		}
	}
	explainers := map[*lp.Solution]*explainer{}
	causes := map[int]Cause{}
	reasons := map[int]string{} // by demand node: its needs share one string
	// What the stages may give back is no shortfall. The shortfalls are
	// counted first: on the region of a million members there are
	// millions, and a slice grown by appending copies them again and again.
	short := func(i int) bool { return w.Needs[i].Qty-alloc[i].Qty > 10*md.hold*w.Needs[i].Qty }
	count := 0
	for i := range w.Needs {
		if short(i) {
			count++
		}
	}
	out := make([]Shortfall, 0, count)
	for i, n := range w.Needs {
		if !short(i) {
			continue
		}
		missing := n.Qty - alloc[i].Qty
		d := demandOf[i]
		c, ok := causes[d]
		if !ok && g.demands[d].tier >= planned && len(flowsInto[d]) > 0 {
			c, ok = Cause{Kind: Stopped}, true
			causes[d] = c
		}
		if !ok {
			sol := explainBy[d]
			if explainers[sol] == nil {
				explainers[sol] = newExplainer(g, md, x, sol)
			}
			c = explainers[sol].demand(d, flowsInto[d])
			if unproved[g.demands[d].tier] && c.Kind != NoRecipe && c.Kind != OutOfReach {
				c = Cause{Kind: Unproved}
			}
			causes[d] = c
		}
		reason, ok := reasons[d]
		if !ok {
			reason = c.Message("en")
			reasons[d] = reason
		}
		out = append(out, Shortfall{Need: n.ID, Missing: missing, Reason: reason, Cause: c})
	}
	return out
}

// newExplainer explains the shortfalls of one tier by the solution of its
// max-min stage, where what limits the tier's floor binds (x, the plan's
// final solution, stands in when that stage was not solved).
func newExplainer(g *graph, md *model, x []float64, sol *lp.Solution) *explainer {
	w := g.w
	if sol != nil {
		x = sol.X
	}
	e := &explainer{g: g, md: md, x: x, sol: sol, recipesAt: make([][]int, len(w.Sites)), arcsAt: map[[2]int][]int{}, bySources: map[string]Cause{}, exhausted: map[[2]int]bool{},
		movesInto: map[[2]int][]int{}, made: make([]bool, len(w.Products)), poolUsed: make([]float64, len(g.pools))}
	e.producers = make([][]int, len(w.Products))
	e.makerIx = make([]*geo.Index, len(w.Products))
	for r, rc := range w.Recipes {
		s := g.site[rc.Site]
		e.recipesAt[s] = append(e.recipesAt[s], r)
		for _, p := range sortedKeys(rc.Outputs) {
			pi := g.product[p]
			e.made[pi] = true
			if n := len(e.producers[pi]); n == 0 || e.producers[pi][n-1] != s {
				e.producers[pi] = append(e.producers[pi], s)
			}
		}
	}
	for k := range g.stock {
		e.made[k[1]] = true
	}
	for i, a := range g.labor {
		e.arcsAt[[2]int{a.site, a.skill}] = append(e.arcsAt[[2]int{a.site, a.skill}], i)
		if p := g.nodes[a.node].pool; p >= 0 {
			e.poolUsed[p] += x[md.hours[i]]
		}
	}
	for n, nd := range g.nodes {
		if nd.pool >= 0 && md.pass[n] >= 0 {
			e.poolUsed[nd.pool] += x[md.pass[n]]
		}
	}
	for f, fa := range g.feeds {
		e.poolUsed[fa.pool] += x[md.feed[f]]
	}
	for i, mv := range g.transfers {
		e.movesInto[[2]int{mv.to, mv.product}] = append(e.movesInto[[2]int{mv.to, mv.product}], i)
	}
	return e
}

// slack is how close to its limit a resource must be, relative, to count
// as binding: a little above the solvers' accuracy.
const slack = 1e-5

type explainer struct {
	g         *graph
	md        *model
	x         []float64
	sol       *lp.Solution // the tier's max-min stage, for dual prices
	recipesAt [][]int
	arcsAt    map[[2]int][]int // (site, skill) → labour arcs
	movesInto map[[2]int][]int // (site, product) → transfers
	made      []bool           // by product: some recipe makes it or some site holds it
	poolUsed  []float64
	rows      *lp.CSC // the LP's matrix by rows
	producers [][]int // by product: the sites with a recipe for it
	makerIx   []*geo.Index

	// bySources holds the cause found for a product asked of some sites,
	// in order (see demand): neighbouring needs ask the same nearest
	// sources, and the search behind a cause visits whole supply chains.
	bySources map[string]Cause
	key       []byte
	bound     []int8          // by row: 0 not asked yet, 1 slack, 2 binding
	exhausted map[[2]int]bool // (site, skill) → laborExhausted
}

func (e *explainer) demand(d int, flows []int) Cause {
	g := e.g
	dm := g.demands[d]
	prod := g.w.Products[dm.product]
	if !e.made[dm.product] {
		return Cause{Kind: NoRecipe, Product: prod.ID}
	}
	var sites []int
	for _, f := range flows {
		sites = append(sites, g.flows[f].site)
	}
	if len(sites) == 0 {
		// No site that could run links to the need: ask the nearest
		// ones that make the product why they cannot.
		limit := geo.Unlimited
		if g.service[dm.product] {
			limit = prod.ReachKm
		}
		for _, nb := range e.makers(dm.product).Nearest(dm.pt, g.net.Sources, limit) {
			sites = append(sites, e.producers[dm.product][nb.I])
		}
		if len(sites) == 0 {
			return Cause{Kind: OutOfReach, Product: prod.ID, Km: prod.ReachKm, Place: e.place(dm)}
		}
	}
	// From here on the cause depends on the product and the sites asked,
	// in their order, alone: the search begins afresh for each need.
	e.key = binary.AppendUvarint(e.key[:0], uint64(dm.product))
	for _, s := range sites {
		e.key = binary.AppendUvarint(e.key, uint64(s))
	}
	if c, ok := e.bySources[string(e.key)]; ok {
		return c
	}
	best, bestScore := Cause{Kind: Shared}, -1.0
	seen := map[[2]int]bool{}
	for _, s := range sites {
		if c, score, ok := e.supply(s, dm.product, 0, seen); ok && score > bestScore {
			best, bestScore = c, score
		}
	}
	e.bySources[string(e.key)] = best
	return best
}

// makers is an index of the sites with a recipe for product p, whether
// or not it can run.
func (e *explainer) makers(p int) *geo.Index {
	if e.makerIx[p] == nil {
		pts := make([]geo.Point, len(e.producers[p]))
		for i, s := range e.producers[p] {
			pts[i] = e.g.sitePt[s]
		}
		e.makerIx[p] = geo.NewIndex(pts)
	}
	return e.makerIx[p]
}

func (e *explainer) place(dm demand) string {
	if dm.site >= 0 {
		return e.siteCell(dm.site)
	}
	return dm.cell
}

func (e *explainer) siteCell(s int) string {
	return geo.Encode(e.g.sitePt[s].Lat, e.g.sitePt[s].Lon, 5)
}

// dual is the price of a row (or, for a column at its bound, its reduced
// cost) in the tier's max-min stage.
func (e *explainer) dual(row int) float64 {
	if e.sol == nil || row < 0 {
		return 0
	}
	return math.Abs(e.sol.RowDual[row])
}

// supply finds what binds product p at site s: the recipes there and
// the goods moved in.
func (e *explainer) supply(s, p, depth int, seen map[[2]int]bool) (Cause, float64, bool) {
	if seen[[2]int{s, p}] || depth > 4 {
		return Cause{}, 0, false
	}
	seen[[2]int{s, p}] = true
	g, w := e.g, e.g.w
	pid := w.Products[p].ID
	var best Cause
	bestScore, found := -1.0, false
	offer := func(c Cause, score float64) {
		if score > bestScore {
			best, bestScore, found = c, score, true
		}
	}
	for _, r := range e.recipesAt[s] {
		rc := &w.Recipes[r]
		if _, ok := rc.Outputs[pid]; !ok {
			continue
		}
		j := e.md.runs[r]
		if rc.MaxRuns != nil && e.x[j] >= *rc.MaxRuns*(1-slack) {
			score := 0.0
			if e.sol != nil {
				score = math.Abs(e.sol.ReducedCost[j])
			}
			offer(Cause{Kind: Capacity, Recipe: rc.ID, Site: w.Sites[s].ID}, score)
		}
		for _, k := range sortedKeys(rc.Labor) {
			ki := g.skill[k]
			if e.laborExhausted(s, ki) {
				offer(Cause{Kind: LaborShort, Skill: k, Site: w.Sites[s].ID, Place: e.siteCell(s)}, e.dual(e.md.labourRow[[2]int{s, ki}]))
			}
		}
		for _, in := range sortedKeys(rc.Inputs) {
			i := g.product[in]
			row, ok := e.md.balanceRow[[2]int{s, i}]
			if !ok || !e.binding(row) {
				continue
			}
			if c, score, ok := e.upstream(s, i, depth, seen); ok {
				offer(c, math.Max(score, e.dual(row)))
			} else {
				offer(Cause{Kind: InputShort, Product: in, Site: w.Sites[s].ID}, e.dual(row))
			}
		}
	}
	if !found && !g.service[p] {
		// Nothing made here binds: the site passes on goods it holds or
		// receives.
		if c, score, ok := e.upstream(s, p, depth, seen); ok {
			offer(c, score)
		} else if row, ok := e.md.balanceRow[[2]int{s, p}]; ok && e.binding(row) {
			offer(Cause{Kind: InputShort, Product: pid, Site: w.Sites[s].ID}, e.dual(row))
		}
	}
	return best, bestScore, found
}

// upstream looks for what binds product p at site s among the recipes
// there and the sites that move p to s.
func (e *explainer) upstream(s, p, depth int, seen map[[2]int]bool) (Cause, float64, bool) {
	var best Cause
	bestScore, found := -1.0, false
	try := func(c Cause, score float64, ok bool) {
		if ok && score > bestScore {
			best, bestScore, found = c, score, true
		}
	}
	try(e.supply(s, p, depth+1, seen))
	for _, m := range e.movesInto[[2]int{s, p}] {
		try(e.supply(e.g.transfers[m].from, p, depth+1, seen))
	}
	return best, bestScore, found
}

// binding reports whether a balance row has no slack left (once a row:
// the searches of many needs ask the same rows).
func (e *explainer) binding(row int) bool {
	if e.rows == nil {
		e.rows = e.md.m.Matrix().Transpose()
		e.bound = make([]int8, e.rows.Cols)
	}
	if e.bound[row] == 0 {
		e.bound[row] = 1
		if e.rowBinding(row) {
			e.bound[row] = 2
		}
	}
	return e.bound[row] == 2
}

func (e *explainer) rowBinding(row int) bool {
	a := e.rows
	v := 0.0
	scale := math.Abs(e.md.m.RowLower[row])
	for k := a.Start[row]; k < a.Start[row+1]; k++ {
		t := a.Val[k] * e.x[a.Ind[k]]
		v += t
		scale = math.Max(scale, math.Abs(t))
	}
	return v-e.md.m.RowLower[row] <= slack*(1+scale)
}

// laborExhausted reports whether no more hours of skill k can come to
// site s: no pool reaches it, or every pool that does (those feeding the
// node of an arc to it, or a node farther out in the node's chain) has
// given all its hours.
func (e *explainer) laborExhausted(s, k int) bool {
	key := [2]int{s, k}
	v, ok := e.exhausted[key]
	if !ok {
		v = e.noHoursLeft(s, k)
		e.exhausted[key] = v
	}
	return v
}

func (e *explainer) noHoursLeft(s, k int) bool {
	nodes := e.g.nodes
	for _, i := range e.arcsAt[[2]int{s, k}] {
		for n := e.g.labor[i].node; ; n-- {
			for _, pl := range nodes[n].pools {
				if e.poolUsed[pl] < e.g.pools[pl].hours*(1-slack) {
					return false
				}
			}
			if n == 0 || nodes[n-1].inner != n {
				break
			}
		}
	}
	return true
}

// Message says the cause in English ("en") or Spanish ("es"), naming
// products and skills by their ids, as the plan file's reason does.
func (c Cause) Message(lang string) string { return c.Named(lang, nil) }

// Named says the cause in English ("en") or Spanish ("es"), naming
// products and skills as w names them in that language (a Spanish reader
// sees "faltan horas de Cocina", not "faltan horas de cook"), else in
// English, as the web's pages do, and by their ids when w is nil or
// names them in neither.
func (c Cause) Named(lang string, w *world.World) string {
	es := lang == "es"
	product, skill := c.Product, c.Skill
	if w != nil {
		for _, p := range w.Products {
			if p.ID == c.Product {
				product = nameIn(p.Name, lang, p.ID)
			}
		}
		for _, k := range w.Skills {
			if k.ID == c.Skill {
				skill = nameIn(k.Name, lang, k.ID)
			}
		}
	}
	switch c.Kind {
	case NoRecipe:
		if es {
			return fmt.Sprintf("ninguna receta produce el producto %q", product)
		}
		return fmt.Sprintf("no recipe produces product %q", product)
	case OutOfReach:
		if es {
			return fmt.Sprintf("ningún sitio ofrece %s a menos de %g km de %s", product, c.Km, c.Place)
		}
		return fmt.Sprintf("no site offers %s within %g km of %s", product, c.Km, c.Place)
	case LaborShort:
		if es {
			return fmt.Sprintf("faltan horas de %s al alcance de %s (sitio %s)", skill, c.Place, c.Site)
		}
		return fmt.Sprintf("not enough %s hours within reach of %s (site %s)", skill, c.Place, c.Site)
	case Capacity:
		if es {
			return fmt.Sprintf("la receta %s del sitio %s está a plena capacidad", c.Recipe, c.Site)
		}
		return fmt.Sprintf("recipe %s at site %s at capacity", c.Recipe, c.Site)
	case InputShort:
		if es {
			return fmt.Sprintf("falta el insumo %s en el sitio %s", product, c.Site)
		}
		return fmt.Sprintf("input %s short at site %s", product, c.Site)
	case Stopped:
		if es {
			return "sin planificar: un límite de iteraciones o de tiempo detuvo al planificador antes de este nivel"
		}
		return "not planned: an iteration or time limit stopped the planner before this tier"
	case Unproved:
		if es {
			return "sin causa probada: una etapa de su nivel se detuvo en un límite antes de su óptimo, y quizá pueda recibir más"
		}
		return "no cause proved: a stage of its tier stopped at a limit before its optimum, and it may get more"
	}
	if es {
		return "los recursos se reparten por igual con otras necesidades del mismo nivel"
	}
	return "resources shared fairly with other needs of the same tier"
}

// nameIn is a thing's name in lang, else in English, else its id.
func nameIn(n world.Names, lang, id string) string {
	if s := n[lang]; s != "" {
		return s
	}
	if s := n["en"]; s != "" {
		return s
	}
	return id
}
