// Command scale compares the built-in LP solver with CLP (dual simplex and
// barrier) on generated production-and-transport LPs of growing size, and
// writes the table into docs/BENCHMARKS.md between <!-- scale:begin -->
// and <!-- scale:end -->.
//
//	go run ./bench/scale [-sizes 1e5,1e6,1e7] [-limit 30m] [-out docs/BENCHMARKS.md]
//
// Each solver runs as its own process on the same gzipped MPS file, so
// that wall time and peak memory (the process's maximum resident set) are
// measured the same way for all: both include reading the file. The
// built-in solver stops at relative tolerance 1e-4 (residuals at most
// 1e-4, relative gap at most 2.5e-5); CLP solves to its default
// tolerances, which are tighter, and its barrier runs crossover.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/commune-org/commune/bench/proc"
	"github.com/commune-org/commune/bench/ptgen"
	"github.com/commune-org/commune/bench/report"
	"github.com/commune-org/commune/lp"
)

type run struct {
	solver    string
	status    string
	objective float64
	seconds   float64
	peakMiB   float64
	note      string
}

func main() {
	sizes := flag.String("sizes", "1e5,1e6,1e7", "comma-separated nonzero counts")
	limit := flag.Duration("limit", 30*time.Minute, "time limit per solver and size")
	dir := flag.String("dir", "bench/out", "where the generated MPS files go")
	out := flag.String("out", "docs/BENCHMARKS.md", "markdown file to update (- for standard output)")
	flag.Parse()

	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fail(err)
	}
	bin, err := proc.BuildCommune(*dir)
	if err != nil {
		fail(err)
	}
	if _, err := exec.LookPath("clp"); err != nil {
		fail(fmt.Errorf("clp is not installed (apt-get install coinor-clp)"))
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "Run on %s with %d cores, %s, time limit %v per solver and size.\n",
		time.Now().UTC().Format("2006-01-02"), runtime.NumCPU(), runtime.Version(), *limit)
	fmt.Fprintf(&b, "Command: `go run ./bench/scale -sizes %s -limit %v`.\n\n", *sizes, *limit)
	b.WriteString("| nonzeros | rows | cols | solver | status | objective | rel. diff. to CLP dual | seconds | peak MiB | builtin/this time | builtin/this memory |\n")
	b.WriteString("|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range strings.Split(*sizes, ",") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			fail(fmt.Errorf("size %q: %v", s, err))
		}
		nnz := int(f)
		path := filepath.Join(*dir, fmt.Sprintf("pt-%s.mps.gz", s))
		m := ptgen.Generate(nnz, 20, 8, 5, 1)
		rows, cols, nz := m.NumRows(), m.NumCols(), m.NumNonzeros()
		if _, err := os.Stat(path); err != nil {
			if err := writeGz(path, m); err != nil {
				fail(err)
			}
		}
		m = nil
		runtime.GC()
		fmt.Fprintf(os.Stderr, "scale: %s: %d rows, %d cols, %d nonzeros\n", path, rows, cols, nz)
		runs := []run{
			measure("builtin", *limit, bin, "lp", "solve", "--json", "--quiet", "--tol", "1e-4", "--time-limit", limit.String(), path),
			measure("clp dual", *limit, "clp", path, "-sec", secs(*limit), "-dualS"),
			measure("clp barrier", *limit, "clp", path, "-sec", secs(*limit), "-barrier"),
		}
		ref := runs[1]
		for _, r := range runs {
			fmt.Fprintf(os.Stderr, "scale:   %-12s %-10s %.9g  %.1fs  %.0f MiB %s\n", r.solver, r.status, r.objective, r.seconds, r.peakMiB, r.note)
			diff, tr, mr := "", "", ""
			if r.status == "optimal" && ref.status == "optimal" {
				diff = fmt.Sprintf("%.1e", math.Abs(r.objective-ref.objective)/math.Max(1, math.Abs(ref.objective)))
			}
			if r.solver != "builtin" {
				tr = fmt.Sprintf("%.2f", runs[0].seconds/r.seconds)
				mr = fmt.Sprintf("%.2f", runs[0].peakMiB/r.peakMiB)
			}
			status := r.status
			if r.note != "" {
				status += " (" + r.note + ")"
			}
			fmt.Fprintf(&b, "| %d | %d | %d | %s | %s | %.9g | %s | %.1f | %.0f | %s | %s |\n",
				nz, rows, cols, r.solver, status, r.objective, diff, r.seconds, r.peakMiB, tr, mr)
		}
	}
	if *out == "-" {
		fmt.Print(b.String())
		return
	}
	if err := report.Splice(*out, "scale", b.String()); err != nil {
		fail(err)
	}
}

func secs(d time.Duration) string { return strconv.Itoa(int(d.Seconds())) }

func writeGz(path string, m *lp.Model) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	if err := lp.WriteMPS(zw, m); err != nil {
		f.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// measure runs one solver process and reads its wall time, peak resident
// memory and answer.
func measure(name string, limit time.Duration, prog string, args ...string) run {
	// A hard stop well past the solver's own limit.
	p := proc.Run(limit+2*time.Minute, prog, args...)
	r := run{solver: name, seconds: p.Seconds, peakMiB: p.PeakMiB}
	if p.Out == "" && p.Err != nil {
		r.status, r.note = "error", p.Err.Error()
		return r
	}
	if name == "builtin" {
		var rep struct {
			Status    string  `json:"status"`
			Objective float64 `json:"objective"`
			Seconds   float64 `json:"seconds"`
		}
		line := p.Out
		if i := strings.Index(line, "{"); i >= 0 {
			line = line[i:]
			if j := strings.Index(line, "\n"); j >= 0 {
				line = line[:j]
			}
		}
		if json.Unmarshal([]byte(line), &rep) != nil {
			r.status, r.note = "error", lastLine(p.Out)
			return r
		}
		r.status, r.objective = rep.Status, rep.Objective
		r.note = fmt.Sprintf("solve %.1fs", rep.Seconds)
		return r
	}
	status, obj, ok := proc.CLP(p.Out)
	if !ok {
		r.status = "error"
		if p.Err != nil {
			r.note = p.Err.Error()
		}
		return r
	}
	r.status, r.objective = status, obj
	return r
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "scale:", err)
	os.Exit(1)
}
