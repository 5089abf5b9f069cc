package cli

import (
	"context"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/notify/smtptest"
	"github.com/commune-org/commune/internal/store"
)

// TestServeLoginCode: "commune serve --smtp" sends a login code through
// a real SMTP server, and the code signs in.
func TestServeLoginCode(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateMember(ctx, store.Member{Alias: "ana", Language: "en", Cell: "9q8yy",
		Contact: store.Contact{Email: "ana@example.org"}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	mail := smtptest.Start(t, smtptest.Options{})

	var stdout, stderr syncBuffer
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- Run(sctx, Config{Lang: "en"}, []string{"serve", "--data", dir, "--addr", "127.0.0.1:0", "--smtp", mail.URL}, &stdout, &stderr)
	}()
	var base string
	listening := regexp.MustCompile(`listening on (http://\S+)`)
	for deadline := time.Now().Add(10 * time.Second); base == ""; time.Sleep(10 * time.Millisecond) {
		if m := listening.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s", stderr.String())
		}
	}
	post := func(path, body string) *http.Response {
		resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := post("/api/v1/login/code", `{"email": "ana@example.org"}`); resp.StatusCode != 202 {
		t.Fatalf("POST /api/v1/login/code: got %d, want 202", resp.StatusCode)
	}
	_, body := mail.Wait(t).Parsed(t)
	code := regexp.MustCompile(`[0-9]{6}`).FindString(body)
	resp := post("/api/v1/login/code/verify", `{"email": "ana@example.org", "code": "`+code+`"}`)
	if resp.StatusCode != 200 || len(resp.Cookies()) != 1 || resp.Cookies()[0].Name != "commune_session" {
		t.Errorf("verify: got %d, cookies %v, want 200 and commune_session", resp.StatusCode, resp.Cookies())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve: exit %d: %s", code, stderr.String())
	}
}

func TestServeBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--public-url", "commune.example.org"},
		{"--public-url", "ftp://commune.example.org"},
		{"--smtp", "http://mail.example.org"},
		{"--sms", "ftp://gateway.example.org", "--sms-from", "+15550100"},
		{"--call-retention", "200h"},
		{"--call-rings", "1s"},
		{"--trusted-proxy", "10.0.0.0/33"},
		{"--trusted-proxy", "proxy.example.org"},
		{"--trusted-proxy", "10.0.0.1,"},
	} {
		code, _, errOut := runCLI(t, "es", append([]string{"serve", "--data", t.TempDir()}, args...)...)
		if code != 2 || !strings.Contains(errOut, args[0]) {
			t.Errorf("serve %v: exit %d, %q; want 2 and a message naming %s", args, code, errOut, args[0])
		}
	}
}

func TestParseProxies(t *testing.T) {
	tests := []struct {
		list string
		want []string // nil: refused
	}{
		{"", []string{}},
		{"127.0.0.1", []string{"127.0.0.1/32"}},
		{"10.1.2.3/8, ::1", []string{"10.0.0.0/8", "::1/128"}},
		{"2001:db8::/32,192.0.2.0/24", []string{"2001:db8::/32", "192.0.2.0/24"}},
		{"::ffff:10.0.0.0/104", []string{"10.0.0.0/8"}},
		{"10.0.0.0/33", nil},
		{"10.0.0.1,,10.0.0.2", nil},
		{"fe80::1%eth0", nil},
		{"localhost", nil},
	}
	for _, tc := range tests {
		got, ok := parseProxies(tc.list)
		if ok != (tc.want != nil) {
			t.Errorf("parseProxies(%q): ok %v, want %v", tc.list, ok, tc.want != nil)
			continue
		}
		var s []string
		for _, p := range got {
			s = append(s, p.String())
		}
		if strings.Join(s, " ") != strings.Join(tc.want, " ") {
			t.Errorf("parseProxies(%q): got %v, want %v", tc.list, s, tc.want)
		}
	}
}

// TestServeTrustedProxy: "commune serve --trusted-proxy" limits sign-in
// per client behind the proxy, by X-Forwarded-For: without the flag every
// request through a proxy on loopback is one client, and one client's
// passkey sign-ins would hold back the next.
func TestServeTrustedProxy(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	base, done, stderr := startServe(t, ctx, newData(t), "--trusted-proxy", "127.0.0.1,::1")
	begin := func(client string) int {
		req, _ := http.NewRequest("POST", base+"/api/v1/login/passkey/begin", nil)
		req.Header.Set("X-Forwarded-For", client)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	status := 0
	for range 100 {
		if status = begin("198.51.100.7"); status != 200 {
			break
		}
	}
	if status != 429 {
		t.Errorf("one client behind the proxy beginning passkey sign-ins: got %d, want 429 before 100 of them", status)
	}
	if got := begin("198.51.100.8"); got != 200 {
		t.Errorf("another client behind the proxy: got %d, want 200", got)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve: exit %d: %s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "198.51.100") {
		t.Errorf("the log holds a client's address: %s", stderr.String())
	}
}

func TestLocalURL(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"127.0.0.1:8080", "http://localhost:8080"},
		{"[::1]:9000", "http://localhost:9000"},
		{"0.0.0.0:80", "http://localhost:80"},
		{"192.0.2.7:8080", "http://192.0.2.7:8080"},
	}
	for _, tc := range tests {
		a, err := net.ResolveTCPAddr("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := localURL(a); got != tc.want {
			t.Errorf("localURL(%s): got %q, want %q", tc.addr, got, tc.want)
		}
	}
}

// TestTokenOrganizer: an organizer's token makes the member an organizer
// for browser sessions too.
func TestTokenOrganizer(t *testing.T) {
	dir := newData(t)
	if code, _, errOut := runCLI(t, "en", "token", "--data", dir, "--member", "ana", "--role", "organizer"); code != 0 {
		t.Fatalf("token: exit %d: %s", code, errOut)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, err := st.MemberByAlias(ctx, "ana")
	if err != nil {
		t.Fatal(err)
	}
	h := auth.Hash(auth.NewSession())
	now := time.Now()
	if _, err := st.CreateSession(ctx, h, m.ID, true, now); err != nil {
		t.Fatal(err)
	}
	if s, err := st.SessionByHash(ctx, h, now); err != nil || !s.Organizer {
		t.Errorf("session of ana after an organizer's token: got %+v, %v, want organizer", s, err)
	}
}
