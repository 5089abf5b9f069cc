package lp

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode"
)

// mpsInfinity: bounds and right-hand sides at or beyond this magnitude are
// infinite, the convention of CPLEX, CLP and HiGHS.
const mpsInfinity = 1e30

// ReadMPSFile reads an MPS file; a name ending in .gz, or contents that
// start with the gzip magic number, are decompressed.
func ReadMPSFile(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadMPS(f)
}

// ReadMPS reads a linear program in fixed or free MPS format, gzipped or
// not, following the conventions of the Netlib LP set:
//
//   - the first N row is the objective; other N rows are dropped;
//   - a right-hand side on the objective row is minus a constant added to
//     the objective;
//   - RANGES follow the MPS standard, including the sign rule on E rows;
//   - bound types UP, LO, FX, FR, MI, PL, BV (and LI, UI read as LO, UP);
//     an UP bound below zero on a column with no lower bound sets the lower
//     bound to minus infinity;
//   - values of magnitude 1e30 or more are infinite;
//   - OBJSENSE MAX is read as the minimisation of the negated objective.
//
// Each line is read as free format (fields separated by blanks) when that
// makes sense, and by the fixed-format columns otherwise, so names with
// blanks in fixed-format files are read correctly. Errors name the line.
func ReadMPS(r io.Reader) (*Model, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, mpsError(0, MPSGzip, strings.TrimPrefix(err.Error(), "gzip: "))
		}
		defer gz.Close()
		br = bufio.NewReaderSize(gz, 1<<16)
	}
	p := &mpsParser{
		m:       &Model{},
		rows:    map[string]int32{},
		cols:    map[string]int32{},
		objRow:  -1,
		curCol:  -1,
		entries: map[[2]int32]struct{}{},
	}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<24)
	for sc.Scan() {
		p.line++
		if err := p.parseLine(sc.Text()); err != nil {
			return nil, err
		}
		if p.section == secEnd {
			break
		}
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return nil, mpsError(p.line+1, MPSLineTooLong)
		}
		return nil, mpsError(p.line+1, MPSRead, err.Error())
	}
	// Problems found at the end are reported on the line after the last.
	if p.section != secEnd {
		return nil, mpsError(p.line+1, MPSNoEnd)
	}
	if p.objRow < 0 && len(p.m.RowLower) == 0 && len(p.m.Cost) == 0 {
		return nil, mpsError(p.line, MPSEmpty)
	}
	p.finish()
	p.m.Matrix()
	return p.m, nil
}

type mpsSection int

const (
	secNone mpsSection = iota
	secName
	secObjSense
	secRows
	secColumns
	secRHS
	secRanges
	secBounds
	secEnd
)

type mpsParser struct {
	m       *Model
	line    int
	section mpsSection

	rows     map[string]int32 // constraint rows; dropped N rows map to -2
	rowType  []byte
	rhs      []float64
	rangeVal []float64
	hasRange []bool
	objRow   int32 // -1 until the objective row is seen
	objName  string
	negate   bool

	cols     map[string]int32
	curCol   int32
	lowerSet []bool
	entries  map[[2]int32]struct{}

	rhsSet, rangeSet, boundSet string
}

const droppedRow = -2

func (p *mpsParser) errf(kind MPSErrorKind, args ...any) error {
	return mpsError(p.line, kind, args...)
}

func (p *mpsParser) parseLine(line string) error {
	if len(line) == 0 || line[0] == '*' {
		return nil
	}
	line = strings.TrimRightFunc(line, unicode.IsSpace)
	if line == "" {
		return nil
	}
	if !unicode.IsSpace(rune(line[0])) {
		return p.header(line)
	}
	switch p.section {
	case secNone:
		return p.errf(MPSDataBeforeSection)
	case secName:
		return p.errf(MPSDataAfterName)
	case secObjSense:
		return p.objSense(strings.Fields(line))
	case secRows:
		return p.rowLine(line)
	case secColumns:
		return p.columnLine(line)
	case secRHS, secRanges:
		return p.rhsLine(line)
	case secBounds:
		return p.boundLine(line)
	}
	return nil
}

