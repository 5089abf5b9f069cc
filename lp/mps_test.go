package lp

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// A fixed-format file with blanks inside names, a range on each row type,
// every bound type, an objective constant and a free row to drop.
const fixedMPS = `NAME          TESTFIX
* a comment
ROWS
 N  COST
 L  LIM 1
 G  LIM 2
 E  BAL A
 E  BAL B
 N  UNUSED
COLUMNS
    X 1       COST               1.0   LIM 1              1.0
    X 1       LIM 2              1.0   UNUSED             9.0
    X 2       COST               2.0   BAL A              1.0
    X 3       BAL B              1.0   COST              -1.0
    X 4       LIM 1              2.0
    X 5       LIM 2              1.0
    X 6       BAL A              1.0
    X 7       BAL B              3.0
RHS
    RHS       COST              -2.5   LIM 1              4.0
    RHS       LIM 2              1.0   BAL A              2.0
    RHS       BAL B              3.0
RANGES
    RNG       LIM 1              1.5   LIM 2             -2.0
    RNG       BAL A              0.5   BAL B             -0.5
BOUNDS
 UP BND       X 1                4.0
 LO BND       X 2               -1.0
 UP BND       X 2               1e30
 FX BND       X 3                2.5
 FR BND       X 4
 MI BND       X 5
 UP BND       X 5                7.0
 BV BND       X 6
 UP BND       X 7               -3.0
ENDATA
`

func TestReadFixedMPS(t *testing.T) {
	m, err := ReadMPS(strings.NewReader(fixedMPS))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "TESTFIX" || m.NumRows() != 4 || m.NumCols() != 7 || m.NumNonzeros() != 8 {
		t.Fatalf("got %q %d×%d with %d nonzeros, want TESTFIX 4×7 with 8", m.Name, m.NumRows(), m.NumCols(), m.NumNonzeros())
	}
	if m.ObjConst != 2.5 {
		t.Errorf("objective constant: got %g, want 2.5 (minus the RHS of the objective row)", m.ObjConst)
	}
	wantCost := []float64{1, 2, -1, 0, 0, 0, 0}
	for j, c := range wantCost {
		if m.Cost[j] != c {
			t.Errorf("cost[%d] = %g, want %g", j, m.Cost[j], c)
		}
	}
	rows := []struct {
		name   string
		lo, hi float64
	}{
		{"LIM 1", 2.5, 4},   // L: [rhs-|R|, rhs]
		{"LIM 2", 1, 3},     // G: [rhs, rhs+|R|]
		{"BAL A", 2, 2.5},   // E, R > 0: [rhs, rhs+R]
		{"BAL B", 2.5, 3.0}, // E, R < 0: [rhs+R, rhs]
	}
	for i, r := range rows {
		if m.RowNames[i] != r.name || m.RowLower[i] != r.lo || m.RowUpper[i] != r.hi {
			t.Errorf("row %d: got %q [%g, %g], want %q [%g, %g]", i, m.RowNames[i], m.RowLower[i], m.RowUpper[i], r.name, r.lo, r.hi)
		}
	}
	cols := []struct {
		name   string
		lo, hi float64
	}{
		{"X 1", 0, 4},
		{"X 2", -1, Inf},
		{"X 3", 2.5, 2.5},
		{"X 4", -Inf, Inf},
		{"X 5", -Inf, 7},
		{"X 6", 0, 1},
		{"X 7", -Inf, -3}, // UP < 0 with no lower bound frees the lower bound
	}
	for j, c := range cols {
		if m.ColNames[j] != c.name || m.ColLower[j] != c.lo || m.ColUpper[j] != c.hi {
			t.Errorf("col %d: got %q [%g, %g], want %q [%g, %g]", j, m.ColNames[j], m.ColLower[j], m.ColUpper[j], c.name, c.lo, c.hi)
		}
	}
}

const freeMPS = `NAME free
OBJSENSE
    MAX
ROWS
 N obj
 L c1
 G c2
COLUMNS
 x obj 3 c1 1
 x c2 1
 y obj 2 c1 1
RHS
 rhs c1 4 c2 1
BOUNDS
 UP bnd y 3
 LO bnd x 0.5D+00
ENDATA
`

