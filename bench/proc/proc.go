// Package proc runs the programs a benchmark compares, each as its own
// process, so that wall time and peak memory are measured the same way
// for all of them, and reads CLP's answer from its output.
package proc

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Result is one run of a program.
type Result struct {
	Out     string  // standard output and error, interleaved
	Seconds float64 // wall time
	PeakMiB float64 // the process's maximum resident set
	Err     error   // from starting or waiting for the process
}

// Run runs prog with args and measures it. With kill > 0 the process is
// killed after that long, a hard stop for programs whose own limit fails.
func Run(kill time.Duration, prog string, args ...string) Result {
	cmd := exec.Command(prog, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Result{Err: err}
	}
	if kill > 0 {
		timer := time.AfterFunc(kill, func() { cmd.Process.Kill() })
		defer timer.Stop()
	}
	err := cmd.Wait()
	r := Result{Out: out.String(), Seconds: time.Since(start).Seconds(), Err: err}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.PeakMiB = float64(ru.Maxrss) / 1024 // KiB on Linux
	}
	return r
}

// BuildCommune builds cmd/commune into dir and returns the binary's path.
func BuildCommune(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "commune")
	if b, err := exec.Command("go", "build", "-o", bin, "./cmd/commune").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v: %s", err, b)
	}
	return bin, nil
}

var clpObjective = regexp.MustCompile(`(Optimal|Stopped|Infeasible|Unbounded)[^\n]*?objective(?: value)?\s+(-?[0-9.eE+-]+)`)

// CLP reads the last status and objective the clp program printed:
// status is optimal, time_limit, infeasible or unbounded; ok is false
// when the output holds none.
func CLP(out string) (status string, objective float64, ok bool) {
	mm := clpObjective.FindAllStringSubmatch(out, -1)
	if len(mm) == 0 {
		return "", 0, false
	}
	last := mm[len(mm)-1]
	objective, _ = strconv.ParseFloat(last[2], 64)
	switch last[1] {
	case "Optimal":
		status = "optimal"
	case "Stopped":
		status = "time_limit"
	default:
		status = strings.ToLower(last[1])
	}
	return status, objective, true
}
