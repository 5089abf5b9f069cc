package plan

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestEncoderMatchesMarshal: the plan file's list elements are written
// byte for byte as json.Marshal writes them, for strings that need
// escaping and numbers at the edges of Marshal's two forms.
func TestEncoderMatchesMarshal(t *testing.T) {
	strs := []string{"", "n-0001234", "9q5cs", `a"b`, `back\slash`, "<b>&amp;", "a<b>c", "ñandú", "línea\u2028nueva\u2029", "\x00\x1f\t\n", "\xff\xfe not utf-8", "del\x7f", "tab\there"}
	nums := []float64{0, math.Copysign(0, -1), 1, -1.5, 0.1, 1e-6, 9.999999e-7, 1e-7, -3.2e-9, 1.5e-300, 5e-324,
		1e20, 99999999999999999999, 1e21, -1.7e22, math.MaxFloat64, 123456789.123456789, 2.0 / 3, 14 * 0.1}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		nums = append(nums, math.Float64frombits(r.Uint64())) // any bits: NaNs and infinities included
	}
	str := func(i int) string { return strs[i%len(strs)] }
	num := func(i int) float64 { return nums[i%len(nums)] }
	check := func(what string, v any, enc func(e *encoder)) {
		t.Helper()
		want, werr := json.Marshal(v)
		var e encoder
		enc(&e)
		switch {
		case (werr == nil) != (e.err == nil):
			t.Errorf("%s %+v: error %v, Marshal's %v", what, v, e.err, werr)
		case werr == nil && !bytes.Equal(e.b, want):
			t.Errorf("%s %+v:\n got %s\nwant %s", what, v, e.b, want)
		}
	}
	for i := range len(nums) * 2 {
		f := Flow{Product: str(i), From: str(i + 1), ToNeed: str(i + 2), Qty: num(i), Km: num(i + 7)}
		check("flow", f, func(e *encoder) { e.flow(&f) })
		a := Assignment{Member: str(i + 3), Site: str(i), Skill: str(i + 5), Hours: num(i + 1)}
		check("assignment", a, func(e *encoder) { e.assignment(&a) })
		tr := Transfer{Product: str(i + 4), From: str(i), To: str(i + 1), Qty: num(i + 2), Km: num(i)}
		check("transfer", tr, func(e *encoder) { e.transfer(&tr) })
		al := Allocation{Need: str(i), Qty: num(i + 3)}
		check("allocation", al, func(e *encoder) { e.allocation(&al) })
		pr := Production{Recipe: str(i + 2), Runs: num(i + 5)}
		check("production", pr, func(e *encoder) { e.production(&pr) })
		// A cause with some fields empty: omitted, as omitempty says.
		c := Cause{Kind: CauseKind(str(i))}
		for k, field := range []*string{&c.Product, &c.Skill, &c.Site, &c.Recipe, &c.Place} {
			if (i>>k)&1 == 1 {
				*field = str(i + k)
			}
		}
		if i%3 != 0 {
			c.Km = num(i + 11)
		}
		s := Shortfall{Need: str(i + 1), Missing: num(i + 6), Reason: str(i+9) + " within reach of " + str(i), Cause: c}
		check("shortfall", s, func(e *encoder) { e.shortfall(&s) })
	}
}

// TestWriteMatchesMarshal: a whole plan file, each element of its lists
// on a line of its own as json.Marshal writes it.
func TestWriteMatchesMarshal(t *testing.T) {
	p := mustPlan(t, kitchenWorld())
	p.Shortfalls = append(p.Shortfalls, Shortfall{Need: "x<1>", Missing: 2e-7, Reason: `no recipe produces product "bulletin"`, Cause: Cause{Kind: NoRecipe, Product: "bulletin"}})
	b, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	want = append(want, marshalEach(t, p.Production)...)
	want = append(want, marshalEach(t, p.Assignments)...)
	want = append(want, marshalEach(t, p.Flows)...)
	want = append(want, marshalEach(t, p.Transfers)...)
	want = append(want, marshalEach(t, p.Allocations)...)
	want = append(want, marshalEach(t, p.Shortfalls)...)
	var got []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "    {") {
			got = append(got, strings.TrimSuffix(strings.TrimPrefix(line, "    "), ","))
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d list elements written, want %d:\n%s", len(got), len(want), b)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("element %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

// marshalEach is each element of list as json.Marshal writes it.
func marshalEach[T any](t *testing.T, list []T) []string {
	t.Helper()
	var out []string
	for _, v := range list {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// TestFlowsByNeed: the plan lists flows by the need's id, whatever the
// order of the world's needs. (Each product of the kitchen's world has one
// source, so the two plans' flows are the same ones, their quantities
// to rounding: the solver's sums run in another order.)
func TestFlowsByNeed(t *testing.T) {
	w := kitchenWorld()
	sorted := mustPlan(t, w)
	// The needs in another order: ids no longer increasing.
	r := rand.New(rand.NewPCG(3, 4))
	r.Shuffle(len(w.Needs), func(i, j int) { w.Needs[i], w.Needs[j] = w.Needs[j], w.Needs[i] })
	shuffled := mustPlan(t, w)
	for _, p := range []*Plan{sorted, shuffled} {
		if !slices.IsSortedFunc(p.Flows, func(a, b Flow) int { return strings.Compare(a.ToNeed, b.ToNeed) }) {
			t.Errorf("flows not listed by need: %v", p.Flows)
		}
	}
	same := func(a, b Flow) bool {
		return a.Product == b.Product && a.From == b.From && a.ToNeed == b.ToNeed && a.Km == b.Km &&
			math.Abs(a.Qty-b.Qty) <= 1e-12*math.Max(1, math.Abs(a.Qty))
	}
	if len(sorted.Flows) == 0 || !slices.EqualFunc(sorted.Flows, shuffled.Flows, same) {
		t.Errorf("flows depend on the order of the needs:\n%v\n%v", sorted.Flows, shuffled.Flows)
	}
}