func TestReadFreeMPS(t *testing.T) {
	m, err := ReadMPS(strings.NewReader(freeMPS))
	if err != nil {
		t.Fatal(err)
	}
	if m.Cost[0] != -3 || m.Cost[1] != -2 {
		t.Errorf("OBJSENSE MAX: got costs %v, want negated [-3 -2]", m.Cost)
	}
	if m.ColLower[0] != 0.5 || m.ColUpper[1] != 3 {
		t.Errorf("bounds: got x ≥ %g, y ≤ %g, want 0.5 and 3", m.ColLower[0], m.ColUpper[1])
	}
	if m.RowUpper[0] != 4 || m.RowLower[1] != 1 {
		t.Errorf("rows: got %v %v", m.RowLower, m.RowUpper)
	}
}

func TestReadGzipMPS(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(freeMPS))
	zw.Close()
	m, err := ReadMPS(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if m.NumCols() != 2 {
		t.Fatalf("got %d columns, want 2", m.NumCols())
	}
}

func TestMPSErrorsNameTheLine(t *testing.T) {
	head := "NAME t\nROWS\n N obj\n L c1\nCOLUMNS\n"
	cases := []struct {
		name, text string
		line       int
		want       string
	}{
		{"unknown section", "NAME t\nROWZ\n", 2, "unknown section"},
		{"data first", " x y 1\n", 1, "before any section"},
		{"bad row type", "NAME t\nROWS\n Q r\n", 3, "unknown type"},
		{"duplicate row", "NAME t\nROWS\n N obj\n L c\n G c\n", 5, "defined twice"},
		{"unknown row", head + " x nope 1\nENDATA\n", 6, "unknown row \"nope\""},
		{"bad number", head + " x c1 1.2.3\nENDATA\n", 6, "not a number"},
		{"nan", head + " x c1 NaN\nENDATA\n", 6, "not a number"},
		{"infinite coefficient", head + " x c1 1e400\nENDATA\n", 6, "infinite"},
		{"column again", head + " x c1 1\n y c1 1\n x obj 1\nENDATA\n", 8, "appears again"},
		{"twice", head + " x c1 1\n x c1 2\nENDATA\n", 7, "given twice"},
		{"bad bound type", head + " x c1 1\nBOUNDS\n XX b x 1\nENDATA\n", 8, "unknown bound type"},
		{"bound unknown col", head + " x c1 1\nBOUNDS\n UP b z 1\nENDATA\n", 8, "unknown column"},
		{"bound no value", head + " x c1 1\nBOUNDS\n UP b x\nENDATA\n", 8, "no value"},
		{"semi-continuous", head + " x c1 1\nBOUNDS\n SC b x 1\nENDATA\n", 8, "semi-continuous"},
		{"range on objective", head + " x c1 1\nRANGES\n r obj 1\nENDATA\n", 8, "free row"},
		{"no endata", head + " x c1 1\n", 7, "without ENDATA"},
		{"empty", "", 1, "without ENDATA"},
		{"rhs before columns", "NAME t\nROWS\n N obj\nRHS\n", 4, "before COLUMNS"},
		{"objsense word", "NAME t\nOBJSENSE\n UP\n", 3, "MIN or MAX"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadMPS(strings.NewReader(c.text))
			var me *MPSError
			if !errors.As(err, &me) {
				t.Fatalf("got %v, want an *MPSError", err)
			}
			if me.Line != c.line || !strings.Contains(me.Msg, c.want) {
				t.Errorf("got %q, want line %d mentioning %q", err, c.line, c.want)
			}
		})
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	m, err := ReadMPS(strings.NewReader(fixedMPS))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteMPS(&buf, m); err != nil {
		t.Fatal(err)
	}
	m2, err := ReadMPS(&buf)
	if err != nil {
		t.Fatalf("reading back: %v\n%s", err, buf.String())
	}
	if !sameModel(m, m2) {
		t.Errorf("round trip changed the model:\n%s", buf.String())
	}
}

