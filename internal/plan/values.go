package plan

import (
	"maps"
	"math"
	"slices"

	"github.com/commune-org/commune/internal/world"
)

// laborValues computes the hours of work embodied in one unit of each
// product the plan produces: v = l + Aᵀv, where l[p] is the direct labour
// per unit of p and A[i][p] the units of input i per unit of p, both
// averaged over the runs of the recipes that produce p in this plan. A
// recipe with several outputs shares its labour and inputs among them in
// proportion to the units it yields. Products the plan does not produce
// (taken from stock, or not at all) carry no labour of this period.
//
// The system is solved by Gauss–Seidel sweeps over the sparse recipe
// graph, not by inverting I − Aᵀ: for an economy that produces more than
// it consumes the iteration converges (the spectral radius of A is below
// one), and on a chain without cycles it is exact after as many sweeps as
// the chain is long.
func laborValues(w *world.World, prod []Production) map[string]float64 {
	l, a := valueSystem(w, prod)
	v := make(map[string]float64, len(l))
	order := slices.Sorted(maps.Keys(l)) // the same sums on every run
	inputs := make([][]string, len(order))
	for k, p := range order {
		v[p] = 0
		inputs[k] = slices.Sorted(maps.Keys(a[p]))
	}
	for sweep := 0; sweep < 10000; sweep++ {
		change := 0.0
		for k, p := range order {
			nv := l[p]
			for _, i := range inputs[k] {
				nv += a[p][i] * v[i]
			}
			change = math.Max(change, math.Abs(nv-v[p])/(1+math.Abs(nv)))
			v[p] = nv
		}
		if change < 1e-13 {
			return v
		}
	}
	// No convergence: some products take part in, or draw on, a cycle
	// of recipes that uses up more than it makes (possible when a stock
	// feeds it). Their labour is not a finite number of hours: leave
	// them out.
	for p, x := range v {
		if math.IsInf(x, 0) || math.IsNaN(x) || x > 1e12 {
			delete(v, p)
		}
	}
	return v
}

// valueSystem returns l (direct hours per unit) and A (inputs per unit,
// a[p][i] = units of i in one unit of p) over the products the plan makes.
func valueSystem(w *world.World, prod []Production) (l map[string]float64, a map[string]map[string]float64) {
	recipes := make(map[string]*world.Recipe, len(w.Recipes))
	for i := range w.Recipes {
		recipes[w.Recipes[i].ID] = &w.Recipes[i]
	}
	made := map[string]float64{}
	l = map[string]float64{}
	a = map[string]map[string]float64{}
	for _, pr := range prod {
		r := recipes[pr.Recipe]
		if r == nil || pr.Runs <= 0 {
			continue
		}
		units, hours := 0.0, 0.0
		outs := sortedKeys(r.Outputs)
		for _, p := range outs {
			units += r.Outputs[p]
		}
		for _, k := range sortedKeys(r.Labor) {
			hours += r.Labor[k]
		}
		for _, p := range outs {
			q := r.Outputs[p]
			share := pr.Runs * q / units // this output's share of the runs
			made[p] += pr.Runs * q
			l[p] += share * hours
			if a[p] == nil {
				a[p] = map[string]float64{}
			}
			for i, qi := range r.Inputs {
				a[p][i] += share * qi
			}
		}
	}
	for p, n := range made {
		l[p] /= n
		for i := range a[p] {
			a[p][i] /= n
		}
	}
	return l, a
}
