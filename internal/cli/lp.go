package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/commune-org/commune/lp"
)

func (c *command) lp(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "solve" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(c.stdout, c.t(msgLPUsage))
			return nil
		}
		return usageError{c.t(msgLPUsage)}
	}
	return c.lpSolve(ctx, args[1:])
}

// lpReport is the --json output of lp solve, a contract for scripts.
type lpReport struct {
	Status         string  `json:"status"`
	Objective      float64 `json:"objective"`
	Iterations     int     `json:"iterations"`
	Seconds        float64 `json:"seconds"`
	PrimalResidual float64 `json:"primal_residual"`
	DualResidual   float64 `json:"dual_residual"`
	Gap            float64 `json:"gap"`
	Rows           int     `json:"rows"`
	Cols           int     `json:"cols"`
	Nonzeros       int     `json:"nonzeros"`
	Solver         string  `json:"solver"`
}

var statusES = map[lp.Status]string{
	lp.Optimal: "óptimo", lp.Infeasible: "infactible", lp.Unbounded: "no acotado",
	lp.IterationLimit: "límite de iteraciones", lp.TimeLimit: "límite de tiempo", lp.Unsolved: "sin resolver",
	lp.Stalled: "sin progreso",
}

func (c *command) lpSolve(ctx context.Context, args []string) error {
	fs := c.flags("lp solve", msgLPSolveUsage)
	asJSON := fs.Bool("json", false, c.t(msgFlagLPJSON))
	tol := fs.Float64("tol", 1e-6, c.t(msgFlagTol))
	limit := fs.Duration("time-limit", 60*time.Second, c.t(msgFlagLPLimit))
	solverName := fs.String("solver", "builtin", c.t(msgFlagLPSolver))
	method := fs.String("method", "", c.t(msgFlagLPMethod))
	repair := fs.Bool("repair", false, c.t(msgFlagLPRepair))
	quiet := fs.Bool("quiet", false, c.t(msgFlagQuiet))
	pos, err := parse(fs, args)
	if err != nil {
		return c.flagError(err)
	}
	if len(pos) != 1 {
		return usageError{c.t(msgOneFile, len(pos))}
	}
	if *limit < 0 {
		return usageError{c.t(msgPlanNegative, "time-limit", *limit)}
	}
	if !(*tol > 0 && *tol < 1) {
		return usageError{c.t(msgTolerance, *tol)}
	}
	var solver lp.Solver
	var builtinMethod lp.Method
	switch *solverName {
	case "builtin":
		solver = lp.Builtin{}
		if builtinMethod, err = lp.ParseMethod(*method); err != nil {
			return usageError{c.t(msgUnknownMethod, *method)}
		}
	case "clp", "glpk", "highs":
		if solver, err = c.external(*solverName, *method); err != nil {
			return err
		}
	default:
		return usageError{c.t(msgUnknownSolver, *solverName)}
	}
	if err := c.checkInput(pos[0]); err != nil {
		return err
	}
	stdin := os.Stdin
	m, err := interruptible(ctx, func() (*lp.Model, error) {
		if pos[0] == "-" {
			return lp.ReadMPS(stdin)
		}
		return lp.ReadMPSFile(pos[0])
	})
	if ctx.Err() != nil {
		return interruptedError{c.t(msgInterrupted)}
	}
	if err != nil {
		var me *lp.MPSError
		if errors.As(err, &me) {
			return usageError{c.mpsError(pos[0], me)}
		}
		return c.inputError(pos[0], err)
	}
	opt := lp.Options{Tolerance: *tol, TimeLimit: *limit, Method: builtinMethod, Repair: *repair}
	if !*quiet {
		opt.Progress = func(p lp.Progress) { fmt.Fprintln(c.stderr, p) }
	}
	sol, err := solver.Solve(ctx, m, opt)
	if ctx.Err() != nil {
		return interruptedError{c.t(msgInterrupted)}
	}
	if sol == nil {
		return err
	}
	rep := lpReport{
		Status: sol.Status.String(), Objective: sol.Objective, Iterations: sol.Iterations,
		Seconds: sol.Time.Seconds(), PrimalResidual: sol.PrimalResidual, DualResidual: sol.DualResidual,
		Gap: sol.Gap, Rows: m.NumRows(), Cols: m.NumCols(), Nonzeros: m.NumNonzeros(), Solver: solver.Name(),
	}
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		status := rep.Status
		if c.cfg.Lang == "es" {
			status = statusES[sol.Status]
		}
		fmt.Fprintf(c.stdout, c.t(msgReport), status, rep.Objective, rep.Iterations, rep.Seconds,
			rep.PrimalResidual, rep.DualResidual, rep.Gap, rep.Rows, rep.Cols, rep.Nonzeros, rep.Solver)
	}
	if err != nil {
		return errors.New(c.t(msgNotOptimal, pos[0], err))
	}
	return nil
}
