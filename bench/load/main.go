// Command load measures commune serve under a fixed-rate, open-loop load
// of API requests on loopback, on SQLite and on PostgreSQL, and writes
// throughput and latency into docs/BENCHMARKS.md between
// <!-- load:begin --> and <!-- load:end -->.
//
//	go run ./bench/load [-db sqlite,postgres] [-rate 1000] [-duration 30s]
//	                    [-members 100] [-pg URL] [-profile DIR] [-out docs/BENCHMARKS.md]
//
// For each database it builds commune, seeds a data directory (members
// with commune import, tokens with commune token, the example world and a
// plan through the API), starts commune serve, and runs three scenarios:
// reads (small routes: /healthz, a plan run, and the caller's own account
// and needs when the server has /api/v1/me), writes (POST
// /api/v1/me/needs) and a 90/10 mix. Each scenario gets a few seconds of
// warm-up at the same rate, not counted. The generator runs on the same
// machine as the server and takes part of its CPU: on a 2-core machine,
// that is part of what is measured.
//
// Issue 4's goal: 1,000 requests a second with p99 under 20 ms on SQLite
// on a 2-core CI machine. Tests never assert times; this command reports.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/commune-org/commune/bench/proc"
	"github.com/commune-org/commune/bench/report"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// run is main, returning its error so that deferred clean-ups (the
// PostgreSQL server, the temporary directory) run.
func run() error {
	dbs := flag.String("db", "sqlite,postgres", "databases to measure, comma-separated: sqlite, postgres")
	rate := flag.Int("rate", 1000, "requests a second, sent whatever the answers")
	duration := flag.Duration("duration", 30*time.Second, "how long each scenario is measured")
	warmup := flag.Duration("warmup", 3*time.Second, "load before each scenario, not counted")
	members := flag.Int("members", 100, "members with tokens, whose requests are mixed")
	scenarios := flag.String("scenarios", "read,write,mixed", "scenarios to run, comma-separated")
	runs := flag.Int("runs", 1, "times each scenario is run, each on a fresh database: on a shared machine, one run's tail says little")
	pgURL := flag.String("pg", "", "PostgreSQL URL to use (default: start one with scripts/postgres, made durable)")
	profile := flag.String("profile", "", "directory for a CPU profile of each server (pprof)")
	worldFile := flag.String("world", "examples/neighbourhood.json", "world to seed")
	out := flag.String("out", "docs/BENCHMARKS.md", "markdown file to update (- for standard output)")
	section := flag.String("section", "load", "the section of -out to replace, between <!-- NAME:begin --> and <!-- NAME:end -->")
	groupNice := flag.Int("autogroup-nice", 0, "CPU priority of this session's autogroup during the run (Linux, root for < 0): "+
		"on a machine shared with other jobs, -10 approximates a machine of one's own")
	flag.Parse()

	if *groupNice != 0 {
		restore, err := setAutogroupNice(*groupNice)
		if err != nil {
			return err
		}
		defer restore()
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	work, err := os.MkdirTemp("", "commune-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin, err := build(work, *profile != "")
	if err != nil {
		return err
	}

	var results []dbResult
	for _, name := range strings.Split(*dbs, ",") {
		base := db{name: name}
		switch name {
		case "sqlite":
		case "postgres":
			base.pg = *pgURL
			if base.pg == "" {
				// Not under work: the server may run as another user
				// (scripts/postgres, as root), who must enter its directory.
				pgDir := filepath.Join(os.TempDir(), fmt.Sprintf("commune-load-pg-%d", os.Getpid()))
				url, stopPG, err := startPostgres(pgDir, true)
				if err != nil {
					return err
				}
				defer stopPG()
				base.pg = url
			}
		default:
			return fmt.Errorf("-db: unknown database %q: want sqlite or postgres", name)
		}
		res := dbResult{db: name}
		names := strings.Split(*scenarios, ",")
		// Runs of the scenarios take turns, so that a busy minute of a
		// shared machine does not fall on every run of one scenario.
		for i := range *runs * len(names) {
			sc := names[i%len(names)]
			// Each scenario starts from the same seeded database, so
			// that its figures do not depend on what ran before (the
			// writes of one would otherwise weigh on the next).
			d := db{name: name, dir: filepath.Join(work, fmt.Sprintf("%s-%s-%d", name, sc, i))}
			if base.pg != "" {
				url, err := freshDatabase(base.pg, "commune_load_"+sc)
				if err != nil {
					return err
				}
				d.pg = url
			}
			if err := measure(ctx, bin, d, *worldFile, *members, *rate, *duration, *warmup, sc, *profile, &res); err != nil {
				return fmt.Errorf("%s: %s: %w", name, sc, err)
			}
		}
		results = append(results, res)
	}
	text := render(results, *rate, *duration, *members, *groupNice, os.Args[1:])
	if *out == "-" {
		fmt.Print(text)
		return nil
	}
	if err := report.Splice(*out, *section, text); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "load: wrote %s\n", *out)
	return nil
}

// build builds commune; with profile, the same program wrapped to write
// a CPU profile (bench/load/pprofserve).
func build(dir string, profile bool) (string, error) {
	if !profile {
		return proc.BuildCommune(dir)
	}
	bin := filepath.Join(dir, "commune-pprof")
	if b, err := exec.Command("go", "build", "-o", bin, "./bench/load/pprofserve").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v: %s", err, b)
	}
	return bin, nil
}