func (p *mpsParser) header(line string) error {
	f := strings.Fields(line)
	next := map[string]mpsSection{
		"NAME": secName, "OBJSENSE": secObjSense, "ROWS": secRows, "COLUMNS": secColumns,
		"RHS": secRHS, "RANGES": secRanges, "BOUNDS": secBounds, "ENDATA": secEnd,
	}
	sec, ok := next[strings.ToUpper(f[0])]
	if !ok {
		return p.errf(MPSUnknownSection, f[0])
	}
	switch sec {
	case secName:
		if p.section != secNone {
			return p.errf(MPSNameNotFirst)
		}
		if len(f) > 1 {
			p.m.Name = strings.TrimSpace(line[len(f[0]):])
			// "NAME x FREE" marks free format for CLP and GLPK.
			if len(f) > 2 && f[len(f)-1] == "FREE" {
				p.m.Name = strings.TrimSpace(strings.TrimSuffix(p.m.Name, "FREE"))
			}
		}
	case secObjSense:
		if len(f) > 1 {
			if err := p.objSense(f[1:]); err != nil {
				return err
			}
		}
	case secRows:
		if p.section >= secRows {
			return p.errf(MPSRowsMisplaced)
		}
	case secColumns:
		if p.section != secRows {
			return p.errf(MPSColumnsMisplaced)
		}
	case secRHS, secRanges, secBounds:
		if p.section < secColumns {
			return p.errf(MPSSectionBeforeColumns, f[0])
		}
		if sec < p.section {
			return p.errf(MPSSectionOutOfOrder, f[0])
		}
	case secEnd:
		if p.section < secRows {
			return p.errf(MPSEndBeforeRows)
		}
	}
	p.section = sec
	return nil
}

func (p *mpsParser) objSense(f []string) error {
	if len(f) != 1 {
		return p.errf(MPSObjSenseWords)
	}
	switch strings.ToUpper(f[0]) {
	case "MIN", "MINIMIZE", "MINIMISE":
		p.negate = false
	case "MAX", "MAXIMIZE", "MAXIMISE":
		p.negate = true
	default:
		return p.errf(MPSObjSenseUnknown, f[0])
	}
	return nil
}

// fixedFields splits a line by the fixed-format columns 2-3, 5-12, 15-22,
// 25-36, 40-47 and 50-61, trimming blanks.
func fixedFields(line string) []string {
	bounds := [][2]int{{1, 3}, {4, 12}, {14, 22}, {24, 36}, {39, 47}, {49, 61}}
	var out []string
	for _, b := range bounds {
		if b[0] >= len(line) {
			break
		}
		end := min(b[1], len(line))
		out = append(out, strings.TrimSpace(line[b[0]:end]))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

func (p *mpsParser) rowLine(line string) error {
	f := strings.Fields(line)
	if len(f) != 2 {
		ff := fixedFields(line)
		if len(ff) != 2 || ff[0] == "" || ff[1] == "" {
			return p.errf(MPSRowFields, len(f))
		}
		f = ff
	}
	t := strings.ToUpper(f[0])
	name := f[1]
	if _, dup := p.rows[name]; dup || name == p.objName && p.objRow >= 0 {
		return p.errf(MPSRowTwice, name)
	}
	switch t {
	case "N":
		if p.objRow < 0 {
			p.objRow = 0
			p.objName = name
			return nil
		}
		p.rows[name] = droppedRow
		return nil
	case "E", "L", "G":
	default:
		return p.errf(MPSRowType, name, f[0])
	}
	p.rows[name] = int32(len(p.rowType))
	p.rowType = append(p.rowType, t[0])
	p.rhs = append(p.rhs, 0)
	p.rangeVal = append(p.rangeVal, 0)
	p.hasRange = append(p.hasRange, false)
	p.m.RowNames = append(p.m.RowNames, name)
	return nil
}

// rowRef resolves a row name: the row index, objRowRef for the objective,
// droppedRow for a free row other than the objective.
const objRowRef = -1

func (p *mpsParser) rowRef(name string) (int32, bool) {
	if p.objRow >= 0 && name == p.objName {
		return objRowRef, true
	}
	r, ok := p.rows[name]
	return r, ok
}

// number reads s, a value; the error of a value that is not a number is
// of the kind given, its args followed by s.
func (p *mpsParser) number(s string, kind MPSErrorKind, args ...any) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Fortran exponents such as 1.5D+03.
		if t := strings.NewReplacer("D", "E", "d", "e").Replace(s); t != s {
			v, err = strconv.ParseFloat(t, 64)
		}
	}
	var ne *strconv.NumError
	if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
		err = nil // ±Inf or a denormal zero: the caller judges
	}
	if err != nil || math.IsNaN(v) {
		return 0, p.errf(kind, append(args, s)...)
	}
	return v, nil
}

