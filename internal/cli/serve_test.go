package cli

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
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

// startServe runs "commune serve" on a free loopback port and returns its
// URL, the channel its exit code will come on, and its standard error.
func startServe(t *testing.T, ctx context.Context, dir string) (string, chan int, *syncBuffer) {
	t.Helper()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, Config{Lang: "en"}, []string{"serve", "--data", dir, "--addr", "127.0.0.1:0"}, &stdout, &stderr)
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

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve: exit %d after stop: %s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
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
