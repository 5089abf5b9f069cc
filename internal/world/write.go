package world

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Write writes wd as a world file: the same world gives the same bytes,
// each element of a list on a line of its own, keys of maps in order,
// optional fields left out when empty. Read gives back an equal world.
//
// Write does not validate; it refuses only what JSON cannot hold, a
// number that is not finite, naming its path. Invalid UTF-8 in a string
// is written as U+FFFD.
func Write(w io.Writer, wd *World) error {
	e := encoder{w: bufio.NewWriterSize(w, 1<<16)}
	e.b = append(e.b, "{\n  \"format\": "...)
	e.str(wd.Format)
	if wd.Period != "" {
		e.b = append(e.b, ",\n  \"period\": "...)
		e.str(wd.Period)
	}
	e.list("skills", len(wd.Skills), func(i int) { e.skill(&wd.Skills[i]) })
	e.list("products", len(wd.Products), func(i int) { e.product(&wd.Products[i]) })
	e.list("sites", len(wd.Sites), func(i int) { e.site(&wd.Sites[i]) })
	e.list("recipes", len(wd.Recipes), func(i int) { e.recipe(&wd.Recipes[i]) })
	if len(wd.Stocks) > 0 {
		e.list("stocks", len(wd.Stocks), func(i int) { e.stock(&wd.Stocks[i]) })
	}
	e.list("members", len(wd.Members), func(i int) { e.member(&wd.Members[i]) })
	e.list("needs", len(wd.Needs), func(i int) { e.need(&wd.Needs[i]) })
	e.b = append(e.b, "\n}\n"...)
	e.flush()
	if e.err != nil {
		return fmt.Errorf("world: write: %w", e.err)
	}
	if err := e.w.Flush(); err != nil {
		return fmt.Errorf("world: write: %w", err)
	}
	return nil
}

// encoder appends JSON to b, handing it to w after each element.
type encoder struct {
	w    *bufio.Writer
	b    []byte
	keys []string // scratch for sorting map keys
	err  error    // the first number that is not finite

	section string // the list and element being written, for err
	i       int
}

func (e *encoder) flush() {
	if e.err == nil {
		e.w.Write(e.b) // a write error stays in e.w and comes out of Flush
	}
	e.b = e.b[:0]
}

// list writes a field holding a list, one element per line.
func (e *encoder) list(name string, n int, elem func(i int)) {
	e.b = append(e.b, ",\n  \""...)
	e.b = append(e.b, name...)
	e.b = append(e.b, "\": ["...)
	e.section = name
	for i := range n {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = append(e.b, "\n    "...)
		e.i = i
		elem(i)
		if len(e.b) >= 1<<15 {
			e.flush()
		}
	}
	if n > 0 {
		e.b = append(e.b, "\n  "...)
	}
	e.b = append(e.b, ']')
}

func (e *encoder) skill(s *Skill) {
	e.key("{", "id")
	e.str(s.ID)
	e.names(s.Name)
	e.b = append(e.b, '}')
}

func (e *encoder) product(p *Product) {
	e.key("{", "id")
	e.str(p.ID)
	e.names(p.Name)
	e.key(", ", "unit")
	e.str(p.Unit)
	e.key(", ", "kind")
	e.str(string(p.Kind))
	if p.TransportCost != nil {
		e.key(", ", "transport_cost")
		e.num(*p.TransportCost, "transport_cost", "")
	}
	if p.ReachKm != 0 {
		e.key(", ", "reach_km")
		e.num(p.ReachKm, "reach_km", "")
	}
	e.b = append(e.b, '}')
}

func (e *encoder) site(s *Site) {
	e.key("{", "id")
	e.str(s.ID)
	e.key(", ", "name")
	e.str(s.Name)
	e.key(", ", "kind")
	e.str(string(s.Kind))
	e.key(", ", "lat")
	e.num(s.Lat, "lat", "")
	e.key(", ", "lon")
	e.num(s.Lon, "lon", "")
	if s.Collective != "" {
		e.key(", ", "collective")
		e.str(s.Collective)
	}
	e.b = append(e.b, '}')
}

func (e *encoder) recipe(r *Recipe) {
	e.key("{", "id")
	e.str(r.ID)
	e.key(", ", "site")
	e.str(r.Site)
	e.amounts("outputs", r.Outputs)
	if len(r.Inputs) > 0 {
		e.amounts("inputs", r.Inputs)
	}
	if len(r.Labor) > 0 {
		e.amounts("labor", r.Labor)
	}
	if r.MaxRuns != nil {
		e.key(", ", "max_runs")
		e.num(*r.MaxRuns, "max_runs", "")
	}
	e.b = append(e.b, '}')
}