// sameModel compares everything but names. Row bounds may differ in the
// last bits: MPS gives a ranged row as one bound and a width, and the
// other bound is recomputed by a rounded addition.
func sameModel(a, b *Model) bool {
	near := func(x, y []float64) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] == y[i] {
				continue
			}
			if math.IsInf(x[i], 0) || math.IsInf(y[i], 0) || math.Abs(x[i]-y[i]) > 4e-16*math.Max(math.Abs(x[i]), math.Abs(y[i])) {
				return false
			}
		}
		return true
	}
	if !near(a.RowLower, b.RowLower) || !near(a.RowUpper, b.RowUpper) {
		return false
	}
	eq := func(x, y []float64) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] && !(math.IsNaN(x[i]) && math.IsNaN(y[i])) {
				return false
			}
		}
		return true
	}
	ma, mb := a.Matrix(), b.Matrix()
	if a.ObjConst != b.ObjConst || !eq(a.Cost, b.Cost) || !eq(a.ColLower, b.ColLower) || !eq(a.ColUpper, b.ColUpper) ||
		!eq(ma.Val, mb.Val) || len(ma.Ind) != len(mb.Ind) {
		return false
	}
	for k := range ma.Ind {
		if ma.Ind[k] != mb.Ind[k] {
			return false
		}
	}
	for j := range ma.Start {
		if ma.Start[j] != mb.Start[j] {
			return false
		}
	}
	return true
}

// FuzzReadMPS checks that no input makes the reader panic or hang, that
// every error names a line, and that what it reads survives a round trip
// through the writer.
func FuzzReadMPS(f *testing.F) {
	f.Add([]byte(fixedMPS))
	f.Add([]byte(freeMPS))
	f.Add([]byte("NAME\nROWS\n N o\nCOLUMNS\n x o 1\nRHS\nRANGES\nBOUNDS\n UP b x -1\nENDATA\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ReadMPS(bytes.NewReader(data))
		if err != nil {
			var me *MPSError
			if !errors.As(err, &me) {
				t.Fatalf("error %v is not an *MPSError", err)
			}
			if me.Line == 0 && !strings.HasPrefix(me.Msg, "gzip") {
				t.Fatalf("error %q names no line", err)
			}
			if me.Kind == MPSOther || me.Msg != fmt.Sprintf(me.Kind.Format(), me.Args...) {
				t.Fatalf("error %q: kind %d and args %q do not make its message", err, me.Kind, me.Args)
			}
			return
		}
		if m.Validate() != nil {
			return // e.g. crossed bounds: readable, not solvable
		}
		var buf bytes.Buffer
		if err := WriteMPS(&buf, m); err != nil {
			t.Fatal(err)
		}
		m2, err := ReadMPS(&buf)
		if err != nil {
			t.Fatalf("written model does not read back: %v\n%s", err, buf.String())
		}
		if !sameModel(m, m2) {
			t.Fatalf("round trip changed the model:\n%s", buf.String())
		}
	})
}

// TestMPSErrorKinds: an error says which problem it is and with what
// names, so that a program can word it in another language; its message
// is the kind's format with those args.
func TestMPSErrorKinds(t *testing.T) {
	head := "NAME t\nROWS\n N obj\n L c1\nCOLUMNS\n"
	cases := []struct {
		text string
		kind MPSErrorKind
		args []any
	}{
		{head + " x c9 1\nENDATA\n", MPSUnknownRow, []any{"c9"}},
		{head + " x c1 1.2.3\nENDATA\n", MPSCoefNotNumber, []any{"x", "c1", "1.2.3"}},
		{head + " x c1 1\nRHS\n rhs c1 one\nENDATA\n", MPSRHSNotNumber, []any{"c1", "one"}},
		{head + " x c1 1\nBOUNDS\n UP b x high\nENDATA\n", MPSBoundNotNumber, []any{"UP", "x", "high"}},
		{"NAME t\nROWS\n Q r\n", MPSRowType, []any{"r", "Q"}},
		{head + " x c1 1\n", MPSNoEnd, nil},
	}
	for _, c := range cases {
		_, err := ReadMPS(strings.NewReader(c.text))
		var me *MPSError
		if !errors.As(err, &me) {
			t.Fatalf("got %v, want an *MPSError", err)
		}
		if me.Kind != c.kind || fmt.Sprint(me.Args) != fmt.Sprint(c.args) || me.Msg != fmt.Sprintf(c.kind.Format(), c.args...) {
			t.Errorf("%q: got kind %d args %q (%v), want kind %d args %q", c.text, me.Kind, me.Args, err, c.kind, c.args)
		}
	}
	// Every kind has a format, so that counting up from 1 while Format is
	// not "" lists them all.
	k := MPSErrorKind(1)
	for k.Format() != "" {
		k++
	}
	if int(k) != len(mpsFormats) || MPSOther.Format() != "" {
		t.Errorf("formats end at kind %d, want %d, after the last; MPSOther's is %q, want none", k, len(mpsFormats), MPSOther.Format())
	}
}
