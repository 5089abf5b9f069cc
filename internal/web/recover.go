package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
)

// Panics are recovered where the server's work begins (serve, for a
// request; guard, for a step of background work), because the Go
// runtime would otherwise stop the whole process and print the panic's
// value, which may hold what the code was working on (an alias, an
// address, a message), to stderr. What a panic leaves half done below
// those places is undone on the way up, not by recovering: a store
// transaction rolls back as the panic passes (store.write), a mutex is
// released by its deferred Unlock.

// errPanic is the error of a request or a step whose code panicked.
var errPanic = errors.New("web: panic")

// panicError is the error of a panic with value v, as the log may hold
// it: the value only when it is a runtime error (whose message names
// types and indexes, never data), else its type, and the stack
// (functions and machine words, no strings). It must be called in the
// deferred function that recovered v, while the stack still holds the
// frames that panicked.
func panicError(v any) error {
	what := fmt.Sprintf("%T", v)
	if re, ok := v.(runtime.Error); ok {
		what = re.Error()
	}
	return fmt.Errorf("%w: %s\n%s", errPanic, what, debug.Stack())
}

// guard runs one step of background work, named by worker ("call
// tick", "event purge"), and recovers a panic in it: it logs the
// panic as panicError says, and reports that f did not finish. The
// next round of the worker runs as usual: one bad call or event must
// not stop the urgent calls and the purges of everything else.
func (s *Server) guard(ctx context.Context, worker string, f func()) (panicked bool) {
	defer func() {
		if v := recover(); v != nil {
			panicked = true
			s.log.LogAttrs(ctx, slog.LevelError, "background work panicked", slog.String("worker", worker),
				slog.String("err", panicError(v).Error()))
		}
	}()
	if s.opt.beforeStep != nil {
		s.opt.beforeStep(worker)
	}
	f()
	return false
}