func (p *mpsParser) columnLine(line string) error {
	f := strings.Fields(line)
	if len(f) >= 3 && (f[1] == "'MARKER'" || f[1] == "MARKER") {
		return nil // integrality markers: the LP relaxation is read
	}
	if !p.columnFieldsOK(f) {
		ff := fixedFields(line)
		if len(ff) < 4 || ff[1] == "" {
			return p.unknownRowErr(f, MPSColumnFieldsCount, len(f))
		}
		f = ff[1:]
		if !p.columnFieldsOK(f) {
			return p.unknownRowErr(f, MPSColumnFields)
		}
	}
	name := f[0]
	j, ok := p.cols[name]
	if !ok {
		j = int32(p.m.AddCol(name, 0, Inf, 0))
		p.cols[name] = j
		p.lowerSet = append(p.lowerSet, false)
	} else if j != p.curCol {
		return p.errf(MPSColumnAgain, name)
	}
	p.curCol = j
	for k := 1; k+1 < len(f); k += 2 {
		r, _ := p.rowRef(f[k])
		v, err := p.number(f[k+1], MPSCoefNotNumber, name, f[k])
		if err != nil {
			return err
		}
		if math.IsInf(v, 0) {
			return p.errf(MPSCoefInfinite, name, f[k])
		}
		switch r {
		case droppedRow:
			continue
		case objRowRef:
			if p.m.Cost[j] != 0 {
				return p.errf(MPSObjCoefTwice, name)
			}
			p.m.Cost[j] = v
			continue
		}
		key := [2]int32{r, j}
		if _, dup := p.entries[key]; dup {
			return p.errf(MPSCoefTwice, name, f[k])
		}
		p.entries[key] = struct{}{}
		if v != 0 {
			p.m.entries = append(p.m.entries, entry{r, j, v})
		}
	}
	return nil
}

// unknownRowErr names the unknown row in a line that has the right shape,
// and falls back to the error of kind and args otherwise.
func (p *mpsParser) unknownRowErr(f []string, kind MPSErrorKind, args ...any) error {
	if len(f) == 3 || len(f) == 5 {
		for k := 1; k < len(f); k += 2 {
			if _, ok := p.rowRef(f[k]); !ok {
				return p.errf(MPSUnknownRow, f[k])
			}
		}
	}
	return p.errf(kind, args...)
}

func (p *mpsParser) columnFieldsOK(f []string) bool {
	if len(f) != 3 && len(f) != 5 {
		return false
	}
	for k := 1; k < len(f); k += 2 {
		if _, ok := p.rowRef(f[k]); !ok {
			return false
		}
	}
	return true
}

