package cli

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
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
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, Config{Lang: "en"}, []string{"serve", "--data", dir, "--addr", "127.0.0.1:0"}, &stdout, &stderr)
	}()
	listening := regexp.MustCompile(`listening on (http://\S+)`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == ""; {
		if m := listening.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
			break
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