type dbResult struct {
	db      string
	routes  []string // the calls the scenarios used
	missing []string // scenarios not run, and why
	stats   []stats
}

// measure seeds a database, starts the server on it and runs one
// scenario, adding what it measured to res.
func measure(ctx context.Context, bin string, d db, worldFile string, members, rate int, dur, warmup time.Duration,
	name, profile string, res *dbResult) error {
	fmt.Fprintf(os.Stderr, "load: %s: %s: seeding %d members\n", d.name, name, members)
	w, err := seedMembers(bin, d, members)
	if err != nil {
		return err
	}
	var env []string
	if profile != "" {
		if err := os.MkdirAll(profile, 0o755); err != nil {
			return err
		}
		abs, _ := filepath.Abs(filepath.Join(profile, d.name+"-"+name+".pprof"))
		env = append(env, "COMMUNE_CPUPROFILE="+abs)
	}
	srv, err := startServer(bin, d, filepath.Join(d.dir, "server.log"), env...)
	if err != nil {
		return err
	}
	defer srv.stop()
	client := newClient()
	if err := seedWorld(ctx, client, srv.base, w, worldFile); err != nil {
		return err
	}
	sc, ok := scenarios(w)[name]
	if !ok || len(sc.calls) == 0 {
		res.missing = append(res.missing, name)
		return srv.stop()
	}
	fmt.Fprintf(os.Stderr, "load: %s: %s at %d/s for %v\n", d.name, name, rate, dur)
	drive(ctx, client, srv.base, sc, rate, warmup, 7)
	cpu0 := srv.cpu()
	s := drive(ctx, client, srv.base, sc, rate, dur, 1)
	s.serverCPU, s.load = srv.cpu()-cpu0, loadAvg()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	fmt.Fprintf(os.Stderr, "load: %s: %s: %.0f/s, p50 %v, p99 %v, errors %v, server CPU %v a request, load %s\n",
		d.name, name, s.achieved(), s.p50, s.p99, s.errors, s.cpuPerRequest(), s.load)
	for c, cs := range s.byCall {
		fmt.Fprintf(os.Stderr, "load:     %s: %d, p50 %v, p99 %v\n", c, cs.n, cs.p50, cs.p99)
	}
	res.stats = append(res.stats, s)
	for _, c := range sc.calls {
		if !slices.Contains(res.routes, c.method+" "+c.name) {
			res.routes = append(res.routes, c.method+" "+c.name)
		}
	}
	if err := srv.stop(); err != nil {
		return fmt.Errorf("stop server: %w", err)
	}
	return nil
}

