package lp

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNetlibTmp(t *testing.T) {
	optima := netlibOptima(t)
	only := os.Getenv("ONLY")
	lim, _ := time.ParseDuration(os.Getenv("LIM"))
	if lim == 0 {
		lim = 10 * time.Second
	}
	pass := 0
	for _, name := range strings.Split(only, ",") {
		ref := optima[name]
		m, err := ReadMPSFile(filepath.Join(netlibDir, name+".mps.gz"))
		if err != nil {
			t.Fatal(err)
		}
		sol, _ := Solve(context.Background(), m, Options{TimeLimit: lim})
		rel := math.Abs(sol.Objective-ref) / math.Max(1, math.Abs(ref))
		ok := rel <= 1e-6 && sol.PrimalResidual <= 1e-6
		if ok {
			pass++
		}
		t.Logf("%-10s %-8v ok=%v relerr=%.1e pres=%.1e dres=%.1e gap=%.1e it=%d t=%.2fs", name, sol.Status, ok, rel, sol.PrimalResidual, sol.DualResidual, sol.Gap, sol.Iterations, sol.Time.Seconds())
	}
	t.Logf("passed %d", pass)
}
