package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/store/storetest"
	"github.com/commune-org/commune/internal/world"
)

// Helpers for tests that run "commune serve" as a real, separate
// process, as an operator would: built from cmd/commune, stopped with a
// signal, killed with SIGKILL.

// buildCommune builds cmd/commune into a temporary directory and returns
// the binary's path. The build cache makes every build after the first
// one of a test run quick.
func buildCommune(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "commune")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/commune-org/commune/cmd/commune").CombinedOutput()
	if err != nil {
		t.Fatalf("go build cmd/commune: %v: %s", err, out)
	}
	return bin
}

// process is a "commune serve" process.
type process struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:PORT
	stderr *syncBuffer
	done   chan error
}

// startProcess runs "bin serve ARGS --addr 127.0.0.1:0" and waits until
// it listens. The process is killed when the test ends, if it still
// runs.
func startProcess(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	p := &process{stderr: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(bin, append(append([]string{"serve"}, args...), "--addr", "127.0.0.1:0")...)
	p.cmd.Env = append(os.Environ(), "LC_ALL=C")
	p.cmd.Stdout, p.cmd.Stderr = p.stderr, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	listening := regexp.MustCompile(`listening on (http://\S+)`)
	for deadline := time.Now().Add(30 * time.Second); ; {
		if m := listening.FindStringSubmatch(p.stderr.String()); m != nil {
			p.base = m[1]
			return p
		}
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("commune serve exited (%v): %s", err, p.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("commune serve did not start: %s", p.stderr.String())
		}
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			t.Fatalf("commune serve after SIGTERM: %v: %s", err, p.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("commune serve did not stop on SIGTERM")
	}
}

// kill sends SIGKILL (no deferred Close, no checkpoint, no shutdown)
// and waits for the process to be gone. It may be called from any
// goroutine, so it returns its error rather than failing the test.
func (p *process) kill() error {
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return fmt.Errorf("kill commune serve: %w", err)
	}
	err := <-p.done
	p.done <- err
	return nil
}

// backend is a fresh database for "commune serve": the flags that point
// the server at it, and the same as a store.Config.
type backend struct {
	args []string
	cfg  store.Config
	// pgBase and schema, on PostgreSQL: the server's URL without the
	// search path, and the test's schema in it (for pg_dump).
	pgBase, schema string
}

// eachBackend runs fn on a fresh SQLite data directory, and on a fresh
// schema of the PostgreSQL of COMMUNE_TEST_POSTGRES when it is set
// (failing instead of skipping when COMMUNE_STRICT is set).
func eachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		fn(t, backend{args: []string{"--data", dir}, cfg: store.Config{DataDir: dir}})
	})
	t.Run("postgres", func(t *testing.T) {
		base := storetest.Server(t)
		dsn, schema := storetest.Schema(t, base)
		dir := t.TempDir()
		fn(t, backend{args: []string{"--data", dir, "--db", dsn},
			cfg: store.Config{DataDir: dir, PostgresURL: dsn}, pgBase: base, schema: schema})
	})
}

// seed puts the world of examples/neighbourhood.json in the database and
// creates n members with a member's token each, aliases "worker 0" and
// on; it returns the tokens.
func seed(t *testing.T, cfg store.Config, n int) []string {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f, err := os.Open("../../examples/neighbourhood.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := world.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutWorld(ctx, w); err != nil {
		t.Fatal(err)
	}
	toks := make([]string, n)
	for i := range n {
		m, err := st.CreateMember(ctx, store.Member{Alias: fmt.Sprintf("worker %d", i), Language: "es", Cell: "9q5cs"})
		if err != nil {
			t.Fatal(err)
		}
		toks[i] = auth.NewToken()
		if _, err := st.CreateToken(ctx, store.Token{Hash: auth.Hash(toks[i]), MemberID: m.ID, Role: "member"}); err != nil {
			t.Fatal(err)
		}
	}
	return toks
}