// rhsLine reads RHS and RANGES lines: an optional set name, then one or
// two (row, value) pairs. Only the first set is used.
func (p *mpsParser) rhsLine(line string) error {
	f := strings.Fields(line)
	pairs, set, ok := p.splitSetPairs(f)
	if !ok {
		ff := fixedFields(line)
		if len(ff) >= 4 {
			pairs, set, ok = p.splitSetPairs(ff[1:])
			if !ok && ff[1] == "" {
				pairs, set, ok = p.splitSetPairs(ff[2:])
			}
		}
		if !ok {
			return p.errf(MPSRHSFields)
		}
	}
	cur := &p.rhsSet
	if p.section == secRanges {
		cur = &p.rangeSet
	}
	if *cur == "" {
		*cur = set + "\x00" // non-empty even for an unnamed set
	}
	if *cur != set+"\x00" {
		return nil // a second set: ignored, as by every solver
	}
	for k := 0; k+1 < len(pairs); k += 2 {
		r, _ := p.rowRef(pairs[k])
		v, err := p.number(pairs[k+1], MPSRHSNotNumber, pairs[k])
		if err != nil {
			return err
		}
		if p.section == secRHS {
			switch r {
			case droppedRow:
			case objRowRef:
				p.m.ObjConst = -v
			default:
				p.rhs[r] = v
			}
			continue
		}
		switch r {
		case droppedRow, objRowRef:
			return p.errf(MPSRangeFreeRow, pairs[k])
		}
		if p.hasRange[r] {
			return p.errf(MPSRangeTwice, pairs[k])
		}
		p.hasRange[r] = true
		p.rangeVal[r] = v
	}
	return nil
}

func (p *mpsParser) splitSetPairs(f []string) (pairs []string, set string, ok bool) {
	check := func(pairs []string) bool {
		for k := 0; k < len(pairs); k += 2 {
			if _, ok := p.rowRef(pairs[k]); !ok {
				return false
			}
		}
		return true
	}
	switch len(f) {
	case 2, 4:
		if check(f) {
			return f, "", true
		}
	case 3, 5:
		if check(f[1:]) {
			return f[1:], f[0], true
		}
	}
	return nil, "", false
}

func (p *mpsParser) boundLine(line string) error {
	f := strings.Fields(line)
	typ, col, val, err := p.splitBound(f)
	if err != nil {
		ff := fixedFields(line)
		if len(ff) >= 3 {
			if t, c, v, err2 := p.splitBound(fixedBound(ff)); err2 == nil {
				typ, col, val, err = t, c, v, nil
			}
		}
		if err != nil {
			return err
		}
	}
	j := p.cols[col]
	m := p.m
	var v float64
	if val != "" {
		if v, err = p.number(val, MPSBoundNotNumber, typ, col); err != nil {
			return err
		}
	}
	switch typ {
	case "UP", "UI":
		m.ColUpper[j] = clampInf(v)
		if v < 0 && !p.lowerSet[j] && m.ColLower[j] == 0 {
			m.ColLower[j] = -Inf
		}
	case "LO", "LI":
		m.ColLower[j] = clampInf(v)
		p.lowerSet[j] = true
	case "FX":
		if math.IsInf(clampInf(v), 0) {
			return p.errf(MPSFixedInfinite, col)
		}
		m.ColLower[j], m.ColUpper[j] = v, v
		p.lowerSet[j] = true
	case "FR":
		m.ColLower[j], m.ColUpper[j] = -Inf, Inf
		p.lowerSet[j] = true
	case "MI":
		m.ColLower[j] = -Inf
		p.lowerSet[j] = true
	case "PL":
		m.ColUpper[j] = Inf
	case "BV":
		m.ColLower[j], m.ColUpper[j] = 0, 1
		p.lowerSet[j] = true
	}
	return nil
}

func fixedBound(ff []string) []string {
	// type, set, column, value; drop an empty set name.
	if len(ff) > 1 && ff[1] == "" {
		return append([]string{ff[0]}, ff[2:]...)
	}
	return ff
}

