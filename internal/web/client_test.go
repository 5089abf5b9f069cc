package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/auth"
)

// fromPeer sends a sign-in request to the server's handler as if it
// came from the peer at remote ("203.0.113.9:4444"), carrying the
// X-Forwarded-For lines xff, in Spanish; body is marshalled to JSON
// unless nil.
func (e *loginEnv) fromPeer(t *testing.T, remote, path string, body any, xff ...string) response {
	t.Helper()
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req := httptest.NewRequest("POST", path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept-Language", "es")
	for _, v := range xff {
		req.Header.Add("X-Forwarded-For", v)
	}
	req.RemoteAddr = remote
	rec := httptest.NewRecorder()
	e.http.ServeHTTP(rec, req)
	return response{rec.Code, rec.Header(), rec.Body.Bytes()}
}

// overLoopback sends a request for a login code for email to the server
// over real HTTP on loopback, carrying X-Forwarded-For xff if not "".
func (e *loginEnv) overLoopback(t *testing.T, email, xff string) response {
	t.Helper()
	h := http.Header{}
	if xff != "" {
		h.Set("X-Forwarded-For", xff)
	}
	return e.overLoopbackWith(t, email, h)
}

// overLoopbackWith is overLoopback carrying the headers h.
func (e *loginEnv) overLoopbackWith(t *testing.T, email string, h http.Header) response {
	t.Helper()
	req, err := http.NewRequest("POST", e.url+"/api/v1/login/code", strings.NewReader(`{"email": "`+email+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	return send(t, http.DefaultClient, req)
}

// signInEndpoints are the public sign-in endpoints, each with the i-th
// of a series of bodies (each its own email, so that no limit per email
// is met), the limits per client and over all it counts against, and
// what the limit per client lets a client do at once and says to wait.
var signInEndpoints = []struct {
	name     string
	path     string
	body     func(i int) any
	limiters func(*login) (perClient, all *auth.Limiter)
	burst    int
	retry    string
}{
	{"code", "/api/v1/login/code",
		func(i int) any { return map[string]string{"email": fmt.Sprintf("n%d@example.org", i)} },
		func(l *login) (*auth.Limiter, *auth.Limiter) { return l.codePerClient, l.codeAll }, 20, "10"},
	{"verify", "/api/v1/login/code/verify",
		func(i int) any {
			return map[string]string{"email": fmt.Sprintf("n%d@example.org", i), "code": "123456"}
		},
		func(l *login) (*auth.Limiter, *auth.Limiter) { return l.verifyPerClient, l.verifyAll }, 40, "5"},
	{"passkey", "/api/v1/login/passkey/begin",
		func(int) any { return nil },
		func(l *login) (*auth.Limiter, *auth.Limiter) { return l.passkeyPerClient, l.passkeyAll }, 40, "5"},
}

// TestLoginLimitPerClient: a client that asks more than its share of a
// sign-in endpoint, more even than the budget over all, is refused (429,
// in the reader's language, with Retry-After) once it has its share,
// and so spends no more of that budget: another client still gets in.
// There was no limit per client: one client spent the budget over all,
// and everyone else was refused.
func TestLoginLimitPerClient(t *testing.T) {
	for _, ep := range signInEndpoints {
		t.Run(ep.name, func(t *testing.T) {
			e := newLoginEnv(t, "")
			_, all := ep.limiters(e.srv.login)
			tries := all.Burst + 10
			refused := 0
			for i := range tries {
				r := e.fromPeer(t, "198.51.100.7:40000", ep.path, ep.body(i))
				if i < ep.burst {
					if r.status == http.StatusTooManyRequests {
						t.Fatalf("request %d of %d at once from one client: got 429, want it served", i+1, ep.burst)
					}
					continue
				}
				if r.status != 429 {
					t.Fatalf("request %d from one client, beyond %d at once: got %d %s, want 429", i+1, ep.burst, r.status, r.body)
				}
				if d := errorOf(t, r); d.Code != codeTooManyRequests || d.Message != messagesES[msgTooManyRequests] ||
					r.header.Get("Retry-After") != ep.retry {
					t.Fatalf("request %d from one client: got %+v, Retry-After %q; want %s in Spanish, Retry-After %s",
						i+1, d, r.header.Get("Retry-After"), codeTooManyRequests, ep.retry)
				}
				refused++
			}
			if want := tries - ep.burst; refused != want {
				t.Errorf("one client asking %d times: %d refused, want %d", tries, refused, want)
			}
			// Another port is the same client; another address is not.
			if r := e.fromPeer(t, "198.51.100.7:40001", ep.path, ep.body(tries)); r.status != 429 {
				t.Errorf("the same address from another port: got %d, want 429", r.status)
			}
			if r := e.fromPeer(t, "198.51.100.8:40000", ep.path, ep.body(tries+1)); r.status == 429 {
				t.Errorf("another client after the first spent its share: got 429 %s, want it served", r.body)
			}
			if strings.Contains(e.log.String(), "198.51.100") {
				t.Errorf("the log holds a client's address: %s", e.log)
			}
		})
	}
}

// TestLoginLimitTrustedProxy: behind a trusted proxy (here every request
// comes from loopback), the client is the last address of
// X-Forwarded-For that is not a trusted proxy's: clients behind the
// proxy are limited each on its own, and what a client writes to the
// left of what the proxies wrote does not make it another client.
func TestLoginLimitTrustedProxy(t *testing.T) {
	e := newLoginEnvWith(t, Options{TrustedProxies: []netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("10.0.0.0/8")}})
	for i := range 20 {
		// A proxy at 10.0.0.2 got the request from 198.51.100.7 and
		// passed it to the one on loopback; the client wrote the first
		// address itself, a new one each time.
		xff := fmt.Sprintf("203.0.113.%d, 198.51.100.7, 10.0.0.2", i)
		if r := e.overLoopback(t, fmt.Sprintf("n%d@example.org", i), xff); r.status != 202 {
			t.Fatalf("request %d of 20 from one client behind the proxies: got %d %s, want 202", i+1, r.status, r.body)
		}
	}
	if r := e.overLoopback(t, "n20@example.org", "203.0.113.99, 198.51.100.7, 10.0.0.2"); r.status != 429 {
		t.Errorf("the 21st request at once from one client behind the proxies: got %d %s, want 429", r.status, r.body)
	}
	if r := e.overLoopback(t, "n21@example.org", "198.51.100.8"); r.status != 202 {
		t.Errorf("another client behind the proxy: got %d %s, want 202", r.status, r.body)
	}
	if r := e.overLoopback(t, "n22@example.org", ""); r.status != 202 {
		t.Errorf("the proxy itself, without X-Forwarded-For: got %d %s, want 202", r.status, r.body)
	}
}

// TestLoginLimitForwardedHeader: behind a trusted proxy that writes
// Forwarded (RFC 7239), the client is the last for= that is not a
// trusted proxy's, as with X-Forwarded-For: clients behind the proxy
// are limited each on its own, and what a client writes to the left of
// the proxies' elements does not make it another client. Nor does a
// header of the other kind that the client writes itself, a new address
// each time, beside the one the proxy wrote: two that name other
// clients leave the proxy's address standing for the client. There was
// no reading of Forwarded: every client behind such a proxy was one.
func TestLoginLimitForwardedHeader(t *testing.T) {
	e := newLoginEnvWith(t, Options{TrustedProxies: []netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("10.0.0.0/8")}})
	fwd := func(v string) http.Header { return http.Header{"Forwarded": {v}} }
	for i := range 20 {
		h := fwd(fmt.Sprintf(`for=203.0.113.%d, for="[2001:db8:7::1]:4711";proto=https, for=10.0.0.2`, i))
		if r := e.overLoopbackWith(t, fmt.Sprintf("n%d@example.org", i), h); r.status != 202 {
			t.Fatalf("request %d of 20 from one client behind the proxies: got %d %s, want 202", i+1, r.status, r.body)
		}
	}
	if r := e.overLoopbackWith(t, "n20@example.org", fwd(`for=203.0.113.99, for="[2001:db8:7::2]", for=10.0.0.2`)); r.status != 429 {
		t.Errorf("the 21st request at once from one client (one /64) behind the proxies: got %d %s, want 429", r.status, r.body)
	}
	if r := e.overLoopbackWith(t, "n21@example.org", fwd("for=198.51.100.8")); r.status != 202 {
		t.Errorf("another client behind the proxy: got %d %s, want 202", r.status, r.body)
	}
	// The proxy writes X-Forwarded-For; a client adds a Forwarded of its
	// own, a new address each time: it is the proxy's, one client.
	for i := range 20 {
		h := http.Header{"X-Forwarded-For": {"198.51.100.9"}, "Forwarded": {fmt.Sprintf("for=192.0.2.%d", i)}}
		if r := e.overLoopbackWith(t, fmt.Sprintf("m%d@example.org", i), h); r.status != 202 {
			t.Fatalf("request %d of 20 with a forged Forwarded: got %d %s, want 202", i+1, r.status, r.body)
		}
	}
	h := http.Header{"X-Forwarded-For": {"198.51.100.9"}, "Forwarded": {"for=192.0.2.20"}}
	if r := e.overLoopbackWith(t, "m20@example.org", h); r.status != 429 {
		t.Errorf("the 21st request at once with a new forged Forwarded: got %d %s, want 429", r.status, r.body)
	}
	// The client on its own, without the forged header, is itself.
	if r := e.overLoopback(t, "m21@example.org", "198.51.100.9"); r.status != 202 {
		t.Errorf("the client without a forged Forwarded: got %d %s, want 202", r.status, r.body)
	}
}

// TestLoginLimitForgedForwarded: X-Forwarded-For from a peer that is not
// a trusted proxy is not read, with no trusted proxy or with others: a
// client writing a new address in it each time is still one client.
func TestLoginLimitForgedForwarded(t *testing.T) {
	for name, proxies := range map[string][]netip.Prefix{
		"no trusted proxy":        nil,
		"another trusted network": {netip.MustParsePrefix("10.0.0.0/8")},
	} {
		t.Run(name, func(t *testing.T) {
			e := newLoginEnvWith(t, Options{TrustedProxies: proxies})
			for i := range 20 {
				if r := e.overLoopback(t, fmt.Sprintf("n%d@example.org", i), fmt.Sprintf("203.0.113.%d", i)); r.status != 202 {
					t.Fatalf("request %d of 20: got %d %s, want 202", i+1, r.status, r.body)
				}
			}
			if r := e.overLoopback(t, "n20@example.org", "203.0.113.20"); r.status != 429 {
				t.Errorf("the 21st request at once, with a new forged X-Forwarded-For: got %d %s, want 429", r.status, r.body)
			}
		})
	}
}

// TestLoginLimitClientsBounded: the limiters per client remember at most
// maxClients clients, however many come: each IPv6 /64 is one client,
// and a flood from many of them leaves the limiter no bigger than its
// bound (lowered here, so that the test sends a few hundred requests,
// not a hundred thousand).
func TestLoginLimitClientsBounded(t *testing.T) {
	e := newLoginEnv(t, "")
	for _, ep := range signInEndpoints {
		if perClient, _ := ep.limiters(e.srv.login); perClient.Max != maxClients {
			t.Errorf("%s: the limiter per client remembers at most %d clients, want %d", ep.name, perClient.Max, maxClients)
		}
	}
	for name, l := range map[string]*auth.Limiter{"join": e.srv.login.joinPerClient, "answer": e.srv.login.answerPerClient} {
		if l.Max != maxClients {
			t.Errorf("%s: the limiter per client remembers at most %d clients, want %d", name, l.Max, maxClients)
		}
	}
	l := e.srv.login.passkeyPerClient
	// Addresses of one /64 are one client.
	for i := range 10 {
		e.fromPeer(t, fmt.Sprintf("[2001:db8:1:2::%x]:4444", i+1), "/api/v1/login/passkey/begin", nil)
	}
	if l.Len() != 1 {
		t.Errorf("ten addresses of one /64: the limiter remembers %d clients, want 1", l.Len())
	}
	l.Max = 64
	most := 0
	for i := range 500 {
		e.fromPeer(t, fmt.Sprintf("[2001:db8:2:%x::1]:4444", i), "/api/v1/login/passkey/begin", nil)
		most = max(most, l.Len())
	}
	if most > l.Max || most < l.Max/2 {
		t.Errorf("500 clients, one /64 each: the limiter remembered up to %d, want at most %d (and more than half)", most, l.Max)
	}
}

func TestClientAddr(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name    string
		proxies []netip.Prefix
		peer    string
		xff     []string
		want    string
		fwd     []string // Forwarded
	}{
		{"no proxy trusted: the header is not read", nil, "198.51.100.7:1", []string{"203.0.113.1"}, "198.51.100.7", nil},
		{"a peer that is not a trusted proxy", proxies, "198.51.100.7:1", []string{"203.0.113.1"}, "198.51.100.7", nil},
		{"a trusted proxy", proxies, "10.0.0.1:1", []string{"203.0.113.1"}, "203.0.113.1", nil},
		{"what the client wrote is passed over", proxies, "10.0.0.1:1", []string{"192.0.2.1, 203.0.113.1"}, "203.0.113.1", nil},
		{"a chain of trusted proxies", proxies, "10.0.0.1:1", []string{"192.0.2.1, 203.0.113.1, 10.0.0.2"}, "203.0.113.1", nil},
		{"the header on two lines", proxies, "10.0.0.1:1", []string{"192.0.2.1", "203.0.113.1, 10.0.0.2"}, "203.0.113.1", nil},
		{"a trusted proxy without the header", proxies, "10.0.0.1:1", nil, "10.0.0.1", nil},
		{"every address a trusted proxy's", proxies, "10.0.0.1:1", []string{"10.0.0.3, 10.0.0.2"}, "10.0.0.3", nil},
		{"not an address after a proxy's", proxies, "10.0.0.1:1", []string{"192.0.2.1, unknown, 10.0.0.2"}, "10.0.0.2", nil},
		{"not an address at once", proxies, "10.0.0.1:1", []string{"192.0.2.1, "}, "10.0.0.1", nil},
		{"an address with a port", proxies, "10.0.0.1:1", []string{"203.0.113.1:4444"}, "203.0.113.1", nil},
		{"IPv6 with a port", proxies, "10.0.0.1:1", []string{"[2001:db8::7]:4444"}, "2001:db8::7", nil},
		{"an IPv6 proxy", proxies, "[::1]:1", []string{"2001:db8::7"}, "2001:db8::7", nil},
		{"an IPv4 proxy mapped into IPv6", proxies, "[::ffff:10.0.0.1]:1", []string{"::ffff:203.0.113.1"}, "203.0.113.1", nil},
		{"a zone", nil, "[fe80::1%eth0]:1", nil, "fe80::1", nil},

		// Forwarded (RFC 7239), read as X-Forwarded-For is.
		{"Forwarded from a trusted proxy", proxies, "10.0.0.1:1", nil, "203.0.113.1", []string{"for=203.0.113.1"}},
		{"Forwarded from a peer not trusted", proxies, "198.51.100.7:1", nil, "198.51.100.7", []string{"for=203.0.113.1"}},
		{"Forwarded with no proxy trusted", nil, "198.51.100.7:1", nil, "198.51.100.7", []string{"for=203.0.113.1"}},
		{"Forwarded: what the client wrote is passed over", proxies, "10.0.0.1:1", nil, "203.0.113.1",
			[]string{"for=192.0.2.1, for=203.0.113.1"}},
		{"Forwarded: a chain of trusted proxies, other parameters", proxies, "10.0.0.1:1", nil, "203.0.113.1",
			[]string{"for=192.0.2.1;proto=https, for=203.0.113.1;by=10.0.0.2;proto=https, for=10.0.0.2;host=commune.example.org"}},
		{"Forwarded on two lines", proxies, "10.0.0.1:1", nil, "203.0.113.1", []string{"for=192.0.2.1", "for=203.0.113.1, for=10.0.0.2"}},
		{"Forwarded: IPv6 quoted, with a port", proxies, "10.0.0.1:1", nil, "2001:db8:cafe::17", []string{`for="[2001:db8:cafe::17]:4711"`}},
		{"Forwarded: IPv6 quoted, no port", proxies, "10.0.0.1:1", nil, "2001:db8::7", []string{`For="[2001:db8::7]"`}},
		{"Forwarded: IPv4 quoted, with a port", proxies, "10.0.0.1:1", nil, "203.0.113.1", []string{`for="203.0.113.1:8080"`}},
		{"Forwarded: an obfuscated port", proxies, "10.0.0.1:1", nil, "203.0.113.1", []string{`for="203.0.113.1:_p1"`}},
		{"Forwarded: IPv4 mapped into IPv6", proxies, "10.0.0.1:1", nil, "203.0.113.1", []string{`for="[::ffff:203.0.113.1]"`}},
		{"Forwarded: a quoted-pair", proxies, "10.0.0.1:1", nil, "203.0.113.1", []string{`for="203.0.113\.1"`}},
		{"Forwarded: empty elements and spaces", proxies, "10.0.0.1:1", nil, "203.0.113.1", []string{" , for=192.0.2.1 ,, for=203.0.113.1 ; proto=http ,"}},
		{"Forwarded: unknown after a proxy's", proxies, "10.0.0.1:1", nil, "10.0.0.2", []string{"for=192.0.2.1, for=unknown, for=10.0.0.2"}},
		{"Forwarded: unknown at once", proxies, "10.0.0.1:1", nil, "10.0.0.1", []string{"for=192.0.2.1, for=unknown"}},
		{"Forwarded: obfuscated", proxies, "10.0.0.1:1", nil, "10.0.0.1", []string{"for=192.0.2.1, for=_hidden"}},
		{"Forwarded: an element without for=", proxies, "10.0.0.1:1", nil, "10.0.0.1", []string{"for=192.0.2.1, proto=https"}},
		{"Forwarded: unbracketed IPv6", proxies, "10.0.0.1:1", nil, "10.0.0.1", []string{`for="2001:db8::7"`}},
		{"Forwarded: bracketed IPv4", proxies, "10.0.0.1:1", nil, "10.0.0.1", []string{`for="[203.0.113.1]"`}},
		{"Forwarded: a port out of range", proxies, "10.0.0.1:1", nil, "10.0.0.1", []string{`for="203.0.113.1:123456"`}},
		{"Forwarded: a hostname", proxies, "10.0.0.1:1", nil, "10.0.0.1", []string{"for=client.example.org"}},

		// Lines that do not follow the grammar: the nearest hop read
		// stands for the client.
		{"Forwarded: an unclosed quote", proxies, "10.0.0.1:1", nil, "10.0.0.1", []string{`for="203.0.113.1`}},
		{"Forwarded: an unclosed quote swallowing the proxy's element", proxies, "10.0.0.1:1", nil, "10.0.0.1",
			[]string{`for="192.0.2.1, for=203.0.113.1`}},
		{"Forwarded: a client's bad line before the proxy's", proxies, "10.0.0.1:1", nil, "203.0.113.1",
			[]string{`for="192.0.2.1`, "for=203.0.113.1"}},
		{"Forwarded: a bad line left of a trusted proxy's", proxies, "10.0.0.1:1", nil, "10.0.0.2", []string{"for=203.0.113.1, for=[bad", "for=10.0.0.2"}},
		{"Forwarded: a bad line last", proxies, "10.0.0.1:1", nil, "10.0.0.1", []string{"for=203.0.113.1, for=10.0.0.2", "for=[bad"}},
		{"Forwarded: unquoted IPv6", proxies, "10.0.0.1:1", nil, "10.0.0.1", []string{"for=[2001:db8::7]"}},
		{"Forwarded: unquoted port", proxies, "10.0.0.1:1", nil, "10.0.0.1", []string{"for=203.0.113.1:80"}},
		{"Forwarded: for= twice in one element", proxies, "10.0.0.1:1", nil, "10.0.0.1", []string{"for=192.0.2.1;for=203.0.113.1"}},
		{"Forwarded: a pair without a value", proxies, "10.0.0.1:1", nil, "10.0.0.1", []string{"for="}},
		{"Forwarded: a name without =", proxies, "10.0.0.1:1", nil, "10.0.0.1", []string{"for"}},
		{"Forwarded: spaces around =", proxies, "10.0.0.1:1", nil, "10.0.0.1", []string{"for = 203.0.113.1"}},
		{"Forwarded: a control character in quotes", proxies, "10.0.0.1:1", nil, "10.0.0.1", []string{"for=\"203.0.113.1\x00\""}},
		{"Forwarded: a backslash at the end", proxies, "10.0.0.1:1", nil, "10.0.0.1", []string{`for="203.0.113.1\`}},
		{"Forwarded: two values", proxies, "10.0.0.1:1", nil, "10.0.0.1", []string{"for=203.0.113.1 192.0.2.1"}},

		// Both headers: the same client, or the peer.
		{"both name the same client", proxies, "10.0.0.1:1", []string{"192.0.2.9, 203.0.113.1"}, "203.0.113.1",
			[]string{"for=192.0.2.1, for=203.0.113.1"}},
		{"both, naming other clients", proxies, "10.0.0.1:1", []string{"203.0.113.1"}, "10.0.0.1", []string{"for=192.0.2.77"}},
		{"both, Forwarded unreadable", proxies, "10.0.0.1:1", []string{"203.0.113.1"}, "10.0.0.1", []string{`for="192.0.2.77`}},
		{"Forwarded without for= is as if absent", proxies, "10.0.0.1:1", []string{"203.0.113.1"}, "203.0.113.1", []string{"proto=https;host=x"}},
		{"Forwarded empty is as if absent", proxies, "10.0.0.1:1", []string{"203.0.113.1"}, "203.0.113.1", []string{""}},
	}
	for _, tc := range tests {
		c := newClients(tc.proxies)
		r := httptest.NewRequest("POST", "/api/v1/login/code", nil)
		r.RemoteAddr = tc.peer
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		for _, v := range tc.fwd {
			r.Header.Add("Forwarded", v)
		}
		if got := c.addr(r); got != netip.MustParseAddr(tc.want) {
			t.Errorf("%s: got %v, want %s", tc.name, got, tc.want)
		}
	}
}

// TestClientKey: a client's key holds no address, is the same for every
// address of an IPv6 /64 and for IPv4 however written, and is another in
// another process.
func TestClientKey(t *testing.T) {
	c := newClients(nil)
	key := func(c *clients, peer string) string {
		r := httptest.NewRequest("POST", "/", nil)
		r.RemoteAddr = peer
		return c.key(r)
	}
	v4 := key(c, "198.51.100.7:1")
	if v4 == "" || strings.Contains(v4, "198.51.100.7") || bytes.Contains([]byte(v4), []byte{198, 51, 100, 7}) {
		t.Errorf("the key of 198.51.100.7: %q, want one that holds no address", v4)
	}
	if got := key(c, "[::ffff:198.51.100.7]:2"); got != v4 {
		t.Error("198.51.100.7 mapped into IPv6 is another client")
	}
	if key(c, "198.51.100.8:1") == v4 {
		t.Error("198.51.100.8 is the same client as 198.51.100.7")
	}
	if key(c, "[2001:db8:1:2::1]:1") != key(c, "[2001:db8:1:2:ffff:ffff:ffff:ffff]:1") {
		t.Error("two addresses of one /64 are two clients")
	}
	if key(c, "[2001:db8:1:2::1]:1") == key(c, "[2001:db8:1:3::1]:1") {
		t.Error("two /64s are one client")
	}
	if key(newClients(nil), "198.51.100.7:1") == v4 {
		t.Error("two processes give a client the same key")
	}
	if got := key(c, "@"); got != "" {
		t.Errorf("a peer without an address: key %q, want none", got)
	}
	if n := len(v4); n != 16 {
		t.Errorf("a key of %d bytes, want 16", n)
	}
}
