// Command planscale measures commune plan on generated worlds of city and
// region size, with the built-in solver and with CLP, and writes the
// tables into docs/BENCHMARKS.md between <!-- plan:begin --> and
// <!-- plan:end -->.
//
//	go run ./bench/planscale [-worlds city,region] [-limit 30m] [-budget D] [-clp-plan=false] [-out docs/BENCHMARKS.md]
//
// For each world it runs, each as its own process so that wall time and
// peak memory (maximum resident set) are measured the same way:
//
//  1. commune gen, writing the world file;
//  2. commune plan with the built-in solver, end to end (reading the
//     world, building and solving every stage, writing the plan file),
//     exporting every stage's LP with --export-mps;
//  3. clp on each exported stage LP, for the per-stage ratio (a stage the
//     built-in solver stopped at a limit is exported too, and CLP's
//     optimum then says how far its point was from the stage's);
//  4. commune plan --solver clp, end to end (unless -clp-plan=false: on
//     the region that takes hours).
//
// With -budget the built-in plan runs with --budget instead of
// --time-limit.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/commune-org/commune/bench/proc"
	"github.com/commune-org/commune/bench/report"
)

type world struct {
	name                     string
	members, sites, products int
}

var worlds = map[string]world{
	"city":   {"city", 100_000, 500, 100},
	"region": {"region", 1_000_000, 5_000, 300},
	"town":   {"town", 10_000, 100, 60},
}