func (p *mpsParser) splitBound(f []string) (typ, col, val string, err error) {
	if len(f) < 2 {
		return "", "", "", p.errf(MPSBoundFields)
	}
	typ = strings.ToUpper(f[0])
	needsValue := true
	switch typ {
	case "UP", "LO", "FX", "LI", "UI":
	case "FR", "MI", "PL", "BV":
		needsValue = false
	case "SC":
		return "", "", "", p.errf(MPSBoundSC)
	default:
		return "", "", "", p.errf(MPSBoundType, f[0])
	}
	rest := f[1:]
	known := func(s string) bool { _, ok := p.cols[s]; return ok }
	switch {
	case len(rest) == 3:
		col, val = rest[1], rest[2]
	case len(rest) == 2 && needsValue && !known(rest[0]) && known(rest[1]):
		return "", "", "", p.errf(MPSBoundNoValue, typ, rest[1])
	case len(rest) == 2 && needsValue:
		col, val = rest[0], rest[1]
	case len(rest) == 2 && known(rest[1]):
		col = rest[1]
	case len(rest) == 2:
		col, val = rest[0], rest[1]
	case len(rest) == 1 && !needsValue:
		col = rest[0]
	default:
		return "", "", "", p.errf(MPSBoundFieldsCount, typ, len(rest))
	}
	if !known(col) {
		return "", "", "", p.errf(MPSBoundUnknownColumn, typ, col)
	}
	if needsValue && val == "" {
		return "", "", "", p.errf(MPSBoundNoValue, typ, col)
	}
	if set := ""; len(rest) == 3 {
		set = rest[0]
		if p.boundSet == "" {
			p.boundSet = set + "\x00"
		}
		if p.boundSet != set+"\x00" {
			return "", "", "", p.errf(MPSBoundSecondSet, set)
		}
	}
	return typ, col, val, nil
}

func clampInf(v float64) float64 {
	switch {
	case v >= mpsInfinity:
		return Inf
	case v <= -mpsInfinity:
		return -Inf
	}
	return v
}

// finish turns row types, right-hand sides and ranges into row bounds.
func (p *mpsParser) finish() {
	m := p.m
	n := len(p.rowType)
	m.RowLower = make([]float64, n)
	m.RowUpper = make([]float64, n)
	for i, t := range p.rowType {
		b := clampInf(p.rhs[i])
		lo, hi := b, b
		switch t {
		case 'L':
			lo = -Inf
		case 'G':
			hi = Inf
		}
		if p.hasRange[i] {
			r := p.rangeVal[i]
			switch t {
			case 'L':
				lo = b - math.Abs(r)
			case 'G':
				hi = b + math.Abs(r)
			case 'E':
				if r > 0 {
					hi = b + r
				} else {
					lo = b + r
				}
			}
			lo, hi = clampInf(lo), clampInf(hi)
		}
		m.RowLower[i], m.RowUpper[i] = lo, hi
	}
	if p.negate {
		for j := range m.Cost {
			m.Cost[j] = -m.Cost[j]
		}
		m.ObjConst = -m.ObjConst
	}
}

