package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// syncBuffer is a buffer that a server goroutine writes while the test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// stopServe cancels the serve that startServe started and waits for it
// to end, failing the test if it exits with an error or does not stop.
func stopServe(t *testing.T, cancel context.CancelFunc, done chan int, stderr *syncBuffer) {
	t.Helper()
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve: exit %d after stop: %s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// startServe runs "commune serve" on a free loopback port, with the
// flags more, and returns its URL, the channel its exit code will come
// on, and its standard error.
func startServe(t *testing.T, ctx context.Context, dir string, more ...string) (string, chan int, *syncBuffer) {
	t.Helper()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	args := append([]string{"serve", "--data", dir, "--addr", "127.0.0.1:0"}, more...)
	go func() {
		done <- Run(ctx, Config{Lang: "en"}, args, &stdout, &stderr)
	}()
	listening := regexp.MustCompile(`listening on (http://\S+)`)
	for deadline := time.Now().Add(10 * time.Second); ; {
		if m := listening.FindStringSubmatch(stderr.String()); m != nil {
			return m[1], done, &stderr
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestServe starts the server on a free loopback port, asks /healthz and
// the world with a token made by "commune token", and stops it as a
// signal would, through the context.
func TestServe(t *testing.T) {
	dir := newData(t)
	code, out, errOut := runCLI(t, "en", "token", "--data", dir, "--member", "ana", "--role", "organizer")
	if code != 0 {
		t.Fatalf("token: exit %d: %s", code, errOut)
	}
	tok := strings.TrimSpace(out)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	base, done, stderr := startServe(t, ctx, dir)

	get := func(path, token string) int {
		req, _ := http.NewRequest("GET", base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get("/healthz", ""); got != 200 {
		t.Errorf("GET /healthz: got %d, want 200", got)
	}
	if got := get("/api/v1/world", tok); got != 200 {
		t.Errorf("GET /api/v1/world as organizer: got %d, want 200", got)
	}
	if got := get("/api/v1/world", ""); got != 401 {
		t.Errorf("GET /api/v1/world anonymous: got %d, want 401", got)
	}

	stopServe(t, cancel, done, stderr)
	if strings.Contains(stderr.String(), tok) {
		t.Errorf("the log holds the token: %s", stderr.String())
	}
	if !strings.Contains(stderr.String(), `route="GET /healthz"`) {
		t.Errorf("the log has no entry for GET /healthz: %s", stderr.String())
	}
}

// TestServeSIGTERM stops the server with a real SIGTERM, sent once the
// server listens (and so catches it).
func TestServeSIGTERM(t *testing.T) {
	base, done, stderr := startServe(t, context.Background(), newData(t))
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(stderr.String(), "stopping") {
			t.Errorf("serve: exit %d after SIGTERM: %s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
}

// TestServePlanRuns: a run left queued by a process that died is marked
// failed when the server starts, and a run under way when the server
// stops is stopped and marked failed before the store closes.
func TestServePlanRuns(t *testing.T) {
	dir := newData(t)
	code, out, errOut := runCLI(t, "en", "token", "--data", dir, "--member", "ana", "--role", "organizer")
	if code != 0 {
		t.Fatalf("token: exit %d: %s", code, errOut)
	}
	tok := strings.TrimSpace(out)
	bg := context.Background()
	st, err := store.Open(bg, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	leftover, err := st.CreatePlanRun(bg)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	base, done, stderr := startServe(t, ctx, dir)
	do := func(method, path string, body []byte) *http.Response {
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return resp
	}
	// A world large enough that its plan is still under way when the
	// server is stopped right after starting it.
	wd, err := world.Generate(world.GenOptions{Members: 3000, Sites: 80, Products: 30, Skills: 12, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	var data bytes.Buffer
	if err := world.Write(&data, wd); err != nil {
		t.Fatal(err)
	}
	if resp := do("PUT", "/api/v1/world", data.Bytes()); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("PUT /api/v1/world: got %d, want 204", resp.StatusCode)
	}
	resp := do("POST", "/api/v1/plans", nil)
	var started struct{ ID int64 }
	err = json.NewDecoder(resp.Body).Decode(&started)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || err != nil {
		t.Fatalf("POST /api/v1/plans: got %d (%v), want 202 and an id", resp.StatusCode, err)
	}

	stopServe(t, cancel, done, stderr)
	st, err = store.Open(bg, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, id := range []int64{leftover, started.ID} {
		r, err := st.PlanRun(bg, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != store.RunFailed || r.Error == "" {
			t.Errorf("run %d after the server stopped: got status %q, error %q; want failed with a reason", id, r.Status, r.Error)
		}
	}
}

// TestServeListenErrors: an address serve and demo cannot listen on is
// a usage error naming it, in the user's language, said before the data
// directory is created; it was the net package's English error
// ("serve: listen tcp ...: bind: address already in use"), once the
// directory was made (and, for demo, the organization planned).
func TestServeListenErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	inUse := busy.Addr().String()
	cases := []struct {
		lang, cmd, addr, want string
	}{
		{"en", "serve", inUse, "commune: --addr " + inUse + ": cannot listen there: the address is in use (another server, or another commune?)\n"},
		{"es", "serve", inUse, "commune: --addr " + inUse + ": no se puede escuchar ahí: la dirección ya está en uso (¿otro servidor, u otro commune?)\n"},
		{"es", "demo", inUse, "commune: --addr " + inUse + ": no se puede escuchar ahí: la dirección ya está en uso (¿otro servidor, u otro commune?)\n"},
		{"en", "demo", "8080", "commune: --addr 8080: want a host and a port, such as 127.0.0.1:8080\n"},
		{"es", "serve", "127.0.0.1:99999", "commune: --addr 127.0.0.1:99999: se espera un servidor y un puerto, como 127.0.0.1:8080\n"},
		{"en", "serve", "192.0.2.7:8080", "commune: --addr 192.0.2.7:8080: cannot listen there: this machine has no such address\n"},
	}
	for _, c := range cases {
		data := filepath.Join(t.TempDir(), "data")
		code, out, errOut := runCLI(t, c.lang, c.cmd, "--data", data, "--addr", c.addr)
		if code != exitUsage || out != "" || errOut != c.want {
			t.Errorf("%s %s --addr %s: got exit %d, stdout %q, stderr %q; want exit 2 and %q", c.lang, c.cmd, c.addr, code, out, errOut, c.want)
		}
		if _, err := os.Stat(data); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s %s --addr %s: the data directory: %v, want none made", c.lang, c.cmd, c.addr, err)
		}
	}
}

// TestServeSMSFromAlone: --sms-from without --sms is refused, in the
// user's language, before anything is created: the server used to start
// and send no text message at all, the operator believing texts were on.
func TestServeSMSFromAlone(t *testing.T) {
	for lang, want := range map[string]string{"en": "--sms-from needs --sms", "es": "--sms-from necesita --sms"} {
		dir := filepath.Join(t.TempDir(), "data")
		code, out, errOut := runCLI(t, lang, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--sms-from", "+15550100")
		if code != 2 || out != "" || !strings.Contains(errOut, want) {
			t.Errorf("%s: got exit %d, stdout %q, stderr %q; want exit 2 and %q", lang, code, out, errOut, want)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("%s: the data directory was created", lang)
		}
	}
}
