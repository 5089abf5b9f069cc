package web

import (
	"net/http/httptest"
	"net/netip"
	"slices"
	"testing"
)

// TestForwardedFor: the for= of each element of a Forwarded line, as
// RFC 7239 writes them (its examples first), and the lines that do not
// follow its grammar, which are not read at all.
func TestForwardedFor(t *testing.T) {
	tests := []struct {
		line  string
		fors  []string
		named bool
		ok    bool
	}{
		{`for="_gazonk"`, []string{"_gazonk"}, true, true},
		{`For="[2001:db8:cafe::17]:4711"`, []string{"[2001:db8:cafe::17]:4711"}, true, true},
		{`for=192.0.2.60;proto=http;by=203.0.113.43`, []string{"192.0.2.60"}, true, true},
		{`for=192.0.2.43, for=198.51.100.17`, []string{"192.0.2.43", "198.51.100.17"}, true, true},
		{`for=192.0.2.43,for="[2001:db8:cafe::17]",for=unknown`, []string{"192.0.2.43", "[2001:db8:cafe::17]", "unknown"}, true, true},
		{`proto=https;host=commune.example.org`, []string{""}, false, true},
		{`for=192.0.2.1, proto=https`, []string{"192.0.2.1", ""}, true, true},
		{``, nil, false, true},
		{` , ,, `, nil, false, true},
		{`;for=192.0.2.1;;`, []string{"192.0.2.1"}, true, true},
		{"for=192.0.2.1\t;\tproto=http", []string{"192.0.2.1"}, true, true},
		{`for="a\"b\\c"`, []string{`a"b\c`}, true, true},
		{`for="a,b;c=d", for=192.0.2.1`, []string{"a,b;c=d", "192.0.2.1"}, true, true},
		{`for=""`, []string{""}, true, true},
		{"for=\"\xe9\"", []string{"\xe9"}, true, true},

		{`for`, nil, false, false},
		{`for=`, nil, false, false},
		{`=192.0.2.1`, nil, false, false},
		{`for =192.0.2.1`, nil, false, false},
		{`for= 192.0.2.1`, nil, false, false},
		{`for=192.0.2.1:80`, nil, false, false},
		{`for=[2001:db8::1]`, nil, false, false},
		{`for="192.0.2.1`, nil, false, false},
		{`for="192.0.2.1\`, nil, false, false},
		{"for=\"a\x00\"", nil, false, false},
		{"for=\"a\\\x7f\"", nil, false, false},
		{`for="a"b`, nil, false, false},
		{`for=a b`, nil, false, false},
		{`for=a;For=b`, nil, false, false},
		{`by=a;by=b, for=c`, []string{"", "c"}, true, true}, // only for= twice is refused
		{`for=a, "b"`, nil, false, false},
	}
	for _, tc := range tests {
		fors, named, ok := forwardedFor(tc.line)
		if !slices.Equal(fors, tc.fors) || named != tc.named || ok != tc.ok {
			t.Errorf("forwardedFor(%q): got %q, named %v, ok %v; want %q, %v, %v", tc.line, fors, named, ok, tc.fors, tc.named, tc.ok)
		}
	}
}

// TestForwardedNode: a node is an address only when RFC 7239 writes an
// address: IPv4 bare, IPv6 in brackets, either with a port or not.
func TestForwardedNode(t *testing.T) {
	tests := []struct{ node, want string }{
		{"192.0.2.60", "192.0.2.60"},
		{"192.0.2.60:4711", "192.0.2.60"},
		{"192.0.2.60:_port-1", "192.0.2.60"},
		{"[2001:db8:cafe::17]", "2001:db8:cafe::17"},
		{"[2001:db8:cafe::17]:4711", "2001:db8:cafe::17"},
		{"[::ffff:192.0.2.60]", "192.0.2.60"},
		{"[fe80::1%eth0]", "fe80::1"},
		{"unknown", ""},
		{"_hidden", ""},
		{"_", ""},
		{"", ""},
		{"2001:db8:cafe::17", ""},
		{"[192.0.2.60]", ""},
		{"[2001:db8::17", ""},
		{"[2001:db8::17]4711", ""},
		{"[2001:db8::17]:", ""},
		{"192.0.2.60:", ""},
		{"192.0.2.60:123456", ""},
		{"192.0.2.60:80a", ""},
		{"192.0.2.60:_", ""},
		{"192.0.2.60:_a/b", ""},
		{"192.0.2.60:80:80", ""},
		{"[]", ""},
		{"]", ""},
		{"client.example.org", ""},
	}
	for _, tc := range tests {
		got := forwardedNode(tc.node)
		if tc.want == "" && got.IsValid() || tc.want != "" && got != netip.MustParseAddr(tc.want) {
			t.Errorf("forwardedNode(%q): got %v, want %q", tc.node, got, tc.want)
		}
	}
}

// FuzzForwardedFor: no Forwarded line makes the parser or the client's
// address panic, and the address is always one: the peer's when the
// line names no other.
func FuzzForwardedFor(f *testing.F) {
	for _, seed := range []string{`for=192.0.2.60;proto=http;by=203.0.113.43`, `for="[2001:db8:cafe::17]:4711"`,
		`for=192.0.2.43, for=198.51.100.17`, `for="_gazonk"`, `for=unknown`, `for="a\"b"`, `for="`, `for="\`, `;,;,`, `for=[`,
		`for="[::ffff:10.0.0.1]:_x", for=10.0.0.2`} {
		f.Add(seed)
	}
	c := newClients([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")})
	f.Fuzz(func(t *testing.T, line string) {
		fors, named, ok := forwardedFor(line)
		if !ok && (fors != nil || named) {
			t.Errorf("forwardedFor(%q): not ok, yet %q, named %v", line, fors, named)
		}
		for _, v := range fors {
			forwardedNode(v)
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "10.0.0.1:1"
		r.Header.Set("Forwarded", line)
		a := c.addr(r)
		if !a.IsValid() {
			t.Errorf("Forwarded %q: no address", line)
		}
		if !named && a != netip.MustParseAddr("10.0.0.1") {
			t.Errorf("Forwarded %q names no client, yet the client is %v", line, a)
		}
	})
}
