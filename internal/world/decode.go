package world

import (
	"slices"
	"strconv"
)

// The decoder that Read uses: it walks a world file value by value,
// keeping the path of each so that every problem names its place, reads
// values of the types the schemas of read.go ask for, and collects what
// is wrong with them without stopping. Only malformed JSON stops it; the
// JSON syntax itself is scanned in scan.go.

// decoder reads one JSON document into a World, following the schemas
// of read.go. It keeps the path of the value it is reading so that every
// problem names its place; problems with the values are collected in
// errs and reading goes on, while malformed JSON stops it (see fail).
type decoder struct {
	data []byte
	pos  int
	path []segment
	errs Errors
	buf  []byte // unescaped strings
	kbuf []byte // unescaped keys

	sizes  [9]int            // of the lists of the world, by listSizes
	words  map[string]string // see word
	strBuf []string          // see strs
}

// A segment of a path is a key, or an index when key is empty.
type segment struct {
	key   string
	index int
}

func (d *decoder) pathString() string {
	p := ""
	for _, s := range d.path {
		if s.key == "" && s.index >= 0 {
			p += "[" + strconv.Itoa(s.index) + "]"
		} else {
			p = keyPath(p, s.key)
		}
	}
	return p
}

func (d *decoder) push(key string, index int) { d.path = append(d.path, segment{key, index}) }
func (d *decoder) pop()                       { d.path = d.path[:len(d.path)-1] }

// add records a problem with the value being read.
func (d *decoder) add(rule string, args ...any) {
	d.errs = append(d.errs, &FieldError{Path: d.pathString(), Rule: rule, Args: args})
}

// document reads the whole input into w and returns the syntax error, if
// any; the problems with values are left in d.errs.
func (d *decoder) document(w *World) (err *FieldError) {
	defer func() {
		if r := recover(); r != nil {
			s, ok := r.(syntaxError)
			if !ok {
				panic(r)
			}
			err = s.err
		}
	}()
	d.world(w)
	if d.space(); d.pos < len(d.data) {
		d.fail(phraseTrailing)
	}
	return nil
}

// mismatch reports that the value at d.pos is not of the type wanted, and
// skips it.
func (d *decoder) mismatch(want phrase) {
	var got phrase
	switch d.space() {
	case '{':
		got = phraseObject
	case '[':
		got = phraseArray
	case '"':
		got = phraseString
	case 't':
		got = "true"
	case 'f':
		got = "false"
	case 'n':
		got = "null"
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		got = phraseNumber
	default:
		d.unexpected(phraseValue)
	}
	// Record the error only once the value is known to be well formed,
	// so that "true" is not reported for "tru".
	d.skip()
	d.add(ruleType, want, got)
}

// object reads an object described by s, calling field with the index
// of each known key, the decoder positioned at its value and the key on
// the path; field must read the value. Unknown and repeated keys are
// reported and skipped, missing required keys reported.
func (d *decoder) object(s *schema, field func(i int)) {
	if d.space() != '{' {
		d.mismatch(phraseObject)
		return
	}
	d.pos++
	var seen uint16
	if d.space() == '}' {
		d.pos++
	} else {
		for {
			key := d.key(&d.kbuf)
			i := s.find(key)
			switch {
			case i < 0:
				d.push(string(key), -1)
				d.add(ruleUnknownField)
				d.skip()
				d.pop()
			case seen&(1<<i) != 0:
				d.push(s.keys[i], -1)
				d.add(ruleDuplicateKey)
				d.skip()
				d.pop()
			default:
				seen |= 1 << i
				d.push(s.keys[i], -1)
				field(i)
				d.pop()
			}
			if d.next('}') {
				break
			}
		}
	}
	if missing := s.required &^ seen; missing != 0 {
		for i, k := range s.keys {
			if missing&(1<<i) != 0 {
				d.push(k, -1)
				d.add(ruleRequired)
				d.pop()
			}
		}
	}
}

