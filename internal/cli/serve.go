package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/web"
)

const (
	msgServeUsage     msgKey = "serve-usage"
	msgServeArgs      msgKey = "serve-args"
	msgServeListening msgKey = "serve-listening"
	msgServeStopping  msgKey = "serve-stopping"
)

var serveMessages = map[msgKey][2]string{
	msgServeUsage: {
		`usage: commune serve [--data DIR] [--db postgres://...] [--addr 127.0.0.1:8080]

Runs the server: the JSON API under /api/v1, /healthz and the OpenAPI
document at /api/openapi.json. DIR holds the SQLite database and the key
that seals contact details (created on first start); with --db,
PostgreSQL holds the data and DIR only the key. Stops gracefully on
SIGINT or SIGTERM, letting requests under way finish.

Flags:
`,
		`uso: commune serve [--data DIR] [--db postgres://...] [--addr 127.0.0.1:8080]

Ejecuta el servidor: la API JSON en /api/v1, /healthz y el documento
OpenAPI en /api/openapi.json. DIR guarda la base de datos SQLite y la
clave que sella los datos de contacto (creada en el primer arranque); con
--db, PostgreSQL guarda los datos y DIR solo la clave. Se detiene con
orden al recibir SIGINT o SIGTERM, dejando terminar las solicitudes en
curso.

Opciones:
`},
	msgServeArgs: {
		"serve takes no arguments, got %d",
		"serve no admite argumentos, hay %d"},
	msgServeListening: {
		"listening on http://%s\n",
		"escuchando en http://%s\n"},
	msgServeStopping: {
		"stopping\n",
		"deteniendo\n"},
}

// shutdownTimeout is how long requests under way get to finish once a
// signal asks the server to stop.
const shutdownTimeout = 10 * time.Second

func (c *command) serve(ctx context.Context, args []string) error {
	fs := c.flags("serve", msgServeUsage)
	data := fs.String("data", "./commune-data", "data directory: SQLite database and key / directorio de datos")
	db := fs.String("db", "", "PostgreSQL URL instead of SQLite / URL de PostgreSQL en lugar de SQLite")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on / dirección de escucha")
	pos, err := parse(fs, args)
	if err != nil {
		return usageErrorFrom(err)
	}
	if len(pos) != 0 {
		return usageError{c.t(msgServeArgs, len(pos))}
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	st, err := store.Open(ctx, store.Config{DataDir: *data, PostgresURL: *db})
	if err != nil {
		return err
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(c.stderr, nil))
	// Runs left queued or running died with the last process.
	if n, err := st.FailUnfinishedPlanRuns(ctx, "the server stopped during the run"); err != nil {
		return err
	} else if n > 0 {
		log.Warn("plan runs left unfinished by the last process marked failed", "runs", n)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	api := web.New(st, log, web.Options{})
	srv := &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(c.stderr, c.t(msgServeListening), ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	fmt.Fprint(c.stderr, c.t(msgServeStopping))
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	// A planning run under way is stopped and marked failed before the
	// store closes, even if requests did not finish in time.
	if rerr := api.Shutdown(sctx); rerr != nil && err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