func (e *encoder) stock(s *Stock) {
	e.key("{", "site")
	e.str(s.Site)
	e.key(", ", "product")
	e.str(s.Product)
	e.key(", ", "qty")
	e.num(s.Qty, "qty", "")
	e.b = append(e.b, '}')
}

func (e *encoder) member(m *Member) {
	e.key("{", "id")
	e.str(m.ID)
	e.key(", ", "cell")
	e.str(m.Cell)
	if len(m.Collectives) > 0 {
		e.key(", ", "collectives")
		e.strs(m.Collectives)
	}
	c := &m.Commitment
	e.key(", ", "commitment")
	e.key("{", "hours")
	e.num(c.Hours, "commitment.hours", "")
	e.key(", ", "skills")
	e.strs(c.Skills)
	e.key(", ", "max_km")
	e.num(c.MaxKm, "commitment.max_km", "")
	e.b = append(e.b, "}}"...)
}

func (e *encoder) need(n *Need) {
	e.key("{", "id")
	e.str(n.ID)
	if n.Member != "" {
		e.key(", ", "member")
		e.str(n.Member)
	}
	if n.Site != "" {
		e.key(", ", "site")
		e.str(n.Site)
	}
	e.key(", ", "product")
	e.str(n.Product)
	e.key(", ", "qty")
	e.num(n.Qty, "qty", "")
	e.key(", ", "tier")
	e.str(string(n.Tier))
	e.b = append(e.b, '}')
}

// key writes sep and a key (a plain word: no escaping) and its colon.
func (e *encoder) key(sep, k string) {
	e.b = append(e.b, sep...)
	e.b = append(e.b, '"')
	e.b = append(e.b, k...)
	e.b = append(e.b, "\": "...)
}

func (e *encoder) names(n Names) {
	e.key(", ", "name")
	e.sortKeys(maps.Keys(n))
	e.b = append(e.b, '{')
	for i, k := range e.keys {
		if i > 0 {
			e.b = append(e.b, ", "...)
		}
		e.str(k)
		e.b = append(e.b, ": "...)
		e.str(n[k])
	}
	e.b = append(e.b, '}')
}

func (e *encoder) amounts(field string, m map[string]float64) {
	e.key(", ", field)
	e.sortKeys(maps.Keys(m))
	e.b = append(e.b, '{')
	for i, k := range e.keys {
		if i > 0 {
			e.b = append(e.b, ", "...)
		}
		e.str(k)
		e.b = append(e.b, ": "...)
		e.num(m[k], field, k)
	}
	e.b = append(e.b, '}')
}

func (e *encoder) sortKeys(keys func(func(string) bool)) {
	e.keys = e.keys[:0]
	for k := range keys {
		e.keys = append(e.keys, k)
	}
	slices.Sort(e.keys)
}

func (e *encoder) strs(ss []string) {
	e.b = append(e.b, '[')
	for i, s := range ss {
		if i > 0 {
			e.b = append(e.b, ", "...)
		}
		e.str(s)
	}
	e.b = append(e.b, ']')
}

// num writes a number the way encoding/json does: the shortest decimal
// that reads back as the same float64, with an exponent only for very
// large or small magnitudes. Minus zero is written as 0. field and key
// (of a map, if any) locate the number within the element, for the
// error if it is not finite.
func (e *encoder) num(x float64, field, key string) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		if e.err == nil {
			path := at(e.section, e.i, field)
			if key != "" {
				path = keyPath(path, key)
			}
			e.err = &FieldError{Path: path, Rule: ruleNotFinite}
		}
		x = 0
	}
	if x == 0 {
		e.b = append(e.b, '0')
		return
	}
	format := byte('f')
	if a := math.Abs(x); a < 1e-6 || a >= 1e21 {
		format = 'e'
	}
	e.b = strconv.AppendFloat(e.b, x, format, -1, 64)
	if format == 'e' {
		// 1e-07 becomes 1e-7.
		n := len(e.b)
		if n >= 4 && e.b[n-4] == 'e' && e.b[n-3] == '-' && e.b[n-2] == '0' {
			e.b[n-2] = e.b[n-1]
			e.b = e.b[:n-1]
		}
	}
}

// str writes a JSON string, escaping only what JSON requires.
func (e *encoder) str(s string) {
	e.b = append(e.b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
		}
		e.b = append(e.b, s[start:i]...)
		switch c {
		case '"', '\\':
			e.b = append(e.b, '\\', c)
		case '\n':
			e.b = append(e.b, '\\', 'n')
		case '\r':
			e.b = append(e.b, '\\', 'r')
		case '\t':
			e.b = append(e.b, '\\', 't')
		default:
			if c < 0x20 {
				e.b = append(e.b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			} else {
				e.b = append(e.b, `\ufffd`...)
			}
		}
		i++
		start = i
	}
	e.b = append(e.b, s[start:]...)
	e.b = append(e.b, '"')
}

const hex = "0123456789abcdef"
