package lp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// External runs a solver program installed on the machine: it writes the
// model as free MPS into a temporary directory, runs the program, and
// reads its solution file back into a Solution of the model.
type External struct {
	// Program is "clp", "glpk" or "highs".
	Program string
	// Method selects the algorithm where the program offers a choice:
	// for CLP "dual" (dual simplex, the default), "primal" or "barrier".
	Method string
	// Path overrides where the binary is found; by default it is looked
	// up on PATH (clp, glpsol, highs).
	Path string
}

// ErrNotInstalled means an external solver's program was not found.
var ErrNotInstalled = errors.New("lp: solver program not installed")

var externalBinaries = map[string]string{"clp": "clp", "glpk": "glpsol", "highs": "highs"}

// Name returns the program name, with the method when one was chosen.
func (e External) Name() string {
	if e.Method != "" {
		return e.Program + "-" + e.Method
	}
	return e.Program
}

// Available reports whether the program can be run.
func (e External) Available() bool {
	_, err := e.binary()
	return err == nil
}

func (e External) binary() (string, error) {
	if e.Path != "" {
		return e.Path, nil
	}
	name, ok := externalBinaries[e.Program]
	if !ok {
		return "", fmt.Errorf("lp: unknown external solver %q (want clp, glpk or highs)", e.Program)
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%w: %s", ErrNotInstalled, name)
	}
	return p, nil
}

// Solve writes m, runs the program and reads its answer. Time is the wall
// time of the program alone, not of writing and reading files. Tolerance
// is passed on where the program takes one; IterationLimit is ignored.
func (e External) Solve(ctx context.Context, m *Model, opt Options) (*Solution, error) {
	bin, err := e.binary()
	if err != nil {
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "commune-lp-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	// Generated names keep every program's parser on familiar ground.
	plain := *m
	plain.Name, plain.RowNames, plain.ColNames = "MODEL", nil, nil
	mps := filepath.Join(dir, "model.mps")
	f, err := os.Create(mps)
	if err != nil {
		return nil, err
	}
	if err := WriteMPS(f, &plain); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	solFile := filepath.Join(dir, "solution.txt")
	args, err := e.args(mps, solFile, opt)
	if err != nil {
		return nil, err
	}
	if opt.TimeLimit > 0 {
		var cancel context.CancelFunc
		// A grace period beyond the program's own limit, then kill.
		ctx, cancel = context.WithTimeout(ctx, opt.TimeLimit+10*time.Second)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	runErr := cmd.Run()
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		return &Solution{Status: TimeLimit, Solver: e.Name(), Time: elapsed}, fmt.Errorf("%s: %w", e.Name(), ErrTimeLimit)
	}
	sol := &Solution{Solver: e.Name(), Time: elapsed}
	sol.X = make([]float64, m.NumCols())
	sol.RowDual = make([]float64, m.NumRows())
	switch e.Program {
	case "clp":
		err = readCLPSolution(solFile, out.String(), sol)
	case "glpk":
		err = readGLPKSolution(solFile, out.String(), sol)
	case "highs":
		err = readHiGHSSolution(solFile, sol)
	}
	if err != nil {
		if runErr != nil {
			return nil, fmt.Errorf("%s: %v: %s", e.Name(), runErr, lastLines(out.String(), 5))
		}
		return nil, fmt.Errorf("%s: %w", e.Name(), err)
	}
	sol.fill(m)
	if err := sol.Status.Err(); err != nil {
		return sol, fmt.Errorf("%s: %w", e.Name(), err)
	}
	return sol, nil
}

// ExternalMethods are the methods (External.Method) each external
// program offers, its default first.
var ExternalMethods = map[string][]string{
	"clp":   {"dual", "primal", "barrier"},
	"glpk":  {"simplex", "interior"},
	"highs": {"simplex", "ipm", "pdlp"},
}

// methodError is the error of a method the program does not offer.
func (e External) methodError() error {
	return fmt.Errorf("lp: %s method %q: want %s", e.Program, e.Method, strings.Join(ExternalMethods[e.Program], ", "))
}

func (e External) args(mps, sol string, opt Options) ([]string, error) {
	switch e.Program {
	case "clp":
		a := []string{mps}
		if opt.TimeLimit > 0 {
			a = append(a, "-sec", strconv.FormatFloat(opt.TimeLimit.Seconds(), 'f', 1, 64))
		}
		switch e.Method {
		case "", "dual":
			a = append(a, "-dualS")
		case "primal":
			a = append(a, "-primalS")
		case "barrier":
			a = append(a, "-barrier")
		default:
			return nil, e.methodError()
		}
		return append(a, "-printingOptions", "all", "-solution", sol), nil
	case "glpk":
		a := []string{"--freemps", mps, "-w", sol}
		if opt.TimeLimit > 0 {
			a = append(a, "--tmlim", strconv.Itoa(int(math.Ceil(opt.TimeLimit.Seconds()))))
		}
		switch e.Method {
		case "", "simplex":
		case "interior":
			a = append(a, "--interior")
		default:
			return nil, e.methodError()
		}
		return a, nil
	case "highs":
		a := []string{"--model_file", mps, "--solution_file", sol}
		if opt.TimeLimit > 0 {
			a = append(a, "--time_limit", strconv.FormatFloat(opt.TimeLimit.Seconds(), 'f', 1, 64))
		}
		switch e.Method {
		case "":
		case "simplex", "ipm", "pdlp":
			a = append(a, "--solver", e.Method)
		default:
			return nil, e.methodError()
		}
		return a, nil
	}
	return nil, fmt.Errorf("lp: unknown external solver %q", e.Program)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " / ")
}