// list reads an array (or null), calling elem for each element with its
// index on the path; elem must read the element.
func (d *decoder) list(elem func()) {
	if d.null() {
		return
	}
	if d.space() != '[' {
		d.mismatch(phraseArray)
		return
	}
	d.pos++
	if d.space() == ']' {
		d.pos++
		return
	}
	for i := 0; ; i++ {
		d.push("", i)
		elem()
		d.pop()
		if d.next(']') {
			return
		}
	}
}

// str reads a string; "" when the value is not one.
func (d *decoder) str() string {
	if d.space() != '"' {
		d.mismatch(phraseString)
		return ""
	}
	return string(d.quoted(&d.buf))
}

// word reads a string that is likely to recur, such as a product id in a
// need or a member's cell, and shares one copy of it: a million members
// and their needs then take a few hundred distinct strings, not millions.
func (d *decoder) word() string {
	if d.space() != '"' {
		d.mismatch(phraseString)
		return ""
	}
	b := d.quoted(&d.buf)
	if s, ok := d.words[string(b)]; ok {
		return s
	}
	s := string(b)
	if d.words == nil {
		d.words = make(map[string]string)
	}
	if len(d.words) < maxWords {
		d.words[s] = s
	}
	return s
}

// maxWords bounds the strings word keeps, whatever the input.
const maxWords = 1 << 16

// strs reads an array of words; nil when empty.
func (d *decoder) strs() []string {
	d.strBuf = d.strBuf[:0]
	d.list(func() { d.strBuf = append(d.strBuf, d.word()) })
	if len(d.strBuf) == 0 {
		return nil
	}
	return slices.Clone(d.strBuf)
}

// names reads an object of strings; nil when empty.
func (d *decoder) names() Names {
	var n Names
	d.entries(func(k string) {
		if n == nil {
			n = make(Names, 2)
		}
		n[k] = d.str()
	})
	return n
}

// amounts reads an object of numbers; nil when empty.
func (d *decoder) amounts() map[string]float64 {
	var m map[string]float64
	d.entries(func(k string) {
		if m == nil {
			m = make(map[string]float64, 4)
		}
		m[k] = d.num()
	})
	return m
}

// entries reads an object whose keys are data (a map) or null, calling
// value with each new key, on the path; value must read the value.
func (d *decoder) entries(value func(k string)) {
	if d.null() {
		return
	}
	if d.space() != '{' {
		d.mismatch(phraseObject)
		return
	}
	d.pos++
	if d.space() == '}' {
		d.pos++
		return
	}
	var seen map[string]bool
	for {
		k := string(d.key(&d.kbuf))
		d.push(k, -1)
		if seen[k] {
			d.add(ruleDuplicateKey)
			d.skip()
		} else {
			if seen == nil {
				seen = make(map[string]bool, 4)
			}
			seen[k] = true
			value(k)
		}
		d.pop()
		if d.next('}') {
			return
		}
	}
}

// optNum reads a number or null.
func (d *decoder) optNum() *float64 {
	if d.null() {
		return nil
	}
	x := d.num()
	return &x
}

// num reads a number; 0 when the value is not a finite one.
func (d *decoder) num() float64 {
	c := d.space()
	if c != '-' && (c < '0' || c > '9') {
		d.mismatch(phraseNumber)
		return 0
	}
	start := d.pos
	end, integer := d.number()
	if integer && end-start <= 15 {
		// Exact in a float64; most quantities are whole.
		var n int64
		i := start
		if d.data[i] == '-' {
			i++
		}
		for ; i < end; i++ {
			n = n*10 + int64(d.data[i]-'0')
		}
		if d.data[start] == '-' {
			n = -n
		}
		return float64(n)
	}
	x, err := strconv.ParseFloat(string(d.data[start:end]), 64)
	if err != nil {
		// The syntax was checked by number: the value is out of range.
		d.add(ruleNotFinite)
		return 0
	}
	return x
}