// scenarios are the mixes of calls the server's routes allow: the /me
// routes are used only when the server lists them in its OpenAPI
// document.
func scenarios(w *world) map[string]scenario {
	member := func(r *rand.Rand) string { return w.members[r.IntN(len(w.members))] }
	organizer := func(*rand.Rand) string { return w.organizer }
	none := func(*rand.Rand) string { return "" }
	fixed := func(p string) func(*rand.Rand) string { return func(*rand.Rand) string { return p } }
	reads := []call{
		{name: "/healthz", method: "GET", path: fixed("/healthz"), token: none},
		{name: "/api/v1/plans/{id}", method: "GET", path: fixed(fmt.Sprintf("/api/v1/plans/%d", w.planID)), token: organizer},
	}
	if w.routes["GET /api/v1/me"] {
		reads = append(reads, call{name: "/api/v1/me", method: "GET", path: fixed("/api/v1/me"), token: member})
	}
	if w.routes["GET /api/v1/me/needs"] {
		reads = append(reads, call{name: "/api/v1/me/needs", method: "GET", path: fixed("/api/v1/me/needs?limit=10"), token: member})
	}
	var writes []call
	if w.routes["POST /api/v1/me/needs"] {
		body := []byte(fmt.Sprintf(`{"product":%q,"qty":1,"tier":"basic"}`, w.product))
		writes = append(writes, call{name: "/api/v1/me/needs", method: "POST", path: fixed("/api/v1/me/needs"),
			body: func(*rand.Rand) []byte { return body }, token: member, write: true})
	}
	even := func(n int, w int) []int {
		ws := make([]int, n)
		for i := range ws {
			ws[i] = w
		}
		return ws
	}
	out := map[string]scenario{
		"read": {name: "read", calls: reads, weights: even(len(reads), 1)},
	}
	if len(writes) > 0 {
		out["write"] = scenario{name: "write", calls: writes, weights: even(len(writes), 1)}
		// 90/10: each read route an equal share of 90, the writes 10.
		mixed := scenario{name: "mixed 90/10", calls: append(slices.Clone(reads), writes...)}
		mixed.weights = append(even(len(reads), 90*len(writes)), even(len(writes), 10*len(reads))...)
		out["mixed"] = mixed
	}
	return out
}

// render writes the section of docs/BENCHMARKS.md.
func render(results []dbResult, rate int, dur time.Duration, members, groupNice int, args []string) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Run of %s on %s, %d CPUs (nproc), %s/%s, %s; commune at %s.\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH,
		runtime.Version(), gitRev())
	fmt.Fprintf(&b, "Command: `go run ./bench/load %s`.\n", strings.Join(args, " "))
	fmt.Fprintf(&b, "Open loop at %d requests/s for %v a scenario (after a warm-up), %d members with tokens; "+
		"latency counts from when a request was due, so it includes queueing.", rate, dur, members)
	if groupNice != 0 {
		fmt.Fprintf(&b, " The machine was shared with other jobs (load average in the last column), so the run's autogroup had nice %d, "+
			"which gives it the CPU first, as on a machine of its own; server and generator still share the %d CPUs.", groupNice, runtime.NumCPU())
	}
	b.WriteString("\n\n")
	b.WriteString("| database | scenario | target /s | achieved /s | requests | 2xx | errors | p50 ms | p90 ms | p99 ms | max ms | server CPU ms/request | load avg |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|\n")
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }
	for _, r := range results {
		// A scenario's runs together, in the order they ran.
		first := make(map[string]int)
		for i, s := range r.stats {
			if _, ok := first[s.scenario]; !ok {
				first[s.scenario] = i
			}
		}
		slices.SortStableFunc(r.stats, func(a, b stats) int { return first[a.scenario] - first[b.scenario] })
		for _, s := range r.stats {
			errs := "0"
			if len(s.errors) > 0 {
				var parts []string
				for k, v := range s.errors {
					parts = append(parts, fmt.Sprintf("%d × %s", v, k))
				}
				slices.Sort(parts)
				errs = strings.Join(parts, ", ")
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %.0f | %d | %d | %s | %s | %s | %s | %s | %.3f | %s |\n",
				r.db, s.scenario, s.target, s.achieved(), s.sent, s.ok, errs, ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max),
				float64(s.cpuPerRequest())/float64(time.Millisecond), s.load)
		}
	}
	b.WriteString("\n")
	for _, r := range results {
		fmt.Fprintf(&b, "%s: routes used: %s.", r.db, strings.Join(r.routes, ", "))
		if len(r.missing) > 0 {
			fmt.Fprintf(&b, " Not run (the server lacks POST /api/v1/me/needs): %s.", strings.Join(r.missing, ", "))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// setAutogroupNice sets the CPU priority of this process's autogroup
// (with autogroups, the Linux scheduler shares the CPUs fairly between
// sessions first, so a process's own nice value does not help it against
// another session's jobs) and returns what puts the old one back.
func setAutogroupNice(n int) (restore func(), err error) {
	const path = "/proc/self/autogroup"
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("autogroup: %w", err)
	}
	old := "0"
	if _, after, ok := strings.Cut(strings.TrimSpace(string(b)), " nice "); ok {
		old = after
	}
	if err := os.WriteFile(path, []byte(fmt.Sprint(n)), 0); err != nil {
		return nil, fmt.Errorf("autogroup: %w", err)
	}
	return func() { os.WriteFile(path, []byte(old), 0) }, nil
}

func cpuModel() string {
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "model name") {
				return strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
			}
		}
	}
	return "unknown CPU"
}

func gitRev() string {
	b, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown commit"
	}
	return strings.TrimSpace(string(b))
}
