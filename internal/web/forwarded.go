package web

import (
	"net/netip"
	"strings"
)

// The Forwarded header (RFC 7239), as trusted proxies write it: each
// appends an element that says, in its for= parameter, whom it got the
// request from:
//
//	Forwarded: for=192.0.2.60;proto=http;by=203.0.113.43
//	Forwarded: for="[2001:db8:cafe::17]:4711", for=198.51.100.17
//
// Only for= is read (clients.addr). The header comes, at least in
// part, from whoever sent the request, so nothing here may panic or
// read past what it was given, and a line that does not follow the
// grammar is not read at all (FuzzForwardedFor).

// forwardedHops reads a line of Forwarded into the address of each
// element's for=, the zero Addr where it names none (no for=, unknown,
// an obfuscated identifier, not an address); ok is false when the line
// does not follow the grammar.
func forwardedHops(line string) ([]netip.Addr, bool) {
	fors, _, ok := forwardedFor(line)
	if !ok {
		return nil, false
	}
	hops := make([]netip.Addr, len(fors))
	for i, f := range fors {
		hops[i] = forwardedNode(f)
	}
	return hops, true
}

// forwardedNames reports whether the lines of Forwarded name a client:
// an element has a for= parameter, or a line cannot be read (and may
// hide one).
func forwardedNames(lines []string) bool {
	for _, l := range lines {
		if _, named, ok := forwardedFor(l); named || !ok {
			return true
		}
	}
	return false
}

// forwardedFor parses a line of Forwarded (RFC 7239, section 4):
//
//	Forwarded         = 1#forwarded-element
//	forwarded-element = [ forwarded-pair ] *( ";" [ forwarded-pair ] )
//	forwarded-pair    = token "=" value
//	value             = token / quoted-string
//
// It returns the value of each element's for= ("" if it has none), and
// whether any element has one. Empty elements (",,") are skipped, as
// the list rule allows; spaces and tabs are allowed around "," and ";"
// but not around "=". A parameter name is case-insensitive, and for=
// twice in an element, a pair without "=" or a value, or an unclosed
// quote makes the line unreadable (ok false).
func forwardedFor(line string) (fors []string, named, ok bool) {
	var (
		value string // the element's for=
		has   bool   // the element has a for=
		pairs int    // how many pairs the element has
	)
	end := func() {
		if pairs > 0 {
			fors = append(fors, value)
		}
		value, has, pairs = "", false, 0
	}
	for i := 0; ; {
		i = skipSpace(line, i)
		if i == len(line) {
			end()
			return fors, named, true
		}
		switch line[i] {
		case ',':
			end()
			i++
			continue
		case ';':
			i++
			continue
		}
		j := i
		for j < len(line) && isTokenChar(line[j]) {
			j++
		}
		if j == i || j == len(line) || line[j] != '=' {
			return nil, false, false
		}
		name := line[i:j]
		v, k, ok := forwardedValue(line, j+1)
		if !ok {
			return nil, false, false
		}
		if strings.EqualFold(name, "for") {
			if has {
				return nil, false, false
			}
			value, has, named = v, true, true
		}
		pairs++
		i = skipSpace(line, k)
		if i < len(line) && line[i] != ',' && line[i] != ';' {
			return nil, false, false
		}
	}
}

// forwardedValue reads the value that starts at s[i], a token or a
// quoted-string (RFC 9110, section 5.6.4), and returns it unquoted and
// the index after it.
func forwardedValue(s string, i int) (string, int, bool) {
	if i < len(s) && s[i] == '"' {
		var b strings.Builder
		for i++; i < len(s); i++ {
			c := s[i]
			switch {
			case c == '"':
				return b.String(), i + 1, true
			case c == '\\':
				i++
				if i == len(s) || !isText(s[i]) {
					return "", 0, false
				}
				b.WriteByte(s[i])
			case isText(c):
				b.WriteByte(c)
			default:
				return "", 0, false
			}
		}
		return "", 0, false // no closing quote
	}
	j := i
	for j < len(s) && isTokenChar(s[j]) {
		j++
	}
	if j == i {
		return "", 0, false
	}
	return s[i:j], j, true
}

// forwardedNode reads the node of a for= (RFC 7239, section 6): an IPv4
// address, or an IPv6 one in brackets, with or without a port, as IPv4
// when it is IPv4 mapped into IPv6 and without a zone. "unknown", an
// obfuscated identifier ("_hidden") and anything else give the zero
// Addr: they name no address.
func forwardedNode(s string) netip.Addr {
	host, port := s, ""
	bracketed := strings.HasPrefix(s, "[")
	if bracketed {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return netip.Addr{}
		}
		host, port = s[1:end], s[end+1:]
	} else if i := strings.IndexByte(s, ':'); i >= 0 {
		host, port = s[:i], s[i:]
	}
	if port != "" && !isNodePort(port) {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(host)
	if err != nil || a.Is6() != bracketed {
		return netip.Addr{}
	}
	return a.Unmap().WithZone("")
}

// isNodePort reports whether s is ":" and a node-port: 1 to 5 digits,
// or an obfuscated port ("_" and letters, digits, ".", "_", "-").
func isNodePort(s string) bool {
	if len(s) < 2 || s[0] != ':' {
		return false
	}
	p := s[1:]
	if p[0] == '_' {
		for i := 1; i < len(p); i++ {
			if c := p[i]; !isAlnum(c) && c != '.' && c != '_' && c != '-' {
				return false
			}
		}
		return len(p) > 1
	}
	if len(p) > 5 {
		return false
	}
	for i := range len(p) {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// isTokenChar reports whether c is a tchar (RFC 9110, section 5.6.2).
func isTokenChar(c byte) bool {
	return isAlnum(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// isText reports whether c may be in a quoted-string, quoted or not
// (qdtext and quoted-pair, RFC 9110, section 5.6.4): a tab, a space, a
// visible character or obs-text.
func isText(c byte) bool {
	return c == '\t' || c >= ' ' && c != 0x7f
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