func main() {
	names := flag.String("worlds", "city,region", "comma-separated: town, city, region")
	limit := flag.Duration("limit", 30*time.Minute, "time limit per LP stage (and per CLP solve of an exported stage)")
	budget := flag.Duration("budget", 0, "plan with --budget this long instead of --time-limit")
	clpPlan := flag.Bool("clp-plan", true, "also plan end to end with --solver clp")
	dir := flag.String("dir", "bench/out", "where worlds, plans and LPs go")
	out := flag.String("out", "docs/BENCHMARKS.md", "markdown file to update (- for standard output)")
	flag.Parse()

	bin, err := proc.BuildCommune(*dir)
	if err != nil {
		fail(err)
	}
	var summary, stages strings.Builder
	fmt.Fprintf(&summary, "Run of %s on %s, %d CPUs (%s/%s). Worlds from `commune gen --area la --seed 1`; "+
		"each LP stage limited to %s%s.\n\n", time.Now().Format("2006-01-02"), host(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, *limit, budgetText(*budget))
	summary.WriteString("| world | members | sites | products | needs | pools | LP rows | LP columns | LP nonzeros | gen | plan, builtin | peak, builtin | plan, CLP | peak, CLP |\n")
	summary.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	stages.WriteString("| world | stage | LP after presolve: rows / columns / nonzeros | builtin iterations | builtin s | CLP s | builtin / CLP | builtin objective | CLP objective |\n")
	stages.WriteString("|---|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, name := range strings.Split(*names, ",") {
		w, ok := worlds[name]
		if !ok {
			fail(fmt.Errorf("unknown world %q", name))
		}
		file := filepath.Join(*dir, name+".json")
		fmt.Fprintf(os.Stderr, "%s: generating\n", name)
		g := proc.Run(0, bin, "gen", "--members", fmt.Sprint(w.members), "--sites", fmt.Sprint(w.sites),
			"--products", fmt.Sprint(w.products), "--seed", "1", "--area", "la", "--out", file)
		if g.Err != nil {
			fail(fmt.Errorf("gen %s: %v: %s", name, g.Err, g.Out))
		}
		fmt.Fprintf(os.Stderr, "%s: planning with the built-in solver\n", name)
		prefix := filepath.Join(*dir, name+"-stage")
		limitFlag := []string{"--time-limit", limit.String()}
		if *budget > 0 {
			limitFlag = []string{"--budget", budget.String()}
		}
		b := proc.Run(0, bin, append(append([]string{"plan"}, limitFlag...), "--out", filepath.Join(*dir, name+"-plan.json"),
			"--export-mps", prefix, file)...)
		c := proc.Result{Err: errNotRun}
		if *clpPlan {
			fmt.Fprintf(os.Stderr, "%s: planning with CLP\n", name)
			c = proc.Run(0, bin, "plan", "--solver", "clp", "--time-limit", limit.String(), "--out", filepath.Join(*dir, name+"-plan-clp.json"), file)
		}
		info := planInfo(filepath.Join(*dir, name+"-plan.json"))
		fmt.Fprintf(&summary, "| %s | %d | %d | %d | %d | %d | %d | %d | %d | %.1f s | %s | %s | %s | %s |\n",
			name, w.members, w.sites, w.products, info.World.Needs, info.Solver.Pools, info.Solver.Rows, info.Solver.Cols, info.Solver.Nonzeros,
			g.Seconds, took(b), mib(b), took(c), mib(c))
		var exported []struct {
			Stage     string  `json:"stage"`
			File      string  `json:"file"`
			Objective float64 `json:"objective"`
			Status    string  `json:"status"`
		}
		if data, err := os.ReadFile(prefix + ".json"); err == nil {
			json.Unmarshal(data, &exported)
		}
		for i, s := range exported {
			var st stageInfo
			if i < len(info.Solver.Stages) {
				st = info.Solver.Stages[i]
			}
			bs := st.Seconds
			fmt.Fprintf(os.Stderr, "%s: clp on %s\n", name, s.Stage)
			r := proc.Run(0, "clp", s.File, "-seconds", fmt.Sprint(int(limit.Seconds())), "-solve")
			status, obj, ok := proc.CLP(r.Out)
			if !ok {
				status = "error"
			}
			stopped := ""
			if s.Status != "" {
				stopped = " (" + s.Status + ")"
			}
			fmt.Fprintf(&stages, "| %s | %s | %d / %d / %d | %d | %.1f | %.1f | %.2f | %.9g%s | %.9g (%s) |\n",
				name, s.Stage, st.Rows, st.Cols, st.Nonzeros, st.Iterations, bs, r.Seconds, bs/r.Seconds, s.Objective, stopped, obj, status)
		}
	}
	summary.WriteString("\n")
	summary.WriteString(stages.String())
	flags := ""
	if *budget > 0 {
		flags += " -budget " + budget.String()
	}
	if !*clpPlan {
		flags += " -clp-plan=false"
	}
	summary.WriteString("\nReproduce with `go run ./bench/planscale -worlds " + *names + flags + "`. " +
		"The built-in plan time includes writing every stage's LP as MPS (for the CLP column); " +
		"CLP's per-stage time includes reading that file.\n")
	if *out == "-" {
		fmt.Print(summary.String())
		return
	}
	if err := report.Splice(*out, "plan", summary.String()); err != nil {
		fail(err)
	}
}

type planFile struct {
	World struct {
		Needs int `json:"needs"`
	} `json:"world"`
	Solver struct {
		Rows, Cols, Nonzeros int
		Pools                int
		Stages               []stageInfo `json:"stages"`
	} `json:"solver"`
}

type stageInfo struct {
	Name                 string  `json:"name"`
	Seconds              float64 `json:"seconds"`
	Iterations           int     `json:"iterations"`
	Rows, Cols, Nonzeros int
}

func planInfo(path string) planFile {
	var p planFile
	if f, err := os.Open(path); err == nil {
		json.NewDecoder(f).Decode(&p)
		f.Close()
	}
	return p
}

var errNotRun = errors.New("not run")

func budgetText(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf(", the built-in plan's stages to %s in all (`--budget`)", d)
}

func took(r proc.Result) string {
	if r.Err == errNotRun {
		return "not run"
	}
	if r.Err != nil {
		return fmt.Sprintf("failed after %.0f s", r.Seconds)
	}
	return fmt.Sprintf("%.1f s", r.Seconds)
}

func mib(r proc.Result) string {
	if r.Err == errNotRun {
		return "not run"
	}
	if r.PeakMiB >= 1024 {
		return fmt.Sprintf("%.2f GiB", r.PeakMiB/1024)
	}
	return fmt.Sprintf("%.0f MiB", r.PeakMiB)
}

func host() string {
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "model name") {
				return strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
			}
		}
	}
	return "unknown CPU"
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "planscale:", err)
	os.Exit(1)
}
