// Command pprofserve is commune with a CPU profile: the same cli.Run as
// cmd/commune, with runtime/pprof writing the profile of the whole run to
// the file COMMUNE_CPUPROFILE names. bench/load -profile builds it so
// that the profile is of the real server under the real load; commune
// itself has no profiling endpoint, which would be one more thing to
// guard on a server that holds members' data.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/commune-org/commune/internal/cli"
)

func main() {
	if name := os.Getenv("COMMUNE_CPUPROFILE"); name != "" {
		f, err := os.Create(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "pprofserve:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "pprofserve:", err)
			os.Exit(1)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	cfg := cli.Config{Lang: cli.LangFromEnv(os.Getenv)}
	code := cli.Run(ctx, cfg, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	pprof.StopCPUProfile()
	os.Exit(code)
}