// WriteMPS writes m in free MPS format with full precision, marked FREE on
// the NAME line. Rows and
// columns without names, or whose names contain blanks or repeat, get
// generated names (R0, R1, ...; C0, C1, ...).
func WriteMPS(w io.Writer, m *Model) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	rowNames := uniqueNames(m.RowNames, m.NumRows(), "R")
	colNames := uniqueNames(m.ColNames, m.NumCols(), "C")
	obj := "OBJ"
	for _, n := range rowNames {
		if n == obj {
			obj = "OBJ_" + strconv.Itoa(len(rowNames))
		}
	}
	name := m.Name
	if !writableName(name) {
		name = "MODEL"
	}
	// FREE tells CLP's reader, which guesses the format line by line and
	// can guess wrong, that this is free format.
	fmt.Fprintf(bw, "NAME %s FREE\nROWS\n N %s\n", name, obj)
	for i := range rowNames {
		lo, hi := m.RowLower[i], m.RowUpper[i]
		t := "E"
		switch {
		case math.IsInf(lo, -1) && math.IsInf(hi, 1):
			t = "G" // a free row: written as ≥ -infinity via RANGES below
		case math.IsInf(lo, -1):
			t = "L"
		case math.IsInf(hi, 1):
			t = "G"
		}
		fmt.Fprintf(bw, " %s %s\n", t, rowNames[i])
	}
	bw.WriteString("COLUMNS\n")
	a := m.Matrix()
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for j := 0; j < m.NumCols(); j++ {
		wrote := false
		if m.Cost[j] != 0 {
			fmt.Fprintf(bw, " %s %s %s\n", colNames[j], obj, num(m.Cost[j]))
			wrote = true
		}
		for k := a.Start[j]; k < a.Start[j+1]; k++ {
			fmt.Fprintf(bw, " %s %s %s\n", colNames[j], rowNames[a.Ind[k]], num(a.Val[k]))
			wrote = true
		}
		if !wrote {
			// A column with no entries must still be declared.
			fmt.Fprintf(bw, " %s %s 0\n", colNames[j], obj)
		}
	}
	bw.WriteString("RHS\n")
	if m.ObjConst != 0 {
		fmt.Fprintf(bw, " RHS %s %s\n", obj, num(-m.ObjConst))
	}
	var ranges []string
	for i := range rowNames {
		lo, hi := m.RowLower[i], m.RowUpper[i]
		var rhs float64
		switch {
		case math.IsInf(lo, -1) && math.IsInf(hi, 1):
			rhs = -mpsInfinity
		case math.IsInf(lo, -1):
			rhs = hi
		default:
			rhs = lo
			if !math.IsInf(hi, 1) && hi != lo {
				ranges = append(ranges, fmt.Sprintf(" RNG %s %s\n", rowNames[i], num(hi-lo)))
			}
		}
		if rhs != 0 {
			fmt.Fprintf(bw, " RHS %s %s\n", rowNames[i], num(rhs))
		}
	}
	if len(ranges) > 0 {
		bw.WriteString("RANGES\n")
		for _, r := range ranges {
			bw.WriteString(r)
		}
	}
	bw.WriteString("BOUNDS\n")
	for j := range colNames {
		lo, hi := m.ColLower[j], m.ColUpper[j]
		c := colNames[j]
		switch {
		case lo == hi:
			fmt.Fprintf(bw, " FX BND %s %s\n", c, num(lo))
			continue
		case math.IsInf(lo, -1) && math.IsInf(hi, 1):
			fmt.Fprintf(bw, " FR BND %s\n", c)
			continue
		case math.IsInf(lo, -1):
			fmt.Fprintf(bw, " MI BND %s\n", c)
		case lo != 0 || hi < 0:
			// An explicit LO 0 keeps a negative UP bound from freeing the lower bound.
			fmt.Fprintf(bw, " LO BND %s %s\n", c, num(lo))
		}
		if !math.IsInf(hi, 1) {
			fmt.Fprintf(bw, " UP BND %s %s\n", c, num(hi))
		}
	}
	bw.WriteString("ENDATA\n")
	return bw.Flush()
}

func uniqueNames(names []string, n int, prefix string) []string {
	out := make([]string, n)
	seen := make(map[string]bool, n)
	for i := range out {
		s := ""
		if i < len(names) {
			s = names[i]
		}
		if !writableName(s) || seen[s] {
			for i := range out {
				out[i] = prefix + strconv.Itoa(i)
			}
			return out
		}
		seen[s] = true
		out[i] = s
	}
	return out
}

// writableName reports whether a name survives free-format MPS: no blanks
// of any kind, and not the word that marks integer sections.
func writableName(s string) bool {
	return s != "" && strings.IndexFunc(s, unicode.IsSpace) < 0 &&
		s != "MARKER" && s != "'MARKER'"
}