// readCLPSolution reads the file CLP writes with -printingOptions all
// -solution: a status line, then one line per row (index, name, activity,
// dual) and one per column (index, name, value, reduced cost). CLP prints
// eight significant digits and offers no more, so the residuals measured
// on its solution are about 1e-5 even when it solved exactly.
func readCLPSolution(path, output string, sol *Solution) error {
	data, err := os.ReadFile(path)
	if err != nil {
		if strings.Contains(output, "infeasible") || strings.Contains(output, "Infeasible") {
			sol.Status = Infeasible
			return nil
		}
		return fmt.Errorf("no solution file: %s", lastLines(output, 3))
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() {
		return errors.New("empty solution file")
	}
	head := strings.ToLower(sc.Text())
	switch {
	case strings.HasPrefix(head, "optimal"):
		sol.Status = Optimal
	case strings.Contains(head, "infeasible"):
		sol.Status = Infeasible
	case strings.Contains(head, "unbounded"):
		sol.Status = Unbounded
	case strings.Contains(head, "stopped on time"):
		sol.Status = TimeLimit
	case strings.Contains(head, "stopped on iterations"):
		sol.Status = IterationLimit
	default:
		return fmt.Errorf("unknown status line %q", sc.Text())
	}
	m, n := len(sol.RowDual), len(sol.X)
	k := 0
	for sc.Scan() {
		f := strings.Fields(strings.ReplaceAll(sc.Text(), "**", ""))
		if len(f) < 4 {
			continue
		}
		v, err1 := strconv.ParseFloat(f[2], 64)
		d, err2 := strconv.ParseFloat(f[3], 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("solution line %d: %q", k+2, sc.Text())
		}
		switch {
		case k < m:
			sol.RowDual[k] = d
		case k < m+n:
			sol.X[k-m] = v
		}
		k++
	}
	if k != m+n {
		return fmt.Errorf("solution has %d lines for %d rows and %d columns", k, m, n)
	}
	return nil
}

// readGLPKSolution reads GLPK's raw solution format (glpsol -w): an "s"
// line with the status, then "i" lines for rows and "j" lines for columns.
// When glpsol's presolver decides the problem has no solution the file says
// nothing useful, and the verdict is in its output.
func readGLPKSolution(path, output string, sol *Solution) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	defer func() {
		switch {
		case sol.Status != Unsolved:
		case strings.Contains(output, "HAS NO PRIMAL FEASIBLE SOLUTION"):
			sol.Status = Infeasible
		case strings.Contains(output, "HAS NO DUAL FEASIBLE SOLUTION"):
			sol.Status = Unbounded
		case strings.Contains(output, "TIME LIMIT EXCEEDED"):
			sol.Status = TimeLimit
		}
	}()
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "s":
			if len(f) < 7 {
				return fmt.Errorf("bad status line %q", line)
			}
			switch {
			case f[4] == "f" && f[5] == "f":
				sol.Status = Optimal
			case f[4] == "n" || f[4] == "i":
				sol.Status = Infeasible
			case f[5] == "n" || f[5] == "i":
				sol.Status = Unbounded
			default:
				sol.Status = Unsolved
			}
		case "i", "j":
			if len(f) < 5 {
				return fmt.Errorf("bad line %q", line)
			}
			idx, err := strconv.Atoi(f[1])
			if err != nil {
				return fmt.Errorf("bad line %q", line)
			}
			v, err1 := strconv.ParseFloat(f[3], 64)
			d, err2 := strconv.ParseFloat(f[4], 64)
			if err1 != nil || err2 != nil {
				return fmt.Errorf("bad line %q", line)
			}
			if f[0] == "i" {
				// glpsol drops the objective row when reading MPS.
				if idx >= 1 && idx-1 < len(sol.RowDual) {
					sol.RowDual[idx-1] = d
				}
			} else if idx >= 1 && idx-1 < len(sol.X) {
				sol.X[idx-1] = v
			}
		}
	}
	return nil
}

// readHiGHSSolution reads the solution file HiGHS writes with
// --solution_file: "Model status", then primal and dual values by
// "# Columns N" and "# Rows N" blocks.
func readHiGHSSolution(path string, sol *Solution) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	lines := strings.Split(string(data), "\n")
	section := ""
	block, idx := "", 0
	for k := 0; k < len(lines); k++ {
		line := strings.TrimSpace(lines[k])
		switch {
		case line == "Model status" && k+1 < len(lines):
			st := strings.ToLower(strings.TrimSpace(lines[k+1]))
			switch {
			case st == "optimal":
				sol.Status = Optimal
			case strings.Contains(st, "infeasible"):
				sol.Status = Infeasible
			case strings.Contains(st, "unbounded"):
				sol.Status = Unbounded
			case strings.Contains(st, "time limit"):
				sol.Status = TimeLimit
			case strings.Contains(st, "iteration limit"):
				sol.Status = IterationLimit
			}
			k++
		case line == "# Primal solution values":
			section = "primal"
		case line == "# Dual solution values":
			section = "dual"
		case strings.HasPrefix(line, "# Columns"):
			block, idx = "cols", 0
		case strings.HasPrefix(line, "# Rows"):
			block, idx = "rows", 0
		case strings.HasPrefix(line, "#") || line == "":
			block = ""
		default:
			f := strings.Fields(line)
			if block == "" || len(f) != 2 {
				continue
			}
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				return fmt.Errorf("bad value line %q", line)
			}
			switch {
			case section == "primal" && block == "cols" && idx < len(sol.X):
				sol.X[idx] = v
			case section == "dual" && block == "rows" && idx < len(sol.RowDual):
				sol.RowDual[idx] = v
			}
			idx++
		}
	}
	return nil
}
