package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDemoCallArrives does what a reviewer of the demo did: runs
// "commune demo", raises a raid call at the Soto Street clinic as the
// coordinator, verifies it as the organizer, and waits. The call
// reached nobody (no one in the demo had asked for calls) and the board
// said only "targeted 0". Now the demo's member sees it arrive on their
// page and on /calls, with no email, phone or push in the demo; and the
// board says, in numbers, why it reached no more.
func TestDemoCallArrives(t *testing.T) {
	if testing.Short() {
		t.Skip("plans the demo world")
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, Config{Lang: "en"}, []string{"demo", "--data", filepath.Join(t.TempDir(), "demo"), "--addr", "127.0.0.1:0"},
			&stdout, &stderr)
	}()
	running := regexp.MustCompile(`commune demo is running at (http://\S+)`)
	var base string
	for deadline := time.Now().Add(2 * time.Minute); base == ""; {
		if m := running.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("demo exited %d: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo did not start: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	// One browser each, signed in by the demo's links.
	type browser struct {
		c    *http.Client
		csrf string
	}
	signIn := func(who string) browser {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		b := browser{c: &http.Client{Jar: jar}}
		resp, err := b.c.Get(base + "/demo/" + who)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var s struct{ CSRF string }
		resp, err = b.c.Get(base + "/api/v1/login/session")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || s.CSRF == "" {
			t.Fatalf("%s's session: %v", who, err)
		}
		b.csrf = s.CSRF
		return b
	}
	do := func(b browser, method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("X-CSRF-Token", b.csrf)
		req.Header.Set("Accept-Language", "en")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out)
	}
	coordinator, organizer, member := signIn("coordinator"), signIn("organizer"), signIn("member")

	const message = "ICE at the Soto Street clinic: come and witness"
	until := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
	code, body := do(coordinator, "POST", "/api/v1/calls", `{"collective": "boyle-heights", "site": "clinic-soto", "kind": "raid",
		"headcount": 10, "until": "`+until+`", "message": {"en": "`+message+`"}}`)
	var c struct{ ID string }
	if code != http.StatusCreated || json.Unmarshal([]byte(body), &c) != nil {
		t.Fatalf("raise: got %d %s", code, body)
	}
	if code, body := do(organizer, "POST", "/api/v1/calls/"+c.ID+"/verify", ""); code != http.StatusOK {
		t.Fatalf("verify: got %d %s", code, body)
	}

	// The worker rings at once on verification; the member's notices
	// find no channel in the demo and are given up, and the call shows
	// on their page.
	var me string
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(me, message); {
		if time.Now().After(deadline) {
			t.Fatalf("the call never reached the demo's member's page: %.2000s", me)
		}
		time.Sleep(100 * time.Millisecond)
		_, me = do(member, "GET", "/me", "")
	}
	if _, list := do(member, "GET", "/calls", ""); !strings.Contains(list, message) {
		t.Errorf("the member's /calls lacks the call: %.2000s", list)
	}

	_, board := do(coordinator, "GET", "/api/v1/calls/"+c.ID, "")
	var b struct {
		Targeted int `json:"targeted"`
		Missed   *struct {
			NotOptedIn int `json:"not_opted_in"`
		} `json:"missed"`
	}
	if err := json.Unmarshal([]byte(board), &b); err != nil || b.Targeted != 30 || b.Missed == nil || b.Missed.NotOptedIn == 0 {
		t.Errorf("the board: %s (%v); want a first ring of 30 and why no more", board, err)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("demo: exit %d after stop: %s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the demo did not stop")
	}
}
