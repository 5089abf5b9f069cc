package plan

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Write writes the plan file v1: the fields in the order of the spec,
// one array element per line, so that large plans stay readable with
// line tools and diffs of two plans stay small.
func Write(w io.Writer, p *Plan) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	field := func(name string, v any, last bool) error {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("plan: write %s: %w", name, err)
		}
		fmt.Fprintf(bw, "  %q: %s", name, b)
		if !last {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
		return nil
	}
	// list writes a list whose elements elem appends, as json.Marshal
	// would write them (see encoder).
	list := func(name string, n int, elem func(e *encoder, i int)) error {
		fmt.Fprintf(bw, "  %q: [", name)
		var e encoder
		for i := range n {
			e.b = e.b[:0]
			if elem(&e, i); e.err != nil {
				return fmt.Errorf("plan: write %s: %w", name, e.err)
			}
			if i > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n    ")
			bw.Write(e.b)
		}
		if n > 0 {
			bw.WriteString("\n  ")
		}
		bw.WriteString("],\n")
		return nil
	}
	bw.WriteString("{\n")
	steps := []func() error{
		func() error { return field("format", p.Format, false) },
		func() error { return field("world", p.World, false) },
		func() error { return field("status", p.Status, false) },
		func() error { return field("tiers", p.Tiers, false) },
		func() error { return field("labor", p.Labor, false) },
		func() error {
			return list("production", len(p.Production), func(e *encoder, i int) { e.production(&p.Production[i]) })
		},
		func() error {
			return list("assignments", len(p.Assignments), func(e *encoder, i int) { e.assignment(&p.Assignments[i]) })
		},
		func() error { return list("flows", len(p.Flows), func(e *encoder, i int) { e.flow(&p.Flows[i]) }) },
		func() error {
			return list("transfers", len(p.Transfers), func(e *encoder, i int) { e.transfer(&p.Transfers[i]) })
		},
		func() error {
			return list("allocations", len(p.Allocations), func(e *encoder, i int) { e.allocation(&p.Allocations[i]) })
		},
		func() error { return field("labor_values", p.LaborValues, false) },
		func() error {
			return list("shortfalls", len(p.Shortfalls), func(e *encoder, i int) { e.shortfall(&p.Shortfalls[i]) })
		},
		func() error { return field("solver", p.Solver, true) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// encoder appends the elements of the plan's lists byte for byte as
// json.Marshal writes them. On the region of a million members the lists
// hold some 25 million elements, and Marshal, through an interface and
// reflection, took 13 s of the plan's time; this takes a fraction.
// TestEncoderMatchesMarshal holds the two to the same bytes.
type encoder struct {
	b   []byte
	err error
}

// str appends s as a JSON string. Strings of plain printable ASCII, as
// ids are, are copied; any other goes through Marshal, which escapes
// control characters, quotes, backslashes, <, > and & (as \u003c and so
// on), U+2028 and U+2029, and replaces invalid UTF-8.
func (e *encoder) str(s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, err := json.Marshal(s)
			e.b = append(e.b, b...)
			e.fail(err)
			return
		}
	}
	e.b = append(e.b, '"')
	e.b = append(e.b, s...)
	e.b = append(e.b, '"')
}

// num appends f as Marshal does: the shortest decimal that reads back as
// f, in exponent form below 10⁻⁶ and from 10²¹ on, with the exponent's
// leading zero dropped (1e-7, not 1e-07). NaN and infinities are an
// error, Marshal's.
func (e *encoder) num(f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		_, err := json.Marshal(f)
		e.fail(err)
		return
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	e.b = strconv.AppendFloat(e.b, f, format, -1, 64)
	if n := len(e.b); format == 'e' && n >= 4 && e.b[n-4] == 'e' && e.b[n-3] == '-' && e.b[n-2] == '0' {
		e.b[n-2] = e.b[n-1]
		e.b = e.b[:n-1]
	}
}

func (e *encoder) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

// key appends a field's name: `{"name":` for the first, `,"name":` after.
func (e *encoder) key(name string, first bool) {
	if first {
		e.b = append(e.b, '{')
	} else {
		e.b = append(e.b, ',')
	}
	e.b = append(e.b, '"')
	e.b = append(e.b, name...)
	e.b = append(e.b, '"', ':')
}

func (e *encoder) production(p *Production) {
	e.key("recipe", true)
	e.str(p.Recipe)
	e.key("runs", false)
	e.num(p.Runs)
	e.b = append(e.b, '}')
}

func (e *encoder) assignment(a *Assignment) {
	e.key("member", true)
	e.str(a.Member)
	e.key("site", false)
	e.str(a.Site)
	e.key("skill", false)
	e.str(a.Skill)
	e.key("hours", false)
	e.num(a.Hours)
	e.b = append(e.b, '}')
}

func (e *encoder) flow(f *Flow) { e.goods(f.Product, f.From, "to_need", f.ToNeed, f.Qty, f.Km) }

func (e *encoder) transfer(t *Transfer) { e.goods(t.Product, t.From, "to", t.To, t.Qty, t.Km) }

// goods appends a flow or a transfer: what goes from where to where
// (under the key to), how much and how far.
func (e *encoder) goods(product, from, to, dest string, qty, km float64) {
	e.key("product", true)
	e.str(product)
	e.key("from", false)
	e.str(from)
	e.key(to, false)
	e.str(dest)
	e.key("qty", false)
	e.num(qty)
	e.key("km", false)
	e.num(km)
	e.b = append(e.b, '}')
}

func (e *encoder) allocation(a *Allocation) {
	e.key("need", true)
	e.str(a.Need)
	e.key("qty", false)
	e.num(a.Qty)
	e.b = append(e.b, '}')
}

// shortfall appends s; its cause's fields are omitted when empty, as
// their omitempty tags say.
func (e *encoder) shortfall(s *Shortfall) {
	e.key("need", true)
	e.str(s.Need)
	e.key("missing", false)
	e.num(s.Missing)
	e.key("reason", false)
	e.str(s.Reason)
	e.key("cause", false)
	c := &s.Cause
	e.key("kind", true)
	e.str(string(c.Kind))
	for _, f := range [...]struct{ name, v string }{{"product", c.Product}, {"skill", c.Skill}, {"site", c.Site}, {"recipe", c.Recipe}, {"place", c.Place}} {
		if f.v != "" {
			e.key(f.name, false)
			e.str(f.v)
		}
	}
	if c.Km != 0 {
		e.key("km", false)
		e.num(c.Km)
	}
	e.b = append(e.b, '}', '}')
}

// Read reads a plan file v1; unknown fields are an error.
func Read(r io.Reader) (*Plan, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("plan: read: %w", err)
	}
	if p.Format != Format {
		return nil, fmt.Errorf("plan: read: format %q, want %q", p.Format, Format)
	}
	return &p, nil
}

// Marshal returns the plan file as bytes.
func Marshal(p *Plan) ([]byte, error) {
	var b bytes.Buffer
	err := Write(&b, p)
	return b.Bytes(), err
}
