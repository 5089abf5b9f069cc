package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/commune-org/commune/internal/auth"
)

// The sign-in endpoints are limited per client too (login.go), so that
// one client cannot spend the budgets over all that everyone's sign-in
// shares; so are the other public pages that act, joining by an invite
// and answering a call by its link. A client is known by its address, which the privacy rules
// keep out of logs and off the disk: the limiters hold an HMAC of it
// under a key drawn for each process, in memory only, never the address
// itself, and a restart forgets them all.

// maxClients bounds how many clients each limiter per client remembers
// (auth.Limiter.Max): about 100 bytes each, some 10 MB at most. Past
// it, a flood from as many addresses is held by the limits over all.
const maxClients = 100_000

// clientLimiter returns a limiter per client allowing burst actions at
// once, then one per every.
func clientLimiter(every time.Duration, burst int) *auth.Limiter {
	l := auth.NewLimiter(every, burst)
	l.Max = maxClients
	return l
}

// clients tells the clients of requests apart for the limiters.
type clients struct {
	secret [32]byte // the HMAC's key; random, for this process only
	// proxies are the trusted reverse proxies (Options.TrustedProxies).
	proxies []netip.Prefix
}

func newClients(proxies []netip.Prefix) *clients {
	c := &clients{proxies: proxies}
	rand.Read(c.secret[:])
	return c
}

// key is the key of r's client in the limiters, or "" when the peer's
// address cannot be read (a listener that is not TCP), which no limit
// per client then counts: all such requests would be one client. An
// IPv6 client is its /64: a host usually has a whole /64 to itself and
// could take a new address of it for each request.
func (c *clients) key(r *http.Request) string {
	a := c.addr(r)
	if !a.IsValid() {
		return ""
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		a = p.Addr()
	}
	m := hmac.New(sha256.New, c.secret[:])
	m.Write(a.AsSlice())
	return string(m.Sum(nil)[:16])
}

// addr is the address of r's client: the peer's, unless the peer is a
// trusted proxy. Then it is read from what the proxies wrote, in the
// Forwarded header (RFC 7239) or X-Forwarded-For (walk), whose last
// address that is not a trusted proxy's is the client. Without trusted
// proxies neither header is read: any client could send one, with a new
// address in it each time.
//
// When both headers name a client, they must name the same one, or the
// peer stands for the client. A proxy usually writes one of them and
// passes the other on as the client sent it (nginx, told to set
// X-Forwarded-For, passes a client's Forwarded on untouched), so a
// client could write the other itself, a new address each time, and
// nothing in the request says which one the proxy wrote. Taking either
// one first would let every client behind a proxy that writes only the
// other escape its limits; a proxy that writes both names the same
// client in each. Forwarded without a for= parameter names no client
// (a proxy may write it for proto= alone) and is as if absent.
func (c *clients) addr(r *http.Request) netip.Addr {
	peer := parseAddr(r.RemoteAddr)
	if !peer.IsValid() || !c.trusted(peer) {
		return peer
	}
	fwd, xff := r.Header.Values("Forwarded"), r.Header.Values("X-Forwarded-For")
	if !forwardedNames(fwd) {
		return c.walk(peer, xff, xffHops)
	}
	client := c.walk(peer, fwd, forwardedHops)
	if len(xff) > 0 && c.walk(peer, xff, xffHops) != client {
		return peer
	}
	return client
}

// walk reads the client's address from the lines of a header that
// each proxy appends to, with read reading one line. Each proxy appends
// the address it got the request from, so the entries at the right were
// written by trusted proxies, and the first one, from the right, that is
// not a trusted proxy's is the client they got it from; what lies
// further left the client may have written itself. An entry that is not
// an address, or a line that cannot be read, is not what a trusted
// proxy would write of a client it knows: the nearest hop read stands
// for the client, rather than one made up further left.
func (c *clients) walk(peer netip.Addr, lines []string, read func(line string) ([]netip.Addr, bool)) netip.Addr {
	client := peer
	for i := len(lines) - 1; i >= 0; i-- {
		hops, ok := read(lines[i])
		if !ok {
			return client
		}
		for j := len(hops) - 1; j >= 0; j-- {
			if !hops[j].IsValid() {
				return client
			}
			client = hops[j]
			if !c.trusted(client) {
				return client
			}
		}
	}
	return client
}

// xffHops reads a line of X-Forwarded-For: addresses separated by
// commas, each the zero Addr if it is not one.
func xffHops(line string) ([]netip.Addr, bool) {
	entries := strings.Split(line, ",")
	hops := make([]netip.Addr, len(entries))
	for i, e := range entries {
		hops[i] = parseAddr(e)
	}
	return hops, true
}

// trusted reports whether a is a trusted proxy's address.
func (c *clients) trusted(a netip.Addr) bool {
	for _, p := range c.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseAddr reads an address as RemoteAddr or X-Forwarded-For holds it,
// with or without a port ("192.0.2.7", "192.0.2.7:4444", "2001:db8::7",
// "[2001:db8::7]:4444"), as IPv4 when it is IPv4 mapped into IPv6 and
// without an IPv6 zone; it returns the zero Addr otherwise.
func parseAddr(s string) netip.Addr {
	s = strings.TrimSpace(s)
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return netip.Addr{}
		}
		a = ap.Addr()
	}
	return a.Unmap().WithZone("")
}
