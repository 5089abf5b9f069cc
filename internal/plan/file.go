package plan

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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
	list := func(name string, n int, elem func(i int) any) error {
		fmt.Fprintf(bw, "  %q: [", name)
		for i := range n {
			b, err := json.Marshal(elem(i))
			if err != nil {
				return fmt.Errorf("plan: write %s: %w", name, err)
			}
			if i > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n    ")
			bw.Write(b)
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
		func() error { return list("production", len(p.Production), func(i int) any { return p.Production[i] }) },
		func() error {
			return list("assignments", len(p.Assignments), func(i int) any { return p.Assignments[i] })
		},
		func() error { return list("flows", len(p.Flows), func(i int) any { return p.Flows[i] }) },
		func() error { return list("transfers", len(p.Transfers), func(i int) any { return p.Transfers[i] }) },
		func() error {
			return list("allocations", len(p.Allocations), func(i int) any { return p.Allocations[i] })
		},
		func() error { return field("labor_values", p.LaborValues, false) },
		func() error { return list("shortfalls", len(p.Shortfalls), func(i int) any { return p.Shortfalls[i] }) },
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
