// Command netlib solves the Netlib LP set with the built-in solver and
// with CLP, and writes a table of the results into docs/BENCHMARKS.md,
// between the markers <!-- netlib:begin --> and <!-- netlib:end -->.
//
//	go run ./bench/netlib [-limit 60s] [-only afiro,blend] [-data ../shared/data/netlib] [-out docs/BENCHMARKS.md]
//
// A problem passes when the built-in solver's objective is within 1e-6 of
// the reference optimum, relative to max(1, |reference|), and its relative
// primal residual is at most 1e-6, within the time limit.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/commune-org/commune/bench/report"
	"github.com/commune-org/commune/lp"
)

type problem struct {
	name, note string
	ref        float64
}

type row struct {
	problem
	rows, cols, nnz int
	ours            *lp.Solution
	oursErr         error
	clp             *lp.Solution
	clpErr          error
}

func main() {
	data := flag.String("data", "../shared/data/netlib", "directory with the .mps.gz files and optima.tsv")
	out := flag.String("out", "docs/BENCHMARKS.md", "markdown file to update (- for standard output)")
	limit := flag.Duration("limit", 60*time.Second, "time limit per problem and solver")
	only := flag.String("only", "", "comma-separated problem names (default all)")
	noCLP := flag.Bool("no-clp", false, "skip CLP")
	methodName := flag.String("method", "halpern", "built-in solver's method: halpern, adaptive or barrier")
	flag.Parse()
	method, err := lp.ParseMethod(*methodName)
	if err != nil {
		fmt.Fprintln(os.Stderr, "netlib:", err)
		os.Exit(2)
	}

	problems, err := readOptima(filepath.Join(*data, "optima.tsv"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "netlib:", err)
		os.Exit(2)
	}
	clp := lp.External{Program: "clp"}
	if !*noCLP && !clp.Available() {
		fmt.Fprintln(os.Stderr, "netlib: clp is not installed (apt-get install coinor-clp), or pass -no-clp")
		os.Exit(2)
	}
	var rows []row
	for _, p := range problems {
		if *only != "" && !strings.Contains(","+*only+",", ","+p.name+",") {
			continue
		}
		m, err := lp.ReadMPSFile(filepath.Join(*data, p.name+".mps.gz"))
		if err != nil {
			fmt.Fprintln(os.Stderr, "netlib:", err)
			os.Exit(2)
		}
		r := row{problem: p, rows: m.NumRows(), cols: m.NumCols(), nnz: m.NumNonzeros()}
		ctx := context.Background()
		r.ours, r.oursErr = lp.Solve(ctx, m, lp.Options{TimeLimit: *limit, Method: method})
		if !*noCLP {
			r.clp, r.clpErr = clp.Solve(ctx, m, lp.Options{TimeLimit: *limit})
		}
		fmt.Fprintln(os.Stderr, r.line())
		rows = append(rows, r)
	}
	table := render(rows, *limit, method)
	if *out == "-" {
		fmt.Print(table)
		return
	}
	if err := report.Splice(*out, "netlib", table); err != nil {
		fmt.Fprintln(os.Stderr, "netlib:", err)
		os.Exit(1)
	}
}

func readOptima(path string) ([]problem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ps []problem
	sc := bufio.NewScanner(f)
	sc.Scan()
	for sc.Scan() {
		fs := strings.Split(sc.Text(), "\t")
		if len(fs) < 2 {
			continue
		}
		v, err := strconv.ParseFloat(fs[1], 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q: %v", path, sc.Text(), err)
		}
		p := problem{name: fs[0], ref: v}
		if len(fs) > 3 {
			p.note = fs[3]
		}
		ps = append(ps, p)
	}
	return ps, sc.Err()
}

func (r row) relErr() float64 {
	if r.ours == nil {
		return math.Inf(1)
	}
	return math.Abs(r.ours.Objective-r.ref) / math.Max(1, math.Abs(r.ref))
}

func (r row) pass() bool {
	return r.ours != nil && r.relErr() <= 1e-6 && r.ours.PrimalResidual <= 1e-6
}

func (r row) line() string {
	s := fmt.Sprintf("%-9s ", r.name)
	if r.ours == nil {
		return s + fmt.Sprint(r.oursErr)
	}
	s += fmt.Sprintf("%-10s err %.1e  primal %.1e  %8d it  %7.2fs", r.ours.Status, r.relErr(), r.ours.PrimalResidual, r.ours.Iterations, r.ours.Time.Seconds())
	if r.clp != nil {
		s += fmt.Sprintf("  clp %.3fs", r.clp.Time.Seconds())
	}
	return s
}

func render(rows []row, limit time.Duration, method lp.Method) string {
	var b bytes.Buffer
	passed := 0
	var ratios []float64
	for _, r := range rows {
		if r.pass() {
			passed++
			if r.clp != nil && r.clp.Status == lp.Optimal {
				ratios = append(ratios, r.ours.Time.Seconds()/r.clp.Time.Seconds())
			}
		}
	}
	fmt.Fprintf(&b, "Run on %s with %d cores, %s, time limit %v per problem and solver.\n",
		time.Now().UTC().Format("2006-01-02"), runtime.NumCPU(), runtime.Version(), limit)
	fmt.Fprintf(&b, "Command: `go run ./bench/netlib -limit %v -method %v`.\n\n", limit, method)
	fmt.Fprintf(&b, "**%d of %d problems pass** (objective within 1e-6 of the reference, relative primal residual at most 1e-6).", passed, len(rows))
	if len(ratios) > 0 {
		fmt.Fprintf(&b, " Over the problems that pass, the geometric mean of builtin/CLP time is %.1f.", geomean(ratios))
	}
	b.WriteString("\n\n")
	b.WriteString("| problem | rows | cols | nonzeros | status | objective error | primal residual | iterations | seconds | CLP seconds | ratio | note |\n")
	b.WriteString("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|\n")
	for _, r := range rows {
		status, errS, pres, iters, secs := "error", "", "", "", ""
		if r.ours != nil {
			status = r.ours.Status.String()
			if !r.pass() {
				status = "**" + status + ", fails**"
			}
			errS = fmt.Sprintf("%.1e", r.relErr())
			pres = fmt.Sprintf("%.1e", r.ours.PrimalResidual)
			iters = strconv.Itoa(r.ours.Iterations)
			secs = fmt.Sprintf("%.2f", r.ours.Time.Seconds())
		}
		clpS, ratio := "", ""
		note := r.note
		if r.clp != nil {
			clpS = fmt.Sprintf("%.3f", r.clp.Time.Seconds())
			if r.clp.Status != lp.Optimal {
				clpS += " (" + r.clp.Status.String() + ")"
			}
			if r.ours != nil {
				ratio = fmt.Sprintf("%.1f", r.ours.Time.Seconds()/r.clp.Time.Seconds())
				// Where the reference and CLP disagree, say so.
				clpErr := math.Abs(r.clp.Objective-r.ref) / math.Max(1, math.Abs(r.ref))
				if clpErr > 1e-6 && r.clp.Status == lp.Optimal {
					note = strings.TrimSpace(note + fmt.Sprintf(" CLP's objective %.10g also differs from the reference (%.1e).", r.clp.Objective, clpErr))
				}
			}
		} else if r.clpErr != nil {
			clpS = "error"
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			r.name, r.rows, r.cols, r.nnz, status, errS, pres, iters, secs, clpS, ratio, note)
	}
	return b.String()
}

func geomean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += math.Log(x)
	}
	return math.Exp(s / float64(len(v)))
}
