package lp

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestProfTmp(t *testing.T) {
	m, _ := ReadMPSFile(filepath.Join(netlibDir, os.Getenv("P")+".mps.gz"))
	sol, _ := Solve(context.Background(), m, Options{TimeLimit: 10 * time.Second})
	t.Log(sol.Status, sol.Iterations, sol.Time)
}
