// Command commune plans production and distribution and runs an
// organization's day to day. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/commune-org/commune/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	cfg := cli.Config{Lang: cli.LangFromEnv(os.Getenv)}
	code := cli.Run(ctx, cfg, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
