package lp_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/commune-org/commune/lp"
)

// A kitchen makes meals from rice and beans; a bakery makes bread from
// flour. Each product needs cook hours, of which there are 40. Make as much
// food value as possible.
func ExampleSolve() {
	m := &lp.Model{}
	meals := m.AddCol("meals", 0, lp.Inf, -3) // maximise: negate the value
	bread := m.AddCol("bread", 0, lp.Inf, -2)
	m.AddRow("cook-hours", -lp.Inf, 40, []int{meals, bread}, []float64{0.5, 0.25})
	m.AddRow("rice", -lp.Inf, 50, []int{meals}, []float64{1})
	m.AddRow("flour", -lp.Inf, 100, []int{bread}, []float64{1})

	sol, err := lp.Solve(context.Background(), m, lp.Options{Tolerance: 1e-8})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: meals %.2f, bread %.2f, value %.2f\n", sol.Status, sol.X[meals], sol.X[bread], -sol.Objective)
	fmt.Printf("an extra cook hour is worth %.2f\n", -sol.RowDual[0])
	// Output:
	// optimal: meals 30.00, bread 100.00, value 290.00
	// an extra cook hour is worth 6.00
}

func ExampleReadMPS() {
	const text = `NAME tiny
ROWS
 N cost
 G demand
COLUMNS
 x cost 2 demand 1
 y cost 3 demand 1
RHS
 rhs demand 10
BOUNDS
 UP bnd x 4
ENDATA
`
	m, err := lp.ReadMPS(strings.NewReader(text))
	if err != nil {
		fmt.Println(err)
		return
	}
	sol, _ := lp.Solve(context.Background(), m, lp.Options{Tolerance: 1e-8})
	fmt.Printf("x %.2f, y %.2f, cost %.2f\n", sol.X[0], sol.X[1], sol.Objective)
	// Output: x 4.00, y 6.00, cost 26.00
}

func ExampleMeasure() {
	m := &lp.Model{}
	x := m.AddCol("x", 0, 10, 1)
	m.AddRow("r", 5, lp.Inf, []int{x}, []float64{1})
	r := lp.Measure(m, []float64{4}, nil)
	fmt.Printf("row violated by %.0f, relative %.3f\n", r.MaxRowViol, r.Primal)
	// Output: row violated by 1, relative 0.167
}
